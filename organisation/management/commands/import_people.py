"""`manage.py import_people FILE [--complete] [--managers-get-role]`: create,
update and deactivate accounts from the HR system's people file (CSV or XLSX),
by employee number (organisation/people.py).

All or nothing: when any row is wrong the command lists every error (row and
column) and the database is left unchanged.
"""
from django.core.management.base import BaseCommand, CommandError

from organisation import people
from organisation.csvio import CsvImportError


class Command(BaseCommand):
    help = "Importerar personer från HR-systemet (CSV eller XLSX) efter anställningsnummer."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="CSV (UTF-8 eller Windows-1252, komma eller semikolon) "
                                                        "eller Excel (.xlsx).")
        parser.add_argument("--complete", action="store_true",
                            help="Filen är hela personalen: den som inte finns med inaktiveras.")
        parser.add_argument("--managers-get-role", action="store_true",
                            help="Varje chef får chefsrollen på enheterna där de som rapporterar till hen arbetar.")

    def handle(self, *args, file, complete=False, managers_get_role=False, **options):
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {file}: {exc.strerror}.") from exc
        try:
            result = people.import_people(data, complete=complete, managers_get_role=managers_get_role)
        except CsvImportError as exc:
            raise CommandError(
                f"Inget importerades: {len(exc.errors)} fel i {file}.\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Klart: {result.created} nya, {result.updated} ändrade och {result.unchanged} oförändrade personer; "
            f"{result.deactivated} inaktiverade."))

"""`manage.py import_org FILE [--headcount]`: create or update the organisation
tree (or headcount per unit and year) from CSV, by code.

All or nothing: every row is checked first; when any row is wrong the command
lists every error (row and column) and the database is left unchanged.
"""
from django.core.management.base import BaseCommand, CommandError

from organisation import csvio


class Command(BaseCommand):
    help = "Importerar organisationsträdet (eller antal anställda per år) från CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FIL", help="CSV-fil (UTF-8, komma eller semikolon).")
        parser.add_argument("--headcount", action="store_true",
                            help="Filen innehåller antal anställda per enhet och år.")

    def handle(self, *args, file, headcount=False, **options):
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CommandError(f"Kan inte läsa {file}: {exc.strerror}.") from exc
        try:
            if headcount:
                result = csvio.import_headcount(data)
            else:
                result = csvio.import_tree(data)
        except csvio.CsvImportError as exc:
            raise CommandError(
                f"Inget importerades: {len(exc.errors)} fel i {file}.\n" + "\n".join(exc.errors)) from exc
        what = "rader om antal anställda" if headcount else "enheter"
        self.stdout.write(self.style.SUCCESS(
            f"Klart: {result.created} nya, {result.updated} ändrade och {result.unchanged} oförändrade {what}."))

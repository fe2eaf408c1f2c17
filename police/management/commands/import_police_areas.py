"""Read which local police area serves which unit from a CSV file (columns
enhet, lokalpolisomrade, polisregion). Any bad row and nothing changes."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisation.csvio import CsvImportError
from police.areas import import_csv


class Command(BaseCommand):
    help = "Läs in kopplingar mellan enheter och lokalpolisområden från en CSV-fil."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV-fil med kolumnerna enhet, lokalpolisomrade, polisregion")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Filen {path} kan inte läsas: {exc.strerror}.") from exc
        try:
            result = import_csv(data)
        except CsvImportError as exc:
            raise CommandError("Inget har ändrats.\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(f"Nya kopplingar: {result.created}, ändrade: {result.changed}, "
                          f"oförändrade: {result.unchanged}.")
        for name in result.new_areas:
            self.stdout.write(f"Nytt lokalpolisområde: {name}")

"""`manage.py export_org [--headcount] [-o FILE]`: the organisation tree (or
headcount per unit and year) as UTF-8 CSV, parents before children."""
import io

from django.core.management.base import BaseCommand, CommandError

from organisation import csvio


class Command(BaseCommand):
    help = "Exporterar organisationsträdet (eller antal anställda per år) som CSV."

    def add_arguments(self, parser):
        parser.add_argument("--headcount", action="store_true",
                            help="Exportera antal anställda per enhet och år i stället för trädet.")
        parser.add_argument("-o", "--output", metavar="FIL", help="Skriv till en fil i stället för standard ut.")

    def handle(self, *args, headcount=False, output=None, **options):
        export = csvio.export_headcount if headcount else csvio.export_tree
        if not output:
            buffer = io.StringIO()
            export(buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = export(out)
        except OSError as exc:
            raise CommandError(f"Kan inte skriva till {output}: {exc.strerror}.") from exc
        self.stderr.write(f"{count} rader skrivna till {output}.")

"""`manage.py rebuild_rollups [--check]`: the situation picture's running
totals from the raw rows (situation.rollups).

Without --check it recomputes every skeleton from the incidents (frozen ones,
kept by gallring, stay) and the tally from the skeletons; incident writes
wait meanwhile on PostgreSQL. With --check it changes nothing, prints every
difference between the totals and the raw rows and exits with status 1 if
there is one.
"""
from django.core.management.base import BaseCommand, CommandError

from situation import rollups


class Command(BaseCommand):
    help = "Räknar om lägesbildens löpande summor från händelserna (--check: jämför bara)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Ändra inget; skriv ut varje skillnad och avsluta med fel om någon finns.")

    def handle(self, *args, check=False, **options):
        if check:
            differences = rollups.check()
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(f"{len(differences)} skillnader mellan summorna och händelserna.")
            self.stdout.write(self.style.SUCCESS("Summorna stämmer med händelserna."))
            return
        result = rollups.rebuild(log=lambda line: self.stderr.write(line) if options["verbosity"] > 1 else None)
        self.stdout.write(self.style.SUCCESS(
            f"Omräknat: {result['skeletons']} skelett, {result['tally']} rader i summorna."))

"""Verify that the audit log's hash chain is intact. Exit status 1 if not."""
from django.core.management.base import BaseCommand, CommandError

from audit.log import verify_chain


class Command(BaseCommand):
    help = "Kontrollerar att granskningsloggen är obruten (hashkedjan)."

    def handle(self, *args, **options):
        count, problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Granskningsloggen är inte intakt: {len(problems)} fel i {count} poster.")
        self.stdout.write(self.style.SUCCESS(f"Granskningsloggen är intakt: {count} poster kontrollerade."))

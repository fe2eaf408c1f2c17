"""Seal the audit log: chain every committed entry that is not sealed yet,
and print the chain's head. Run by the timer (run_reminders does it too);
keeping the printed heads outside the database (the timer's log) lets
`verify_audit --expect NUMMER:HASH` find a chain rewritten behind its back."""
from django.core.management.base import BaseCommand

from audit.log import head, seal


class Command(BaseCommand):
    help = "Förseglar granskningsloggens nya poster (kedjar dem) och skriver ut kedjans huvud."

    def handle(self, *args, **options):
        count = seal()
        seq, last = head()
        self.stdout.write(f"Granskningsloggen: {count} poster förseglade; kedjans huvud {seq}:{last}")

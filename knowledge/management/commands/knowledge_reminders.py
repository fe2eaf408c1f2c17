"""E-mail article owners whose review date has come (once per due date).

Run daily from a timer, e.g. `python manage.py knowledge_reminders`. Prints
the number of reminders sent. The same work is available to the global
reminder job as knowledge.reminders.send_due(now).
"""
from django.core.management.base import BaseCommand

from knowledge.reminders import send_due


class Command(BaseCommand):
    help = "Skickar påminnelser om översyn av artiklar i kunskapsbanken."

    def handle(self, *args, **options):
        self.stdout.write(str(send_due()))

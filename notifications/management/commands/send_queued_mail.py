"""Send the e-mails waiting in the outbox (notifications.outbox). Run it as
a service with `--loop` when VARN_MAIL_WORKER is on (README: production);
without `--loop` it sends what is due once. Any number may run at once:
each batch is claimed, so nothing is sent twice. SIGTERM ends the loop
after the batch in hand."""
import signal
import time

from django.core.management.base import BaseCommand

from notifications.outbox import drain


class Command(BaseCommand):
    help = "Skickar e-post som väntar i kön."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Fortsätt köra och skicka det som kommer.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Sekunder mellan försöken när kön är tom (med --loop).")

    def handle(self, *args, loop=False, interval=1.0, **options):
        stopping = []
        if loop:
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            sent = drain()
            if not loop:
                self.stdout.write(f"{sent} e-postmeddelanden skickade")
                return
            if stopping:
                return
            if not sent:
                time.sleep(max(interval, 0.1))

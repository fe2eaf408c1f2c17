"""Send due reminders and escalations. Run it from a timer (cron/systemd)
every few minutes; sending is idempotent. `--loop` keeps running, for development.
The same timer seals the audit log (audit.log.seal, as `seal_audit` does)
and sends what waits in the e-mail outbox (an earlier failure's leftovers;
notifications.outbox)."""
import time

from django.core.management.base import BaseCommand

from audit.log import head, seal
from notifications.outbox import drain
from notifications.reminders import send_all


class Command(BaseCommand):
    help = "Skickar påminnelser och eskaleringar som är förfallna (en gång per händelse)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Fortsätt köra (för utveckling).")
        parser.add_argument("--interval", type=int, default=300, help="Sekunder mellan körningar med --loop.")

    def handle(self, *args, loop=False, interval=300, **options):
        while True:
            counts = send_all()
            counts["outbox"] = drain()
            self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
            sealed = seal()
            seq, last = head()
            self.stdout.write(f"Granskningsloggen: {sealed} poster förseglade; kedjans huvud {seq}:{last}")
            if not loop:
                return
            time.sleep(max(interval, 10))

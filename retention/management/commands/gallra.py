"""Gallring: remove the personal data that the retention schedule says is
due, keep the statistics. `--dry-run` only shows what would go. For the
timer: `--daily` runs only when no run has finished today (local time).

Exit status 0 when another run holds the lock (it says so and does
nothing), so that the timer does not alarm on an overlap."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from retention import schedule
from retention.models import RetentionRun
from retention.thinning import BATCH, Busy, preview, run


class Command(BaseCommand):
    help = "Gallrar personuppgifter enligt gallringsreglerna; statistiken finns kvar."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Visa vad nästa körning tar bort, per slag och år, utan att ta bort något.")
        parser.add_argument("--batch", type=int, default=BATCH, metavar="N",
                            help=f"Ärenden per transaktion (standard {BATCH}); vart och ett gallras helt eller inte alls.")
        parser.add_argument("--daily", action="store_true",
                            help="Kör bara om ingen körning har blivit klar i dag (för timern).")

    def handle(self, *args, dry_run=False, daily=False, batch=BATCH, **options):
        if batch < 1:
            raise CommandError("--batch måste vara minst 1.")
        if dry_run:
            self._preview()
            return
        if daily:
            today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            if RetentionRun.objects.filter(finished_at__gte=today).exists():
                self.stdout.write("Gallring: redan körd i dag.")
                return
        try:
            outcome = run(batch=batch, log=lambda line: self.stdout.write(line) if options.get("verbosity", 1) > 1 else None)
        except Busy:
            self.stdout.write("Gallring pågår redan i en annan körning; den här gör ingenting.")
            return
        removed = ", ".join(f"{schedule.BY_CODE[k].label if k in schedule.BY_CODE else k}: {n}"
                            for k, n in sorted(outcome.removed.items())) or "ingenting"
        self.stdout.write(f"Gallring klar (körning {outcome.run.pk}): {outcome.run.incidents} ärenden gallrade, "
                          f"{outcome.run.held} bevarade lämnades; borttaget: {removed}.")

    def _preview(self):
        result = preview()
        self.stdout.write(f"Nästa gallring: {result.cases} ärenden, {result.held} bevarade lämnas.")
        for kind in schedule.KINDS:
            counts = result.drafts if kind.code == "drafts" else result.by_kind.get(kind.code)
            if counts is None:
                continue
            per_year = ", ".join(f"{year}: {n}" for year, n in sorted(counts.items())) or "inget"
            self.stdout.write(f"  {kind.label}: {sum(counts.values())} ({per_year})")

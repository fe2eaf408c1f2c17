"""Verify the audit log: the hash chain of every sealed entry, and that no
entry has waited longer than the window for its seal. Exit status 1 if not.
Only reads: sealing is `seal_audit`'s job."""
import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from audit.log import SEAL_WINDOW, verify


def _expected_head(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"\s*(\d+)\s*:\s*([0-9a-f]{64})\s*", value or "")
    if not match:
        raise CommandError("--expect ska vara NUMMER:HASH, som seal_audit skriver ut (till exempel 1234:9f86d0…).")
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = ("Kontrollerar att granskningsloggen är obruten: hashkedjan över alla förseglade poster, "
            "och att ingen post har väntat längre än fönstret på att förseglas.")

    def add_arguments(self, parser):
        parser.add_argument("--window", type=int, metavar="SEKUNDER",
                            help=f"Hur länge en post får vänta på försegling (standard {int(SEAL_WINDOW.total_seconds())}).")
        parser.add_argument("--expect", metavar="NUMMER:HASH",
                            help="Ett kedjehuvud som sparats utanför databasen (från seal_audit): kedjan ska ha just den hashen på den platsen.")

    def handle(self, *args, window=None, expect=None, **options):
        if window is not None and window < 0:
            raise CommandError("--window kan inte vara negativt.")
        result = verify(window=None if window is None else timedelta(seconds=window),
                        expect=_expected_head(expect) if expect else None)
        if result.problems:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"Granskningsloggen är inte intakt: {len(result.problems)} fel i {result.checked} poster.")
        self.stdout.write(self.style.SUCCESS(
            f"Granskningsloggen är intakt: {result.checked} poster kontrollerade, {result.sealed} förseglade, "
            f"{result.waiting} väntar på försegling (inom fönstret)."))

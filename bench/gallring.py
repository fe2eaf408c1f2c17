"""Benchmark of gallring (retention) on PostgreSQL.

Creates its own database (varn_gallring_bench), migrates it, fills it with
the demo organisation and N incidents over 10 years (manage.py seed_demo
--incidents N --years 10: the demo's fast insert), sets the case rules so
that the cases closed longer ago than --due-years are due (about 60 % of the
history with the defaults), and runs gallring in-process:

  incidents            incidents in the database
  due_cases            cases the preview says the run will thin
  small_run_s          a first run limited to a tenth of the due cases
  small_peak_mb        the process's peak resident memory during that run (sampled every 0.1 s)
  small_growth_mb      how much the resident memory grew during that run
  run_s                the run of the rest
  rows_per_s           cases thinned per second over both runs
  peak_mb              the peak resident memory during the big run (flat: it must not grow with the rows)
  growth_mb            how much the resident memory grew during the big run
  thinned              cases thinned in all
  oldest_year          the oldest full year in the history
  year_total_before / year_total_after            the picture's count of that year (city, analyst)
  year_police_before / year_police_after          police-reported incidents of that year
  year_women_before / year_women_after            reports by women that year (gender analysis)
  year_median_close_before / year_median_close_after   median time to closure (steps)
  picture_equal        1 when every figure of that year's picture is the same after (totals and raw)
  rollup_check         differences rebuild_rollups --check finds afterwards (0)
  audit_intact         1 when verify_audit passes afterwards

    .venv/bin/python bench/gallring.py                       1,000,000 incidents
    .venv/bin/python bench/gallring.py --incidents 100000    what fits in a few minutes
"""
import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--due-years", type=int, default=4,
                        help="the case rules' period: cases closed longer ago are due")
    parser.add_argument("--db", default="varn_gallring_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def admin(sql: str):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def log(message: str):
    print(f"# {message}", file=sys.stderr, flush=True)


def build(args, env):
    log(f"creating database {args.db}")
    admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{args.db}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
    log(f"seeding {args.incidents:,} incidents over {args.years:g} years")
    began = time.monotonic()
    subprocess.run(manage + ["seed_demo", "--incidents", str(args.incidents), "--years", str(args.years)],
                   env=env, check=True, cwd=ROOT, stdout=sys.stderr)
    log(f"seeded in {time.monotonic() - began:.0f} s; VACUUM ANALYZE")
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def picture(year):
    """The city analyst's picture of `year`: the running totals and the raw rows."""
    from django.db.models import Q
    from django.utils import timezone

    from organisation.models import OrgUnit, Role
    from situation import figures, queries, totals
    from situation.forms import load_terms
    from situation.lens import Lens, local_start

    user = (OrgUnit.objects.get(parent__isnull=True).assignments.filter(role=Role.ANALYST).first()
            or None)
    user = user.user if user else None
    if user is None:
        from organisation.models import RoleAssignment, User

        user = User.objects.create_user(username=f"bench-analyst-{time.time_ns()}")
        RoleAssignment.objects.create(user=user, role=Role.ANALYST, node=OrgUnit.objects.get(parent__isnull=True))
    city = OrgUnit.objects.get(parent__isnull=True)
    lens = Lens(node=city, start=date(year, 1, 1), end=date(year, 12, 31), period="ar", year=year)
    terms = load_terms()
    win = figures.window(lens)
    kept = totals.gather(user, lens, terms, pieces=win.pieces, history_start=win.history_start,
                         with_history=win.has_history, today=timezone.localdate())
    before = lens.countable(user, local_start(win.ext_start), max(lens.start_dt, win.prev_end_dt), terms=terms)
    current = lens.countable(user, lens.start_dt, lens.end_dt, terms=terms)
    previous = lens.countable(user, win.prev_start_dt, win.prev_end_dt, terms=terms)
    raw = queries.gather(
        before, current, previous=previous, terms=terms, today=timezone.localdate(), months=win.pieces,
        with_history=win.has_history,
        hist_q=Q(occurred_at__gte=local_start(win.history_start), occurred_at__lt=lens.start_dt),
        prev_q=Q(occurred_at__gte=win.prev_start_dt, occurred_at__lt=win.prev_end_dt))
    return kept, raw


class Memory:
    """The process's resident memory, sampled from /proc every 0.1 s while
    a run lasts: its peak and how much it grew (psycopg's and the
    interpreter's C allocations count too, and the run is not slowed down
    the way tracemalloc slows it)."""

    def __init__(self):
        self.start = self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def median_close(counts):
    return counts.timing.get("close_median") if isinstance(counts.timing, dict) else None


def main():
    args = parse_args()
    db_url = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "varn.settings_test"}
    build(args, env)
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "varn.settings_test"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from audit.log import seal, verify
    from incidents.models import Incident
    from retention import schedule, thinning
    from retention.models import RetentionRule
    from situation import rollups

    for code in ("identity", "texts", "messages", "attachments", "pseudonyms"):
        RetentionRule.objects.update_or_create(kind=code, defaults={"period": args.due_years})
    assert schedule.rules()["texts"].period == args.due_years
    # Unscoped: the benchmark counts the whole database.
    oldest = timezone.localtime(Incident.unscoped.order_by("occurred_at").first().occurred_at).year + 1
    kept_before, raw_before = picture(oldest)
    preview = thinning.preview()
    print(f"incidents: {Incident.unscoped.count()}")
    print(f"due_cases: {preview.cases}")

    small = max(1, preview.cases // 10)
    began = time.monotonic()
    with Memory() as small_mem:
        first = thinning.run(limit=small)
    small_s = time.monotonic() - began
    log(f"first run: {first.run.incidents} cases in {small_s:.0f} s")
    began = time.monotonic()
    with Memory() as big_mem:
        second = thinning.run(log=lambda line: log(line) if "0000 " in line else None)
    run_s = time.monotonic() - began
    thinned = first.run.incidents + second.run.incidents
    print(f"small_run_s: {small_s:.1f}")
    print(f"small_peak_mb: {small_mem.peak:.1f}")
    print(f"small_growth_mb: {small_mem.peak - small_mem.start:.1f}")
    print(f"run_s: {run_s:.1f}")
    print(f"rows_per_s: {thinned / (small_s + run_s):.0f}")
    print(f"peak_mb: {big_mem.peak:.1f}")
    print(f"growth_mb: {big_mem.peak - big_mem.start:.1f}")
    print(f"thinned: {thinned}")

    kept_after, raw_after = picture(oldest)
    print(f"oldest_year: {oldest}")
    def women(c):
        return c.gender_now.get("woman", 0)

    for name, get in (("total", lambda c: c.total_now), ("police", lambda c: c.police_reported),
                      ("women", women), ("median_close", median_close)):
        print(f"year_{name}_before: {get(kept_before)}")
        print(f"year_{name}_after: {get(kept_after)}")
    same_raw = all(getattr(raw_after, f) == getattr(raw_before, f) for f in raw_before.__dataclass_fields__
                   if f not in ("keysums", "repeated_actors"))
    print(f"picture_equal: {int(kept_after == kept_before and same_raw)}")
    print(f"rollup_check: {len(rollups.check(limit=100))}")
    seal()
    print(f"audit_intact: {int(verify().intact)}")
    began = time.monotonic()
    call_command("rebuild_rollups", "--check")
    print(f"rebuild_check_s: {time.monotonic() - began:.1f}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()

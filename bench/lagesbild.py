"""Benchmark of the situation picture (lägesbild) on PostgreSQL.

Creates its own database (varn_bench), migrates it, fills it with the demo
organisation and N incidents over 10 years (manage.py seed_demo --incidents N
--years 10), then measures in-process with Django's test client:

  city_median_ms       the city-wide page for the city analyst (median of --runs)
  city_median_ms_100k  the same page when the database held its first 100,000 incidents (same run)
  city_growth          city_median_ms / city_median_ms_100k: how the page grows with the history
  city_queries         SQL queries for that page
  city_sql_ms          the same SQL run directly on the database (median)
  city_ratio           city_median_ms / city_sql_ms (target at most 1.5)
  district_median_ms   a district page for the district's security coordinator
  district_queries     SQL queries for that page
  export_rows_per_s    the case list of all N incidents as streamed CSV
  export_peak_mb       peak Python memory (tracemalloc) during that export
  export_peak_small_mb the same for a one-year export, to show memory does not grow with rows
  rollup_mismatches    of --lenses random pictures (user, node, period, filters), how many differ
                       between the running totals and the raw rows: their counts, and the whole
                       picture as figures.compute gives it unsuppressed (raw=True for the raw rows)
  rollup_check         differences rebuild_rollups --check finds (with --check-totals)

The picture reads running totals (situation.totals), so it should hardly grow
with the history. Targets on a 2-core machine at 1,000,000 incidents:
city_median_ms <= 150, district_median_ms <= 100, city_growth <= 1.3,
rollup_mismatches = 0, export peak memory flat.

    .venv/bin/python bench/lagesbild.py                   1,000,000 incidents
    .venv/bin/python bench/lagesbild.py --incidents 100000 --keep
    .venv/bin/python bench/lagesbild.py --reuse           measure an existing varn_bench again
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", default="varn_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database; do not rebuild it")
    parser.add_argument("--no-export", action="store_true", help="skip the export measurements")
    parser.add_argument("--lenses", type=int, default=200, help="random pictures compared with the raw rows")
    parser.add_argument("--check-totals", action="store_true", help="also run rebuild_rollups --check")
    return parser.parse_args()


def admin(sql: str):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def log(message: str):
    print(f"# {message}", file=sys.stderr, flush=True)


FIRST_STAGE = 100_000


def seed(args, env, count):
    manage = [sys.executable, str(ROOT / "manage.py")]
    log(f"seeding {count:,} incidents over {args.years:g} years")
    began = time.monotonic()
    subprocess.run(manage + ["seed_demo", "--incidents", str(count), "--years", str(args.years)],
                   env=env, check=True, cwd=ROOT, stdout=sys.stderr)
    log(f"seeded (with the running totals rebuilt) in {time.monotonic() - began:.0f} s; VACUUM ANALYZE")
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def build(args, env):
    """The database with its first stage of incidents (FIRST_STAGE, or all
    of them when fewer); main() adds the rest after measuring the first."""
    log(f"creating database {args.db}")
    admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{args.db}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
    seed(args, env, min(args.incidents, FIRST_STAGE))


def timed_get(client, url):
    began = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def measure_page(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed_get(client, url)  # warm caches and connections
    times = [timed_get(client, url) for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        timed_get(client, url)
    sqls = [q["sql"] for q in captured.captured_queries]
    sql_times = []
    for _ in range(runs):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in sqls:
                if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                    continue
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
        sql_times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), len(sqls), statistics.median(sql_times)


def measure_export(client, url, trace: bool):
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    rows = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - began
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return rows - 1, elapsed, peak / 1024 / 1024  # minus the header line


def main():
    args = parse_args()
    db_url = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "varn.settings_test"}
    if not args.reuse:
        build(args, env)
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "varn.settings_test"})
    import django

    django.setup()
    from django.db import connections
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host and a local e-mail backend
    try:
        first = None
        if not args.reuse and args.incidents > FIRST_STAGE:
            first = measure_city(args)
            log(f"city page at {FIRST_STAGE:,} incidents: {first:.0f} ms")
            connections.close_all()
            seed(args, env, args.incidents - FIRST_STAGE)
        run(args, first)
    finally:
        connections.close_all()
        if not args.keep and not args.reuse:
            log(f"dropping {args.db}")
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def personas():
    from organisation.models import OrgUnit, Role, User

    city = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY)
    analyst = User.objects.filter(assignments__role=Role.ANALYST, assignments__node=city).first()
    security = User.objects.filter(assignments__role=Role.SECURITY_COORDINATOR,
                                   assignments__node__kind=OrgUnit.Kind.ADMINISTRATION).first()
    return city, analyst, security


def measure_city(args) -> float:
    from django.test import Client
    from django.urls import reverse

    city, analyst, _security = personas()
    client = Client()
    client.force_login(analyst)
    return measure_page(client, reverse("situation:picture", args=[city.pk]), args.runs)[0]


def compare_lenses(count: int, seed: int = 2026) -> int:
    """Random pictures from the running totals against the same pictures
    from the raw rows; the number that differ (printed as they are found)."""
    import random
    from datetime import date, timedelta

    from django.utils import timezone

    from organisation.models import OrgUnit, Role, User
    from situation import figures
    from situation.forms import load_terms
    from situation.lens import Lens

    rng = random.Random(seed)
    terms = load_terms()
    roles = [Role.ANALYST, Role.COMMITTEE, Role.SECURITY_COORDINATOR, Role.HR, Role.MANAGER, Role.SAFETY_REP]
    users = list(User.objects.filter(assignments__role__in=roles).distinct().order_by("pk"))
    nodes = list(OrgUnit.objects.order_by("pk"))
    today = timezone.localdate()
    codes = {key: [t.code for t in terms[key]] for key in ("forms", "sources", "areas", "channels")}
    mismatches = 0
    for _ in range(count):
        user, node = rng.choice(users), rng.choice(nodes)
        kind = rng.random()
        if kind < 0.3:
            start, end = date(today.year, 1, 1) if rng.random() < 0.5 else today - timedelta(days=364), today
        elif kind < 0.6:
            year = today.year - rng.randint(0, 9)
            start, end = date(year, 1, 1), min(date(year, 12, 31), today)
        else:
            start = today - timedelta(days=rng.randint(0, 3600))
            end = min(start + timedelta(days=rng.randint(0, 800)), today)
        filters = {}
        for key, field in (("forms", "forms"), ("sources", "sources"), ("areas", "areas"), ("channels", "channels")):
            if rng.random() < 0.15:
                filters[field] = rng.sample(codes[key], rng.randint(1, min(2, len(codes[key]))))
        lens = Lens(node=node, start=start, end=end, period="intervall", **filters)
        # The counts, and the whole picture as a reader who may see exact
        # figures gets it (protected figures are made from the totals' key
        # sums, which the raw rows do not carry).
        win = figures.window(lens)
        same = figures.gather(user, win, terms)[0] == figures.gather(user, win, terms, raw=True)[0]
        same = same and (figures.compute(user, lens, terms, suppress=False, police=False)
                         == figures.compute(user, lens, terms, suppress=False, police=False, raw=True))
        if not same:
            mismatches += 1
            log(f"mismatch: {user.username} at {node.code}, {start}–{end}, {filters}")
    return mismatches


def run(args, first=None):
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from incidents.models import Incident
    from organisation.models import Role, RoleAssignment, User

    total = Incident.unscoped.count()
    print(f"incidents: {total}")
    city, analyst, security = personas()
    district = security.assignments.get(role=Role.SECURITY_COORDINATOR).node
    # A city-wide case role for the full export (no demo persona has one).
    exporter, _ = User.objects.get_or_create(username="bench_exporter")
    RoleAssignment.objects.get_or_create(user=exporter, role=Role.SECURITY_COORDINATOR, node=city)

    client = Client()
    client.force_login(analyst)
    city_url = reverse("situation:picture", args=[city.pk])
    city_ms, city_queries, city_sql = measure_page(client, city_url, args.runs)
    print(f"city_median_ms: {city_ms:.0f}")
    print(f"city_median_ms_100k: {(first if first is not None else city_ms):.0f}")
    print(f"city_growth: {city_ms / (first if first is not None else city_ms):.2f}")
    print(f"city_queries: {city_queries}")
    print(f"city_sql_ms: {city_sql:.0f}")
    print(f"city_ratio: {city_ms / city_sql:.2f}")

    client.force_login(security)
    district_url = reverse("situation:picture", args=[district.pk])
    district_ms, district_queries, district_sql = measure_page(client, district_url, args.runs)
    print(f"district_median_ms: {district_ms:.0f}")
    print(f"district_queries: {district_queries}")
    print(f"district_sql_ms: {district_sql:.0f}")

    if args.lenses:
        print(f"rollup_lenses: {args.lenses}")
        print(f"rollup_mismatches: {compare_lenses(args.lenses)}")
    if args.check_totals:
        from situation import rollups

        print(f"rollup_check: {len(rollups.check())}")
    if args.no_export:
        return
    client.force_login(exporter)
    everything = (reverse("situation:export_cases", args=[city.pk, "csv"])
                  + f"?period=intervall&fran=2000-01-01&till={date.today().isoformat()}")
    rows, seconds, _peak = measure_export(client, everything, trace=False)
    print(f"export_rows: {rows}")
    print(f"export_rows_per_s: {rows / seconds:.0f}")
    rows, _seconds, peak = measure_export(client, everything, trace=True)
    print(f"export_peak_mb: {peak:.1f}")
    one_year = reverse("situation:export_cases", args=[city.pk, "csv"]) + "?period=12-man"
    small_rows, _seconds, small_peak = measure_export(client, one_year, trace=True)
    print(f"export_small_rows: {small_rows}")
    print(f"export_peak_small_mb: {small_peak:.1f}")


if __name__ == "__main__":
    main()

"""Benchmark of the situation picture (lägesbild) on PostgreSQL.

Creates its own database (varn_bench), migrates it, fills it with the demo
organisation and N incidents over 10 years (manage.py seed_demo --incidents N
--years 10), then measures in-process with Django's test client:

  city_median_ms       the city-wide page for the city analyst (median of --runs)
  city_queries         SQL queries for that page
  city_sql_ms          the same SQL run directly on the database (median)
  city_ratio           city_median_ms / city_sql_ms (target at most 1.5)
  district_median_ms   a district page for the district's security coordinator
  district_queries     SQL queries for that page
  export_rows_per_s    the case list of all N incidents as streamed CSV
  export_peak_mb       peak Python memory (tracemalloc) during that export
  export_peak_small_mb the same for a one-year export, to show memory does not grow with rows

Targets: city_median_ms < 500 and city_ratio <= 1.5.

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
    subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
    log(f"seeding {args.incidents:,} incidents over {args.years:g} years")
    began = time.monotonic()
    subprocess.run(manage + ["seed_demo", "--incidents", str(args.incidents), "--years", str(args.years)],
                   env=env, check=True, cwd=ROOT, stdout=sys.stderr)
    log(f"seeded in {time.monotonic() - began:.0f} s; VACUUM ANALYZE")
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


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
        run(args)
    finally:
        connections.close_all()
        if not args.keep and not args.reuse:
            log(f"dropping {args.db}")
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def run(args):
    from datetime import date

    from django.test import Client
    from django.urls import reverse

    from incidents.models import Incident
    from organisation.models import OrgUnit, Role, RoleAssignment, User

    total = Incident.unscoped.count()
    print(f"incidents: {total}")
    city = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY)
    analyst = User.objects.filter(assignments__role=Role.ANALYST, assignments__node=city).first()
    security = User.objects.filter(assignments__role=Role.SECURITY_COORDINATOR,
                                   assignments__node__kind=OrgUnit.Kind.ADMINISTRATION).first()
    district = security.assignments.get(role=Role.SECURITY_COORDINATOR).node
    # A city-wide case role for the full export (no demo persona has one).
    exporter, _ = User.objects.get_or_create(username="bench_exporter")
    RoleAssignment.objects.get_or_create(user=exporter, role=Role.SECURITY_COORDINATOR, node=city)

    client = Client()
    client.force_login(analyst)
    city_url = reverse("situation:picture", args=[city.pk])
    city_ms, city_queries, city_sql = measure_page(client, city_url, args.runs)
    print(f"city_median_ms: {city_ms:.0f}")
    print(f"city_queries: {city_queries}")
    print(f"city_sql_ms: {city_sql:.0f}")
    print(f"city_ratio: {city_ms / city_sql:.2f}")

    client.force_login(security)
    district_url = reverse("situation:picture", args=[district.pk])
    district_ms, district_queries, district_sql = measure_page(client, district_url, args.runs)
    print(f"district_median_ms: {district_ms:.0f}")
    print(f"district_queries: {district_queries}")
    print(f"district_sql_ms: {district_sql:.0f}")

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

"""Benchmark of case handling on PostgreSQL: the manager's inbox and a case page.

Creates its own database (varn_bench_inbox), migrates it, builds the demo
organisation with N incidents (manage.py seed_demo --incidents N), then
measures in-process with Django's test client, as the demo manager "chef":

  inbox_median_ms   the inbox (/arenden/), median server time of --runs
  inbox_queries     SQL queries for that page
  case_median_ms    a case page in the manager's scope, median server time
  case_queries      SQL queries for that page

Target: both medians under 150 ms with 100,000 incidents; query counts bounded
(they do not grow with the number of cases on the page).

    .venv/bin/python bench/inbox.py                      100,000 incidents
    .venv/bin/python bench/inbox.py --incidents 20000 --keep
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin(sql):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", default="varn_bench_inbox")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{args.db}",
           "DJANGO_SETTINGS_MODULE": "varn.settings_test"}
    os.environ.update(env)
    if not args.reuse:
        admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{args.db}"')
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
        subprocess.run(manage + ["seed_demo", "--incidents", str(args.incidents), "--years", "3"],
                       env=env, check=True, cwd=ROOT, stdout=sys.stderr)
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    try:
        measure(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def timed(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Count now: the captured list is read lazily from the connection's log,
    # which the next request resets.
    count = len(queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), count


def measure(args):
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from incidents import access
    from incidents.models import Incident
    from organisation.models import User

    manager = User.objects.get(username="chef")
    client = Client()
    client.force_login(manager)
    in_scope = access.handleable_incidents(manager).count()
    case = access.handleable_incidents(manager).order_by("-reported_at").first()
    inbox_ms, inbox_q = timed(client, "/arenden/?vy=alla", args.runs)
    case_ms, case_q = timed(client, f"/arenden/{case.pk}/", args.runs)
    print(f"incidents: {Incident.unscoped.count()}")
    print(f"manager_scope_cases: {in_scope}")
    print(f"inbox_median_ms: {inbox_ms:.1f}")
    print(f"inbox_queries: {inbox_q}")
    print(f"case_median_ms: {case_ms:.1f}")
    print(f"case_queries: {case_q}")


if __name__ == "__main__":
    main()

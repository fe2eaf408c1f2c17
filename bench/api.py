"""Benchmark of the REST API (/api/v1/) on PostgreSQL.

Creates its own database (varn_api_bench), migrates it, fills it with the
demo organisation and N incidents (manage.py seed_demo --incidents N, the
demo's fast insert, as bench/lagesbild.py does), issues tokens to two
integration accounts (a district's security coordinator and the city's
analyst) and measures in-process with Django's test client and the token:

  district_list_median_ms   GET /api/v1/incidents/?unit=<district>&page_size=100 (median of --runs)
  district_list_p95_ms      the same, 95th percentile
  district_list_next_median_ms  the page after it (?cursor=), median
  district_list_queries     SQL queries for one such request (bounded: no query per case)
  city_figures_median_ms    GET /api/v1/situation/<city>/ for the city's analyst (median)
  city_figures_p95_ms       the same, 95th percentile
  city_figures_queries      SQL queries for one such request

    .venv/bin/python bench/api.py                    100,000 incidents
    .venv/bin/python bench/api.py --keep             keep the database afterwards
    .venv/bin/python bench/api.py --reuse            measure an existing varn_api_bench again
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=3)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", default="varn_api_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
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
    subprocess.run(manage + ["seed_demo", "--incidents", str(args.incidents), "--years", str(args.years)],
                   env=env, check=True, cwd=ROOT, stdout=sys.stderr)
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def account(username, role, node):
    from django.utils import timezone

    from api.models import ApiToken, IntegrationProfile
    from organisation.models import RoleAssignment, User

    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": username})
    IntegrationProfile.objects.get_or_create(user=user)
    RoleAssignment.objects.get_or_create(user=user, role=role, node=node)
    return ApiToken.issue(user, "Benchmark", timezone.now() + timedelta(days=1))[1]


def timed(client, url, token):
    began = time.perf_counter()
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed, response


def measure(client, url, token, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed(client, url, token)  # warm caches and the connection
    times = sorted(timed(client, url, token)[0] for _ in range(runs))
    with CaptureQueriesContext(connection) as captured:
        _elapsed, response = timed(client, url, token)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, len(captured.captured_queries), response


def run(args):
    from django.test import Client

    from incidents.models import Incident
    from organisation.models import OrgUnit, Role

    print(f"incidents: {Incident.unscoped.count()}")
    city = OrgUnit.objects.get(kind=OrgUnit.Kind.CITY)
    district = OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION).order_by("code").first()
    coordinator = account("bench-api-coordinator", Role.SECURITY_COORDINATOR, district)
    analyst = account("bench-api-analyst", Role.ANALYST, city)
    client = Client()

    url = f"/api/v1/incidents/?unit={district.pk}&page_size=100"
    median, p95, queries, response = measure(client, url, coordinator, args.runs)
    assert len(response.json()["results"]) == 100, "the district has fewer than 100 cases"
    print(f"district_list_median_ms: {median:.1f}")
    print(f"district_list_p95_ms: {p95:.1f}")
    print(f"district_list_queries: {queries}")
    following = f"{url}&cursor={response.json()['next_cursor']}"
    print(f"district_list_next_median_ms: {measure(client, following, coordinator, args.runs)[0]:.1f}")

    median, p95, queries, _response = measure(client, f"/api/v1/situation/{city.pk}/", analyst, args.runs)
    print(f"city_figures_median_ms: {median:.1f}")
    print(f"city_figures_p95_ms: {p95:.1f}")
    print(f"city_figures_queries: {queries}")


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

    setup_test_environment()
    try:
        run(args)
    finally:
        connections.close_all()
        if not args.keep and not args.reuse:
            log(f"dropping {args.db}")
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()

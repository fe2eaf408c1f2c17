"""Benchmark of the prevalence survey and the exit survey on PostgreSQL.

Creates its own database (varn_sv_bench), migrates it, builds a district
with 40 units and --people employees (default 20,000) in the people
register, and measures in-process:

  invitations            people invited
  invitations_per_s      start_survey: tokens, invitations and the e-mails
                         handed to Django's in-memory mail backend
  answers                answers stored (default 10,000)
  answers_per_s          submit_answer, one transaction each
  results_median_ms      GET /enkater/<pk>/ (results and the underreporting
                         estimate) for the coordinator, median of --runs
  exit_invitations_per_s the exit survey: --leavers people invited one at a
                         time (each rewrites the survey's tokens in random order)
  exit_answers_per_s     submit_exit_answer for three in four of them
  exit_results_median_ms GET /enkater/<pk>/ of the exit survey (results per
                         year, turnover and incidents, chart), median of --runs

    .venv/bin/python bench/surveys.py
    .venv/bin/python bench/surveys.py --people 2000 --answers 1000 --keep
"""
import argparse
import os
import random
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
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--leavers", type=int, default=500)
    parser.add_argument("--db", default="varn_sv_bench")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def admin(sql: str):
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def log(message: str):
    print(f"# {message}", file=sys.stderr, flush=True)


def build_org(people: int):
    from django.utils import timezone

    from incidents.taxonomy import ensure_terms
    from organisation.models import Headcount, OrgUnit, Role, RoleAssignment, User

    ensure_terms()
    city = OrgUnit.objects.create(code="STAD", name="Staden", kind=OrgUnit.Kind.CITY)
    district = OrgUnit.objects.create(code="SDF", name="Stadsdelsförvaltningen", kind=OrgUnit.Kind.ADMINISTRATION,
                                      parent=city)
    units = [OrgUnit.objects.create(code=f"E{i:02d}", name=f"Enhet {i}", kind=OrgUnit.Kind.UNIT, parent=district)
             for i in range(40)]
    year = timezone.localdate().year
    Headcount.objects.bulk_create([Headcount(unit=u, year=year, employees=people // 40) for u in units])
    users = User.objects.bulk_create([User(username=f"m{i}", email=f"m{i}@bench.example", password="!")
                                      for i in range(people)], batch_size=2000)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.EMPLOYEE, node=units[i % 40])
                                        for i, u in enumerate(users)], batch_size=2000)
    coordinator = User.objects.create_user("bench-coordinator", password="bench-password-1")
    RoleAssignment.objects.create(user=coordinator, role=Role.SECURITY_COORDINATOR, node=district)
    return district, units, coordinator


def run(args):
    from django.core import mail
    from django.test import Client
    from django.utils import timezone

    from surveys import services
    from tests.surveys.helpers import LINK, answer_data

    district, units, coordinator = build_org(args.people)
    today = timezone.localdate()
    mail.outbox = []
    began = time.perf_counter()
    started = services.start_survey(coordinator, district, title="Exponeringsenkät", closes_on=today + timedelta(days=14),
                                    period_start=today - timedelta(days=365), period_end=today)
    seconds = time.perf_counter() - began
    assert len(mail.outbox) == started.invited == args.people, len(mail.outbox)
    print(f"invitations: {started.invited}")
    print(f"invitations_per_s: {started.invited / seconds:.0f}")

    secrets_ = [LINK.search(m.body).group(1) for m in mail.outbox][:args.answers]
    rng = random.Random(1)
    began = time.perf_counter()
    for secret in secrets_:
        exposed = tuple(code for code, share in (("hot", .3), ("vald", .1), ("trakasserier", .2)) if rng.random() < share)
        result = services.submit_answer(secret, answer_data(rng.choice(units), exposed=exposed))
        assert result.state == services.LinkState.OK
    seconds = time.perf_counter() - began
    print(f"answers: {len(secrets_)}")
    print(f"answers_per_s: {len(secrets_) / seconds:.0f}")

    client = Client()
    client.force_login(coordinator)
    url = f"/enkater/{started.survey.pk}/"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    print(f"results_median_ms: {statistics.median(times):.1f}")
    run_exit(args, district, units, coordinator, client)


def run_exit(args, district, units, coordinator, client):
    from django.core import mail
    from django.utils import timezone

    from organisation.models import User
    from surveys import exit as exit_survey
    from surveys import services
    from tests.surveys.helpers import LINK

    today = timezone.localdate()
    survey = exit_survey.start_exit_survey(coordinator, district, title="Avgångsenkät")
    leavers = list(User.objects.filter(username__startswith="m").order_by("pk")[:args.leavers])
    User.objects.filter(pk__in=[u.pk for u in leavers]).update(employment_end=today)
    mail.outbox = []
    began = time.perf_counter()
    for person in leavers:
        exit_survey.invite(coordinator, survey, [person])
    seconds = time.perf_counter() - began
    assert len(mail.outbox) == len(leavers)
    print(f"exit_invitations: {len(leavers)}")
    print(f"exit_invitations_per_s: {len(leavers) / seconds:.0f}")
    secrets_ = [LINK.search(m.body).group(1) for m in mail.outbox][:len(leavers) * 3 // 4]
    rng = random.Random(2)
    codes = [code for code, _label in exit_survey.REASONS]
    began = time.perf_counter()
    for secret in secrets_:
        exposed = ["hot"] if rng.random() < .4 else []
        data = {"unit": rng.choice(units), "reasons": sorted(rng.sample(codes, 2)), "exposed": exposed,
                "mattered": "some" if exposed else ""}
        assert exit_survey.submit_exit_answer(secret, data).state == services.LinkState.OK
    seconds = time.perf_counter() - began
    print(f"exit_answers_per_s: {len(secrets_) / seconds:.0f}")
    url = f"/enkater/{survey.pk}/"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(args.runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    print(f"exit_results_median_ms: {statistics.median(times):.1f}")


def main():
    args = parse_args()
    db_url = f"postgresql://postgres@127.0.0.1:5432/{args.db}"
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "varn.settings_test"}
    log(f"creating database {args.db}")
    admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{args.db}"')
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "createcachetable"], env=env, check=True, cwd=ROOT)
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
        if not args.keep:
            log(f"dropping {args.db}")
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


if __name__ == "__main__":
    main()

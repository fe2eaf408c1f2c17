"""Benchmark of knowledge-bank search on the seeded articles, on SQLite and on
PostgreSQL.

Creates its own databases (a temporary SQLite file, and varn_bench_kb on the
local PostgreSQL unless --sqlite-only), migrates them (which seeds the
articles), then measures in-process:

  <backend>_search_median_ms   knowledge.search.search() over a mix of queries (median)
  <backend>_search_max_ms      the slowest of those calls
  <backend>_page_median_ms     the whole search page (/kunskap/sok/?q=...) for a logged-in user
  <backend>_page_max_ms        the slowest page

and the quality of the ranking on the labelled queries in
bench/data/knowledge_queries.tsv, per set (typed: at a keyboard, with å/ä/ö;
phone: lower case, no å/ä/ö, abbreviations, a few typos):

  <backend>_<set>_queries      how many queries the set has
  <backend>_<set>_top1         share whose first result is an expected article
  <backend>_<set>_top3         share with an expected article among the first three
  <backend>_<set>_mrr          mean reciprocal rank of the first expected article (0 if none)
  <backend>_<set>_none         share that found nothing at all

Target: pages under about 100 ms.

    .venv/bin/python bench/knowledge_search.py
    .venv/bin/python bench/knowledge_search.py --sqlite-only --runs 20
    .venv/bin/python bench/knowledge_search.py --sqlite-only --misses   also list queries not in the top three
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LABELLED = ROOT / "bench" / "data" / "knowledge_queries.tsv"
QUERIES = ["hotade", "trakasserad", "mutor", "hot på skämt", "polisanmälan k-nummer", "gåva från utförare",
           "stöd efter hot", "skyddsombud", "allvarligt tillbud arbetsmiljöverket", "qwertyuiop"]


def log(message):
    print(f"# {message}", file=sys.stderr, flush=True)


def labelled():
    """{set: [(query, {expected slugs}), ...]} from the labelled file."""
    sets = {}
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, expected, query = line.split("\t")
        sets.setdefault(name, []).append((query, set(expected.split(","))))
    return sets


def quality(search, label: str, misses: bool):
    for name, rows in labelled().items():
        ranks, empty = [], 0
        for query, expected in rows:
            found = [r.article.slug for r in search.search(query)]
            empty += not found
            rank = next((i for i, slug in enumerate(found, 1) if slug in expected), None)
            ranks.append(rank)
            if misses and (rank is None or rank > 3):
                print(f"# {label} {name} miss: {query!r} -> {found[:3]} (wanted {sorted(expected)}, rank {rank})")
        n = len(rows)
        print(f"{label}_{name}_queries: {n}")
        print(f"{label}_{name}_top1: {sum(r == 1 for r in ranks) / n:.2f}")
        print(f"{label}_{name}_top3: {sum(r is not None and r <= 3 for r in ranks) / n:.2f}")
        print(f"{label}_{name}_mrr: {sum(1 / r for r in ranks if r) / n:.3f}")
        print(f"{label}_{name}_none: {empty / n:.2f}")


def measure(url: str, runs: int, label: str, misses: bool = False):
    """Run in a child process so each backend gets fresh Django settings."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "varn.settings_test",
           "BENCH_RUNS": str(runs), "BENCH_LABEL": label, "BENCH_MISSES": "1" if misses else ""}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "createcachetable"], env=env, check=True, cwd=ROOT)
    subprocess.run([sys.executable, __file__, "--child"], env=env, check=True, cwd=ROOT)


def child():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from knowledge import search
    from organisation.models import User

    runs = int(os.environ["BENCH_RUNS"])
    label = os.environ["BENCH_LABEL"]
    user, _ = User.objects.get_or_create(username="bench_reader", defaults={"email": "bench@example.se"})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)

    search.search("hot")  # build the per-article index once, as a running server would have
    client.get(reverse("knowledge:search"), {"q": "hot"})
    calls, pages = [], []
    for _ in range(runs):
        for query in QUERIES:
            began = time.perf_counter()
            search.search(query)
            calls.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            response = client.get(reverse("knowledge:search"), {"q": query})
            pages.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
    print(f"{label}_search_median_ms: {statistics.median(calls):.1f}")
    print(f"{label}_search_max_ms: {max(calls):.1f}")
    print(f"{label}_page_median_ms: {statistics.median(pages):.1f}")
    print(f"{label}_page_max_ms: {max(pages):.1f}")
    quality(search, label, bool(os.environ.get("BENCH_MISSES")))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list labelled queries not in the top three")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    with tempfile.TemporaryDirectory() as tmp:
        log("SQLite: migrating a fresh database")
        measure(f"sqlite:///{tmp}/bench.sqlite3", args.runs, "sqlite", args.misses)
    if args.sqlite_only:
        return
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "varn_bench_kb" WITH (FORCE)')
        conn.execute('CREATE DATABASE "varn_bench_kb"')
    try:
        log("PostgreSQL: migrating a fresh database")
        measure("postgresql://postgres@127.0.0.1:5432/varn_bench_kb", args.runs, "postgresql", args.misses)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "varn_bench_kb" WITH (FORCE)')


if __name__ == "__main__":
    main()

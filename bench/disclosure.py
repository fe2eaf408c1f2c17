"""Differencing attacks on the situation picture's published figures (issue 20).

Plays, for every aggregate-only role (analyst, committee) and the police
export, the attacks a reader can make by combining published totals:

  complement   total with all sources ticked minus all but one source
  periods      the whole year minus 1 January-30 November (= December),
               and minus February-December (= January)
  siblings     a node's total minus its other children's totals
  combination  the year minus a random partition of the other months into
               ranges, with a random source filter (a random linear
               combination of published totals)

An attempt counts when the target (what the combination should equal) is a
hidden count, 1-4 reports, and every figure it needs is published (not "<5"
or ".."). It is exact when the derived value equals the true count. Every
published figure of a true count of 100 or more also gives its relative
error. The page, the CSV/XLSX export and the police export show the same
figures (they are written from the same picture), so these figures are the
exports' too.

Prints attempts, exact, exact_share, max_relative_error_large_cells.
Targets: exact_share <= 0.5, max_relative_error_large_cells <= 0.02.

    .venv/bin/python bench/disclosure.py                  the demo (SQLite in /tmp) and 100,000 incidents (PostgreSQL)
    .venv/bin/python bench/disclosure.py --demo-only
    .venv/bin/python bench/disclosure.py --reuse          an existing varn_disclosure database again
"""
import argparse
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Score:
    attempts: int = 0
    exact: int = 0
    large_errors: list = field(default_factory=list)
    by_attack: dict = field(default_factory=dict)

    @property
    def exact_share(self) -> float:
        return self.exact / self.attempts if self.attempts else 0.0

    @property
    def max_relative_error_large_cells(self) -> float:
        return max(self.large_errors, default=0.0)

    def add(self, attack: str, derived: int, truth: int):
        self.attempts += 1
        hit = derived == truth
        self.exact += hit
        tried, exact = self.by_attack.get(attack, (0, 0))
        self.by_attack[attack] = (tried + 1, exact + hit)


class Oracle:
    """Published (protected) and true totals of lenses for one reader, cached."""

    def __init__(self, user, terms, score: Score, *, police: bool = False):
        self.user, self.terms, self.score, self.police = user, terms, score, police
        self._seen = {}

    def _key(self, lens):
        return (lens.node.pk, lens.start, lens.end, tuple(sorted(lens.sources)))

    def figures(self, lens) -> tuple[int | None, int]:
        from situation import stats

        key = self._key(lens)
        if key not in self._seen:
            if self.police:
                shown = stats.build(self.user, lens, self.terms, police=True).total
            else:
                shown = stats.build(self.user, lens, self.terms, suppress=True).total
            truth = stats.build(self.user, lens, self.terms, suppress=False, drill=False).total.value
            if truth >= 100 and shown.shown is not None:
                self.score.large_errors.append(abs(shown.value - truth) / truth)
            self._seen[key] = (shown.shown, truth)
        return self._seen[key]

    def published(self, lens) -> int | None:
        return self.figures(lens)[0]

    def truth(self, lens) -> int:
        return self.figures(lens)[1]


def lens_of(node, start: date, end: date, sources=()):
    from situation.lens import Lens

    if start.month == 1 and start.day == 1 and end == date(start.year, 12, 31):
        return Lens(node=node, start=start, end=end, period="ar", year=start.year, sources=list(sources))
    return Lens(node=node, start=start, end=end, period="intervall", sources=list(sources))


def month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def attempt(oracle: Oracle, attack: str, target, plus: list, minus: list):
    """derived = sum(published plus) - sum(published minus), compared with
    the true count of target when that is hidden (1-4)."""
    truth = oracle.truth(target)
    if not 0 < truth < 5:
        return
    values = [oracle.published(x) for x in plus + minus]
    if any(v is None for v in values):
        return  # a needed figure is not published
    derived = sum(values[:len(plus)]) - sum(values[len(plus):])
    oracle.score.add(attack, derived, truth)


def play(oracle: Oracle, nodes: list, year: int, source_codes: list[str], *, rng: random.Random,
         combinations: int = 20):
    """Every attack on these nodes (each with its children) for one reader."""
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    for node in nodes:
        # (a) complement of a filter, for the year and for single months
        spans = [(y0, y1)] + [(date(year, m, 1), month_end(year, m)) for m in rng.sample(range(1, 13), 3)]
        for start, end in spans:
            every = lens_of(node, start, end, source_codes)
            for code in source_codes:
                rest = [c for c in source_codes if c != code]
                attempt(oracle, "complement", lens_of(node, start, end, [code]), [every],
                        [lens_of(node, start, end, rest)])
        # (b) overlapping periods, unfiltered and per source
        for sources in [()] + [[c] for c in rng.sample(source_codes, min(3, len(source_codes)))]:
            whole = lens_of(node, y0, y1, sources)
            attempt(oracle, "periods", lens_of(node, date(year, 12, 1), y1, sources), [whole],
                    [lens_of(node, y0, date(year, 11, 30), sources)])
            attempt(oracle, "periods", lens_of(node, y0, date(year, 1, 31), sources), [whole],
                    [lens_of(node, date(year, 2, 1), y1, sources)])
        # (c) siblings: the node minus its other children
        children = list(node.children.all()) if hasattr(node, "children") else []
        if len(children) >= 2:
            for start, end in spans:
                for sources in [()] + [[c] for c in rng.sample(source_codes, min(3, len(source_codes)))]:
                    for child in children:
                        others = [lens_of(c, start, end, sources) for c in children if c != child]
                        attempt(oracle, "siblings", lens_of(child, start, end, sources),
                                [lens_of(node, start, end, sources)], others)
        # random linear combinations: the year minus a random partition of the other months
        for _ in range(combinations):
            cuts = sorted(rng.sample(range(2, 13), rng.randint(1, 4)))
            bounds = [1] + cuts + [13]
            ranges = [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]
            target_range = rng.choice(ranges)
            sources = rng.choice([[]] + [[c] for c in source_codes] + [source_codes])
            as_lens = [lens_of(node, date(year, a, 1), month_end(year, b), sources) for a, b in ranges]
            target = as_lens[ranges.index(target_range)]
            attempt(oracle, "combination", target, [lens_of(node, y0, y1, sources)],
                    [x for x in as_lens if x is not target])


def readers():
    """(label, user, nodes, police): every aggregate-only reader with the
    nodes it may look at (its assignment's node and the nodes below it)."""
    from incidents import access
    from organisation.models import Role, RoleAssignment

    result = []
    seen = set()
    for ra in (RoleAssignment.objects.filter(role__in=[Role.ANALYST, Role.COMMITTEE])
               .select_related("user", "node").order_by("role", "pk")):
        if ra.user_id in seen or not access.is_aggregate_only(ra.user):
            continue
        seen.add(ra.user_id)
        result.append((ra.role, ra.user, ra.node))
    return result


def nodes_below(node, limit: int, rng: random.Random) -> list:
    from organisation.models import OrgUnit

    below = list(OrgUnit.objects.filter(path__startswith=node.path).exclude(pk=node.pk).order_by("path"))
    with_children = [n for n in below if n.children.exists()]
    leaves = [n for n in below if n not in with_children]
    picked = [node] + rng.sample(with_children, min(limit, len(with_children)))
    picked += rng.sample(leaves, min(limit, len(leaves)))
    return picked


def run(year: int, *, seed: int = 20, nodes_per_reader: int = 3, combinations: int = 20,
        police: bool = True) -> Score:
    from situation.forms import load_terms

    rng = random.Random(seed)
    terms = load_terms()
    codes = [t.code for t in terms["sources"]]
    score = Score()
    for _role, user, node in readers():
        play(Oracle(user, terms, score), nodes_below(node, nodes_per_reader, rng), year, codes, rng=rng,
             combinations=combinations)
        if police:  # the police export: the same attacks on the joint picture
            play(Oracle(user, terms, score, police=True), [node], year, codes, rng=rng, combinations=combinations)
    return score


def busiest_year() -> int:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from incidents.models import Incident

    row = (Incident.unscoped.annotate(y=ExtractYear("occurred_at")).values("y").annotate(n=Count("id"))
           .order_by("-n").first())
    return row["y"] if row else date.today().year


def report(label: str, score: Score):
    print(f"[{label}]")
    print(f"attempts {score.attempts}")
    print(f"exact {score.exact}")
    print(f"exact_share {score.exact_share:.3f}")
    print(f"max_relative_error_large_cells {score.max_relative_error_large_cells:.4f}")
    print(f"large_cells {len(score.large_errors)}")
    for attack, (tried, exact) in sorted(score.by_attack.items()):
        print(f"  {attack}: {exact}/{tried} exact")
    sys.stdout.flush()


def measure(label: str, env: dict, args):
    """Run the attacks in a child process on the database of env."""
    code = ("import django, sys; django.setup(); sys.path.insert(0, %r); from bench import disclosure as d; "
            "y = d.busiest_year(); s = d.run(y, nodes_per_reader=%d, combinations=%d); d.report(%r + ' ' + str(y), s)"
            % (str(ROOT), args.nodes, args.combinations, label))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-only", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="reuse the PostgreSQL database; do not reseed it")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--db", default="varn_disclosure")
    parser.add_argument("--nodes", type=int, default=3, help="nodes below each reader's own node to attack")
    parser.add_argument("--combinations", type=int, default=20, help="random combinations per node")
    args = parser.parse_args()
    manage = [sys.executable, str(ROOT / "manage.py")]
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "varn.settings_test"}

    demo_db = "/tmp/varn_disclosure_demo.sqlite3"
    if os.path.exists(demo_db):
        os.remove(demo_db)
    env = {**base, "DATABASE_URL": f"sqlite:///{demo_db}"}
    subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
    subprocess.run(manage + ["seed_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    measure("demo", env, args)
    if args.demo_only:
        return

    import psycopg

    env = {**base, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{args.db}"}
    if not args.reuse:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
            conn.execute(f'CREATE DATABASE "{args.db}"')
        subprocess.run(manage + ["migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(manage + ["createcachetable"], env=env, check=True, cwd=ROOT)
        subprocess.run(manage + ["seed_demo", "--incidents", str(args.incidents)], env=env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    measure(f"{args.incidents} incidents", env, args)


if __name__ == "__main__":
    main()

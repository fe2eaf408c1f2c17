"""The counts of a situation picture from the raw incident rows: the
reference for the running totals (situation.totals), which the page reads.
figures.gather(raw=True), the tests (tests/situation/test_rollups.py) and
bench/lagesbild.py compare the two; Counts is the shape both return.

Every figure is a GROUP BY or an aggregate in SQL; the Python code only adds
up a few hundred or thousand aggregated rows. Every query starts from the
lens, that is from access.countable_incidents: the ORM writes the scoped
SQL, and this module only wraps aggregates around it.

Each aggregate is a "branch" with the same column layout (a kind, five text
keys, six numbers). On PostgreSQL the branches go out as one UNION ALL
statement: one round trip, and PostgreSQL runs the branches side by side on
its parallel workers (Parallel Append). Elsewhere (SQLite in development and
tests) the same branches run one by one. Either way each row comes back
named by its branch: a "units" row has .unit_id, .source_id, .now, .lo, .hi.

Phase 1, the incidents alone, side by side:
  units       per unit and source in the period (with its id range)
  history     per unit and source: the twelve months before the period and
              the same period a year earlier (with the latter's id range)
  dims        per area, channel, identity mode and month
  gender      reporters' gender, named and confidential reports only
  actors      actors that appear in more than one report
Phase 2, joins:
  forms       per month and form in the period
  forms_prev  per form a year earlier
  police      threats and violence, and how many were police-reported
  actions     open and overdue actions on the period's reports

Then the times to acknowledgement and closure, sorted in Python over the
steps the page shows (situation.rollups.step).

The forms and actions tables are limited to the id range found in phase 1:
ids grow with time, so a scan of the whole forms table becomes a short index
range. The range comes from the scoped incidents themselves, so it is only a
hint and never drops one of them.
"""
from collections import Counter, namedtuple
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Case, Count, F, Func, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import Coalesce

from incidents.models import Action, PoliceStatus
from situation.lens import FormThrough, local_start

THREATS_AND_VIOLENCE = ("hot", "vald")
THROUGH = FormThrough._meta.db_table
KEYS = 5
NUMBERS = 6


@dataclass
class Counts:
    unit_now: Counter = field(default_factory=Counter)
    unit_hist: Counter = field(default_factory=Counter)
    source_now: Counter = field(default_factory=Counter)
    source_prev: Counter = field(default_factory=Counter)
    total_now: int = 0
    total_hist: int = 0
    total_prev: int = 0
    area_now: Counter = field(default_factory=Counter)
    channel_now: Counter = field(default_factory=Counter)
    identity_now: Counter = field(default_factory=Counter)
    gender_now: Counter = field(default_factory=Counter)  # named and confidential only
    month_now: Counter = field(default_factory=Counter)
    month_form: Counter = field(default_factory=Counter)  # (month, form id) -> n
    form_prev: Counter = field(default_factory=Counter)
    police_total: int = 0
    police_reported: int = 0
    timing: dict = field(default_factory=dict)
    # (window, dimension, value) -> sum of record keys (situation.totals only;
    # the cell key method's input).
    keysums: dict = field(default_factory=dict, compare=False)
    actions_open: int = 0
    actions_overdue: int = 0
    repeated_actors: int = 0


class WidthBucket(Func):
    """PostgreSQL's width_bucket over sorted instants: the month's index by
    binary search, much cheaper than converting every row's time zone."""
    output_field = IntegerField()

    def __init__(self, expression, boundaries):
        super().__init__(expression)
        self.boundaries = list(boundaries)

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", (*params, self.boundaries)


def month_index(months: list[date]):
    """An expression giving each incident the index of its month in `months`."""
    boundaries = [local_start(m) for m in months[1:]]
    if connection.vendor == "postgresql":
        return WidthBucket(F("occurred_at"), boundaries)
    if not boundaries:
        return Value(0, output_field=IntegerField())
    return Case(*[When(occurred_at__lt=b, then=Value(i)) for i, b in enumerate(boundaries)],
                default=Value(len(boundaries)), output_field=IntegerField())


def percentile(sorted_values: list, fraction: float):
    """The same linear interpolation as percentile_cont, for SQLite."""
    if not sorted_values:
        return None
    pos = fraction * (len(sorted_values) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


# --- branches -----------------------------------------------------------------

@dataclass
class Branch:
    kind: str
    sql: str  # selects the named keys and numbers
    params: tuple
    keys: tuple = ()
    numbers: tuple = ()

    def wrapped(self) -> tuple[str, tuple]:
        """The branch in the common layout: kind, KEYS texts, NUMBERS numbers."""
        cols = [f"CAST('{self.kind}' AS TEXT)"]
        cols += [f'CAST(q."{k}" AS TEXT)' for k in self.keys] + ["CAST(NULL AS TEXT)"] * (KEYS - len(self.keys))
        cols += [f'CAST(q."{n}" AS DOUBLE PRECISION)' for n in self.numbers]
        cols += ["CAST(NULL AS DOUBLE PRECISION)"] * (NUMBERS - len(self.numbers))
        return f"SELECT {', '.join(cols)} FROM ({self.sql}) q", self.params

    def read(self, raw: tuple):
        """A row in the common layout as a named row: kind, then the
        branch's own keys and numbers by name."""
        keys = raw[1:1 + len(self.keys)]
        numbers = raw[1 + KEYS:1 + KEYS + len(self.numbers)]
        return _row_type(self.kind, self.keys + self.numbers)(raw[0], *keys, *numbers)


@lru_cache
def _row_type(kind: str, names: tuple):
    return namedtuple(f"{kind}_row", ("kind", *names))


def _orm(kind, qs, keys=(), numbers=()) -> Branch:
    sql, params = qs.query.sql_with_params()
    return Branch(kind, sql, tuple(params), tuple(keys), tuple(numbers))


def _run(branches: list[Branch]) -> list[tuple]:
    """Run the branches; each row named by its branch (see Branch.read)."""
    if not branches:
        return []
    by_kind = {b.kind: b for b in branches}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts = [b.wrapped() for b in branches]
            cursor.execute(" UNION ALL ".join(f"({sql})" for sql, _ in parts),
                           tuple(p for _, params in parts for p in params))
            raw = cursor.fetchall()
        else:
            raw = []
            for b in branches:
                cursor.execute(*b.wrapped())
                raw.extend(cursor.fetchall())
    return [by_kind[r[0]].read(r) for r in raw]


def _int(text):
    return None if text is None else int(text)


def _n(number) -> int:
    return 0 if number is None else int(number)


def gather(before, current, **kwargs) -> Counts:
    """before: the scoped incidents from the start of the history (or a year
    earlier) to the start of the period (or the end of the year-earlier
    period, if later); current: the period; previous: the same period a
    year earlier. Counting the period and what came before in separate
    branches lets PostgreSQL run them side by side."""
    if connection.vendor != "postgresql":
        return _gather(before, current, **kwargs)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Planner settings for this transaction only. The figures read
            # long runs of recent rows that sit in memory: with the default
            # cost of a random page (4, for spinning disks) the planner
            # prefers the narrow occurred_at index plus the table over the
            # covering index (incidents 0010), which answers from the index
            # alone; 1.1 is the usual value for SSDs and cached data. And each
            # branch should run whole on one worker, side by side with the
            # others (Parallel Append), rather than split each small scan
            # across workers one branch after another.
            cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute("SET LOCAL min_parallel_index_scan_size = '1GB'")
            cursor.execute("SET LOCAL min_parallel_table_scan_size = '1GB'")
        return _gather(before, current, **kwargs)


def _gather(before, current, *, hist_q: Q, prev_q: Q, previous, terms: dict, today: date,
            months: list[date], with_history: bool) -> Counts:
    c = Counts()
    current, previous = current.order_by(), previous.order_by()

    # Phase 1: the incidents alone, side by side. The lowest and highest id
    # of the period (and of the period a year earlier) come along, to narrow
    # the joins of phase 2.
    named = Q(identity_mode__in=["named", "confidential"])
    phase1 = [
        _orm("units", current.values("unit_id", "source_id").annotate(
            now=Count("id"), lo=Min("id"), hi=Max("id")), ("unit_id", "source_id"), ("now", "lo", "hi")),
        _orm("history", before.order_by().values("unit_id", "source_id").annotate(
            hist=Count("id", filter=hist_q), prev=Count("id", filter=prev_q),
            lo=Min("id", filter=prev_q), hi=Max("id", filter=prev_q)),
            ("unit_id", "source_id"), ("hist", "prev", "lo", "hi")),
        _orm("dims", current.annotate(m=month_index(months)).values(
            "operation_area_id", "channel_id", "identity_mode", "m").annotate(n=Count("id")),
            ("operation_area_id", "channel_id", "identity_mode", "m"), ("n",)),
        # A thinned report keeps its reporter's gender without the reporter.
        _orm("gender", current.filter(named).annotate(reporter_g=Coalesce("reporter__gender", "reporter_gender"))
             .values("reporter_g").annotate(n=Count("id")), ("reporter_g",), ("n",)),
        _repeated(current),
    ]
    rows = _run(phase1)

    # Phase 2: joins with the forms and actions of each report.
    lo, hi = _range(rows, "units")
    prev_lo, prev_hi = _range(rows, "history")
    phase2 = []
    if lo is not None:
        phase2 += [*_form_branches(current, months, terms, lo, hi), _actions_branch(current, today, lo, hi)]
    if prev_lo is not None and with_history:
        sql, params = previous.values("id").query.sql_with_params()
        phase2.append(Branch(
            "forms_prev", f"SELECT f.influenceform_id AS form_id, COUNT(*) AS n FROM ({sql}) c "
                          f"JOIN {THROUGH} f ON f.incident_id = c.id WHERE f.incident_id BETWEEN %s AND %s "
                          f"GROUP BY f.influenceform_id", (*params, prev_lo, prev_hi), ("form_id",), ("n",)))
    rows += _run(phase2)

    c.timing = {"ack_n": 0, "close_n": 0, "ack_median": None, "ack_p90": None,
                "close_median": None, "close_p90": None}
    for row in rows:
        _ADD[row.kind](c, row, months)
    if lo is not None:
        c.timing = _timings_in_python(current)
    return c


# --- adding up the rows, one function per kind of branch ---------------------------

def _add_units(c: Counts, row, months):
    now = _n(row.now)
    c.unit_now[_int(row.unit_id)] += now
    c.source_now[_int(row.source_id)] += now
    c.total_now += now


def _add_history(c: Counts, row, months):
    hist, prev = _n(row.hist), _n(row.prev)
    c.unit_hist[_int(row.unit_id)] += hist
    c.source_prev[_int(row.source_id)] += prev
    c.total_hist += hist
    c.total_prev += prev


def _add_dims(c: Counts, row, months):
    n = _n(row.n)
    c.area_now[_int(row.operation_area_id)] += n
    c.channel_now[_int(row.channel_id)] += n
    c.identity_now[row.identity_mode] += n
    c.month_now[months[int(row.m)]] += n


def _add_gender(c: Counts, row, months):
    c.gender_now[row.reporter_g or ""] += _n(row.n)


def _add_actors(c: Counts, row, months):
    c.repeated_actors = _n(row.n)


def _add_forms(c: Counts, row, months):
    c.month_form[(months[int(row.m)], int(row.form_id))] += _n(row.n)


def _add_forms_prev(c: Counts, row, months):
    c.form_prev[int(row.form_id)] += _n(row.n)


def _add_police(c: Counts, row, months):
    c.police_total, c.police_reported = _n(row.n), _n(row.reported)


def _add_actions(c: Counts, row, months):
    c.actions_open, c.actions_overdue = _n(row.open_n), _n(row.overdue_n)


_ADD = {"units": _add_units, "history": _add_history, "dims": _add_dims, "gender": _add_gender,
        "actors": _add_actors,
        "forms": _add_forms, "forms_prev": _add_forms_prev, "police": _add_police, "actions": _add_actions}


def _range(rows, kind) -> tuple[int | None, int | None]:
    """The lowest and highest id (.lo, .hi) over the rows of one branch."""
    lows = [r.lo for r in rows if r.kind == kind and r.lo is not None]
    highs = [r.hi for r in rows if r.kind == kind and r.hi is not None]
    return (int(min(lows)), int(max(highs))) if lows else (None, None)


def _form_branches(current, months, terms, lo, hi) -> list[Branch]:
    sql, params = current.annotate(m=month_index(months)).values("id", "m").query.sql_with_params()
    branches = [Branch(
        "forms", f"SELECT c.m AS m, f.influenceform_id AS form_id, COUNT(*) AS n FROM ({sql}) c "
                 f"JOIN {THROUGH} f ON f.incident_id = c.id WHERE f.incident_id BETWEEN %s AND %s "
                 f"GROUP BY c.m, f.influenceform_id", (*params, lo, hi), ("m", "form_id"), ("n",))]
    tv_ids = [t.pk for t in terms["forms"] if t.code in THREATS_AND_VIOLENCE]
    if tv_ids:
        # Threats and violence, and how many were police-reported: marked as
        # reported, or with a K-number.
        sql, params = current.values("id", "police_status", "police_reference").query.sql_with_params()
        marks = ", ".join(["%s"] * len(tv_ids))
        branches.append(Branch(
            "police",
            f"SELECT COUNT(*) AS n, SUM(CASE WHEN c.police_status = %s OR c.police_reference <> '' "
            f"THEN 1 ELSE 0 END) AS reported FROM ({sql}) c WHERE EXISTS (SELECT 1 FROM {THROUGH} f "
            f"WHERE f.incident_id = c.id AND f.influenceform_id IN ({marks}) AND f.incident_id BETWEEN %s AND %s)",
            (PoliceStatus.REPORTED, *params, *tv_ids, lo, hi), (), ("n", "reported")))
    return branches


def _actions_branch(current, today, lo, hi) -> Branch:
    sql, params = current.values("id").query.sql_with_params()
    return Branch(
        "actions",
        f"SELECT SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS open_n, "
        f"SUM(CASE WHEN a.status = %s AND a.due_date < %s THEN 1 ELSE 0 END) AS overdue_n "
        f"FROM {Action._meta.db_table} a WHERE a.incident_id BETWEEN %s AND %s AND a.incident_id IN ({sql})",
        (Action.Status.OPEN, Action.Status.OPEN, today, lo, hi, *params), (), ("open_n", "overdue_n"))


def _repeated(current) -> Branch:
    """Actors (pseudonyms) that appear in more than one of the scoped reports."""
    per_actor = (current.exclude(actor_pseudonym="").values("actor_pseudonym")
                 .annotate(n=Count("id")).filter(n__gte=2).values("actor_pseudonym"))
    sql, params = per_actor.query.sql_with_params()
    return Branch("actors", f"SELECT COUNT(*) AS n FROM ({sql}) r", tuple(params), (), ("n",))


def _timings_in_python(qs) -> dict:
    """Median and 90th percentile of the times to acknowledgement and to
    closure, over durations counted in the steps the page shows them in
    (situation.rollups.step), as the running totals count them."""
    from situation.rollups import step, step_value

    result = qs.aggregate(ack_n=Count("id", filter=Q(acknowledged_at__isnull=False)),
                          close_n=Count("id", filter=Q(closed_at__isnull=False)))
    for name, end_field in (("ack", "acknowledged_at"), ("close", "closed_at")):
        rows = qs.filter(**{f"{end_field}__isnull": False}).values_list(end_field, "reported_at")
        values = sorted(step_value(step(end - start)) for end, start in rows)
        result[f"{name}_median"] = percentile(values, 0.5)
        result[f"{name}_p90"] = percentile(values, 0.9)
    return result

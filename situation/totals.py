"""The counts of a situation picture read from the running totals
(situation.rollups), in one statement, instead of from the raw rows.

The same figures as situation.queries (which reads the raw rows and is kept
as the reference the tests and `bench/lagesbild.py` compare with), from:

- the Tally, for the city and the administrations, by whole months;
- the pending changes not yet folded into the tally (few; see rollups);
- the skeletons (one narrow row per incident, no joins) for the days that
  do not make a whole month (a month less a few days, or a few days), for
  nodes below the administrations (a department's or unit's reports are few)
  and for pictures with filters (the tally has no cross-tabulations).

Who may count what: access.countable_scope gives (path, with bypassed)
pairs; clipped to the picture's node they become disjoint pieces, each a
node and a bypass flag, so that every incident is counted once.

The lens's windows: the period (every dimension), each piece of the period
(months, split where a four-month stretch begins: totals and forms), the
twelve months before it (totals and units) and the same period a year
earlier (totals, sources and forms). A window is a span of local days; for
a piece counted by the tally it becomes whole months plus or minus a few
days.
"""
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, connections, router, transaction

from incidents import access
from incidents.models import Action
from situation import rollups
from situation.lens import add_months, month_start, year_earlier
from situation.models import PendingChange, Skeleton, Tally
from situation.queries import Counts, percentile
from situation.rollups import Dim

W_CURRENT, W_HISTORY, W_PREVIOUS, W_ACTORS, W_ACTIONS = 0, 1, 2, 3, 4
W_PIECE = 10  # W_PIECE + i: the i-th piece of the period
# Skeletons read for: the days at the edges of a window for a piece counted
# by month in the tally (an administration), or whole windows (deeper
# pieces, and pictures with filters).
EDGES, SKELETONS = 0, 1
CURRENT_DIMS = (Dim.TOTAL, Dim.UNIT, Dim.SOURCE, Dim.AREA, Dim.CHANNEL, Dim.IDENTITY, Dim.GENDER, Dim.TV,
                Dim.REPORTED, Dim.ACK, Dim.CLOSE)


@dataclass(frozen=True)
class Piece:
    """The incidents at and below `path` that do (bypass) or do not bypass
    the unit's management."""
    path: str
    bypass: bool

    @property
    def ids(self) -> list[int]:
        return rollups.ancestors(self.path)

    @property
    def node(self) -> int:
        return self.ids[-1]

    @property
    def depth(self) -> int:
        return len(self.ids) - 1


def _antichain(paths) -> list[str]:
    paths = sorted(set(paths))
    return [p for p in paths if not any(q != p and p.startswith(q) for q in paths)]


def scope_pieces(user, node) -> list[Piece]:
    """The user's countable incidents at and below `node` as disjoint pieces."""
    clipped = []
    for path, with_bypassed in access.countable_scope(user):
        if path.startswith(node.path):
            clipped.append((path, with_bypassed))
        elif node.path.startswith(path):
            clipped.append((node.path, with_bypassed))
    return ([Piece(p, False) for p in _antichain(p for p, _ in clipped)]
            + [Piece(p, True) for p in _antichain(p for p, wb in clipped if wb)])


@dataclass
class Span:
    """A window of local days (inclusive) and the dimensions read for it."""
    w: int
    first: date
    last: date
    dims: tuple


def spans(lens, pieces: list[date], history_start: date, with_history: bool) -> list[Span]:
    prev_first, prev_last = year_earlier(lens.start), year_earlier(lens.end)
    result = [
        Span(W_CURRENT, lens.start, lens.end, CURRENT_DIMS),
        Span(W_HISTORY, history_start, lens.start - timedelta(days=1), (Dim.TOTAL, Dim.UNIT)),
        Span(W_PREVIOUS, prev_first, prev_last,
             (Dim.TOTAL, Dim.SOURCE, Dim.FORM) if with_history else (Dim.TOTAL, Dim.SOURCE)),
    ]
    for i, first in enumerate(pieces):
        last = pieces[i + 1] - timedelta(days=1) if i + 1 < len(pieces) else lens.end
        result.append(Span(W_PIECE + i, max(first, lens.start), min(last, lens.end), (Dim.TOTAL, Dim.FORM)))
    return [s for s in result if s.first <= s.last]


def split(first: date, last: date, today: date) -> tuple[list[int], list[tuple[int, int, int]]]:
    """A span of days as whole months (ordinals of first days) plus or minus
    runs of days ((first, last, sign), ordinals), whichever reads fewer days
    of skeletons. Days after today hold no reports, so they cost nothing."""
    months, days = [], []
    m = month_start(first)
    while m <= last:
        end_of_month = add_months(m, 1) - timedelta(days=1)
        a, b = max(first, m), min(last, end_of_month)
        if a == m and b == end_of_month:
            months.append(m.toordinal())
        else:
            outside = [(m, a - timedelta(days=1)), (b + timedelta(days=1), end_of_month)]
            outside = [(x, y) for x, y in outside if x <= y]
            inside_cost = (min(b, today) - a).days + 1 if a <= today else 0
            outside_cost = sum((min(y, today) - x).days + 1 for x, y in outside if x <= today)
            if inside_cost <= outside_cost:
                days.append((a.toordinal(), b.toordinal(), 1))
            else:
                months.append(m.toordinal())
                days += [(x.toordinal(), y.toordinal(), -1) for x, y in outside]
        m = add_months(m, 1)
    return months, days


# --- the statement ---------------------------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _values(name: str, columns: list[str], rows: list[tuple], casts: list[str]) -> tuple[str, list]:
    row = "(" + ", ".join(f"CAST(%s AS {c})" for c in casts) + ")"
    return (f"{name}({', '.join(columns)}) AS (VALUES {', '.join([row] * len(rows))})",
            [v for r in rows for v in r])


def _piece_condition(piece: Piece) -> tuple[str, list]:
    """SQL over a skeleton s: the incident is in this piece. A node's id
    fixes its ancestors, so one ancestor column says it (the indexes on the
    skeletons then answer from the index alone)."""
    ids = piece.ids
    k = min(piece.depth, 2)
    parts, params = ["s.bypass = %s", f"s.a{k} = %s"], [piece.bypass, ids[k]]
    if piece.depth > 2:
        parts.append("s.path LIKE %s")
        params.append(piece.path + "%")
    return "(" + " AND ".join(parts) + ")", params


def _any(conditions: list[tuple[str, list]]) -> tuple[str, list]:
    if not conditions:
        return "1 = 0", []
    return "(" + " OR ".join(c for c, _ in conditions) + ")", [p for _, ps in conditions for p in ps]


def _scope(pieces: list[Piece]) -> tuple[str, list]:
    """SQL over a skeleton s: the incident is in one of the pieces. A node
    with both its pieces needs no bypass condition, the root no condition."""
    both = {p.path for p in pieces if p.bypass} & {p.path for p in pieces if not p.bypass}
    conditions = []
    for piece in pieces:
        if piece.path not in both:
            conditions.append(_piece_condition(piece))
        elif not piece.bypass:
            if piece.depth == 0:
                return "1 = 1", []
            condition, params = _piece_condition(piece)
            conditions.append((condition.replace("s.bypass = %s AND ", "", 1), params[1:]))
    return _any(conditions)


def _filters(lens, terms: dict) -> tuple[str, list]:
    """The lens's taxonomy filters over a skeleton s (as Lens.filter_terms)."""
    parts, params = [], []
    if lens.forms:
        mask = sum(rollups.form_bit(t.pk) for t in terms.get("forms", []) if t.code in lens.forms)
        parts.append("(s.forms & CAST(%s AS BIGINT)) <> 0")
        params.append(mask)
    for codes, key, column in ((lens.sources, "sources", "source"), (lens.areas, "areas", "area"),
                               (lens.channels, "channels", "channel")):
        if codes:
            ids = [t.pk for t in terms.get(key, []) if t.code in codes]
            if ids:
                parts.append(f"s.{column} IN ({', '.join(['%s'] * len(ids))})")
                params += ids
            else:
                parts.append("1 = 0")
    return " AND ".join(parts), params


def _days(runs: list[tuple[int, int]]) -> tuple[str, list]:
    """s.day in any of the runs (merged first)."""
    merged = []
    for a, b in sorted(runs):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if not merged:
        return "1 = 0", []
    return "(" + " OR ".join(["s.day BETWEEN %s AND %s"] * len(merged)) + ")", [x for r in merged for x in r]


def _inline_days(runs: list[tuple[int, int]]) -> str:
    """s.day in any of the runs, with the ordinals (integers we computed) written in."""
    sql, params = _days(runs)
    for value in params:
        sql = sql.replace("%s", str(int(value)), 1)
    return sql


def statement(user, lens, terms: dict, *, pieces: list[date], history_start: date, with_history: bool,
              today: date) -> tuple[str, list, tuple[str, list]] | None:
    """The one statement: (sql, params, and the condition on a skeleton s
    for the period's incidents in the lens, with its params)."""
    scope = scope_pieces(user, lens.node)
    if not scope:
        return None
    use_tally = not lens.has_filters
    by_tally = [p for p in scope if use_tally and p.depth <= rollups.TALLY_DEPTH]
    by_skeleton = [p for p in scope if p not in by_tally]
    windows = spans(lens, pieces, history_start, with_history)

    daily = [p for p in by_tally if p.depth <= rollups.DAY_DEPTH]
    monthly = [p for p in by_tally if p not in daily]
    tally_parts = []  # (w, grain, first, last, sign, dim): what the tally pieces read from the tally
    month_reads, day_reads = [], []  # (w, months, dims); (w, sign, runs, dims)
    day_parts = []  # (w, class, first, last, sign, dim): what is read from the skeletons
    for span in windows:
        if by_tally:
            months, days = split(span.first, span.last, today)
            tally_parts += [(span.w, rollups.MONTH, m, m, 1, d) for m in months for d in span.dims]
            if months:
                month_reads.append((span.w, months, span.dims))
            if daily:
                tally_parts += [(span.w, rollups.DAY, a, b, sign, d) for a, b, sign in days for d in span.dims]
                for sign in (1, -1):
                    runs = [(a, b) for a, b, sg in days if sg == sign]
                    if runs:
                        day_reads.append((span.w, sign, runs, span.dims))
            if monthly:
                day_parts += [(span.w, EDGES, a, b, sign, d) for a, b, sign in days for d in span.dims]
        if by_skeleton:
            day_parts += [(span.w, SKELETONS, span.first.toordinal(), span.last.toordinal(), 1, d)
                          for d in span.dims]

    forms, params = rollups.forms_cte(rollups.form_bits())
    ctes = [forms]
    branches = []
    sums = ", ".join(f"SUM(x.{m}) AS {m}" for m in rollups.MEASURES)
    in_tally_cond, in_tally_params = _scope(monthly)
    in_skel_cond, in_skel_params = _scope(by_skeleton)
    filters, filter_params = _filters(lens, terms)

    inner, inner_params = [], []
    if tally_parts:
        cte, cte_params = _values("tp", ["node", "bypass", "daily"],
                                  [(p.node, p.bypass, int(p in daily)) for p in by_tally],
                                  ["INTEGER", "BOOLEAN", "INTEGER"])
        ctes.append(cte)
        params += cte_params
        cte, cte_params = _values("pp", ["w", "grain", "lo", "hi", "sign", "dim"], tally_parts, ["INTEGER"] * 6)
        ctes.append(cte)
        params += cte_params
        ctes.append(rollups.levels_cte())
        # The tally by its key, one branch per piece of the scope, window and
        # grain, so that each is a few ranges of the key's index.
        for piece in by_tally:
            head = f"FROM {_table(Tally)} t WHERE t.node = %s AND t.bypass = %s"
            for w, months, dims in month_reads:
                picked = ", ".join(f"t.{m} AS {m}" for m in rollups.MEASURES)
                inner.append(f"SELECT {w} AS w, t.dim AS dim, t.value AS value, {picked} {head} "
                             f"AND t.grain = {rollups.MONTH} AND t.bucket IN ({', '.join(['%s'] * len(months))}) "
                             f"AND t.dim IN ({', '.join(str(d) for d in dims)})")
                inner_params += [piece.node, piece.bypass, *months]
            if piece not in daily:
                continue
            for w, sign, runs, dims in day_reads:
                picked = ", ".join(f"t.{m} * {sign} AS {m}" for m in rollups.MEASURES)
                buckets = " OR ".join(["t.bucket BETWEEN %s AND %s"] * len(runs))
                inner.append(f"SELECT {w} AS w, t.dim AS dim, t.value AS value, {picked} {head} "
                             f"AND t.grain = {rollups.DAY} AND ({buckets}) "
                             f"AND t.dim IN ({', '.join(str(d) for d in dims)})")
                inner_params += [piece.node, piece.bypass, *[x for run in runs for x in run]]
        pending = rollups.expansion(_table(PendingChange), measures=rollups.OF_PENDING, levels=True,
                                    keys=["{node} AS node", "s.bypass AS bypass", "l.g AS grain",
                                          "{bucket} AS bucket"])
        inner.append(f"SELECT pp.w AS w, e.dim AS dim, e.value AS value, "
                     f"{', '.join(f'e.{m} * pp.sign AS {m}' for m in rollups.MEASURES)} "
                     f"FROM ({pending}) e JOIN tp ON e.node = tp.node AND e.bypass = tp.bypass "
                     f"JOIN pp ON e.grain = pp.grain AND e.bucket BETWEEN pp.lo AND pp.hi AND e.dim = pp.dim "
                     f"AND (pp.grain = {rollups.MONTH} OR tp.daily = 1)")
    if day_parts:
        cte, cte_params = _values("dp", ["w", "cls", "lo", "hi", "sign", "dim"], day_parts, ["INTEGER"] * 6)
        ctes.append(cte)
        params += cte_params
        tally_days, tally_days_params = _days([(a, b) for _w, c, a, b, _s, _d in day_parts if c == EDGES])
        skel_days, skel_days_params = _days([(a, b) for _w, c, a, b, _s, _d in day_parts if c == SKELETONS])
        where = (f"(({in_tally_cond} AND {tally_days}) OR ({in_skel_cond} AND {skel_days}))"
                 + (f" AND {filters}" if filters else ""))
        columns = ", ".join(f"s.{name}" for name in rollups.COUNTED)
        ctes.append(f"base AS MATERIALIZED (SELECT {columns}, CASE WHEN {in_tally_cond} THEN {EDGES} "
                    f"ELSE {SKELETONS} END AS cls FROM {_table(Skeleton)} s WHERE {where})")
        params += in_tally_params + in_tally_params + tally_days_params + in_skel_params + skel_days_params
        params += filter_params
        # Each dimension only over the days that some window reads it for.
        runs: dict = {}
        for _w, c, a, b, _s, d in day_parts:
            runs.setdefault(d, {}).setdefault(c, []).append((a, b))
        per_dim = {d: " OR ".join(f"(s.cls = {c} AND {_inline_days(r)})" for c, r in by_class.items())
                   for d, by_class in runs.items()}
        expanded = rollups.expansion("base", measures=rollups.OF_SKELETON, keys=["s.day", "s.cls"],
                                     dims=set(runs), per_dim=per_dim, grouped=True)
        inner.append(f"SELECT dp.w AS w, e.dim AS dim, e.value AS value, "
                     f"{', '.join(f'e.{m} * dp.sign AS {m}' for m in rollups.MEASURES)} FROM ({expanded}) e "
                     f"JOIN dp ON e.cls = dp.cls AND e.dim = dp.dim AND e.day BETWEEN dp.lo AND dp.hi")
    if inner:
        branches.append(f"SELECT x.w, x.dim, x.value, {sums} FROM ({' UNION ALL '.join(inner)}) x "
                        f"GROUP BY x.w, x.dim, x.value")
        params += inner_params

    # Repeated actors and the period's actions, from the skeletons of the period.
    scope_cond, scope_params = _scope(scope)
    period = "s.day BETWEEN %s AND %s"
    period_params = [lens.start.toordinal(), lens.end.toordinal()]
    where = f"{scope_cond} AND {period}" + (f" AND {filters}" if filters else "")
    where_params = scope_params + period_params + filter_params
    zeros = ", ".join("0" for _ in rollups.MEASURES[1:])
    branches.append(f"SELECT {W_ACTORS}, 0, 0, COUNT(*), {zeros} FROM (SELECT s.actor FROM {_table(Skeleton)} s "
                    f"WHERE s.actor <> '' AND {where} GROUP BY s.actor HAVING COUNT(*) >= 2) r")
    params += where_params
    actions = _table(Action)
    # Open actions, by whether they are overdue (dim 1) or not (dim 0).
    branches.append(
        f"SELECT {W_ACTIONS}, CASE WHEN a.due_date < %s THEN 1 ELSE 0 END, 0, COUNT(*), {zeros} "
        f"FROM {actions} a JOIN {_table(Skeleton)} s ON s.incident_id = a.incident_id "
        f"WHERE a.status = %s AND {where} GROUP BY CASE WHEN a.due_date < %s THEN 1 ELSE 0 END")
    params += [today, Action.Status.OPEN] + where_params + [today]
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches), params, (where, where_params)


def with_actors(user, lens, terms: dict, scoped):
    """`scoped` (the period's countable incidents in the lens) narrowed to
    those that name an actor, for the repeated actors (actors.py) of a user
    who may know them: the ids come from the skeletons' own index, instead
    of a scan of every report of the period for the few that name one."""
    scope = scope_pieces(user, lens.node)
    if not scope or not access.may_know_matches_at(user, lens.node):
        return scoped
    scope_cond, scope_params = _scope(scope)
    filters, filter_params = _filters(lens, terms)
    sql = (f"SELECT s.incident_id FROM {_table(Skeleton)} s WHERE s.actor <> '' AND s.incident_id IS NOT NULL "
           f"AND {scope_cond} AND s.day BETWEEN %s AND %s" + (f" AND {filters}" if filters else ""))
    with connections[router.db_for_read(Skeleton)].cursor() as cursor:
        cursor.execute(sql, [*scope_params, lens.start.toordinal(), lens.end.toordinal(), *filter_params])
        ids = [row[0] for row in cursor.fetchall()]
    return scoped.filter(pk__in=ids)


# --- from rows to counts ----------------------------------------------------------------

class Times:
    """The period's times of one kind as the sorted list of their values
    (what queries.percentile reads): counts per ten steps (coarse, from the
    totals) and, inside the tens that are read, per step (fine, from the
    skeletons)."""

    def __init__(self, coarse: dict[int, int], fine: dict[int, int] | None = None):
        self.keys = sorted(k for k, n in coarse.items() if n)
        self.ends = []
        total = 0
        for k in self.keys:
            total += coarse[k]
            self.ends.append(total)
        self.fine = fine or {}

    def __len__(self):
        return self.ends[-1] if self.ends else 0

    def ten_of(self, rank: int) -> tuple[int, int]:
        """The ten holding this rank, and the rank within it."""
        i = bisect_right(self.ends, rank)
        return self.keys[i], rank - (self.ends[i - 1] if i else 0)

    def needed(self) -> set[int]:
        """The tens that hold the ranks the median and the 90th percentile read."""
        n = len(self)
        ranks = set()
        for fraction in PERCENTILES:
            low = int(fraction * (n - 1))
            ranks |= {low, min(low + 1, n - 1)}
        return {self.ten_of(r)[0] for r in ranks} if n else set()

    def __getitem__(self, rank: int):
        ten, within = self.ten_of(rank)
        for k in sorted(k for k in self.fine if rollups.coarse(k) == ten):
            within -= self.fine[k]
            if within < 0:
                return rollups.step_value(k)
        raise LookupError(f"the steps of ten {ten} were not read, or do not add up to its count")


PERCENTILES = (0.5, 0.9)


def timing(ack: Times, close: Times) -> dict:
    result = {}
    for name, times in (("ack", ack), ("close", close)):
        result[f"{name}_n"] = len(times)
        result[f"{name}_median"] = percentile(times, 0.5) if len(times) else None
        result[f"{name}_p90"] = percentile(times, 0.9) if len(times) else None
    return result


def fine_statement(where: tuple[str, list], tens: dict[str, set[int]]) -> tuple[str, list]:
    """The steps inside the tens that are read, per kind of time."""
    condition, params = where
    branches, all_params = [], []
    for dim, (fine, ten) in ((Dim.ACK, ("ack", "ack_c")), (Dim.CLOSE, ("close", "close_c"))):
        chosen = sorted(tens.get(fine, ()))
        if not chosen:
            continue
        branches.append(f"SELECT {dim}, s.{fine}, COUNT(*) FROM {_table(Skeleton)} s WHERE s.{ten} IN "
                        f"({', '.join(['%s'] * len(chosen))}) AND {condition} GROUP BY s.{fine}")
        all_params += chosen + params
    return " UNION ALL ".join(branches), all_params


def counts_of(rows, pieces: list[date]) -> Counts:
    c = Counts()
    ack, close = Counter(), Counter()
    keysums = {}
    for w, dim, value, n, *sums in rows:
        w, dim, value, n = int(w), int(dim), int(value), int(n or 0)
        keysums[(w, dim, value)] = int(sums[0] or 0) if sums else 0
        if w == W_ACTORS:
            c.repeated_actors = n
            continue
        if w == W_ACTIONS:
            c.actions_open += n
            if dim == 1:
                c.actions_overdue += n
            continue
        if not n:
            continue
        term = value or None
        if w == W_CURRENT:
            if dim == Dim.TOTAL:
                c.total_now = n
            elif dim == Dim.UNIT:
                c.unit_now[value] += n
            elif dim == Dim.SOURCE:
                c.source_now[term] += n
            elif dim == Dim.AREA:
                c.area_now[term] += n
            elif dim == Dim.CHANNEL:
                c.channel_now[term] += n
            elif dim == Dim.IDENTITY:
                c.identity_now[rollups.IDENTITIES[value - 1] if 0 < value <= len(rollups.IDENTITIES) else ""] += n
            elif dim == Dim.GENDER:
                c.gender_now[rollups.GENDERS[value] if value < len(rollups.GENDERS) else "?"] += n
            elif dim == Dim.TV:
                c.police_total = n
            elif dim == Dim.REPORTED:
                c.police_reported = n
            elif dim == Dim.ACK:
                ack[value] += n
            elif dim == Dim.CLOSE:
                close[value] += n
        elif w == W_HISTORY:
            if dim == Dim.TOTAL:
                c.total_hist = n
            elif dim == Dim.UNIT:
                c.unit_hist[value] += n
        elif w == W_PREVIOUS:
            if dim == Dim.TOTAL:
                c.total_prev = n
            elif dim == Dim.SOURCE:
                c.source_prev[term] += n
            elif dim == Dim.FORM:
                c.form_prev[value] += n
        elif w >= W_PIECE:
            piece = pieces[w - W_PIECE]
            if dim == Dim.TOTAL:
                c.month_now[piece] += n
            elif dim == Dim.FORM:
                c.month_form[(piece, value)] += n
    c.timing = {"ack": ack, "close": close}  # coarse, until gather reads the steps
    c.keysums = keysums
    return c


def gather(user, lens, terms: dict, *, pieces: list[date], history_start: date, with_history: bool,
           today: date) -> Counts:
    """Every count of the picture of `lens` for `user` (see the module's
    text): the same Counts as situation.queries.gather, in one query (two
    when there are times to acknowledgement or closure: the steps inside
    the tens that hold their median and 90th percentile)."""
    built = statement(user, lens, terms, pieces=pieces, history_start=history_start, with_history=with_history,
                      today=today)
    if built is None:
        c = Counts()
        c.timing = timing(Times({}), Times({}))
        return c
    sql, params, where = built
    # The replica when the page reads one (varn.dbrouter), like the ORM.
    alias = router.db_for_read(Tally)
    conn = connections[alias]
    outermost = not conn.in_atomic_block
    with transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            if outermost and conn.vendor == "postgresql":
                # One snapshot for both statements.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute(sql, params)
            c = counts_of(cursor.fetchall(), pieces)
            ack, close = Times(c.timing["ack"]), Times(c.timing["close"])
            tens = {"ack": ack.needed(), "close": close.needed()}
            if tens["ack"] or tens["close"]:
                cursor.execute(*fine_statement(where, tens))
                for dim, k, n in cursor.fetchall():
                    (ack if int(dim) == Dim.ACK else close).fine[int(k)] = int(n)
    c.timing = timing(ack, close)
    return c

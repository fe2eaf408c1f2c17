"""The figures of a situation picture: counts from the database (the
running totals, situation.totals) arranged per table, and suppressed for
aggregate-only readers (situation.suppression). Only numbers and Cells: no
text to read, no links, no chart data; situation.stats presents them.

compute() is the whole of it. Every count comes from one query on the
running totals; Python only arranges the few aggregated rows, so the number
of queries does not depend on the amount of data. Which units had training in the period
comes from the annual cycle's training log (cycle.services.trained_units).

Suppression: 1–4 show as "<5" and a second step hides enough other cells
that no hidden one can be worked out from the same table. The total number
of reports is published in several places, so every table treats it as known
(fixed): suppression never relies on hiding it. The trend table (reports over
time by form) fixes which form totals are hidden; the same cells are reused
wherever the same numbers appear (the growth of forms, the start page).

Suppression protects people; it should not erase the picture. Where small
counts would leave a table mostly hidden, the figures fall back to a coarser
grouping that can be shown, and say which (situation.stats words it):
  - the trend: per month and form; else all forms together per month; else
    per four months (from the period's first day: tertials for a calendar
    year) and form; else all forms together per four months (see `trend`);
  - who, area and channel: terms too few to show one by one are counted
    together as "Övriga" (see `fold_rare`).
The fallbacks only ask the protection (Suppressor) which cells it hides, so
they work unchanged whatever protects a cell (suppression now, perhaps
perturbation later); each published table is protected as a whole, with
its own second step.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from cycle.services import trained_units
from incidents.models import Incident
from organisation.models import Headcount, OrgUnit, User
from situation import actors, analysis, disclosure, queries, totals
from situation.lens import Lens, add_months, local_start, month_start
from situation.suppression import (
    Cell,
    SuppressedTable,
    primary,
    suppress_group,
    suppress_table,
    visible,
)

MIN_TIMING_CASES = 5
MAX_HISTORY_DAYS = 366
MAX_RISING = 15


# --- what the figures are --------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    """A stretch of the period counted as one row of the trend."""
    start: date
    end: date  # inclusive
    month: date | None  # the calendar month (first day), for monthly rows


MONTH, STRETCH = "month", "stretch"
STRETCH_MONTHS = 4  # a tertial


@dataclass
class MonthForms:
    """Reports over time: one row per bucket (a month, or four months) and,
    when by_form, a column per form; the margins are the bucket totals and
    the form totals. Without by_form the table has no inner cells (its row
    totals are the reports per bucket) and the form totals over the whole
    period are a group of their own (form_totals)."""
    grain: str  # MONTH or STRETCH
    by_form: bool
    buckets: list[Bucket]
    forms: list
    table: SuppressedTable
    form_totals: list[Cell]
    form_total: Cell  # the total the form totals are published with

    @property
    def fallback(self) -> bool:
        """Coarser than the months and forms the table is meant to show."""
        return self.grain != MONTH or not self.by_form

    @property
    def line_whole(self) -> bool:
        """The reports per bucket are all shown (the trend of all reports)."""
        return not self.table.withheld and not any(c.hidden for c in self.table.row_totals)


@dataclass(frozen=True)
class Others:
    """Terms too few to show one by one, counted together ("Övriga"); None
    stands for the reports without a term."""
    terms: tuple


@dataclass
class Category:
    """Reports per term of one taxonomy; a None term holds the reports
    without one, an Others entry the rare terms counted together."""
    terms: list
    cells: list[Cell]
    total: Cell

    @property
    def withheld(self) -> bool:
        return any(c.masked for c in self.cells)

    @property
    def others(self) -> Others | None:
        return next((t for t in self.terms if isinstance(t, Others)), None)


@dataclass
class UnitFigure:
    """One child of the node (unit_id None: reports made at the node itself)."""
    unit_id: int | None
    name: str
    reports: Cell
    employees: int | None
    rate: float | None  # reports per 100 employees


@dataclass
class UnitComparison:
    units: list[UnitFigure]
    total: Cell
    employees: int
    rate: float | None
    year: int  # of the headcount

    @property
    def withheld(self) -> bool:
        return any(u.reports.masked for u in self.units)


@dataclass
class KeyFigures:
    total: Cell
    previous_total: Cell
    change_percent: float | None
    employees: int | None
    rate: float | None
    police_total: Cell
    police_reported: Cell
    police_share: float | None
    ack_median: timedelta | None
    ack_p90: timedelta | None
    ack_n: int
    close_median: timedelta | None
    close_p90: timedelta | None
    close_n: int
    timing_hidden: bool
    actions_open: Cell
    actions_overdue: Cell
    protected: Cell
    protected_share: float | None


@dataclass
class GenderFigures:
    """Reporters of named and confidential reports: women, men, other or
    not given; against the staff's split."""
    cells: list[Cell]
    total: Cell
    shares: list[float | None]
    staff_shares: list[float | None]
    reports: int
    known_staff: int

    @property
    def withheld(self) -> bool:
        return any(c.masked for c in self.cells)


@dataclass
class RisingUnit:
    unit_id: int
    name: str
    change: analysis.Change
    now: Cell
    history: Cell


@dataclass
class GrowthLine:
    """A form or a kind of source: the period against the same period a
    year earlier."""
    kind: str  # "form" or "source"
    term: object
    now: Cell
    before: Cell
    change: analysis.Change

    @property
    def can_show(self) -> bool:
        return not self.now.hidden and not self.before.hidden


@dataclass
class TrainingGroup:
    """Units with a training session in the period, or units without one."""
    trained: bool
    units: int
    reports: Cell
    employees: int
    rate: float | None  # reports per 100 employees


@dataclass
class Figures:
    suppressed: bool
    months: MonthForms
    sources: Category
    areas: Category
    channels: Category
    units: UnitComparison | None
    key: KeyFigures
    gender: GenderFigures | None
    has_history: bool
    total_hist: int
    rising: list[RisingUnit]
    growth: list[GrowthLine] | None
    repeated: list | None
    repeated_count: Cell | None
    training: list[TrainingGroup] | None


# --- the inputs --------------------------------------------------------------------

@dataclass
class Window:
    """The stretches of time a picture compares: the period, the twelve
    months before it (the history) and the same period a year earlier.
    The period is counted in pieces (`pieces`, each a first day): its
    calendar months, split where a four-month stretch begins, so that both
    the months and the four-month stretches are sums of pieces."""
    lens: Lens
    history_start: date
    prev_start_dt: datetime
    prev_end_dt: datetime
    ext_start: date  # the earliest day any figure reads
    months: list[date]
    stretches: list[Bucket]
    pieces: list[date]

    @property
    def has_history(self) -> bool:
        return self.lens.days <= MAX_HISTORY_DAYS


def window(lens: Lens) -> Window:
    history_start = lens.start - timedelta(days=analysis.HISTORY_DAYS)
    prev_start, prev_end = lens.previous_year
    has_history = lens.days <= MAX_HISTORY_DAYS
    months = months_of(lens)
    stretches = stretches_of(lens)
    pieces = sorted({lens.start} | {m for m in months if m > lens.start} | {b.start for b in stretches})
    return Window(lens=lens, history_start=history_start, prev_start_dt=local_start(prev_start),
                  prev_end_dt=local_start(prev_end + timedelta(days=1)),
                  ext_start=min(history_start if has_history else lens.start, prev_start),
                  months=months, stretches=stretches, pieces=pieces)


def months_of(lens: Lens) -> list[date]:
    months = []
    m = month_start(lens.start)
    while m <= lens.end:
        months.append(m)
        m = add_months(m, 1)
    return months


def shift_months(d: date, months: int) -> date:
    """The same day `months` months later, or that month's last day."""
    first = add_months(d, months)
    last_day = (add_months(first, 1) - timedelta(days=1)).day
    return first.replace(day=min(d.day, last_day))


def stretches_of(lens: Lens) -> list[Bucket]:
    """Four-month stretches from the period's first day (the last one may be
    shorter); none when the period fits in one. A calendar year's are its
    tertials."""
    if shift_months(lens.start, STRETCH_MONTHS) > lens.end:
        return []
    stretches, k = [], 0
    while (start := shift_months(lens.start, STRETCH_MONTHS * k)) <= lens.end:
        end = min(shift_months(lens.start, STRETCH_MONTHS * (k + 1)) - timedelta(days=1), lens.end)
        stretches.append(Bucket(start, end, None))
        k += 1
    return stretches


def month_buckets(win: Window) -> list[Bucket]:
    lens = win.lens
    return [Bucket(max(m, lens.start), min(add_months(m, 1) - timedelta(days=1), lens.end), m) for m in win.months]


@dataclass
class Tree:
    """The organisation at and below the node."""
    node: OrgUnit
    by_id: dict[int, tuple[str, str]]  # id -> (path, name)
    children: list[tuple[int, str, str]]  # (id, path, name)
    units: list[int]  # ids of the units (the lowest kind)

    def child_of(self, unit_id) -> int | None:
        """The child of the node that holds the unit; None for the node itself."""
        path = self.by_id.get(unit_id, ("",))[0]
        rest = path[len(self.node.path):].split("/")[0]
        return int(rest) if rest else None


def tree(node) -> Tree:
    nodes = list(OrgUnit.objects.filter(path__startswith=node.path)
                 .values_list("pk", "path", "name", "parent_id", "kind").order_by("path"))
    return Tree(node=node, by_id={pk: (path, name) for pk, path, name, _parent, _kind in nodes},
                children=[(pk, path, name) for pk, path, name, parent, _kind in nodes if parent == node.pk],
                units=[pk for pk, _path, _name, _parent, kind in nodes if kind == OrgUnit.Kind.UNIT])


@dataclass
class Staff:
    """Headcounts in the subtree: the latest figure at or before the period's
    last year."""
    heads: dict[int, dict[int, tuple]]  # unit id -> year -> (employees, women, men)
    year: int

    def at(self, unit_id, year: int | None = None) -> tuple | None:
        return headcount_at(self.heads.get(unit_id, {}), self.year if year is None else year)

    @cached_property
    def now(self) -> dict[int, tuple | None]:
        return {u: headcount_at(per_year, self.year) for u, per_year in self.heads.items()}

    def employees(self, unit_id) -> int | None:
        hc = self.at(unit_id)
        return hc[0] if hc else None


def staff(node, win: Window) -> Staff:
    year = win.lens.end.year
    first_year = min(win.ext_start.year, year) - 2
    heads: dict[int, dict[int, tuple]] = {}
    for unit_id, y, employees, women, men in Headcount.objects.filter(
            unit__path__startswith=node.path, year__lte=year, year__gte=first_year
    ).values_list("unit_id", "year", "employees", "women", "men"):
        heads.setdefault(unit_id, {})[y] = (employees, women, men)
    return Staff(heads, year)


def headcount_at(per_year: dict[int, tuple], year: int) -> tuple | None:
    """The latest headcount at or before the year."""
    years = [y for y in per_year if y <= year]
    return per_year[max(years)] if years else None


def terms_with_counts(terms: list, counts: dict) -> list:
    """Active terms, and inactive ones that still have reports."""
    return [t for t in terms if t.active or counts.get(t.pk)]


def gather(user, win: Window, terms: dict, *, raw: bool = False):
    """The database work for every count: one query on the running totals
    (situation.totals), or with raw=True a handful of GROUP BY passes over
    the incidents themselves (situation.queries: the reference the tests and
    the benchmark compare the totals with). Returns the counts and the
    period's scoped incidents (a lazy queryset, for the repeated actors; from
    the totals only those that name an actor)."""
    lens = win.lens
    current = lens.countable(user, lens.start_dt, lens.end_dt, terms=terms)
    if not raw:
        current = totals.with_actors(user, lens, terms, current)  # all actors.repeated_actors reads
        return totals.gather(user, lens, terms, pieces=win.pieces, history_start=win.history_start,
                             with_history=win.has_history, today=timezone.localdate()), current
    before = lens.countable(user, local_start(win.ext_start), max(lens.start_dt, win.prev_end_dt), terms=terms)
    previous = lens.countable(user, win.prev_start_dt, win.prev_end_dt, terms=terms)
    counts = queries.gather(
        before, current, previous=previous, terms=terms, today=timezone.localdate(), months=win.pieces,
        with_history=win.has_history,
        hist_q=Q(occurred_at__gte=local_start(win.history_start), occurred_at__lt=lens.start_dt),
        prev_q=Q(occurred_at__gte=win.prev_start_dt, occurred_at__lt=win.prev_end_dt))
    return counts, current


# --- suppression -------------------------------------------------------------------

@dataclass
class Suppressor:
    """Cells as a reader may see them: suppressed when `on`, exact otherwise."""
    on: bool

    def cell(self, value: int) -> Cell:
        return primary(value) if self.on else visible(value)

    def group(self, values: list[int], total: int, fixed: bool = False) -> tuple[list[Cell], Cell]:
        """A one-way table: cells and their total."""
        if self.on:
            return suppress_group(values, total, fixed_total=fixed)
        return [visible(v) for v in values], visible(total)

    def table(self, grid, row_totals, col_totals, total) -> SuppressedTable:
        if self.on:
            return suppress_table(grid, row_totals, col_totals, total, fixed_grand=True)
        return SuppressedTable([[visible(v) for v in row] for row in grid], [visible(v) for v in row_totals],
                               [visible(v) for v in col_totals], visible(total))


# --- each figure -------------------------------------------------------------------

def trend(counts, forms_terms: list, win: Window, hide: Suppressor) -> MonthForms:
    """Reports over time at the finest grouping that can be shown whole,
    with no cell hidden (see the module's text); if none can, the one whose
    line of all reports (the bucket totals) hides the least, then the one
    that hides the least in all."""
    forms = terms_with_counts(forms_terms, {f: 1 for (_m, f) in counts.month_form})
    # Time first: a month's line of all reports says more about a trend than
    # three tertials by form; the forms over the period stay in their own
    # table (and in the growth table against a year earlier).
    grains = [(MONTH, True), (MONTH, False), (STRETCH, True), (STRETCH, False)]
    best, best_score = None, None
    for grain, by_form in grains:
        buckets = month_buckets(win) if grain == MONTH else win.stretches
        if not buckets:
            continue
        candidate = trend_at(counts, forms, buckets, grain, by_form, hide)
        score = _holes(candidate)
        if score[0] == 0:
            return candidate
        if best_score is None or score < best_score:
            best, best_score = candidate, score
    return best


def trend_at(counts, forms: list, buckets: list[Bucket], grain: str, by_form: bool, hide: Suppressor) -> MonthForms:
    """The trend table at one grouping, protected as a whole."""
    def in_bucket(piece):
        return next(i for i, b in enumerate(buckets) if b.start <= piece <= b.end)

    row_totals = [0] * len(buckets)
    grid = [[0] * len(forms) for _b in buckets]
    column = {f.pk: j for j, f in enumerate(forms)}
    for piece, n in counts.month_now.items():
        row_totals[in_bucket(piece)] += n
    for (piece, form_id), n in counts.month_form.items():
        if form_id in column:
            grid[in_bucket(piece)][column[form_id]] += n
    col_totals = [sum(row[j] for row in grid) for j in range(len(forms))]
    total = counts.total_now
    if by_form:
        table = hide.table(grid, row_totals, col_totals, total)
        return MonthForms(grain, True, buckets, forms, table, table.col_totals, table.grand_total)
    # Two groups that share only the total, which is known anyway: the
    # reports per bucket, and the forms over the whole period.
    rows, grand = hide.group(row_totals, total, fixed=True)
    form_cells, form_total = hide.group(col_totals, total, fixed=True)
    table = SuppressedTable([[] for _b in buckets], rows, None, grand, withheld=any(c.masked for c in rows))
    return MonthForms(grain, False, buckets, forms, table, form_cells, form_total)


def _holes(mf: MonthForms) -> tuple:
    """(0, ...) when the grouping can be shown whole; else how much it hides."""
    table = mf.table
    others = [c for row in table.cells for c in row] + list(table.col_totals or [])
    line_hidden = sum(c.hidden for c in table.row_totals)
    others_hidden = sum(c.hidden for c in others)
    whole = not table.withheld and line_hidden == 0 and others_hidden == 0
    cells = len(table.row_totals) + len(others)
    return (0 if whole else 1, table.withheld, line_hidden / len(table.row_totals),
            (line_hidden + others_hidden) / cells)


def category(term_list: list, counts: dict, total: int, hide: Suppressor) -> Category:
    shown = terms_with_counts(term_list, counts)
    values = [counts.get(t.pk, 0) for t in shown]
    if counts.get(None, 0):
        shown = shown + [None]
        values.append(counts[None])
    return fold_rare(shown, values, total, hide)


def fold_rare(terms: list, values: list[int], total: int, hide: Suppressor) -> Category:
    """The group as protected; if that hides some terms, those are counted
    together as Others (and, while Others itself is hidden, the smallest
    shown term with them) until nothing is hidden. Zeros stay as they are.
    If every report would end up in Others, the group is left as it was."""
    cells, total_cell = hide.group(values, total, fixed=True)
    first = Category(list(terms), cells, total_cell)
    folded: list[int] = []
    result = first
    while any(c.hidden for c in result.cells):
        singles = [i for i in range(len(terms)) if i not in folded]
        single_cells = dict(zip(singles, result.cells))
        more = [i for i in singles if single_cells[i].hidden and values[i]]
        if not more and folded and result.cells[-1].hidden:
            shown = [i for i in singles if values[i]]
            more = [min(shown, key=lambda i: (values[i], i))] if shown else []
        if not more:
            break
        folded += more
        singles = [i for i in singles if i not in more]
        if not any(values[i] for i in singles):
            return first
        group = Others(tuple(terms[i] for i in sorted(folded)))
        cells, total_cell = hide.group([values[i] for i in singles] + [sum(values[i] for i in folded)], total,
                                       fixed=True)
        result = Category([terms[i] for i in singles] + [group], cells, total_cell)
    return result


def unit_comparison(counts, places: Tree, people: Staff, hide: Suppressor) -> UnitComparison | None:
    """The node's children by reports per 100 employees (and the reports made
    at the node itself, if any)."""
    if not places.children:
        return None
    node = places.node
    employees_by_child: dict[int, int] = {}
    for unit_id, hc in people.now.items():
        child = places.child_of(unit_id)
        if hc and child is not None:
            employees_by_child[child] = employees_by_child.get(child, 0) + hc[0]
    reports_by_child: dict[int | None, int] = {}
    for unit_id, n in counts.unit_now.items():
        child = places.child_of(unit_id)
        reports_by_child[child] = reports_by_child.get(child, 0) + n
    entries = [(pk, name, reports_by_child.get(pk, 0), employees_by_child.get(pk))
               for pk, _path, name in places.children]
    if reports_by_child.get(None):
        entries.append((None, node.name, reports_by_child[None], people.employees(node.pk)))
    cells, total_cell = hide.group([n for _pk, _name, n, _e in entries], counts.total_now, fixed=True)
    employees = total_employees(people)
    return UnitComparison(
        units=[UnitFigure(pk, name, c, e, per_hundred(c, e)) for (pk, name, _n, e), c in zip(entries, cells)],
        total=total_cell, employees=employees, rate=per_hundred(total_cell, employees), year=people.year)


def per_hundred(cell: Cell, employees: int | None) -> float | None:
    """Reports per 100 employees, unless the count is hidden or there is no headcount."""
    return None if cell.hidden or not employees else round(cell.value / employees * 100, 2)


def total_employees(people: Staff) -> int:
    return sum(hc[0] for hc in people.now.values() if hc)


def key_figures(counts, people: Staff, hide: Suppressor) -> KeyFigures:
    total_now, total_prev = counts.total_now, counts.total_prev
    total, previous = hide.cell(total_now), hide.cell(total_prev)
    change = None
    if not total.hidden and not previous.hidden and total_prev:
        change = (total_now - total_prev) / total_prev * 100
    employees = total_employees(people)
    rate = None if total.hidden or not employees else total_now / employees * 100
    return KeyFigures(total=total, previous_total=previous, change_percent=change, employees=employees or None,
                      rate=rate, **police_figures(counts, hide), **timing_figures(counts.timing, hide.on),
                      **action_figures(counts, hide), **protected_figures(counts, total, hide))


def police_figures(counts, hide: Suppressor) -> dict:
    """Threats and violence, and how many of them were police-reported."""
    reported, total = counts.police_reported, counts.police_total
    (reported_cell, _not), total_cell = hide.group([reported, total - reported], total)
    share = (reported / total * 100) if total and not reported_cell.hidden and not total_cell.hidden else None
    return {"police_total": total_cell, "police_reported": reported_cell, "police_share": share}


def timing_figures(timing: dict, suppress: bool) -> dict:
    """Median and 90th percentile times; with suppression, only over five or more cases."""
    def value(name, n):
        return None if (suppress and n < MIN_TIMING_CASES) else timing[name]

    ack_n, close_n = timing["ack_n"], timing["close_n"]
    return {"ack_median": value("ack_median", ack_n), "ack_p90": value("ack_p90", ack_n), "ack_n": ack_n,
            "close_median": value("close_median", close_n), "close_p90": value("close_p90", close_n),
            "close_n": close_n,
            "timing_hidden": suppress and (ack_n < MIN_TIMING_CASES or close_n < MIN_TIMING_CASES)}


def action_figures(counts, hide: Suppressor) -> dict:
    (overdue, _rest), open_cell = hide.group(
        [counts.actions_overdue, counts.actions_open - counts.actions_overdue], counts.actions_open)
    return {"actions_open": open_cell, "actions_overdue": overdue}


def protected_figures(counts, total: Cell, hide: Suppressor) -> dict:
    """Confidential or anonymous reports."""
    total_now = counts.total_now
    protected = counts.identity_now.get(Incident.IdentityMode.CONFIDENTIAL, 0) + counts.identity_now.get(
        Incident.IdentityMode.ANONYMOUS, 0)
    (named, cell), group_total = hide.group([total_now - protected, protected], total_now, fixed=True)
    share = (protected / total_now * 100
             if total_now and not total.hidden and not cell.hidden and not named.hidden
             and not group_total.hidden else None)
    return {"protected": cell, "protected_share": share}


def gender(rows: dict, people: Staff) -> GenderFigures:
    """Always suppressed: it is derived from who reported."""
    women = men = known_staff = 0
    for hc in people.now.values():
        if hc and hc[1] is not None and hc[2] is not None:
            women += hc[1]
            men += hc[2]
            known_staff += hc[0]
    w = rows.get(User.Gender.WOMAN, 0)
    m = rows.get(User.Gender.MAN, 0)
    other = sum(rows.values()) - w - m
    total = w + m + other
    cells, total_cell = suppress_group([w, m, other], total)
    staff_counts = [women, men, known_staff - women - men]
    return GenderFigures(
        cells=cells, total=total_cell,
        shares=[None if c.hidden or total_cell.hidden or not total else c.value / total * 100 for c in cells],
        staff_shares=[s / known_staff * 100 if known_staff else None for s in staff_counts],
        reports=total, known_staff=known_staff)


def rising_units(counts, places: Tree, people: Staff, lens: Lens, hide: Suppressor) -> list[RisingUnit]:
    """Units whose rate rose clearly against their own history, surest first."""
    history_year = (lens.start - timedelta(days=1)).year
    flagged = []
    for unit_id, now in counts.unit_now.items():
        if now < analysis.MIN_REPORTS:
            continue
        hist = counts.unit_hist.get(unit_id, 0)
        hc_now = people.at(unit_id)
        hc_hist = people.at(unit_id, history_year) or hc_now
        emp_now = hc_now[0] if hc_now else 1
        emp_hist = hc_hist[0] if hc_hist else 1
        change = analysis.judge(now, hist, lens.days * emp_now, analysis.HISTORY_DAYS * emp_hist,
                                analysis.UNIT_RATIO)
        if change.clear:
            flagged.append(RisingUnit(unit_id, unit_name(places, unit_id), change, hide.cell(now), hide.cell(hist)))
    flagged.sort(key=lambda f: (f.change.p, f.name))
    return flagged[:MAX_RISING]


def unit_name(places: Tree, unit_id) -> str:
    """The unit's name; in the city's picture with its district, since many
    districts have a unit of the same name."""
    path, name = places.by_id.get(unit_id, ("", str(unit_id)))
    parts = path.strip("/").split("/")
    if places.node.kind == OrgUnit.Kind.CITY and len(parts) > 2:
        district = places.by_id.get(int(parts[1]), ("", ""))[1]
        return f"{name} ({district})" if district else name
    return name


def growth(counts, months: MonthForms, sources: Category, source_terms: list, hide: Suppressor) -> list[GrowthLine]:
    """Each form and each kind of source (as the source table groups them)
    against the same period a year earlier (same length, same season)."""
    # A report has at most one source, so last year's sources (with the
    # reports that have none) add up to last year's total, which the key
    # figures show: they get the second suppression step against it.
    items = [(t, c) for t, c in zip(sources.terms, sources.cells) if t is not None]
    keys = [tuple(x.pk if x is not None else None for x in t.terms) if isinstance(t, Others) else (t.pk,)
            for t, _c in items]
    before = [sum(counts.source_prev.get(k, 0) for k in key) for key in keys]
    if hide.on:
        rest = max(counts.total_prev - sum(before), 0)
        prev_cells, _total = suppress_group(before + [rest], counts.total_prev, fixed_total=True)
    else:
        prev_cells = [visible(v) for v in before]
    entries = [("form", f, c, counts.form_prev.get(f.pk, 0), hide.cell(counts.form_prev.get(f.pk, 0)))
               for f, c in zip(months.forms, months.form_totals)]
    entries += [("source", t, c, b, bc) for (t, c), b, bc in zip(items, before, prev_cells)]
    return [GrowthLine(kind, term, now, before_cell, analysis.judge(now.value, before, 1, 1, analysis.TREND_RATIO))
            for kind, term, now, before, before_cell in entries]


def training(counts, places: Tree, people: Staff, lens: Lens, hide: Suppressor) -> list[TrainingGroup] | None:
    """Reports per 100 employees in units with a training session (an APT
    visit, a lärstudio) in the period against units without one. Units
    without a headcount are left out; there must be two units to compare."""
    rated = [u for u in places.units if people.employees(u)]
    if len(rated) < 2:
        return None
    trained = trained_units(places.node, lens.start, lens.end)
    groups = [[u for u in rated if u in trained], [u for u in rated if u not in trained]]
    reports = [sum(counts.unit_now.get(u, 0) for u in group) for group in groups]
    # Suppressed as if the sum of both groups were known too.
    cells, _sum = hide.group(reports, sum(reports), fixed=True)
    result = []
    for is_trained, group, cell in zip((True, False), groups, cells):
        employees = sum(people.employees(u) for u in group)
        result.append(TrainingGroup(is_trained, len(group), cell, employees, per_hundred(cell, employees)))
    return result


# --- the whole -----------------------------------------------------------------------

def summary(user, lens: Lens, terms: dict, *, suppress: bool) -> tuple[list, list[Cell], Cell]:
    """The forms, their counts and the number of reports exactly as the
    picture of the same lens shows them (the start page's summary)."""
    hide = Suppressor(suppress)
    win = window(lens)
    counts, _current = gather(user, win, terms)
    if suppress:
        counts = disclosure.protect(counts, win.pieces)
    months = trend(counts, terms["forms"], win, hide)
    return months.forms, months.form_totals, hide.cell(counts.total_now)


def compute(user, lens: Lens, terms: dict, *, suppress: bool, police: bool, raw: bool = False) -> Figures:
    """Every figure for one lens. police: the joint picture for the police
    area (no gender analysis, no actors). raw: count from the incidents
    instead of the running totals (see gather)."""
    hide = Suppressor(suppress)
    win = window(lens)
    places = tree(lens.node)
    counts, current = gather(user, win, terms, raw=raw)
    # Protected figures (cell key method) for aggregate-only readers. raw is
    # the exact reference the running totals are compared with: no key sums.
    if suppress and not raw:
        counts = disclosure.protect(counts, win.pieces)
    people = staff(lens.node, win)
    months = trend(counts, terms["forms"], win, hide)
    sources = category(terms["sources"], counts.source_now, counts.total_now, hide)
    with_analysis = win.has_history and counts.total_hist != 0
    repeated = None if police else actors.repeated_actors(user, lens.node, current)
    return Figures(
        suppressed=suppress, months=months, sources=sources,
        areas=category(terms["areas"], counts.area_now, counts.total_now, hide),
        channels=category(terms["channels"], counts.channel_now, counts.total_now, hide),
        units=unit_comparison(counts, places, people, hide),
        key=key_figures(counts, people, hide),
        gender=None if police else gender(counts.gender_now, people),
        has_history=win.has_history, total_hist=counts.total_hist,
        rising=rising_units(counts, places, people, lens, hide) if with_analysis else [],
        growth=growth(counts, months, sources, terms["sources"], hide) if with_analysis else None,
        repeated=repeated,
        repeated_count=hide.cell(counts.repeated_actors) if not police and repeated is None else None,
        training=training(counts, places, people, lens, hide),
    )

"""Aggregates for the situation picture, always computed in the database from
the shared access query (incidents.access.countable_incidents).

build() returns a Picture: key figures, tables (each with chart data) and
the analysis, for one lens (node, period, filters). Every figure is a GROUP
BY or an aggregate in SQL; Python only arranges the few aggregated rows. The
number of queries does not depend on the amount of data.

For aggregate-only users (and the police export) every count goes through
situation.suppression: 1–4 show as "<5" and a second step hides enough other
cells that no hidden one can be worked out from the same table.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents import access
from incidents.models import Incident, InfluenceForm
from organisation.models import Headcount, OrgUnit, User
from situation import actors, analysis, queries
from situation.lens import Lens, add_months, local_start, month_start
from situation.suppression import Cell, SuppressedTable, primary, suppress_group, suppress_table, visible

MIN_TIMING_CASES = 5
MAX_HISTORY_DAYS = 366
MAX_RISING = 15
RISING_RULE = gettext_lazy(
    "En enhet visas här när den har minst 5 rapporter under perioden, när rapporterna per anställd är mer "
    "än 1,5 gånger så många som under de tolv månaderna före perioden (räknat per dag), och när ett exakt "
    "statistiskt test visar att en så stor ökning sannolikt inte är slump (mindre än 5 procents risk).")


# --- small helpers -----------------------------------------------------------

def fmt_number(value, decimals: int = 0) -> str:
    # number_format cuts decimals off; round first so 76.9 % reads 77 %.
    return formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True,
                                 force_grouping=True)


def fmt_percent(value: float | None) -> str:
    return "–" if value is None else f"{fmt_number(value, 0)} %"


def fmt_duration(delta: timedelta | None) -> str:
    if delta is None:
        return "–"
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return _("%(n)s tim") % {"n": fmt_number(hours, 1)}
    return _("%(n)s dagar") % {"n": fmt_number(hours / 24, 1)}


@dataclass
class Display:
    """One table cell as shown: text, the number behind it (None when hidden
    or not applicable) and an optional link to the cases behind it."""
    text: str
    value: float | int | None = None
    link: str | None = None
    hidden: bool = False


def count_display(cell: Cell, link: str | None = None) -> Display:
    if cell.hidden:
        return Display(str(cell), None, None, True)
    return Display(fmt_number(cell.value), cell.value, link if cell.value else None)


@dataclass
class Row:
    label: str
    cells: list[Display]
    link: str | None = None


@dataclass
class StatTable:
    key: str
    caption: str
    columns: list[str]  # the first one heads the row labels
    rows: list[Row]
    foot: Row | None = None
    note: str = ""
    chart: dict | None = None
    chart_label: str = ""
    # Suppression could not protect the table: it is not shown at all.
    withheld: bool = False


@dataclass
class Picture:
    lens: Lens
    suppressed: bool
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
    tables: list[StatTable] = field(default_factory=list)
    gender: StatTable | None = None
    rising_units: list = field(default_factory=list)
    growth: StatTable | None = None
    history_note: str = ""
    rising_rule: str = ""
    repeated: list | None = None
    repeated_count: Cell | None = None
    drill_url: str | None = None
    filters: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.total.value == 0


def _headcounts(node, year: int, first_year: int) -> dict[int, dict[int, tuple]]:
    """unit id -> year -> (employees, women, men) for the subtree."""
    result: dict[int, dict[int, tuple]] = {}
    for unit_id, y, employees, women, men in Headcount.objects.filter(
            unit__path__startswith=node.path, year__lte=year, year__gte=first_year
    ).values_list("unit_id", "year", "employees", "women", "men"):
        result.setdefault(unit_id, {})[y] = (employees, women, men)
    return result


def _headcount_at(per_year: dict[int, tuple], year: int) -> tuple | None:
    """The latest headcount at or before the year."""
    years = [y for y in per_year if y <= year]
    return per_year[max(years)] if years else None


def _terms_with_counts(terms: list, counts: dict) -> list:
    """Active terms, and inactive ones that still have reports."""
    return [t for t in terms if t.active or counts.get(t.pk)]


def _months(lens: Lens) -> list[date]:
    months = []
    m = month_start(lens.start)
    while m <= lens.end:
        months.append(m)
        m = add_months(m, 1)
    return months


# --- the picture --------------------------------------------------------------

def build(user, lens: Lens, terms: dict, *, suppress: bool | None = None, drill: bool | None = None,
          police: bool = False) -> Picture:
    """Every figure of the situation picture for one lens.

    suppress: hide small counts (default: when the user is aggregate-only).
    drill: add links to the lists of cases (default: users with case roles).
    police: the joint picture for the police area (always suppressed, no
    personal data: no gender analysis, no actors, no links)."""
    if police:
        suppress, drill = True, False
    if suppress is None:
        suppress = access.is_aggregate_only(user)
    if drill is None:
        drill = user.has_role(*access.CASE_ROLES) and not suppress
    node = lens.node
    today = timezone.localdate()
    start_dt, end_dt = lens.start_dt, lens.end_dt
    days = lens.days
    has_history = days <= MAX_HISTORY_DAYS
    history_start = lens.start - timedelta(days=analysis.HISTORY_DAYS)
    prev_start, prev_end = lens.previous_year
    prev_start_dt, prev_end_dt = local_start(prev_start), local_start(prev_end + timedelta(days=1))
    ext_start = min(history_start if has_history else lens.start, prev_start)

    drill_base = reverse("situation:drill", args=[node.pk]) if drill else None

    def drill_link(**override):
        return f"{drill_base}?{lens.query(**override)}" if drill_base else None

    # Organisation below the node: children to compare, names for the analysis.
    nodes = list(OrgUnit.objects.filter(path__startswith=node.path)
                 .values_list("pk", "path", "name", "parent_id").order_by("path"))
    by_id = {pk: (path, name) for pk, path, name, _parent in nodes}
    children = [(pk, path, name) for pk, path, name, parent in nodes if parent == node.pk]

    def child_of(unit_id):
        path = by_id.get(unit_id, ("",))[0]
        rest = path[len(node.path):].split("/")[0]
        return int(rest) if rest else None

    # All database work for the figures: a handful of GROUP BY passes.
    before = lens.countable(user, local_start(ext_start), max(start_dt, prev_end_dt), terms=terms)
    current = lens.countable(user, start_dt, end_dt, terms=terms)
    previous = lens.countable(user, prev_start_dt, prev_end_dt, terms=terms)
    months = _months(lens)
    counts = queries.gather(
        before, current, previous=previous, terms=terms, today=today, months=months,
        with_history=has_history,
        hist_q=Q(occurred_at__gte=local_start(history_start), occurred_at__lt=start_dt),
        prev_q=Q(occurred_at__gte=prev_start_dt, occurred_at__lt=prev_end_dt))
    unit_now, unit_hist = counts.unit_now, counts.unit_hist
    source_now, source_prev = counts.source_now, counts.source_prev
    total_now, total_prev, total_hist = counts.total_now, counts.total_prev, counts.total_hist
    area_now, channel_now, identity_now = counts.area_now, counts.channel_now, counts.identity_now
    month_total, month_form = counts.month_now, counts.month_form
    timing = counts.timing
    police_row = {"total": counts.police_total, "reported": counts.police_reported}
    action_row = {"open": counts.actions_open, "overdue": counts.actions_overdue}

    # Headcount: the latest figure at or before the period's last year.
    heads = _headcounts(node, lens.end.year, min(ext_start.year, lens.end.year) - 2)

    # ---------------------------------------------------------------- figures
    def cell(value):
        return primary(value) if suppress else visible(value)

    # The month x form table fixes which totals are hidden; the same cells
    # are reused wherever the same numbers appear.
    forms = _terms_with_counts(terms["forms"], {f: 1 for (_m, f) in month_form})
    grid = [[month_form.get((m, f.pk), 0) for f in forms] for m in months]
    row_totals = [month_total.get(m, 0) for m in months]
    col_totals = [sum(grid[i][j] for i in range(len(months))) for j in range(len(forms))]
    # The total number of reports is published in several places, so every
    # table treats it as known (fixed): suppression never relies on hiding it.
    if suppress:
        mf = suppress_table(grid, row_totals, col_totals, total_now, fixed_grand=True)
    else:
        mf = SuppressedTable([[visible(v) for v in row] for row in grid], [visible(v) for v in row_totals],
                             [visible(v) for v in col_totals], visible(total_now))

    def one_way(values, total, fixed=False):
        if suppress:
            return suppress_group(values, total, fixed_total=fixed)
        return [visible(v) for v in values], visible(total)

    tables = []
    month_labels = [formats.date_format(m, "b Y") for m in months]
    month_rows = []
    for i, m in enumerate(months):
        mq = m.strftime("%Y-%m")
        cells = [count_display(mf.cells[i][j], drill_link(form=[f.code], manad=mq)
                               if not lens.forms or f.code in lens.forms else None)
                 for j, f in enumerate(forms)]
        cells.append(count_display(mf.row_totals[i], drill_link(manad=mq)))
        month_rows.append(Row(month_labels[i], cells))
    foot = Row(_("Hela perioden"), [count_display(c, drill_link(form=[f.code]) if not lens.forms
                                                  or f.code in lens.forms else None)
                                    for c, f in zip(mf.col_totals, forms)]
               + [count_display(mf.grand_total, drill_link())])
    tables.append(StatTable(
        withheld=mf.withheld,
        key="manad", caption=_("Rapporter per månad och form av påverkan"),
        columns=[_("Månad")] + [f.name for f in forms] + [_("Rapporter")],
        rows=month_rows, foot=foot,
        note=_("En rapport kan gälla flera former, så formerna kan tillsammans bli fler än rapporterna."),
        chart={"type": "line", "labels": month_labels,
               "datasets": [{"label": f.name, "data": [mf.cells[i][j].shown for i in range(len(months))],
                             "hidden_texts": _hidden_texts(mf.cells[i][j] for i in range(len(months)))}
                            for j, f in enumerate(forms)]},
        chart_label=_("Linjediagram: rapporter per månad för varje form av påverkan. Siffrorna finns i tabellen."),
    ))

    def category_table(key, caption, column, term_list, counts, param):
        shown_terms = _terms_with_counts(term_list, counts)
        values = [counts.get(t.pk, 0) for t in shown_terms]
        labels = [t.name for t in shown_terms]
        codes = [t.code for t in shown_terms]
        unknown = counts.get(None, 0)
        if unknown:
            values.append(unknown)
            labels.append(_("Ej angivet"))
            codes.append(None)
        cells, total_cell = one_way(values, total_now, fixed=True)
        selected = {"kalla": lens.sources, "omrade": lens.areas, "kanal": lens.channels}[param]
        rows = [Row(label, [count_display(c, drill_link(**{param: [code]})
                                          if code and (not selected or code in selected) else None)])
                for label, c, code in zip(labels, cells, codes)]
        foot = Row(_("Totalt"), [count_display(total_cell, drill_link())])
        table = StatTable(
            withheld=any(c.masked for c in cells), key=key, caption=caption, columns=[column, _("Rapporter")],
            rows=rows, foot=foot,
            chart={"type": "bar", "labels": labels,
                   "datasets": [{"label": _("Rapporter"), "data": [c.shown for c in cells],
                                 "hidden_texts": _hidden_texts(cells)}]},
            chart_label=_("Stapeldiagram: %(caption)s. Siffrorna finns i tabellen.") % {"caption": caption.lower()},
        )
        return table, cells, total_cell

    source_table, source_cells, _t1 = category_table(
        "kalla", _("Rapporter efter vem som utövade påverkan"), _("Vem"), terms["sources"], source_now, "kalla")
    area_table, _c2, _t2 = category_table(
        "omrade", _("Rapporter efter verksamhetsområde"), _("Verksamhetsområde"), terms["areas"], area_now, "omrade")
    channel_table, _c3, _t3 = category_table(
        "kanal", _("Rapporter efter kanal"), _("Kanal"), terms["channels"], channel_now, "kanal")
    tables += [source_table, area_table, channel_table]

    # Units compared by reports per 100 employees.
    year = lens.end.year
    unit_heads = {u: _headcount_at(per_year, year) for u, per_year in heads.items()}
    employees_by_child = {}
    total_employees = 0
    women = men = known_gender_staff = 0
    for unit_id, hc in unit_heads.items():
        if not hc:
            continue
        total_employees += hc[0]
        c = child_of(unit_id)
        if c is not None:
            employees_by_child[c] = employees_by_child.get(c, 0) + hc[0]
        if hc[1] is not None and hc[2] is not None:
            women += hc[1]
            men += hc[2]
            known_gender_staff += hc[0]
    now_by_child = {}
    direct = 0
    for unit_id, n in unit_now.items():
        c = child_of(unit_id)
        if c is None:
            direct += n
        else:
            now_by_child[c] = now_by_child.get(c, 0) + n
    if children:
        labels = [name for _pk, _path, name in children]
        values = [now_by_child.get(pk, 0) for pk, _path, _name in children]
        employees = [employees_by_child.get(pk) for pk, _path, _name in children]
        links = [f"{reverse('situation:picture', args=[pk])}?{lens.query()}" for pk, _p, _n in children]
        if direct:
            labels.append(_("Direkt på %(name)s") % {"name": node.name})
            values.append(direct)
            employees.append(unit_heads.get(node.pk, (None,))[0] if unit_heads.get(node.pk) else None)
            links.append(None)
        cells, total_cell = one_way(values, total_now, fixed=True)
        rates = [None if (c.hidden or not e) else round(c.value / e * 100, 2) for c, e in zip(cells, employees)]
        rows = [Row(label, [count_display(c), Display(fmt_number(e) if e else "–", e),
                            Display(fmt_number(r, 1) if r is not None else (str(c) if c.hidden else "–"), r)],
                    link=link)
                for label, c, e, r, link in zip(labels, cells, employees, rates, links)]
        total_rate = (None if total_cell.hidden or not total_employees
                      else round(total_cell.value / total_employees * 100, 2))
        foot = Row(_("Totalt"), [count_display(total_cell),
                                 Display(fmt_number(total_employees) if total_employees else "–", total_employees),
                                 Display(fmt_number(total_rate, 1) if total_rate is not None else "–", total_rate)])
        tables.append(StatTable(
            withheld=any(c.masked for c in cells), key="enheter",
            caption=_("Enheter jämförda: rapporter per 100 anställda under perioden"),
            columns=[_("Enhet"), _("Rapporter"), _("Anställda"), _("Per 100 anställda")],
            rows=rows, foot=foot,
            note=_("Anställda enligt det senaste registrerade antalet för %(year)s eller tidigare.") % {"year": year},
            chart={"type": "bar", "labels": labels,
                   "datasets": [{"label": _("Per 100 anställda"),
                                 "data": [round(r, 2) if r is not None else None for r in rates]}]},
            chart_label=_("Stapeldiagram: rapporter per 100 anställda för varje enhet. Siffrorna finns i tabellen."),
        ))

    # Key figures.
    total_cell = cell(total_now)
    hidden_total = total_cell.hidden
    prev_cell = cell(total_prev)
    change = None
    if not total_cell.hidden and not prev_cell.hidden and total_prev:
        change = (total_now - total_prev) / total_prev * 100
    rate = None if total_cell.hidden or not total_employees else total_now / total_employees * 100

    tv_total, tv_reported = police_row["total"], police_row["reported"]
    (p_rep, _p_not), p_total = one_way([tv_reported, tv_total - tv_reported], tv_total)
    police_share = (tv_reported / tv_total * 100) if tv_total and not p_rep.hidden and not p_total.hidden else None

    protected_n = identity_now.get(Incident.IdentityMode.CONFIDENTIAL, 0) + identity_now.get(
        Incident.IdentityMode.ANONYMOUS, 0)
    (_named, prot_cell), prot_total = one_way([total_now - protected_n, protected_n], total_now, fixed=True)
    protected_share = (protected_n / total_now * 100
                       if total_now and not hidden_total and not prot_cell.hidden and not _named.hidden
                       and not prot_total.hidden else None)

    (overdue_cell, _rest), open_cell = one_way(
        [action_row["overdue"], action_row["open"] - action_row["overdue"]], action_row["open"])

    timing_hidden = suppress and (timing["ack_n"] < MIN_TIMING_CASES or timing["close_n"] < MIN_TIMING_CASES)

    def timing_value(name, n):
        return None if (suppress and n < MIN_TIMING_CASES) else timing[name]

    picture = Picture(
        lens=lens, suppressed=suppress, total=total_cell, previous_total=prev_cell, change_percent=change,
        employees=total_employees or None, rate=rate,
        police_total=p_total, police_reported=p_rep, police_share=police_share,
        ack_median=timing_value("ack_median", timing["ack_n"]), ack_p90=timing_value("ack_p90", timing["ack_n"]),
        ack_n=timing["ack_n"],
        close_median=timing_value("close_median", timing["close_n"]),
        close_p90=timing_value("close_p90", timing["close_n"]), close_n=timing["close_n"],
        timing_hidden=timing_hidden,
        actions_open=open_cell, actions_overdue=overdue_cell,
        protected=prot_cell, protected_share=protected_share,
        tables=tables, drill_url=drill_link(), filters=lens.describe_filters(terms),
    )

    # Gender-equality analysis: reporters' gender from their profiles (named
    # and confidential reports only) against the staff's gender split.
    # Always suppressed: it is derived from who reported.
    if not police:
        picture.gender = _gender_table(counts.gender_now, women, men, known_gender_staff)

    # Analysis against history.
    picture.rising_rule = RISING_RULE
    if not has_history:
        picture.history_note = _("Analysen mot tidigare perioder görs för perioder på högst ett år.")
    elif total_hist == 0:
        picture.history_note = _("Det finns inga rapporter från tiden före perioden att jämföra med.")
    else:
        picture.rising_units = _rising_units(unit_now, unit_hist, heads, by_id, lens, history_start,
                                             suppress, drill)
        picture.growth = _growth_table(forms, mf.col_totals, counts.form_prev, terms["sources"], source_cells,
                                       source_now, source_prev, total_prev, suppress)

    # Repeated actors.
    if not police:
        picture.repeated = actors.repeated_actors(user, node, current)
        if picture.repeated is None:
            picture.repeated_count = cell(counts.repeated_actors)
    return picture


def _gender_table(rows: dict, women: int, men: int, known_staff: int) -> StatTable:
    w = rows.get(User.Gender.WOMAN, 0)
    m = rows.get(User.Gender.MAN, 0)
    other = sum(rows.values()) - w - m
    total = w + m + other
    cells, total_cell = suppress_group([w, m, other], total)
    staff = [women, men, known_staff - women - men]
    labels = [_("Kvinnor"), _("Män"), _("Annat eller ej angivet")]
    table_rows = []
    for label, c, s in zip(labels, cells, staff):
        share = None if c.hidden or total_cell.hidden or not total else c.value / total * 100
        staff_share = s / known_staff * 100 if known_staff else None
        table_rows.append(Row(label, [count_display(c), Display(fmt_percent(share), share),
                                      Display(fmt_percent(staff_share), staff_share)]))
    return StatTable(
        withheld=any(c.masked for c in cells),
        key="kon", caption=_("Rapporter efter rapportörens kön jämfört med personalen"),
        columns=[_("Kön"), _("Rapporter"), _("Andel av rapporterna"), _("Andel av personalen")],
        rows=table_rows, foot=Row(_("Totalt"), [count_display(total_cell), Display("100 %" if total else "–"),
                                                Display("100 %" if known_staff else "–")]),
        note=_("Bara rapporter med namn eller konfidentiella: anonyma rapporter har inget kön och frågar aldrig "
               "efter det. Könet kommer från rapportörens profil. Antal under fem döljs här för alla läsare."),
    )


def _rising_units(unit_now, unit_hist, heads, by_id, lens, history_start, suppress, drill) -> list[dict]:
    days = lens.days
    history_year = (lens.start - timedelta(days=1)).year
    flagged = []
    for unit_id, now in unit_now.items():
        if now < analysis.MIN_REPORTS:
            continue
        hist = unit_hist.get(unit_id, 0)
        per_year = heads.get(unit_id, {})
        hc_now = _headcount_at(per_year, lens.end.year)
        hc_hist = _headcount_at(per_year, history_year) or hc_now
        emp_now = hc_now[0] if hc_now else 1
        emp_hist = hc_hist[0] if hc_hist else 1
        change = analysis.judge(now, hist, days * emp_now, analysis.HISTORY_DAYS * emp_hist,
                                analysis.UNIT_RATIO)
        if not change.clear:
            continue
        path, name = by_id.get(unit_id, ("", str(unit_id)))
        parts = path.strip("/").split("/")
        if lens.node.kind == OrgUnit.Kind.CITY and len(parts) > 2:
            # Many districts have a unit of the same name.
            district = by_id.get(int(parts[1]), ("", ""))[1]
            name = f"{name} ({district})" if district else name
        flagged.append({
            "name": name, "unit_id": unit_id, "change": change,
            "now": primary(now) if suppress else visible(now),
            "history": primary(hist) if suppress else visible(hist),
            "ratio_text": _ratio_text(change.ratio, suppress),
            "url": reverse("situation:picture", args=[unit_id]) + "?" + lens.query(),
        })
    flagged.sort(key=lambda f: (f["change"].p, f["name"]))
    return flagged[:MAX_RISING]


def _hidden_texts(cells) -> list[str | None]:
    """For a chart: what a hidden point reads as in the table ("<5" or "..")."""
    return [str(c) if c.hidden else None for c in cells]


def _ratio_text(ratio: float | None, banded: bool) -> str:
    if ratio is None:
        return _("inga rapporter tidigare")
    if banded:
        # Exact ratios together with other figures could give small counts away.
        for bound in (3, 2, 1.5):
            if ratio > bound:
                return _("mer än %(n)s gånger så högt") % {"n": fmt_number(bound, 1 if bound % 1 else 0)}
    return _("%(n)s gånger så högt") % {"n": fmt_number(ratio, 1)}


def _growth_table(forms, form_cells, form_prev, sources, source_cells, source_now, source_prev, total_prev,
                  suppress) -> StatTable:
    """Each form and each kind of source: the period against the same period
    a year earlier (same length, same season)."""
    rows = []
    shown_sources = _terms_with_counts(sources, source_now)
    # A report has at most one source, so last year's sources (with the
    # reports that have none) add up to last year's total, which the key
    # figures show: they get the second suppression step against it.
    prev_cells = {}
    if suppress:
        values = [source_prev.get(s.pk, 0) for s in sources]
        cells, _total = suppress_group(values + [max(total_prev - sum(values), 0)], total_prev, fixed_total=True)
        prev_cells = {s.pk: c for s, c in zip(sources, cells)}
    entries = [(_("Form"), f.name, c, form_prev.get(f.pk, 0), None) for f, c in zip(forms, form_cells)]
    entries += [(_("Vem"), s.name, c, source_prev.get(s.pk, 0), prev_cells.get(s.pk))
                for s, c in zip(shown_sources, source_cells)]
    for kind, label, now_cell, before, before_cell in entries:
        if before_cell is None:
            before_cell = primary(before) if suppress else visible(before)
        change = analysis.judge(now_cell.value, before, 1, 1, analysis.TREND_RATIO)
        can_show = not now_cell.hidden and not before_cell.hidden
        pct = change.percent if can_show else None
        if not can_show:
            pct_text = "–"
        elif change.ratio is None:
            pct_text = _("ny") if change.now else "–"
        else:
            pct_text = ("+" if pct > 0 else "") + fmt_percent(pct)
        verdict = _("Tydlig ökning") if (change.clear and can_show) else ""
        rows.append(Row(f"{kind}: {label}", [count_display(now_cell), count_display(before_cell),
                                              Display(pct_text, pct), Display(verdict, 1 if verdict else 0)]))
    return StatTable(
        key="utveckling", caption=_("Former och vem som påverkar: perioden jämfört med samma period året innan"),
        columns=[_("Form eller vem"), _("Perioden"), _("Samma period året innan"), _("Förändring"),
                 _("Bedömning")],
        rows=rows,
        note=_("Tydlig ökning: minst 5 rapporter, mer än 1,2 gånger så många som samma period året innan, och "
               "ett exakt test visar att ökningen sannolikt inte är slump (p < 0,05)."),
    )


# --- the start page's summary --------------------------------------------------

def form_summary(user, days: int = 365):
    """Reports per form of influence over the last `days` days in the user's
    statistics scope. Small counts are suppressed for aggregate-only users."""
    since = timezone.now() - timedelta(days=days)
    scoped = access.countable_incidents(user).filter(occurred_at__gte=since)
    counts = dict(
        scoped.order_by().values_list("forms__code").annotate(n=Count("id", distinct=True))
        .values_list("forms__code", "n")
    )
    forms = list(InfluenceForm.objects.filter(active=True))
    values = [counts.get(f.code, 0) for f in forms]
    total = scoped.count()
    if access.is_aggregate_only(user):
        cells, total_cell = suppress_group(values, total)
    else:
        cells = [Cell(v) for v in values]
        total_cell = Cell(total)
    return {"rows": list(zip(forms, cells)), "total": total_cell, "days": days}

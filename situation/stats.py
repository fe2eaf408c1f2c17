"""The situation picture as shown: build() computes the figures of one lens
(node, period, filters) with situation.figures and presents them here as a
Picture: key figures, tables with their text, chart data and links to the
cases behind each number, and the analysis.

The figures come from the shared access query (incidents.access.
countable_incidents) in a number of queries that does not depend on the
amount of data. For aggregate-only users (and the police export) every count
is already suppressed there: 1–4 show as "<5" and a second step hides enough
other cells that no hidden one can be worked out from the same table.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incidents import access
from situation import figures
from situation.forms import load_terms
from situation.lens import Lens, add_months, last_twelve_months
from situation.suppression import Cell

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


COUNT, RATE, PERCENT, CHANGE, YES_NO = "count", "rate", "percent", "change", "yes_no"


@dataclass
class Display:
    """One table cell as shown: text, the number behind it (None when hidden
    or not applicable), an optional link to the cases behind it, and what
    kind of number it is, for spreadsheets: a count, a rate (one decimal), a
    percentage (value 25.0 for 25 %), a change in per cent (signed) or a
    yes/no (value True or False)."""
    text: str
    value: float | int | bool | None = None
    link: str | None = None
    hidden: bool = False
    kind: str = COUNT


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
    # Shown with the caption when the figures fell back to a coarser grouping.
    fallback: str = ""
    # The spreadsheet's name for it: whole words, at most 31 characters.
    sheet: str = ""

    @property
    def chart_hides(self) -> bool:
        """Some value of the chart is hidden (a gap in a line, a missing bar)."""
        return bool(self.chart) and any(t for d in self.chart["datasets"] for t in d.get("hidden_texts", ()))


@dataclass
class Picture(figures.KeyFigures):
    """The key figures (as computed: Cells and numbers, formatted by the
    key_figures template tag) and everything else as shown."""
    lens: Lens
    suppressed: bool
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
    # Even the coarsest trend hides some of its reports: too few reports to
    # chart without giving individuals away (the PDF is then one short page).
    too_few: bool = False

    @property
    def empty(self) -> bool:
        return self.total.value == 0


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
    fig = figures.compute(user, lens, terms, suppress=suppress, police=police)
    picture = present(fig, lens, terms, Links(lens, drill))
    if not police:  # who felt supported is the employer's own follow-up, not the police's
        from situation import supported  # it builds on this module's tables

        share = supported.table(user, lens, terms, suppress=suppress)
        if share is not None:
            picture.tables.append(share)
    return picture


class Links:
    """Where a figure leads: the cases behind it (drill-down), or the
    picture of a unit below."""

    def __init__(self, lens: Lens, drill: bool):
        self.lens = lens
        self.base = reverse("situation:drill", args=[lens.node.pk]) if drill else None

    def cases(self, **override) -> str | None:
        return f"{self.base}?{self.lens.query(**override)}" if self.base else None

    def cases_if_selected(self, selected: list, code, **override) -> str | None:
        """Cases for one term, unless it has no code or a filter leaves it out."""
        return self.cases(**override) if code and (not selected or code in selected) else None

    def picture(self, unit_id) -> str:
        return f"{reverse('situation:picture', args=[unit_id])}?{self.lens.query()}"


def present(fig: figures.Figures, lens: Lens, terms: dict, links: Links) -> Picture:
    """The picture as shown: tables with their text, charts and links."""
    tables = [month_table(fig.months, lens, links)]
    if not fig.months.by_form:
        tables.append(forms_table(fig.months, lens, links))
    tables += [category_table("kalla", _("Rapporter efter vem som utövade påverkan"), _("Vem"), fig.sources,
                             lens.sources, links),
              category_table("omrade", _("Rapporter efter verksamhetsområde"), _("Verksamhetsområde"), fig.areas,
                             lens.areas, links),
              category_table("kanal", _("Rapporter efter kanal"), _("Kanal"), fig.channels, lens.channels, links)]
    if fig.units:
        tables.append(unit_table(fig.units, links))
    if fig.training:
        tables.append(training_table(fig.training))
    return Picture(
        lens=lens, suppressed=fig.suppressed, **vars(fig.key), tables=tables,
        gender=gender_table(fig.gender) if fig.gender is not None else None,
        rising_units=[rising_unit(u, fig.suppressed, links) for u in fig.rising],
        growth=growth_table(fig.growth) if fig.growth is not None else None,
        history_note=history_note(fig), rising_rule=RISING_RULE,
        repeated=fig.repeated, repeated_count=fig.repeated_count,
        drill_url=links.cases(), filters=lens.describe_filters(terms),
        too_few=fig.suppressed and not fig.months.line_whole,
    )


def bucket_label(bucket: figures.Bucket) -> str:
    """"dec 2025"; a month only partly in the period: "4–31 dec 2025"; four
    months: "jan–apr 2026", "4 dec 2025–3 apr 2026"."""
    start, end = bucket.start, bucket.end
    whole_months = start.day == 1 and end == add_months(end, 1) - timedelta(days=1)
    if bucket.month is not None:
        text = formats.date_format(bucket.month, "b Y")
        return text if whole_months else f"{start.day}–{end.day} {text}"
    if whole_months:
        first = formats.date_format(start, "b" if start.year == end.year else "b Y")
        return f"{first}–{formats.date_format(end, 'b Y')}"
    first = formats.date_format(start, "j b" if start.year == end.year else "j b Y")
    return f"{first}–{formats.date_format(end, 'j b Y')}"


def is_tertials(buckets: list[figures.Bucket]) -> bool:
    """Four-month stretches that are calendar tertials (the last may end today)."""
    return all(b.start.day == 1 and b.start.month in (1, 5, 9) for b in buckets)


def trend_words(mf: figures.MonthForms) -> tuple[str, str, str, str]:
    """The table's caption, its first column, for a fallback why, and its sheet name."""
    if mf.grain == figures.MONTH:
        if mf.by_form:
            return _("Rapporter per månad och form av påverkan"), _("Månad"), "", _("Per månad och form")
        return (_("Rapporter per månad"), _("Månad"),
                _("Alla former tillsammans: för få rapporter per månad och form för att visas utan att röja "
                  "enskilda. Formerna under hela perioden finns i tabellen efter den här."), _("Per månad"))
    if is_tertials(mf.buckets):
        if mf.by_form:
            return (_("Rapporter per tertial och form av påverkan"), _("Tertial"),
                    _("Per tertial: för få rapporter per månad för att visas utan att röja enskilda."),
                    _("Per tertial och form"))
        return (_("Rapporter per tertial"), _("Tertial"),
                _("Per tertial och alla former tillsammans: för få rapporter per månad och form för att visas "
                  "utan att röja enskilda. Formerna under hela perioden finns i tabellen efter den här."),
                _("Per tertial"))
    if mf.by_form:
        return (_("Rapporter per fyra månader och form av påverkan"), _("Period"),
                _("Per fyra månader: för få rapporter per månad för att visas utan att röja enskilda."),
                _("Per fyra månader och form"))
    return (_("Rapporter per fyra månader"), _("Period"),
            _("Per fyra månader och alla former tillsammans: för få rapporter per månad och form för att visas "
              "utan att röja enskilda. Formerna under hela perioden finns i tabellen efter den här."),
            _("Per fyra månader"))


def month_table(mf: figures.MonthForms, lens: Lens, links: Links) -> StatTable:
    """Reports over time: per month and form, or the coarser grouping the
    figures fell back to (figures.trend)."""
    table, forms = mf.table, mf.forms
    caption, first_column, fallback, sheet = trend_words(mf)
    labels = [bucket_label(b) for b in mf.buckets]
    forms_shown = forms if mf.by_form else []
    rows = []
    for i, bucket in enumerate(mf.buckets):
        # The cases behind a figure are listed per month; four months have no link.
        month = bucket.month.strftime("%Y-%m") if bucket.month else None
        cells = [count_display(table.cells[i][j], links.cases_if_selected(lens.forms, f.code, form=[f.code],
                                                                          manad=month) if month else None)
                 for j, f in enumerate(forms_shown)]
        rows.append(Row(labels[i], cells + [count_display(table.row_totals[i],
                                                          links.cases(manad=month) if month else None)]))
    foot_cells = [count_display(c, links.cases_if_selected(lens.forms, f.code, form=[f.code]))
                  for c, f in zip(table.col_totals or [], forms_shown)]
    foot = Row(_("Hela perioden"), foot_cells + [count_display(table.grand_total, links.cases())])
    datasets = [{"label": f.name, "data": [row[j].shown for row in table.cells],
                 "hidden_texts": _hidden_texts(row[j] for row in table.cells)} for j, f in enumerate(forms_shown)]
    datasets.append({"label": _("Alla rapporter") if mf.by_form else _("Rapporter"),
                     "data": [c.shown for c in table.row_totals], "hidden_texts": _hidden_texts(table.row_totals)})
    if mf.by_form:
        chart_label = _("Linjediagram: %(caption)s, och alla rapporter. Siffrorna finns i tabellen.")
    else:
        chart_label = _("Linjediagram: %(caption)s. Siffrorna finns i tabellen.")
    return StatTable(
        withheld=table.withheld, key="manad", caption=caption, sheet=sheet,
        columns=[first_column] + [f.name for f in forms_shown] + [_("Rapporter")],
        rows=rows, foot=foot, fallback=fallback,
        note=_("En rapport kan gälla flera former, så formerna kan tillsammans bli fler än rapporterna.")
        if mf.by_form else "",
        chart={"type": "line", "labels": labels, "datasets": datasets},
        chart_label=" ".join(filter(None, [chart_label % {"caption": caption.lower()}, fallback])),
    )


def forms_table(mf: figures.MonthForms, lens: Lens, links: Links) -> StatTable:
    """The forms over the whole period, when the trend shows all forms together."""
    cat = figures.Category(list(mf.forms), mf.form_totals, mf.form_total)
    table = category_table("form", _("Rapporter efter form av påverkan under hela perioden"), _("Form"), cat,
                           lens.forms, links, sheet=_("Former"))
    table.foot = Row(_("Rapporter"), [count_display(mf.form_total, links.cases())])
    table.note = _("En rapport kan gälla flera former, så formerna kan tillsammans bli fler än rapporterna.")
    return table


def term_label(term) -> str:
    if term is None:
        return _("Ej angivet")
    if isinstance(term, figures.Others):
        return _("Övriga")
    return term.name


def others_note(others: figures.Others) -> str:
    names = [term_label(t) for t in others.terms]
    return _("Övriga: %(names)s. Var för sig för få för att visas utan att röja enskilda.") % {
        "names": ", ".join(names)}


def category_table(key: str, caption: str, column: str, cat: figures.Category, selected: list,
                   links: Links, sheet: str = "") -> StatTable:
    """Reports per term of one taxonomy; `key` is also the term's parameter in links."""
    labels = [term_label(t) for t in cat.terms]
    codes = [t.code if t is not None and not isinstance(t, figures.Others) else None for t in cat.terms]
    rows = [Row(label, [count_display(c, links.cases_if_selected(selected, code, **{key: [code]}))])
            for label, c, code in zip(labels, cat.cells, codes)]
    return StatTable(
        withheld=cat.withheld, key=key, caption=caption, columns=[column, _("Rapporter")], sheet=sheet or column,
        rows=rows, foot=Row(_("Totalt"), [count_display(cat.total, links.cases())]),
        note=others_note(cat.others) if cat.others else "",
        chart={"type": "bar", "labels": labels,
               "datasets": [{"label": _("Rapporter"), "data": [c.shown for c in cat.cells],
                             "hidden_texts": _hidden_texts(cat.cells)}]},
        chart_label=_("Stapeldiagram: %(caption)s. Siffrorna finns i tabellen.") % {"caption": caption.lower()},
    )


def unit_table(cmp: figures.UnitComparison, links: Links) -> StatTable:
    """Units compared by reports per 100 employees."""
    labels = [u.name if u.unit_id is not None else _("Direkt på %(name)s") % {"name": u.name} for u in cmp.units]
    rows = [Row(label, [count_display(u.reports), Display(fmt_number(u.employees) if u.employees else "–",
                                                          u.employees), rate_display(u.rate, u.reports)],
                link=links.picture(u.unit_id) if u.unit_id is not None else None)
            for label, u in zip(labels, cmp.units)]
    foot = Row(_("Totalt"), [count_display(cmp.total),
                             Display(fmt_number(cmp.employees) if cmp.employees else "–", cmp.employees),
                             Display(fmt_number(cmp.rate, 1) if cmp.rate is not None else "–", cmp.rate,
                                     kind=RATE)])
    return StatTable(
        withheld=cmp.withheld, key="enheter", sheet=_("Enheter"),
        caption=_("Enheter jämförda: rapporter per 100 anställda under perioden"),
        columns=[_("Enhet"), _("Rapporter"), _("Anställda"), _("Per 100 anställda")],
        rows=rows, foot=foot,
        note=_("Anställda enligt det senaste registrerade antalet för %(year)s eller tidigare.") % {"year": cmp.year},
        chart={"type": "bar", "labels": labels,
               "datasets": [{"label": _("Per 100 anställda"),
                             "data": [round(u.rate, 2) if u.rate is not None else None for u in cmp.units]}]},
        chart_label=_("Stapeldiagram: rapporter per 100 anställda för varje enhet. Siffrorna finns i tabellen."),
    )


def training_table(groups: list[figures.TrainingGroup]) -> StatTable:
    """Reporting in units with and without training in the period."""
    rows = [Row(training_label(g), [count_display(g.reports),
                                    Display(fmt_number(g.employees) if g.employees else "–", g.employees),
                                    rate_display(g.rate, g.reports)])
            for g in groups]
    return StatTable(
        withheld=any(g.reports.masked for g in groups), key="utbildning", sheet=_("Utbildning"),
        caption=_("Enheter med och utan utbildning: rapporter per 100 anställda under perioden"),
        columns=[_("Enheter"), _("Rapporter"), _("Anställda"), _("Per 100 anställda")],
        rows=rows,
        note=_("Enheter som haft minst ett utbildningstillfälle under perioden (till exempel informationsbesök "
               "på APT eller lärstudio) jämförs med enheter som inte haft något; enheter utan registrerat antal "
               "anställda räknas inte med."),
    )


def training_label(group: figures.TrainingGroup) -> str:
    if group.trained:
        text = ngettext("Med utbildning (%(n)s enhet)", "Med utbildning (%(n)s enheter)", group.units)
    else:
        text = ngettext("Utan utbildning (%(n)s enhet)", "Utan utbildning (%(n)s enheter)", group.units)
    return text % {"n": fmt_number(group.units)}


def rate_display(rate: float | None, count: Cell) -> Display:
    """Reports per 100 employees; a hidden count hides its rate the same way."""
    return Display(fmt_number(rate, 1) if rate is not None else (str(count) if count.hidden else "–"), rate,
                   kind=RATE)


def whole_percent(known: bool) -> Display:
    return Display("100 %", 100, kind=PERCENT) if known else Display("–", None, kind=PERCENT)


def history_note(fig: figures.Figures) -> str:
    if not fig.has_history:
        return _("Analysen mot tidigare perioder görs för perioder på högst ett år.")
    if fig.total_hist == 0:
        return _("Det finns inga rapporter från tiden före perioden att jämföra med.")
    return ""


def gender_table(g: figures.GenderFigures) -> StatTable:
    labels = [_("Kvinnor"), _("Män"), _("Annat eller ej angivet")]
    rows = [Row(label, [count_display(c), Display(fmt_percent(share), share, kind=PERCENT),
                        Display(fmt_percent(staff_share), staff_share, kind=PERCENT)])
            for label, c, share, staff_share in zip(labels, g.cells, g.shares, g.staff_shares)]
    return StatTable(
        withheld=g.withheld,
        key="kon", caption=_("Rapporter efter rapportörens kön jämfört med personalen"), sheet=_("Kön"),
        columns=[_("Kön"), _("Rapporter"), _("Andel av rapporterna"), _("Andel av personalen")],
        rows=rows, foot=Row(_("Totalt"), [count_display(g.total), whole_percent(bool(g.reports)),
                                          whole_percent(bool(g.known_staff))]),
        note=_("Bara rapporter med namn eller konfidentiella: anonyma rapporter har inget kön och frågar aldrig "
               "efter det. Könet kommer från rapportörens profil. Antal under fem döljs här för alla läsare."),
    )


def rising_unit(unit: figures.RisingUnit, suppressed: bool, links: Links) -> dict:
    return {"name": unit.name, "unit_id": unit.unit_id, "change": unit.change, "now": unit.now,
            "history": unit.history, "ratio_text": _ratio_text(unit.change.ratio, suppressed),
            "url": links.picture(unit.unit_id)}


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


def growth_table(lines: list[figures.GrowthLine]) -> StatTable:
    """Forms and kinds of source: the period against the same period a year earlier."""
    kinds = {"form": _("Form"), "source": _("Vem")}
    rows = [Row(f"{kinds[line.kind]}: {term_label(line.term)}",
                [count_display(line.now), count_display(line.before), change_display(line),
                 verdict_display(line)])
            for line in lines]
    return StatTable(
        key="utveckling", caption=_("Former och vem som påverkar: perioden jämfört med samma period året innan"),
        sheet=_("Jämfört med året innan"),
        columns=[_("Form eller vem"), _("Perioden"), _("Samma period året innan"), _("Förändring"),
                 _("Tydlig ökning")],
        rows=rows,
        note=_("Tydlig ökning: minst 5 rapporter, mer än 1,2 gånger så många som samma period året innan, och "
               "ett exakt test visar att ökningen sannolikt inte är slump (p < 0,05)."),
    )


def change_display(line: figures.GrowthLine) -> Display:
    if not line.can_show:
        return Display("–", None, kind=CHANGE)
    pct = line.change.percent
    if line.change.ratio is None:
        return Display(_("ny") if line.change.now else "–", pct, kind=CHANGE)
    return Display(("+" if pct > 0 else "") + fmt_percent(pct), pct, kind=CHANGE)


def verdict_display(line: figures.GrowthLine) -> Display:
    clear = bool(line.change.clear and line.can_show)
    return Display(_("Ja") if clear else _("Nej"), clear, kind=YES_NO)


# --- the start page's summary --------------------------------------------------

def form_summary(user) -> dict | None:
    """Reports per form of influence over the last twelve months (the
    picture's default period, see situation.lens) at the node the picture
    opens on, counted and suppressed exactly as the picture counts them:
    the start page and the picture show the same figures."""
    node = access.covered_nodes(user).order_by("path").first()
    if node is None:
        return None
    start, end = last_twelve_months(timezone.localdate())
    lens = Lens(node=node, start=start, end=end)
    forms, cells, total = figures.summary(user, lens, load_terms(), suppress=access.is_aggregate_only(user))
    return {"rows": list(zip(forms, cells)), "total": total, "lens": lens, "node": node}

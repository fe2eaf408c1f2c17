"""Each figure of the situation picture against numbers worked out by hand on
a small fixed data set (2024, the northern district), and the analysis
maths against exact values."""
import random
from datetime import date, datetime, timedelta
from fractions import Fraction
from math import comb

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cycle.models import TrainingSession
from incidents.models import Action, Channel, Incident, InfluenceForm, Source
from organisation.models import Headcount
from situation import analysis, stats
from situation.forms import load_terms
from situation.lens import Lens

pytestmark = pytest.mark.django_db

YEAR = 2024
KEYS = random.Random(20)


@pytest.fixture(autouse=True)
def record_keys():
    """Record keys from a seeded generator, so that the protected figures of
    aggregate-only readers (cell key method, docs/disclosure.md) are the same
    in every run."""
    global KEYS
    KEYS = random.Random(20)


def at(d: date, hour=12):
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour))


def make(unit, day, forms, *, source="brukare", channel="hembesok", identity="named", reporter=None,
         police="undecided", k_number="", ack_hours=None, close_days=None, actor=""):
    occurred = at(day)
    inc = Incident.objects.create(
        unit=unit, occurred_at=occurred, reported_at=occurred, description="Fast testdata", record_key=KEYS.randrange(256),
        source=Source.objects.get(code=source) if source else None,
        channel=Channel.objects.get(code=channel) if channel else None,
        operation_area=unit.operation_area, identity_mode=identity,
        reporter=None if identity == "anonymous" else reporter,
        police_status=police, police_reference=k_number,
        acknowledged_at=occurred + timedelta(hours=ack_hours) if ack_hours is not None else None,
        closed_at=occurred + timedelta(days=close_days) if close_days is not None else None,
        actor_pseudonym=actor,
    )
    inc.forms.set(InfluenceForm.objects.filter(code__in=forms))
    return inc


@pytest.fixture
def fixed(city):
    """Six reports in 2024 in the north, two in 2023; hand-computed below."""
    Headcount.objects.create(unit=city.north_a, year=YEAR, employees=40, women=30, men=10)
    Headcount.objects.create(unit=city.north_b, year=YEAR, employees=25, women=20, men=5)
    a, b = city.north_a, city.north_b
    r1 = make(a, date(YEAR, 1, 15), ["hot"], reporter=city.employee, police="reported",
              ack_hours=2, close_days=10)
    make(a, date(YEAR, 1, 20), ["hot", "vald"], source="anhorig", channel="mote", reporter=city.colleague,
         k_number="K-123-24", ack_hours=4)
    r3 = make(a, date(YEAR, 2, 10), ["trakasserier"], channel="telefon", identity="confidential",
              reporter=city.employee, ack_hours=6, close_days=20)
    make(b, date(YEAR, 3, 5), ["vald"], identity="anonymous", police="declined", ack_hours=24)
    make(b, date(YEAR, 3, 6), ["hot"], source="okand", channel="sociala_medier", reporter=city.employee)
    make(a, date(YEAR, 3, 7), ["skadegorelse"], source=None, channel=None, reporter=city.colleague)
    # The same period a year earlier.
    make(a, date(YEAR - 1, 5, 1), ["hot"], reporter=city.employee)
    make(a, date(YEAR - 1, 6, 1), ["hot"], reporter=city.employee)
    Action.objects.create(incident=r1, title="Samtal", owner=city.manager, due_date=date(2000, 1, 1))
    Action.objects.create(incident=r1, title="Larm", owner=city.manager, due_date=date(2999, 1, 1))
    Action.objects.create(incident=r3, title="Klar", owner=city.manager, due_date=date(2000, 1, 1),
                          status=Action.Status.DONE)
    return city


def picture(user, node, **kwargs):
    lens = Lens(node=node, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), period="ar", year=YEAR, **kwargs)
    return stats.build(user, lens, load_terms())


def table(pic, key):
    return next(t for t in pic.tables if t.key == key)


def column(t, index=0):
    return {row.label: row.cells[index].text for row in t.rows}


def test_the_key_figures_match_the_hand_count(fixed):
    pic = picture(fixed.security, fixed.north)
    assert not pic.suppressed
    assert pic.total.value == 6
    assert pic.previous_total.value == 2
    assert pic.change_percent == pytest.approx(200.0)
    assert pic.employees == 65
    assert pic.rate == pytest.approx(6 / 65 * 100)
    # Threats or violence: reports 1, 2, 4, 5; police-reported: 1 (marked) and 2 (K-number).
    assert (pic.police_total.value, pic.police_reported.value) == (4, 2)
    assert pic.police_share == pytest.approx(50.0)
    assert pic.actions_open.value == 2 and pic.actions_overdue.value == 1
    assert pic.protected.value == 2
    assert pic.protected_share == pytest.approx(100 / 3)


def test_times_to_acknowledgement_and_closure_are_median_and_90th_percentile(fixed):
    pic = picture(fixed.security, fixed.north)
    # Acknowledged after 2, 4, 6 and 24 hours: median 5 h; p90 at rank 2.7 = 6 + 0.7 * 18.
    assert pic.ack_n == 4
    assert pic.ack_median == timedelta(hours=5)
    assert pic.ack_p90.total_seconds() == pytest.approx(18.6 * 3600)
    # Closed after 10 and 20 days: median 15 days; p90 = 10 + 0.9 * 10.
    assert pic.close_n == 2
    assert pic.close_median == timedelta(days=15)
    assert pic.close_p90.total_seconds() == pytest.approx(19 * 86400)


def test_reports_per_month_and_form(fixed):
    t = table(picture(fixed.security, fixed.north), "manad")
    assert t.columns == ["Månad", "Hot", "Våld", "Trakasserier", "Skadegörelse", "Korruption", "Rapporter"]
    assert len(t.rows) == 12
    rows = {r.label: [c.text for c in r.cells] for r in t.rows}
    assert rows["jan 2024"] == ["2", "1", "0", "0", "0", "2"]
    assert rows["feb 2024"] == ["0", "0", "1", "0", "0", "1"]
    assert rows["mar 2024"] == ["1", "1", "0", "1", "0", "3"]
    assert rows["dec 2024"] == ["0"] * 6
    assert [c.text for c in t.foot.cells] == ["3", "2", "1", "1", "0", "6"]
    assert t.chart["datasets"][0]["data"][:3] == [2, 0, 1]


def test_reports_by_source_area_and_channel_include_not_given(fixed):
    pic = picture(fixed.security, fixed.north)
    sources = column(table(pic, "kalla"))
    assert sources["Brukare/klient"] == "3"
    assert sources["Anhörig eller närstående"] == "1"
    assert sources["Okänd"] == "1"
    assert sources["Ej angivet"] == "1"
    assert table(pic, "kalla").foot.cells[0].text == "6"
    areas = column(table(pic, "omrade"))
    assert areas["Ekonomiskt bistånd"] == "4" and areas["Barn och unga"] == "2"
    channels = column(table(pic, "kanal"))
    assert channels["Hembesök"] == "2" and channels["Möte på kontoret"] == "1"
    assert channels["Telefon"] == "1" and channels["Sociala medier"] == "1" and channels["Ej angivet"] == "1"


def test_units_are_compared_by_reports_per_100_employees(fixed):
    t = table(picture(fixed.security, fixed.north), "enheter")
    assert [r.label for r in t.rows] == ["Avdelningen för socialtjänst"]
    assert [c.text for c in t.rows[0].cells] == ["6", "65", "9,2"]
    # One level down: the two units.
    t = table(picture(fixed.security, fixed.north_ifo), "enheter")
    assert {r.label: [c.text for c in r.cells] for r in t.rows} == {
        "Ekonomiskt bistånd Norr": ["4", "40", "10,0"],
        "Barn och unga Norr": ["2", "25", "8,0"],
    }


def training(unit, day, kind=TrainingSession.Kind.APT):
    return TrainingSession.objects.create(unit=unit, date=day, kind=kind, participants=12)


def rows_of(t):
    return {r.label: [c.text for c in r.cells] for r in t.rows}


def test_units_with_training_in_the_period_are_compared_with_units_without(fixed):
    training(fixed.north_a, date(YEAR, 1, 1))  # the period's first day counts
    training(fixed.north_b, date(YEAR - 1, 12, 31))  # the day before does not
    training(fixed.south_a, date(YEAR, 3, 1))  # another district
    t = table(picture(fixed.security, fixed.north), "utbildning")
    assert t.columns == ["Enheter", "Rapporter", "Anställda", "Per 100 anställda"]
    assert rows_of(t) == {"Med utbildning (1 enhet)": ["4", "40", "10,0"],
                          "Utan utbildning (1 enhet)": ["2", "25", "8,0"]}
    assert "lärstudio" in t.note
    training(fixed.north_b, date(YEAR, 12, 31), kind=TrainingSession.Kind.LARSTUDIO)
    assert rows_of(table(picture(fixed.security, fixed.north), "utbildning")) == {
        "Med utbildning (2 enheter)": ["6", "65", "9,2"], "Utan utbildning (0 enheter)": ["0", "–", "–"]}


def test_the_training_comparison_needs_two_units_with_a_headcount(fixed):
    training(fixed.north_a, date(YEAR, 2, 1))
    assert "utbildning" not in [t.key for t in picture(fixed.security, fixed.north_a).tables]
    # The city: the southern unit has no headcount for 2024, so it is left out.
    assert rows_of(table(picture(fixed.security, fixed.city), "utbildning")) == {
        "Med utbildning (1 enhet)": ["4", "40", "10,0"], "Utan utbildning (1 enhet)": ["2", "25", "8,0"]}


def test_the_training_comparison_is_suppressed_for_aggregate_only_users(fixed):
    training(fixed.north_a, date(YEAR, 2, 1))
    rows = rows_of(table(picture(fixed.analyst, fixed.north), "utbildning"))
    # 4 and 2 reports: both small, and so are their rates.
    assert rows == {"Med utbildning (1 enhet)": ["<5", "40", "<5"], "Utan utbildning (1 enhet)": ["<5", "25", "<5"]}
    for day in range(1, 6):
        make(fixed.north_b, date(YEAR, 6, day), ["hot"], reporter=fixed.employee)
    rows = rows_of(table(picture(fixed.analyst, fixed.north), "utbildning"))
    # 4 against 7: the 7 would give the 4 away from the sum, so it is hidden too.
    assert rows == {"Med utbildning (1 enhet)": ["<5", "40", "<5"], "Utan utbildning (1 enhet)": ["..", "25", ".."]}
    assert rows_of(table(picture(fixed.security, fixed.north), "utbildning"))["Utan utbildning (1 enhet)"] == [
        "7", "25", "28,0"]


def test_gender_analysis_counts_named_and_confidential_reporters_only_and_is_suppressed(fixed):
    g = picture(fixed.security, fixed.north).gender
    rows = {r.label: [c.text for c in r.cells] for r in g.rows}
    # Reporters: 1 woman, 2 man, 3 woman (confidential); 4 anonymous is never counted;
    # 5 and 6 are named too: 5 woman (employee), 6 man (colleague). Women 3, men 2: both small.
    assert rows["Kvinnor"][0] == "<5" and rows["Män"][0] == "<5"
    assert rows["Kvinnor"][2] == "77 %" and rows["Män"][2] == "23 %"
    assert g.foot.cells[0].text == "5"


def test_filters_narrow_every_figure(fixed):
    pic = picture(fixed.security, fixed.north, forms=["vald"])
    assert pic.total.value == 2  # reports 2 and 4
    assert pic.police_total.value == 2
    pic = picture(fixed.security, fixed.north, sources=["brukare"], channels=["hembesok"])
    assert pic.total.value == 2  # reports 1 and 4
    pic = picture(fixed.security, fixed.north, areas=["barn_unga"])
    assert pic.total.value == 2


def test_an_aggregate_only_user_sees_the_same_numbers_suppressed(fixed):
    pic = picture(fixed.analyst, fixed.north)
    assert pic.suppressed
    assert str(pic.total) == "5"  # exact 6: the protected figure (docs/disclosure.md)
    assert str(pic.previous_total) == "<5"
    assert pic.change_percent is None
    shown = [c.text for t in pic.tables if t.key in ("manad", "form") for r in t.rows + [t.foot] for c in r.cells]
    assert not set(shown) & {"1", "2", "3", "4"}
    assert pic.police_share is None
    assert pic.ack_median is None and pic.close_median is None  # fewer than five cases
    assert pic.drill_url is None


def test_an_empty_period_gives_zeros_not_errors(fixed):
    lens = Lens(node=fixed.north, start=date(2010, 1, 1), end=date(2010, 3, 31), period="intervall")
    pic = stats.build(fixed.security, lens, load_terms())
    assert pic.empty
    assert pic.rate == 0 or pic.rate is None
    assert pic.ack_median is None and pic.police_share is None
    assert pic.history_note


def test_form_summary_for_the_start_page_still_works(fixed):
    summary = stats.form_summary(fixed.analyst)
    assert summary["node"] == fixed.city and summary["lens"].days in (365, 366)
    # No 1-4 is shown ("<5" or, hidden by the second step, "..").
    assert all(str(cell) in ("0", "<5", "..") or int(str(cell)) >= 5 for _form, cell in summary["rows"])


# --- the analysis ---------------------------------------------------------------

def exact_tail(k, n, p):
    p = Fraction(p)
    return float(sum(comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))


@pytest.mark.parametrize("k,n,p", [(5, 10, "1/4"), (1, 1, "1/2"), (3, 20, "1/10"), (30, 60, "1/4"),
                                   (0, 5, "1/3"), (12, 12, "1/4"), (40, 200, "1/4")])
def test_the_binomial_tail_matches_the_exact_sum(k, n, p):
    assert analysis.binomial_upper_tail(k, n, float(Fraction(p))) == pytest.approx(exact_tail(k, n, p), rel=1e-9)


def test_a_large_tail_is_fast_and_sane():
    # 400 000 trials: must not sum every term.
    value = analysis.binomial_upper_tail(101_000, 400_000, 0.25)
    assert 0 < value < 0.01
    assert analysis.binomial_upper_tail(300_000, 400_000, 0.25) == 0.0  # beyond what floats hold
    assert analysis.binomial_upper_tail(10, 400_000, 0.25) == 1.0


def test_a_unit_that_quadruples_is_flagged_and_a_steady_one_is_not():
    # Same exposure per period: 12 now against 3 + 3 + 3 before.
    rising = analysis.judge(12, 9, 1, 3, analysis.UNIT_RATIO)
    assert rising.ratio == pytest.approx(4.0) and rising.clear
    steady = analysis.judge(6, 18, 1, 3, analysis.UNIT_RATIO)
    assert steady.ratio == pytest.approx(1.0) and not steady.clear
    too_few = analysis.judge(4, 0, 1, 3, analysis.UNIT_RATIO)
    assert not too_few.clear  # fewer than five reports
    noisy = analysis.judge(5, 6, 1, 3, analysis.UNIT_RATIO)
    assert noisy.ratio == pytest.approx(2.5) and noisy.p > analysis.ALPHA and not noisy.clear


def test_rising_units_come_from_each_units_own_history(city):
    Headcount.objects.create(unit=city.north_a, year=YEAR, employees=40)
    Headcount.objects.create(unit=city.north_b, year=YEAR, employees=25)
    # North A: one report in each of the three tertials before, eight in T3 2024.
    for d in (date(YEAR - 1, 10, 1), date(YEAR, 2, 1), date(YEAR, 6, 1)):
        make(city.north_a, d, ["hot"])
    for day in range(1, 9):
        make(city.north_a, date(YEAR, 10, day), ["hot"])
    # North B: steady, three per tertial (the first three lie more than a year back).
    for y, m in ((YEAR - 1, 6), (YEAR - 1, 7), (YEAR - 1, 8), (YEAR - 1, 10), (YEAR - 1, 11), (YEAR - 1, 12),
                 (YEAR, 2), (YEAR, 3), (YEAR, 4), (YEAR, 9), (YEAR, 10), (YEAR, 11)):
        make(city.north_b, date(y, m, 10), ["vald"])
    lens = Lens(node=city.north, start=date(YEAR, 9, 1), end=date(YEAR, 12, 31), period="t3", year=YEAR)
    pic = stats.build(city.security, lens, load_terms())
    names = [u["name"] for u in pic.rising_units]
    assert names == ["Ekonomiskt bistånd Norr"]
    flagged = pic.rising_units[0]
    # The twelve months before 1 September 2024 hold three of North A's reports.
    assert flagged["now"].value == 8 and flagged["history"].value == 3
    assert flagged["change"].ratio == pytest.approx((8 / 122) / (3 / 365))


def test_a_period_longer_than_a_year_counts_every_report_once(fixed):
    # 2023-2024 overlaps the same period a year earlier (2022-2023).
    lens = Lens(node=fixed.north, start=date(YEAR - 1, 1, 1), end=date(YEAR, 12, 31), period="intervall")
    pic = stats.build(fixed.security, lens, load_terms())
    t = table(pic, "manad")
    assert len(t.rows) == 24
    assert [c.text for c in t.foot.cells] == ["5", "2", "1", "1", "0", "8"]
    assert pic.previous_total.value == 2  # 2022-2023 holds the two reports of 2023
    assert pic.growth is None and pic.history_note


def test_the_same_period_a_year_earlier_feeds_the_growth_of_forms(fixed):
    pic = picture(fixed.security, fixed.north)
    rows = {r.label: [c.text for c in r.cells] for r in pic.growth.rows}
    # 2024: hot 3; 2023: hot 2 (both in north A).
    assert rows["Form: Hot"][:3] == ["3", "2", "+50 %"]
    assert rows["Form: Våld"][:3] == ["2", "0", "ny"]


def test_last_years_small_source_count_cannot_be_worked_out_from_last_years_total(city):
    """Aggregate-only readers see last year's total in the key figures; one
    small source count beside exact others would give itself away."""
    for i in range(9):
        make(city.north_a, date(YEAR - 1, 3, 1 + i), ["hot"], reporter=city.employee)
    for i in range(2):
        make(city.north_a, date(YEAR - 1, 4, 1 + i), ["hot"], source="anhorig", reporter=city.employee)
    for i in range(6):
        make(city.north_a, date(YEAR, 3, 1 + i), ["hot"], reporter=city.employee)
        make(city.north_a, date(YEAR, 4, 1 + i), ["hot"], source="anhorig", reporter=city.employee)
    pic = picture(city.analyst, city.city)
    assert pic.previous_total.value == 11 and not pic.previous_total.hidden
    last_year = {r.label: r.cells[1] for r in pic.growth.rows if r.label.startswith("Vem:")}
    hidden = [label for label, cell in last_year.items() if cell.hidden]
    assert "Vem: Anhörig eller närstående" in hidden
    assert len(hidden) >= 2, last_year  # a second cell hides it


def queries_for_picture(user, node) -> int:
    with CaptureQueriesContext(connection) as ctx:
        picture(user, node)
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_data(fixed):
    users = (fixed.security, fixed.analyst)
    for day in (2, 3):  # a repeated actor: its units are read once more
        make(fixed.north_a, date(YEAR, 4, day), ["hot"], reporter=fixed.employee, actor="aktor-0")
    for user in users:
        picture(user, fixed.north)  # the user's roles are cached from here on
    counts = [queries_for_picture(user, fixed.north) for user in users]
    for i in range(30):
        make([fixed.north_a, fixed.north_b][i % 2], date(YEAR, 1 + i % 12, 1 + i % 28),
             [["hot"], ["vald", "trakasserier"], ["korruption"]][i % 3], source=["brukare", "anhorig", None][i % 3],
             reporter=fixed.employee, ack_hours=i, close_days=i % 4 or None, actor=f"aktor-{i % 4}")
    assert [queries_for_picture(user, fixed.north) for user in users] == counts


# --- the period "Senaste 12 månaderna" (issue 11, item 9) --------------------------

@pytest.mark.parametrize("today,start", [
    (date(2025, 12, 2), date(2024, 12, 3)),  # not 1 January: that would be "I år"
    (date(2025, 1, 15), date(2024, 1, 16)),
    (date(2024, 2, 29), date(2023, 3, 1)),  # 366 days, the leap day among them
    (date(2025, 2, 28), date(2024, 2, 29)),
    (date(2025, 3, 1), date(2024, 3, 2)),
])
def test_the_last_twelve_months_are_the_year_up_to_and_including_today(today, start):
    from situation.lens import period_bounds

    assert period_bounds("12-man", None, None, None, today) == (start, today)
    assert period_bounds("12-man", None, None, None, today) != period_bounds("i-ar", None, None, None, today)
    assert (today - start).days + 1 in (365, 366)

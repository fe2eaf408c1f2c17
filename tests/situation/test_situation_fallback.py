"""Suppression protects people without erasing the picture (issue 11, item
3): when reports per month and form are too few to show, the trend falls
back to four-month stretches (tertials) or to all forms together, and says
so; rare kinds of source are counted together as "Övriga". On the page, in
the spreadsheet, the CSV, the police export and the PDF."""
import io
import random
import subprocess
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Channel, Incident, InfluenceForm, Source
from situation import figures, stats
from situation.forms import load_terms
from situation.lens import Lens

pytestmark = pytest.mark.django_db

YEAR = 2024
FORMS = ["hot", "vald", "trakasserier", "skadegorelse", "korruption"]
KEYS = random.Random(20)
SOURCES = ["brukare", "anhorig", "ombud", "natverk", "intern", "okand"]


@pytest.fixture(autouse=True)
def record_keys():
    """Record keys from a seeded generator, so that the protected figures
    (cell key method, docs/disclosure.md) are the same in every run."""
    global KEYS
    KEYS = random.Random(20)


def make(unit, day, forms, source="brukare"):
    occurred = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    inc = Incident.objects.create(
        record_key=KEYS.randrange(256),
        unit=unit, occurred_at=occurred, reported_at=occurred, description="Fast testdata",
        source=Source.objects.get(code=source) if source else None, channel=Channel.objects.get(code="hembesok"),
        operation_area=unit.operation_area, identity_mode="anonymous")
    inc.forms.set(InfluenceForm.objects.filter(code__in=forms))
    return inc


def district_year(city, n=82, seed=11):
    """A district's year as in the demo: n reports, most of them threats or
    harassment, a few of every other form, spread over the months."""
    rng = random.Random(seed)
    for _ in range(n):
        day = date(YEAR, 1, 1) + timedelta(days=rng.randrange(366))
        forms = rng.choices(FORMS, weights=[10, 4, 6, 1, 1], k=rng.choice([1, 1, 1, 2]))
        source = rng.choices(SOURCES + [None], weights=[30, 15, 2, 3, 2, 4, 1])[0]
        make(rng.choice([city.north_a, city.north_b]), day, forms, source)


def year_lens(node, **kwargs):
    return Lens(node=node, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), period="ar", year=YEAR, **kwargs)


def picture(user, node, **kwargs):
    return stats.build(user, year_lens(node, **kwargs), load_terms())


def table(pic, key):
    return next(t for t in pic.tables if t.key == key)


def texts(t):
    return [c.text for row in t.rows + ([t.foot] if t.foot else []) for c in row.cells]


def test_the_committee_sees_a_trend_for_a_district_with_82_reports(city):
    district_year(city)
    pic = picture(city.committee, city.north)
    assert pic.suppressed and abs(pic.total.value - 82) <= 2  # a protected figure
    trend = table(pic, "manad")
    # Before: "Tabellen visas inte", or a table of "<5". Now a coarser one, shown whole.
    assert not trend.withheld
    assert not [t for t in texts(trend) if t in ("<5", "..")], texts(trend)
    assert len(trend.rows) >= 3
    assert trend.fallback and "utan att röja enskilda" in trend.fallback
    assert all(v is not None for d in trend.chart["datasets"] for v in d["data"])
    # The rows add up to the reports of the year, within the protection
    # (each row and the total are perturbed by at most 2, independently).
    assert abs(sum(int(row.cells[-1].text) for row in trend.rows) - 82) <= 2 * len(trend.rows)


def test_the_trend_falls_back_to_tertials_by_form_when_months_are_too_few(city):
    # In each tertial seven of each form in its first month, and one threat
    # and one act of violence in the second: that month's two reports are
    # too few, by form and all together; per tertial and form all show (seven
    # or eight stay five or more after the protection's at most two).
    for first_month in (1, 5, 9):
        for form in FORMS:
            for k in range(7):
                make(city.north_a, date(YEAR, first_month, 1 + k), [form])
        make(city.north_a, date(YEAR, first_month + 1, 10), ["hot"])
        make(city.north_a, date(YEAR, first_month + 1, 11), ["vald"])
    trend = table(picture(city.committee, city.north), "manad")
    assert trend.caption == "Rapporter per tertial och form av påverkan"
    assert trend.fallback == "Per tertial: för få rapporter per månad för att visas utan att röja enskilda."
    assert trend.columns[0] == "Tertial"
    assert [r.label for r in trend.rows] == ["jan–apr 2024", "maj–aug 2024", "sep–dec 2024"]
    # Exact: 8, 8, 7, 7, 7 and 37 per tertial; the committee sees the protected
    # figures (at most two off, each cell independently, totals too).
    assert [[c.text for c in r.cells] for r in trend.rows] == [
        ["9", "9", "7", "6", "8", "37"], ["8", "8", "7", "7", "7", "38"], ["8", "8", "7", "7", "8", "36"]]
    # Coordinators see exact counts: per month and form, as always.
    exact = table(picture(city.security, city.north), "manad")
    assert exact.caption == "Rapporter per månad och form av påverkan" and not exact.fallback
    assert len(exact.rows) == 12


def test_the_trend_shows_all_forms_together_per_month_when_forms_are_too_few(city):
    # Two months (no four-month stretch): six reports a month, forms of two or three each.
    for day in range(1, 7):
        make(city.north_a, date(YEAR, 3, day), ["hot" if day <= 3 else "vald"])
        make(city.north_a, date(YEAR, 4, day), ["hot" if day <= 3 else "trakasserier"])
    lens = Lens(node=city.north, start=date(YEAR, 3, 1), end=date(YEAR, 4, 30), period="intervall")
    pic = stats.build(city.committee, lens, load_terms())
    trend = table(pic, "manad")
    assert trend.caption == "Rapporter per månad"
    assert trend.fallback.startswith("Alla former tillsammans: för få rapporter per månad och form")
    assert trend.columns == ["Månad", "Rapporter"]
    # Exact: six and six; protected figures.
    assert [[r.label] + [c.text for c in r.cells] for r in trend.rows] == [["mar 2024", "5"], ["apr 2024", "7"]]
    # The forms over the whole period come right after, protected as a group of their own.
    forms = table(pic, "form")
    assert pic.tables.index(forms) == pic.tables.index(trend) + 1
    assert dict(zip([r.label for r in forms.rows], [r.cells[0].text for r in forms.rows])) == {
        "Hot": "6", "Våld": "<5", "Trakasserier": "<5", "Skadegörelse": "0", "Korruption": "0"}
    assert forms.foot.cells[0].text == "13"  # exact 12: the total is protected with its own key


def test_rare_sources_are_counted_together_as_others(city):
    for i in range(20):
        make(city.north_a, date(YEAR, 1 + i % 12, 3), ["hot"], "brukare")
    for i in range(9):
        make(city.north_a, date(YEAR, 1 + i % 12, 5), ["hot"], "anhorig")
    make(city.north_a, date(YEAR, 2, 7), ["hot"], "ombud")
    make(city.north_a, date(YEAR, 3, 7), ["hot"], "ombud")
    make(city.north_a, date(YEAR, 4, 7), ["hot"], "natverk")
    pic = picture(city.committee, city.north)
    who = table(pic, "kalla")
    rows = {r.label: r.cells[0].text for r in who.rows}
    # Ombud 2 and nätverk 1 alone would be "<5" and take a third with them;
    # together (with the smallest shown, anhörig 9) they are twelve.
    assert rows == {"Brukare/klient": "20", "Chef eller kollega": "0", "Förtroendevald": "0",
                    "Näringsidkare eller utförare": "0", "Okänd": "0", "Annan": "0", "Övriga": "12"}
    assert "Övriga:" in who.note and "Ombud" in who.note and "Anhörig" in who.note
    # The growth table groups the same sources, so the small ones show nowhere.
    growth = {r.label: [c.text for c in r.cells] for r in pic.growth.rows} if pic.growth else {}
    assert not any(label.startswith("Vem: Ombud") for label in growth)
    # Exact readers see every source.
    exact = {r.label: r.cells[0].text for r in table(picture(city.security, city.north), "kalla").rows}
    assert exact["Ombud eller juridiskt biträde"] == "2" and "Övriga" not in exact


def test_others_is_not_made_when_it_would_hold_every_report(city):
    # One large source and two of one: folding would leave only "Övriga".
    group = figures.fold_rare(["a", "b", "c"], [20, 1, 1], 22, figures.Suppressor(True))
    assert [str(c) for c in group.cells] == ["..", "<5", "<5"] and group.others is None


def test_the_fallback_follows_the_protection_not_a_threshold_of_its_own():
    """Exact cells (no protection) never fall back; the logic only asks the
    protection which cells it hides."""
    group = figures.fold_rare(["a", "b", "c"], [20, 3, 2], 25, figures.Suppressor(False))
    assert [c.value for c in group.cells] == [20, 3, 2] and group.others is None
    group = figures.fold_rare(["a", "b", "c", "d"], [20, 9, 3, 2], 34, figures.Suppressor(True))
    # 3 and 2 are hidden (their sum, 5, is no secret); together they show.
    assert [t if not isinstance(t, figures.Others) else t.terms for t in group.terms] == ["a", "b", ("c", "d")]
    assert [str(c) for c in group.cells] == ["20", "9", "5"]
    # 2 and 1 together are still few: the smallest shown count goes with them.
    group = figures.fold_rare(["a", "b", "c", "d"], [20, 9, 2, 1], 32, figures.Suppressor(True))
    assert [t if not isinstance(t, figures.Others) else t.terms for t in group.terms] == ["a", ("b", "c", "d")]
    assert [str(c) for c in group.cells] == ["20", "12"]


def test_four_month_stretches_start_on_the_periods_first_day():
    lens = Lens(node=None, start=date(2025, 12, 4), end=date(2026, 12, 3))
    assert [(b.start, b.end) for b in figures.stretches_of(lens)] == [
        (date(2025, 12, 4), date(2026, 4, 3)), (date(2026, 4, 4), date(2026, 8, 3)),
        (date(2026, 8, 4), date(2026, 12, 3))]
    assert figures.stretches_of(Lens(node=None, start=date(2026, 1, 1), end=date(2026, 4, 30))) == []
    labels = [stats.bucket_label(b) for b in figures.stretches_of(lens)]
    assert labels == ["4 dec 2025–3 apr 2026", "4 apr–3 aug 2026", "4 aug–3 dec 2026"]
    # Every month and every stretch is a sum of the pieces counted in SQL.
    win = figures.window(lens)
    assert set(win.pieces) >= {b.start for b in win.stretches} and date(2026, 1, 1) in win.pieces


# --- the same picture in every export ------------------------------------------------

def export_url(name, node, *args):
    return reverse(f"situation:{name}", args=[node.pk, *args]) + f"?period=ar&ar={YEAR}"


def xlsx_text(response) -> str:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))


def test_the_exports_carry_the_trend_and_say_why_it_is_coarser(city, client):
    district_year(city)
    client.force_login(city.committee)
    trend = table(picture(city.committee, city.north), "manad")
    csv_text = b"".join(client.get(export_url("export_tables", city.north, "csv")).streaming_content).decode()
    assert trend.caption in csv_text and trend.fallback in csv_text
    assert "Tabellen visas inte" not in csv_text.split(trend.caption)[1].split("\r\n\r\n")[0]
    for name, args in (("export_tables", ("xlsx",)), ("export_police", ())):
        text = xlsx_text(client.get(export_url(name, city.north, *args)))
        assert trend.caption in text and trend.rows[0].label in text, name
    response = client.post(reverse("situation:report", args=[city.north.pk]) + f"?period=ar&ar={YEAR}",
                           {"mottagare": "namnd", "rubrik": "", "analys": ""})
    pdf = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                         check=True).stdout.decode()
    assert trend.caption in pdf and trend.rows[0].label in pdf
    assert "utan att röja enskilda" in " ".join(pdf.split())

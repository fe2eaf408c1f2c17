"""The situation picture's pages and exports: who may open what, what bad
input gives, and what the CSV, XLSX and PDF files contain."""
import csv
import io
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cycle.models import TrainingSession
from organisation.models import OrgUnit
from tests.factories import incident

pytestmark = pytest.mark.django_db


def page(pk):
    return reverse("situation:picture", args=[pk])


def all_urls(node_pk):
    return [page(node_pk), reverse("situation:drill", args=[node_pk]), reverse("situation:report", args=[node_pk]),
            reverse("situation:export_tables", args=[node_pk, "csv"]),
            reverse("situation:export_tables", args=[node_pk, "xlsx"]),
            reverse("situation:export_cases", args=[node_pk, "csv"]),
            reverse("situation:export_cases", args=[node_pk, "xlsx"]),
            reverse("situation:export_police", args=[node_pk])]


# --- who may open what -------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login(city, client):
    for url in [reverse("situation:overview")] + all_urls(city.north.pk):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


def test_a_user_without_a_statistics_role_gets_a_clear_message_and_no_pages(city, client):
    client.force_login(city.employee)
    response = client.get(reverse("situation:overview"))
    assert response.status_code == 403
    assert "Du har ingen roll som ger tillgång till lägesbilden" in response.content.decode()
    for url in all_urls(city.north_a.pk):
        assert client.get(url).status_code == 404, url


def test_the_overview_opens_the_highest_node_the_user_covers(city, client):
    client.force_login(city.security)
    response = client.get(reverse("situation:overview") + "?period=i-ar")
    assert response.status_code == 302
    assert response["Location"] == page(city.north.pk) + "?period=i-ar"
    client.force_login(city.analyst)
    assert client.get(reverse("situation:overview"))["Location"] == page(city.city.pk)


@pytest.mark.parametrize("who,allowed,denied", [
    ("manager", ["north_a"], ["north", "north_b", "south", "city"]),
    ("head_north", ["north", "north_ifo", "north_a", "north_b"], ["south", "city"]),
    ("security", ["north", "north_a"], ["south", "south_a", "city"]),
    ("committee", ["north", "north_b"], ["south", "city"]),
    ("analyst", ["city", "north", "south_a"], []),
    ("safety", ["north_a"], ["north_b", "north"]),
])
def test_each_role_opens_exactly_the_nodes_it_covers(city, client, who, allowed, denied):
    client.force_login(getattr(city, who))
    for name in allowed:
        assert client.get(page(getattr(city, name).pk)).status_code == 200, name
    for name in denied:
        node = getattr(city, name)
        for url in all_urls(node.pk):
            assert client.get(url).status_code == 404, (name, url)


def test_aggregate_only_users_get_no_lists_of_cases(city, client):
    client.force_login(city.analyst)
    for url in (reverse("situation:drill", args=[city.north.pk]),
                reverse("situation:export_cases", args=[city.north.pk, "csv"]),
                reverse("situation:export_cases", args=[city.north.pk, "xlsx"])):
        assert client.get(url).status_code == 404
    html = client.get(page(city.north.pk)).content.decode()
    assert "Ärendelista" not in html and reverse("situation:drill", args=[city.north.pk]) not in html


def test_switching_to_a_node_outside_the_scope_is_404(city, client):
    client.force_login(city.security)
    assert client.get(page(city.north.pk) + f"?enhet={city.south.pk}").status_code == 404
    assert client.get(page(city.north.pk) + "?enhet=abc").status_code == 404
    assert client.get(page(city.north.pk) + "?enhet=99999999999999999999999").status_code == 404
    response = client.get(page(city.north.pk) + f"?enhet={city.north_a.pk}&period=i-ar")
    assert response.status_code == 302 and response["Location"] == page(city.north_a.pk) + "?period=i-ar"


def test_a_node_id_that_does_not_exist_is_404(city, client):
    client.force_login(city.analyst)
    assert client.get(page(987654)).status_code == 404


def test_the_report_form_accepts_only_get_and_post(city, client):
    client.force_login(city.security)
    assert client.put(reverse("situation:report", args=[city.north.pk])).status_code == 405
    assert client.put(reverse("situation:actor", args=[city.named.pk])).status_code == 405


def test_the_picture_compares_units_with_and_without_training(city, client):
    TrainingSession.objects.create(unit=city.north_a, date=timezone.localdate() - timedelta(days=30),
                                   kind=TrainingSession.Kind.LARSTUDIO, participants=8)
    client.force_login(city.security)
    html = client.get(page(city.north.pk)).content.decode()
    assert "Enheter med och utan utbildning: rapporter per 100 anställda under perioden" in html
    assert "Med utbildning (1 enhet)" in html and "Utan utbildning (1 enhet)" in html
    assert "jämförs med enheter som inte haft något" in html
    rows = read_csv(client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"])))
    # North A: named, confidential, anonymous and bypassed among 40 employees; north B: one among 25.
    assert ["Med utbildning (1 enhet)", "4", "40", "10,0"] in rows
    assert ["Utan utbildning (1 enhet)", "1", "25", "4,0"] in rows


# --- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize("query,message", [
    ("period=intervall&fran=2024-13-45&till=2024-12-31", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ("period=intervall&fran=2025-05-01&till=2025-01-01", "Till-datumet ligger före från-datumet"),
    ("period=intervall&till=2025-01-01", "Ange från vilket datum"),
    ("period=intervall&fran=1999-01-01&till=2025-01-01", "Statistiken börjar den 1 januari 2000"),
    ("period=intervall&fran=2999-01-01&till=2999-02-01", "ligger i framtiden"),
    ("period=ar&ar=abc", "Ange året med fyra siffror"),
    ("period=ar&ar=99999999999999999999999", "Året har inte börjat ännu"),
    ("period=ar&ar=1850", "Statistiken börjar år 2000"),
    ("period=nonsens", "Välj en av perioderna"),
    ("form=okand-form", "Koden okand-form finns inte"),
    ("kalla=brukare&kalla=inget", "Koden inget finns inte"),
    ("omrade=x", "Koden x finns inte"),
    ("kanal=%3Cscript%3E", "Koden &lt;script&gt; finns inte"),
])
def test_bad_input_gives_a_swedish_message_not_an_error_page(city, client, query, message):
    client.force_login(city.security)
    response = client.get(page(city.north.pk) + "?" + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html and "<script>" not in html
    assert "Nyckeltal" not in html  # no figures from a lens that could not be read


def test_a_tertial_that_has_not_begun_is_explained(city, client):
    client.force_login(city.security)
    year = timezone.localdate().year + 1
    response = client.get(page(city.north.pk) + f"?period=t1&ar={year}")
    assert "Året har inte börjat ännu" in response.content.decode()


def test_an_empty_period_says_so(city, client):
    client.force_login(city.security)
    html = client.get(page(city.north.pk) + "?period=intervall&fran=2001-01-01&till=2001-12-31").content.decode()
    assert "Inga rapporter under perioden." in html


def test_a_node_without_units_or_reports_shows_an_empty_state(city, client):
    empty = OrgUnit.objects.create(code="NORR-TOM", name="Ny avdelning", kind=OrgUnit.Kind.DEPARTMENT,
                                   parent=city.north)
    client.force_login(city.security)
    response = client.get(page(empty.pk))
    assert response.status_code == 200
    assert "Inga rapporter under perioden." in response.content.decode()


def test_filters_that_match_nothing_say_so(city, client):
    client.force_login(city.security)
    html = client.get(page(city.north.pk) + "?form=korruption").content.decode()
    assert "Inga rapporter under perioden med de valda filtren." in html


@pytest.mark.parametrize("query,message", [
    ("manad=2024-13", "Skriv månaden som ÅÅÅÅ-MM"),
    ("manad=abc", "Skriv månaden som ÅÅÅÅ-MM"),
    ("aktor=zzz", "Aktörens kod är felaktig"),
    ("period=intervall&fran=x", "Skriv datumet som"),
])
def test_bad_drill_down_input_gives_a_message(city, client, query, message):
    client.force_login(city.security)
    response = client.get(reverse("situation:drill", args=[city.north.pk]) + "?" + query)
    assert response.status_code == 200 and message in response.content.decode()


def test_exports_with_bad_input_answer_400_with_the_message(city, client):
    client.force_login(city.security)
    for url in all_urls(city.north.pk)[2:]:
        response = client.get(url + "?period=intervall&fran=2025-05-01&till=2025-01-01")
        assert response.status_code == 400, url
        assert "Till-datumet ligger före från-datumet" in response.content.decode()


# --- drill-down -------------------------------------------------------------------------

def test_the_drill_down_lists_only_cases_the_user_may_open(city, client):
    client.force_login(city.manager)
    html = client.get(reverse("situation:drill", args=[city.north_a.pk])).content.decode()
    for case in (city.named, city.confidential, city.anonymous):
        assert case.reference in html
    assert city.bypassed.reference not in html  # about the manager: never shown to them
    assert city.north_b_case.reference not in html and city.south_case.reference not in html


def test_the_drill_down_narrows_by_month_and_form(city, client):
    client.force_login(city.security)
    month = timezone.localtime(city.named.occurred_at).strftime("%Y-%m")
    html = client.get(reverse("situation:drill", args=[city.north.pk]) + f"?form=vald&manad={month}").content.decode()
    assert city.north_b_case.reference in html
    assert city.named.reference not in html


# --- exports ----------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_the_tables_export_as_csv_holds_the_figures(city, client):
    client.force_login(city.security)
    response = client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"]))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["Lägesbild: Norra stadsdelsförvaltningen"]
    assert ["Rapporter per månad och form av påverkan"] in rows
    totals = [r for r in rows if r and r[0] == "Hela perioden"]
    assert totals[0][-1] == "5"  # named, confidential, anonymous, bypassed, north B
    assert AuditEntry.objects.filter(action="situation.export", object_id=str(city.north.pk)).exists()


def test_an_analysts_csv_is_suppressed(city, client):
    client.force_login(city.analyst)
    rows = read_csv(client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"])))
    flat = [cell for row in rows for cell in row]
    assert "<5" in flat
    assert not any(cell in ("1", "2", "3", "4") for row in rows for cell in row[1:])


def xlsx_text(response) -> str:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        return "\n".join(book.read(n).decode() for n in names if n.startswith("xl/") and n.endswith(".xml"))


def test_the_tables_export_as_xlsx_is_a_workbook(city, client):
    client.force_login(city.security)
    response = client.get(reverse("situation:export_tables", args=[city.north.pk, "xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = xlsx_text(response)
    assert "Lägesbild: Norra stadsdelsförvaltningen" in text and "Rapporter efter kanal" in text


def test_the_case_list_has_no_descriptions_or_names(city, client):
    client.force_login(city.security)
    response = client.get(reverse("situation:export_cases", args=[city.north.pk, "csv"]))
    rows = read_csv(response)
    assert rows[0][:3] == ["Ärende", "Hände", "Rapporterad"]
    refs = {r[0] for r in rows[1:]}
    assert refs == {c.reference for c in (city.named, city.confidential, city.anonymous, city.bypassed,
                                          city.north_b_case)}
    body = "\n".join(";".join(r) for r in rows)
    assert "rapport i norr" not in body and "Testsson" not in body and "employee" not in body
    assert "Hot" in body and "Ekonomiskt bistånd Norr" in body and "Norra stadsdelsförvaltningen" in body
    xlsx = xlsx_text(client.get(reverse("situation:export_cases", args=[city.north.pk, "xlsx"])))
    assert city.named.reference in xlsx and "rapport i norr" not in xlsx


def test_the_police_export_is_suppressed_and_has_no_personal_data(city, client):
    client.force_login(city.security)
    text = xlsx_text(client.get(reverse("situation:export_police", args=[city.north.pk])))
    assert "Gemensam lägesbild med lokalpolisområdet" in text
    assert "&lt;5" in text or "<5" in text
    assert "kön" not in text.lower()
    assert "Aktör" not in text


# --- the PDF ----------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def test_the_committee_pdf_has_the_period_figures_charts_and_the_authors_analysis(city, client):
    # Enough reports that the figures are not all small.
    for i in range(8):
        incident(city.north_a, reporter=city.employee, forms=("hot", "trakasserier"), days_ago=10 + i * 20)
    client.force_login(city.security)
    url = reverse("situation:report", args=[city.north.pk]) + "?period=12-man"
    assert client.get(url).status_code == 200
    response = client.post(url, {"mottagare": "namnd", "rubrik": "Lägesbild för nämnden i november",
                                 "analys": "Hoten ökar i ekonomiskt bistånd.\n\nVi föreslår fler larm. <img src=x>"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in ("Lägesbild för nämnden i november", "Norra stadsdelsförvaltningen", "Nyckeltal",
                     "Rapporter per månad och form av påverkan", "Hoten ökar i ekonomiskt bistånd.",
                     "Vi föreslår fler larm. <img src=x>", "Jämställdhetsanalys", "Hot och våld som polisanmälts",
                     "Enheter där rapporterna ökat tydligt", "Sida 1 av"):
        assert expected in text, expected
    assert "13" in text  # 5 + 8 reports


def test_the_police_pdf_is_suppressed_and_leaves_out_gender_and_actors(city, client):
    client.force_login(city.security)
    response = client.post(reverse("situation:report", args=[city.north.pk]), {"mottagare": "polis"})
    text = pdf_text(response.content)
    assert "GEMENSAM LÄGESBILD MED LOKALPOLISOMRÅDET" in text
    assert "<5" in text
    assert "Jämställdhetsanalys" not in text and "Återkommande aktörer" not in text
    assert "Security" not in text and "Testsson" not in text  # not even the author's name


def test_a_too_long_analysis_is_refused_with_a_message(city, client):
    client.force_login(city.security)
    response = client.post(reverse("situation:report", args=[city.north.pk]),
                           {"mottagare": "namnd", "analys": "x" * 20001})
    assert response.status_code == 400
    assert "Analysen får vara högst 20 000 tecken." in response.content.decode()
    response = client.post(reverse("situation:report", args=[city.north.pk]), {"mottagare": "hemlig"})
    assert response.status_code == 400 and "Välj vem rapporten är till." in response.content.decode()


def test_the_analysts_pdf_is_suppressed(city, client):
    client.force_login(city.analyst)
    response = client.post(reverse("situation:report", args=[city.north.pk]), {"mottagare": "namnd"})
    text = pdf_text(response.content)
    assert "<5" in text
    assert "Antal från 1 till 4 visas som <5" in text


def test_the_page_keeps_working_for_a_long_custom_range(city, client):
    client.force_login(city.analyst)
    start = (timezone.localdate() - timedelta(days=365 * 12)).isoformat()
    response = client.get(page(city.city.pk) + f"?period=intervall&fran={start}&till={timezone.localdate()}")
    assert response.status_code == 200
    assert "Analysen mot tidigare perioder görs för perioder på högst ett år." in response.content.decode()


def test_the_csv_writes_each_hidden_cell_as_the_page_does(city, client):
    """"<5" is a statement (1 to 4); a cell hidden in the second step holds
    5 or more and must read "..", as on the page."""
    from tests.factories import incident

    for _ in range(2):
        incident(city.north_a, reporter=city.employee, source="anhorig", days_ago=30)
    for _ in range(7):
        incident(city.north_a, reporter=city.employee, source="okand", days_ago=40)
    client.force_login(city.analyst)
    rows = read_csv(client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"])))
    pic = client.get(reverse("situation:picture", args=[city.north.pk])).context["picture"]
    on_page = {}
    for table in pic.tables:
        for row in table.rows:
            on_page[(table.caption, row.label)] = [c.text for c in row.cells]
    caption = None
    checked = 0
    for row in rows:
        if len(row) == 1:
            caption = row[0]
        elif row and (caption, row[0]) in on_page:
            expected = on_page[(caption, row[0])]
            assert [cell for cell, shown in zip(row[1:], expected) if shown in ("<5", "..")] == \
                [shown for shown in expected if shown in ("<5", "..")], (caption, row)
            checked += 1
    assert checked > 5
    assert any(".." in texts for texts in on_page.values())  # the data has a second-step cell


def test_the_csv_starts_with_the_key_figures_as_on_the_page(city, client):
    client.force_login(city.security)
    rows = read_csv(client.get(reverse("situation:export_tables", args=[city.north.pk, "csv"])))
    labels = [row[0] for row in rows if row]
    assert "Rapporter" in labels and "Per 100 anställda" in labels
    assert labels.index("Rapporter") < labels.index("Rapporter per månad och form av påverkan")


# --- the start page and the picture show one figure (issue 11, item 9) -------------

def local_moment(day, hour, minute=0):
    from datetime import datetime

    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def test_the_start_page_shows_the_pictures_figures_for_the_last_twelve_months(city, client):
    from situation.lens import last_twelve_months

    start, today = last_twelve_months(timezone.localdate())
    moments = [local_moment(start, 0, 30),  # the first minute-ish of the period counts
               local_moment(start + timedelta(days=20), 12), local_moment(start + timedelta(days=120), 9)]
    moments += [local_moment(today - timedelta(days=d), 10) for d in (1, 30, 60, 90, 150, 200)]
    outside = local_moment(start - timedelta(days=1), 23, 30)  # the day before the period
    for i, moment in enumerate(moments + [outside]):
        inc = incident(city.north_a, reporter=city.employee, forms=("hot", "vald") if i % 2 else ("hot",))
        inc.occurred_at = inc.reported_at = moment
        inc.save(update_fields=["occurred_at", "reported_at"])
    client.force_login(city.committee)
    summary = client.get(reverse("home")).context["summary"]
    picture = client.get(page(city.north.pk)).context["picture"]
    assert summary["node"] == city.north
    assert (summary["lens"].start, summary["lens"].end) == (picture.lens.start, picture.lens.end) == (start, today)
    assert {form.name: str(cell) for form, cell in summary["rows"]} == shown_forms(picture)
    # The city fixture's five north reports, nine here; the one the day before is not counted.
    # The committee sees the protected figure, the same on both pages (exact: 14).
    assert str(summary["total"]) == str(picture.total) and abs(picture.total.value - 14) <= 2
    # A month only partly in the period says which days of it count.
    client.force_login(city.security)
    assert client.get(page(city.north.pk)).context["picture"].total.value == 14
    months = next(t for t in client.get(page(city.north.pk)).context["picture"].tables if t.key == "manad")
    if start.day != 1:
        assert months.rows[0].label.startswith(f"{start.day}–")


def shown_forms(picture) -> dict:
    """The forms over the whole period as the picture shows them: in the
    trend table's last row, or in a table of their own when the trend shows
    all forms together."""
    tables = {t.key: t for t in picture.tables}
    if "form" in tables:
        return {row.label: row.cells[0].text for row in tables["form"].rows}
    months = tables["manad"]
    return dict(zip(months.columns[1:-1], [c.text for c in months.foot.cells]))

"""Real-browser check of the tertial report: HR writes and approves it; the
committee reads the frozen report. Phone and desktop, zero axe-core
violations, screenshots."""
import pytest
from django.utils import timezone

from governance.models import TertialReport
from tests.conftest import assert_accessible, browser_login, screenshot
from tests.factories import incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()
T = (TODAY.month - 1) // 4 + 1


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_hr_writes_the_tertial_report_and_the_committee_reads_it(city, phone, desktop):
    for i in range(7):
        incident(city.north_a if i % 2 else city.north_b, forms=("hot",), days_ago=0)
    page = desktop
    browser_login(page, city.hr.username)
    page.goto("/tertialrapport/")
    assert_accessible(page)
    screenshot(page, "tertial-index-desktop")
    page.get_by_label("Förvaltning").select_option(label="Norra stadsdelsförvaltningen")
    page.get_by_role("button", name="Skapa rapporten").click()
    assert page.get_by_text("Utkast: siffrorna nedan hämtas direkt ur lägesbilden").is_visible()
    page.get_by_label("Diarienummer").fill("NORR 2026/12")
    page.get_by_label("Analys").fill("Hoten mot barn och unga har ökat. Förvaltningen ser över rutinen för hembesök.")
    page.get_by_role("button", name="Spara texterna").click()
    assert page.get_by_text("Rapporten är sparad.").is_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, "tertial-draft-desktop")
    page.get_by_role("button", name="Godkänn och frys siffrorna").click()
    assert page.get_by_text("Rapporten är godkänd.", exact=False).is_visible()
    page.context.clear_cookies()
    report = TertialReport.objects.get(node=city.north, year=TODAY.year, tertial=T)
    assert report.frozen and report.reference == "NORR 2026/12"
    for _ in range(10):  # after approval: the live picture changes, the report does not
        incident(city.north_a, forms=("vald",), days_ago=0)
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.committee.username)
        page.goto(f"/tertialrapport/{report.pk}/")
        assert page.get_by_role("heading", name="Förvaltningens förslag till beslut").is_visible()
        assert page.get_by_text("Sedan rapporten godkändes har", exact=False).is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"tertial-approved-{size}")
        page.context.clear_cookies()

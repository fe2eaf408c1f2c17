"""Real-browser checks of the risk register: HR creates the year's register,
scores a risk with evidence and a decision, adds an action; the committee
reads the matrix. Every page on a phone and a desktop with zero axe-core
violations and a screenshot."""
import pytest
from django.utils import timezone

from governance.models import Risk, RiskRegister
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = timezone.localdate().year


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_hr_assesses_a_risk_and_the_committee_reads_the_register(city, phone, desktop):
    page = desktop
    browser_login(page, city.hr.username)
    page.goto("/riskanalys/")
    assert_accessible(page)
    screenshot(page, "riskanalys-index-desktop")
    page.get_by_label("Nämnd").select_option(label="Norra stadsdelsförvaltningen")
    page.get_by_label("År").fill(str(YEAR))
    page.get_by_role("button", name="Skapa riskregistret").click()
    assert page.get_by_role("heading", name=f"Riskregister {YEAR}", exact=False).is_visible()
    page.get_by_role("link", name="Hot och våld vid hembesök").click()
    page.get_by_role("button", name="Hämta underlag från lägesbilden").click()
    assert page.get_by_text("Underlaget från lägesbilden är hämtat", exact=False).is_visible()
    page.locator("#id_likelihood_2").check()  # 3 – Möjlig
    page.locator("#id_consequence_3").check()  # 4 – Allvarlig
    page.locator("#id_decision_2").check()  # Åtgärda
    page.get_by_role("button", name="Spara bedömningen").click()  # no reason: refused, kept
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_likelihood_2").is_checked()
    assert_accessible(page)
    screenshot(page, "riskanalys-risk-errors-desktop")
    page.get_by_label("Motivering").fill("Hot vid hembesök förekommer varje år och kan ge allvarlig skada.")
    page.get_by_role("button", name="Spara bedömningen").click()
    assert page.get_by_text("Bedömningen är sparad.").is_visible()
    risk = Risk.objects.get(register__node=city.north, standard_key="hot_hembesok")
    assert risk.score == 12
    page.goto(f"/riskanalys/risk/{risk.pk}/")
    page.get_by_label("Åtgärd", exact=True).fill("Personlarm till alla som gör hembesök")
    page.get_by_label("Ansvarig").select_option(label=str(city.manager))
    page.get_by_label("Klar senast").fill(f"{YEAR + 1}-03-31")
    page.get_by_role("button", name="Lägg till åtgärden").click()
    assert page.get_by_text("Personlarm till alla som gör hembesök").is_visible()
    assert_accessible(page)
    screenshot(page, "riskanalys-risk-desktop")
    page.context.clear_cookies()

    register = RiskRegister.objects.get(node=city.north, year=YEAR)
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.committee.username)
        page.goto(f"/riskanalys/register/{register.pk}/")
        cell = page.locator(".risk-matrix td.level-very_high", has_text="1")
        assert cell.count() == 1
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"riskanalys-register-{size}")
        page.goto(f"/riskanalys/risk/{risk.pk}/")
        assert page.get_by_role("button", name="Spara bedömningen").count() == 0
        assert_accessible(page)
        screenshot(page, f"riskanalys-risk-committee-{size}")
        page.context.clear_cookies()

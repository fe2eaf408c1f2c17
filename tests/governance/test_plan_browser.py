"""Real-browser checks of the action plan: HR starts a draft from the city's
template, adds a measure, approves it; a manager reads the plan; the history
and the diff; every page on a phone and a desktop with zero axe-core
violations and a screenshot."""
import pytest

from governance import plan
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_hr_writes_and_approves_the_plan_and_staff_read_it(city, phone, desktop):
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.hr.username)
        page.goto("/handlingsplan/")
        assert_accessible(page)
        screenshot(page, f"handlingsplan-index-{size}")
        page.get_by_role("link", name="Norra stadsdelsförvaltningen", exact=True).click()
        if size == "desktop":
            assert_accessible(page)
            screenshot(page, "handlingsplan-empty-desktop")
            page.get_by_role("button", name="Börja från stadens mall").click()
        else:
            page.get_by_role("button", name="Börja en ny version").click()
        assert page.get_by_role("heading", name="Utkast till version", exact=False).is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"handlingsplan-draft-{size}")
        page.get_by_role("link", name="Lägg till åtgärd efter en händelse").click()
        page.get_by_role("button", name="Lägg till åtgärden").click()  # nothing filled in
        assert page.locator(".error-summary").is_visible()
        assert_accessible(page)
        screenshot(page, f"handlingsplan-measure-errors-{size}")
        page.get_by_label("Åtgärd", exact=True).fill(f"Följ upp med medarbetaren efter två veckor ({size}).")
        page.get_by_label("Ansvarig roll").select_option("manager")
        page.get_by_role("button", name="Lägg till åtgärden").click()
        assert page.get_by_text(f"Följ upp med medarbetaren efter två veckor ({size}).").is_visible()
        page.get_by_label("Beslut").fill("HR-chefen godkänner handlingsplanen efter årlig översyn.")
        page.get_by_role("button", name="Godkänn version", exact=False).click()
        assert page.get_by_text("är godkänd och gäller", exact=False).is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"handlingsplan-approved-{size}")
        page.context.clear_cookies()

    v2 = plan.current_version(city.north)
    assert v2.number == 2
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.manager.username)
        page.goto(f"/handlingsplan/version/{v2.pk}/jamfor/")
        assert page.get_by_role("heading", name="Ändringar från version 1 till 2", exact=False).is_visible()
        assert page.locator("ins", has_text="(phone)").count() == 1
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"handlingsplan-diff-{size}")
        page.goto(f"/handlingsplan/plan/{city.north.pk}/")
        assert page.get_by_text("Börja en ny version").count() == 0
        assert_accessible(page)
        screenshot(page, f"handlingsplan-manager-{size}")
        page.context.clear_cookies()


def test_the_yearly_review_shows_the_plan_beside_the_years_figures(city, phone, desktop):
    from datetime import date

    from django.utils import timezone

    from cycle import services as cycle_services
    from cycle.models import Duty, DutyOccurrence

    year = timezone.localdate().year
    cycle_services.ensure_standard_duties(year, starts_on=date(year, 1, 1))
    cycle_services.ensure_occurrences(Duty.objects.all(), [year])
    occurrence = DutyOccurrence.objects.get(duty__node=city.north, duty__kind=Duty.Kind.ACTION_PLAN_REVIEW,
                                            period_start__year=year)
    draft = plan.start_draft(city.hr, city.north)
    plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Godkänd.")
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.hr.username)
        page.goto(f"/handlingsplan/oversyn/{occurrence.pk}/")
        assert page.get_by_role("heading", name="Årets siffror").is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"handlingsplan-review-{size}")
        page.context.clear_cookies()
    page = desktop
    browser_login(page, city.hr.username)
    page.goto(f"/handlingsplan/oversyn/{occurrence.pk}/")
    page.get_by_label("Planen gäller oförändrad").check()
    page.get_by_role("button", name="Registrera översynen").click()
    assert page.get_by_text("Översynen är registrerad").is_visible()

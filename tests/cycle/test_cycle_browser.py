"""Real-browser checks of the annual cycle: the year view on a phone and a
desktop, marking a duty done, a duty's settings and the training log, each
page with zero axe-core violations and a screenshot."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from cycle import services
from cycle.models import Duty, DutyOccurrence, TrainingSession
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, not as the module was collected: a run
    that passes midnight keeps its dates right."""
    global TODAY
    TODAY = timezone.localdate()


@pytest.fixture
def cycle(city):
    """Standard duties since 1 January last year: last year mostly done, this
    year partly overdue; a few training sessions."""
    services.ensure_standard_duties(TODAY.year, starts_on=date(TODAY.year - 1, 1, 1))
    services.ensure_occurrences(Duty.objects.all(), [TODAY.year - 1, TODAY.year])
    for occ in DutyOccurrence.objects.filter(due_date__year=TODAY.year - 1, duty__node=city.north):
        services.mark_done(city.hr, occ, done_at=occ.due_date - timedelta(days=2),
                           result_url="https://intranat.example/norra/arshjul/" + occ.period_code)
    first_open = (DutyOccurrence.objects.filter(duty__node=city.north, due_date__lt=TODAY, status="open")
                  .order_by("due_date").first())
    if first_open:  # one done this year, with a note instead of a link
        services.mark_done(city.security, first_open, done_at=first_open.due_date,
                           result_note="Presenterat för nämnden som informationsärende.")
    for unit, kind, n in ((city.north_a, "apt", 14), (city.north_a, "larstudio", 6), (city.south_a, "apt", 11)):
        TrainingSession.objects.create(unit=unit, date=TODAY - timedelta(days=20), kind=kind, participants=n,
                                       note="Genomgång av handlingsplanen")
    return city


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_year_view_works_on_a_phone_and_a_desktop(cycle, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, cycle.hr.username)
        page.goto(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year}")
        assert page.get_by_role("heading", name=f"Årshjul {TODAY.year}", exact=False).first.is_visible()
        assert page.locator(".occ-overdue").count() > 0
        assert page.locator(".occ-done").count() > 0
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"arshjul-district-{size}")
        page.goto(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year - 1}")
        assert page.locator(".occ-done").count() > 0
        assert page.get_by_role("link", name="Öppna det som togs fram", exact=False).first.is_visible()
        assert_accessible(page)
        screenshot(page, f"arshjul-district-last-year-{size}")
        page.context.clear_cookies()


def test_the_city_wide_year_view_names_each_district(cycle, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, cycle.admin.username)
        page.goto("/arshjul/")
        assert page.get_by_role("heading", name="Stockholms stad", exact=False).first.is_visible()
        assert page.locator(".occ-facts:visible").get_by_text("Södra stadsdelsförvaltningen").first.is_visible()
        # Last year's undone duties of every district: folded, but counted and one click away.
        assert page.get_by_role("heading", name="Försenade från tidigare år").is_visible()
        carried = page.locator("#tidigare .occ")
        assert carried.count() > 0 and not carried.first.is_visible()
        page.locator("#tidigare summary").click()
        assert carried.first.is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"arshjul-city-{size}")
        page.get_by_label("Visa", exact=True).select_option("forsenade")
        page.get_by_role("button", name="Visa").click()
        page.wait_for_load_state()
        assert page.locator(".occ").count() == page.locator(".occ-overdue").count() > 0
        assert page.get_by_role("table").get_by_role("link", name="Norra stadsdelsförvaltningen").is_visible()
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"arshjul-city-overdue-{size}")
        page.context.clear_cookies()


def test_last_years_overdue_duties_are_counted_and_listed_on_this_years_page(cycle, phone, desktop):
    """Issue 11, item 12: the south did nothing last year, and this year's page says so."""
    carried = DutyOccurrence.objects.filter(duty__node=cycle.south, due_date__year=TODAY.year - 1,
                                            status="open").count()
    assert carried
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, cycle.security_south.username)
        page.goto(f"/arshjul/?enhet={cycle.south.pk}&ar={TODAY.year}")
        section = page.locator("#tidigare")
        assert page.get_by_role("heading", name="Försenade från tidigare år").is_visible()
        assert section.locator(".occ-overdue").count() == carried
        assert section.get_by_role("link", name="Markera som klar").count() == carried
        page.get_by_role("link", name=f"varav {carried} från tidigare år").click()
        assert page.evaluate("location.hash") == "#tidigare"
        assert no_horizontal_scroll(page), size
        assert_accessible(page)
        screenshot(page, f"arshjul-carried-{size}")
        page.context.clear_cookies()


def test_hr_marks_an_overdue_duty_done_on_a_phone(cycle, phone):
    browser_login(phone, cycle.hr.username)
    phone.goto(f"/arshjul/?enhet={cycle.north.pk}&ar={TODAY.year}")
    overdue = phone.locator(".occ-overdue").first
    title = overdue.locator(".occ-title").inner_text()
    overdue.get_by_role("link", name="Markera som klar").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name=title, exact=False).first.is_visible()
    assert_accessible(phone)
    screenshot(phone, "arshjul-occurrence-phone")

    phone.get_by_role("button", name="Markera som klar").click()
    phone.wait_for_load_state()
    summary = phone.get_by_role("alert")
    assert summary.is_visible()
    assert "Ange en länk eller skriv en kort anteckning" in summary.inner_text()
    assert phone.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_accessible(phone)
    screenshot(phone, "arshjul-occurrence-errors-phone")

    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.id") == "id_result_url"
    phone.fill("#id_result_url", "https://intranat.example/norra/handlingsplan-reviderad.pdf")
    phone.get_by_role("button", name="Markera som klar").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("status").inner_text().strip().endswith("är markerad som klar.")
    occurrence = DutyOccurrence.objects.get(duty__title=title, status="done", done_by=cycle.hr,
                                            result_url__endswith="reviderad.pdf")
    assert occurrence.done_at == TODAY
    assert_accessible(phone)
    screenshot(phone, "arshjul-after-done-phone")


def test_the_re_reporting_page_offers_the_prepared_situation_picture(cycle, desktop):
    occ = Duty.objects.get(node=cycle.north, standard_key="committee_rereporting").occurrences.filter(
        due_date__year=TODAY.year, period_start__lte=TODAY).order_by("-due_date").first()
    browser_login(desktop, cycle.security.username)
    desktop.goto(f"/arshjul/tillfalle/{occ.pk}/")
    link = desktop.get_by_role("link", name="Öppna lägesbilden", exact=False)
    assert link.get_attribute("href") == services.lagesbild_url(cycle.north, occ.period_start, occ.period_end)
    assert_accessible(desktop)
    screenshot(desktop, "arshjul-rereporting-desktop")


def test_a_duty_form_shows_only_the_fields_of_its_schedule_and_explains_errors(cycle, desktop, phone):
    duty = Duty.objects.get(node=cycle.north, standard_key="action_plan_review")
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, cycle.hr.username)
        page.goto(f"/arshjul/uppgift/{duty.pk}/")
        assert page.locator("#id_month").is_visible()
        assert not page.locator("#id_custom_text").is_visible()
        assert_accessible(page)
        screenshot(page, f"arshjul-duty-form-{size}")
        page.get_by_label("Egna datum").check()
        assert page.locator("#id_custom_text").is_visible()
        assert not page.locator("#id_month").is_visible()
        page.fill("#id_custom_text", "31/2")
        page.get_by_role("button", name="Spara ändringarna").click()
        page.wait_for_load_state()
        assert "den dagen finns inte i månaden" in page.get_by_role("alert").inner_text()
        assert page.locator("#id_custom_text").is_visible()
        assert_accessible(page)
        screenshot(page, f"arshjul-duty-form-errors-{size}")
        page.context.clear_cookies()


def test_hr_logs_a_training_session_with_a_correction_on_a_phone(cycle, phone, desktop):
    browser_login(phone, cycle.hr.username)
    phone.goto(f"/arshjul/utbildning/?enhet={cycle.north.pk}")
    assert phone.get_by_role("heading", name="Enheter utan utbildning", exact=False).is_visible()
    assert_accessible(phone)
    screenshot(phone, "arshjul-training-list-phone")
    phone.get_by_role("link", name="Registrera ett utbildningstillfälle").click()
    phone.wait_for_load_state()
    phone.select_option("#id_unit", label="Barn och unga Norr")
    phone.get_by_label("Lärstudio").check()
    phone.fill("#id_participants", "0")
    phone.get_by_role("button", name="Registrera").click()
    phone.wait_for_load_state()
    assert "Antalet deltagare måste vara minst 1." in phone.get_by_role("alert").inner_text()
    assert phone.locator("#id_participants").get_attribute("aria-invalid") == "true"
    assert_accessible(phone)
    screenshot(phone, "arshjul-training-form-errors-phone")
    phone.fill("#id_participants", "23")
    phone.get_by_role("button", name="Registrera").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("cell", name="Barn och unga Norr", exact=False).first.is_visible()
    assert TrainingSession.objects.filter(unit=cycle.north_b, participants=23, kind="larstudio").exists()
    assert no_horizontal_scroll(phone)

    browser_login(desktop, cycle.hr.username)
    desktop.goto(f"/arshjul/utbildning/?enhet={cycle.north.pk}")
    assert_accessible(desktop)
    screenshot(desktop, "arshjul-training-list-desktop")
    desktop.goto(f"/arshjul/utbildning/ny/?enhet={cycle.north.pk}")
    assert_accessible(desktop)
    screenshot(desktop, "arshjul-training-form-desktop")

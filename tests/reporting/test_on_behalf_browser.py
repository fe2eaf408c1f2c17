"""A security coordinator registers a report for an employee on a phone:
the search, the form with the employee's unit and the recipients of the
employee's own report, a refusal without consent that keeps what was typed,
and the receipt; the employee finds it in Mina rapporter. axe-core on every
state; the page is never wider than the phone. Also the protective measure
recorded from the case page and shown on the unit's list."""
import pytest
from django.utils import timezone

from incidents.models import Incident
from protection import services
from protection.models import ProtectiveMeasure
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def not_wider_than_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_coordinator_registers_a_report_for_an_employee_on_a_phone(city, phone, browser, live_server):
    page = phone
    browser_login(page, city.security.username)
    page.goto("/rapportera/at-medarbetare/")
    page.get_by_label("Sök medarbetare").fill("employee")
    page.get_by_role("button", name="Sök").click()
    assert_accessible(page)
    page.get_by_role("link", name="Employee Testsson").first.click()
    assert page.get_by_role("heading", name="Registrera en rapport åt en medarbetare").is_visible()
    assert page.locator("#id_unit").input_value() == str(city.north_a.pk)
    assert_accessible(page)
    not_wider_than_the_phone(page)
    screenshot(page, "on-behalf-form-phone")

    page.get_by_label("Vad hände?").fill("Brukaren hotade medarbetaren i telefon.")
    page.locator("label[for=id_forms_0]").click()
    page.get_by_label("Brukare/klient").check()
    # The recipients shown are those of the employee's own report: the
    # coordinator who registers it is one of them.
    recipients = page.locator("[data-recipients-body]")
    recipients.get_by_text("Går till:").wait_for()
    assert f"{city.manager} (chef), {city.security} (säkerhetssamordnare)" in recipients.inner_text()

    # Without consent: refused, everything typed is kept.
    page.get_by_role("button", name="Registrera rapporten").click()
    page.get_by_role("heading", name="Rapporten är inte skickad än").first.wait_for()
    assert page.get_by_text("Kryssa i att medarbetaren samtycker").first.is_visible()
    assert page.get_by_label("Vad hände?").input_value() == "Brukaren hotade medarbetaren i telefon."
    assert not Incident.unscoped.filter(registered_by=city.security).exists()
    assert_accessible(page)
    not_wider_than_the_phone(page)
    screenshot(page, "on-behalf-no-consent-phone")

    page.get_by_label("Samtal på plats").check()
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Registrera rapporten").click()
    page.get_by_role("heading", name="Tack – rapporten är registrerad").wait_for()
    assert_accessible(page)
    not_wider_than_the_phone(page)
    screenshot(page, "on-behalf-receipt-phone")
    incident = Incident.unscoped.get(registered_by=city.security)
    assert incident.reporter == city.employee and incident.registered_channel == "conversation"

    # The employee finds it among their own reports.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE",
                                  base_url=live_server.url, is_mobile=True, has_touch=True)
    mine = context.new_page()
    browser_login(mine, city.employee.username)
    mine.goto(f"/mina-rapporter/{incident.pk}/")
    assert mine.get_by_text("Registrerad åt dig av").is_visible()
    assert_accessible(mine)
    context.close()


def test_a_handler_records_a_protective_measure_on_a_phone(city, phone):
    page = phone
    browser_login(page, city.manager.username)
    page.goto(f"/arenden/{city.named.pk}/#skydd")
    panel = page.locator("#skydd")
    panel.get_by_text("Registrera en skyddsåtgärd").click()
    panel.get_by_label("Skyddsåtgärd", exact=True).select_option(label="Två personal vid hembesök")
    panel.get_by_label("Beskrivning av skyddsåtgärden").fill("Alltid två vid hembesök.")
    panel.get_by_label("Omprövas senast").fill("2020-01-01")
    panel.get_by_role("button", name="Registrera åtgärden").click()
    assert page.get_by_text("Omprövningsdatumet har redan varit.").first.is_visible()
    assert page.get_by_label("Beskrivning av skyddsåtgärden").input_value() == "Alltid två vid hembesök."
    assert_accessible(page)
    not_wider_than_the_phone(page)
    page.get_by_label("Omprövas senast").fill("2099-01-01")
    page.get_by_role("button", name="Registrera åtgärden").click()
    assert page.get_by_text("Välj ett omprövningsdatum inom två år.").first.is_visible()
    page.get_by_label("Omprövas senast").fill(page.evaluate(
        "new Date(Date.now() + 30 * 864e5).toISOString().slice(0, 10)"))
    page.get_by_role("button", name="Registrera åtgärden").click()
    assert page.get_by_text("Skyddsåtgärden är registrerad.").is_visible()
    assert ProtectiveMeasure.unscoped.filter(incident=city.named).count() == 1
    # An ended one and one due for review today are on the list too.
    ended = services.add(city.manager, city.named.pk, kind="guard", review_on=timezone.localdate())
    services.end(city.manager, ended.pk, version=1, reason="Behövs inte längre.")
    services.add(city.manager, city.named.pk, kind="office_only", review_on=timezone.localdate())
    page.goto("/skyddsatgarder/")
    assert page.get_by_text("Avslutad").is_visible() and page.get_by_text("Dags att ompröva").is_visible()
    assert page.get_by_role("link", name="Två personal vid hembesök").is_visible()
    assert_accessible(page)
    not_wider_than_the_phone(page)
    screenshot(page, "measures-list-phone")
    page.get_by_role("link", name="Två personal vid hembesök").click()
    assert_accessible(page)
    not_wider_than_the_phone(page)

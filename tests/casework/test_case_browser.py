"""The handler's path on a phone: inbox → acknowledge → checklist → action →
reply to the reporter → close; axe-core on inbox and case page."""
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.conftest import SCREENSHOTS, assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_runs_a_case_from_report_to_closed_on_a_phone(city, phone):
    page = phone
    browser_login(page, city.manager.username)
    page.goto("/arenden/")
    assert_accessible(page)
    screenshot(page, "inbox-phone")
    page.get_by_role("link", name=city.named.reference).click()
    assert page.get_by_role("heading", name="Nästa steg").is_visible()
    assert_accessible(page)
    screenshot(page, "case-new-phone")

    page.get_by_role("button", name="Kvittera mottagen").click()
    assert page.get_by_text("Rapporten är kvitterad som mottagen.").is_visible()

    # Checklist: every item done or not applicable.
    for code, label in [("support_talk", "Stödsamtal"), ("health_support", "Företagshälsovård"),
                        ("risk_assessment", "Riskbedömning"), ("safety_rep", "Skyddsombudet"),
                        ("police", "Beslut om polisanmälan"), ("work_env_authority", "Allvarligt tillbud")]:
        item = page.locator(f"#punkt-{code}")
        item.locator("summary").click()
        if code == "police":
            item.get_by_label("Klart").check()
            item.get_by_label("K-nummer").fill("K123456-26")
        elif code == "support_talk":
            item.get_by_label("Klart").check()
            item.get_by_label("Datum").fill(timezone.localdate().isoformat())
        else:
            item.get_by_label("Ej aktuellt").check()
            item.get_by_label("Kommentar eller skäl").fill("Inte aktuellt i detta ärende")
        item.get_by_role("button", name="Spara").click()
        assert page.get_by_text("Uppföljningen är sparad.").is_visible(), code

    # An action.
    page.get_by_text("Lägg till åtgärd").click()
    page.get_by_label("Åtgärd", exact=True).fill("Se över larmet i besöksrummet")
    page.get_by_label("Ansvarig").select_option(label=str(city.manager))
    page.get_by_label("Klar senast").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Lägg till").click()
    assert page.get_by_text("Åtgärden är tillagd.").is_visible()
    page.get_by_role("button", name="Markera klar").click()

    # Reply to the reporter.
    thread = page.locator("#meddelanden")
    thread.get_by_role("textbox").fill("Hej, jag ringer dig i morgon förmiddag.")
    thread.get_by_role("button").last.click()
    assert page.get_by_text("Hej, jag ringer dig i morgon förmiddag.").is_visible()

    page.get_by_role("button", name="Markera som åtgärdad").click()
    # The actioned case's next step is closing, with the summary, in the same box.
    next_step = page.locator(".next-step")
    assert next_step.get_by_role("button", name="Avsluta ärendet").is_visible()
    assert not page.get_by_role("button", name="Påbörja utredning").is_visible()
    assert_accessible(page)
    screenshot(page, "issue11-case-resolved-phone")
    page.get_by_label("Sammanfattning").fill("Stödsamtal hållet, polisanmält, larm åtgärdat.")
    page.get_by_role("button", name="Avsluta ärendet").last.click()
    assert page.get_by_text("Ärendet är avslutat.").first.is_visible()
    assert_accessible(page)
    screenshot(page, "case-closed-phone")
    assert Incident.unscoped.get(pk=city.named.pk).status == "closed"


def test_case_page_and_inbox_on_desktop_are_accessible(city, desktop):
    browser_login(desktop, city.security.username)
    desktop.goto("/arenden/?vy=alla")
    assert_accessible(desktop)
    screenshot(desktop, "inbox-desktop")
    desktop.goto(f"/arenden/{city.north_b_case.pk}/")
    assert desktop.get_by_text("Möjligt allvarligt tillbud").is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "case-desktop")


def test_checklist_on_a_bypassed_case_errors_at_the_field_and_print_view(city, desktop, phone):
    """The coordinator's checklist: the date is pre-filled, a K-number written
    loosely reaches the case, an error opens at its field; the bypass tag
    shows; printing shows no buttons or input boxes (issue 11, items 2, 6, 14, 18)."""
    from casework import workflow

    workflow.acknowledge(city.security, city.bypassed.pk, 1)
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        browser_login(page, city.security.username)
        page.goto("/arenden/?vy=alla")
        assert page.get_by_text("Förbi chef: rapporten gäller chef eller kollega").first.is_visible()
        assert_accessible(page)
        screenshot(page, f"issue11-inbox-{size}")
        page.goto(f"/arenden/{city.bypassed.pk}/")
        assert page.get_by_text("Förbi chef: rapporten gäller chef eller kollega").is_visible()

    page = phone
    item = page.locator("#punkt-support_talk")
    item.locator("summary").click()
    item.get_by_label("Klart").check()
    assert item.get_by_label("Datum").input_value() == timezone.localdate().isoformat()
    item.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Uppföljningen är sparad.").is_visible()

    police = page.locator("#punkt-police")
    police.locator("summary").click()
    police.get_by_label("Klart").check()
    police.get_by_label("K-nummer").fill("k 123456 - 26")
    police.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Redan polisanmäld (K123456-26)").is_visible()
    assert Incident.unscoped.get(pk=city.bypassed.pk).police_reference == "K123456-26"

    authority = page.locator("#punkt-work_env_authority")
    authority.locator("summary").click()
    authority.get_by_label("Klart").check()
    authority.get_by_label("Kommentar eller skäl").fill("Anmält per telefon")
    authority.get_by_role("button", name="Spara").click()
    # The answer opens at the item, with the error at the reference field and the text kept.
    error = page.locator("#id_work_env_authority-reference_error")
    assert error.is_visible() and error.is_visible() and "diarienummer" in error.inner_text()
    assert error.bounding_box()["y"] < 844 + page.evaluate("window.scrollY")
    assert page.locator("#punkt-work_env_authority").get_by_label("Kommentar eller skäl").input_value() \
        == "Anmält per telefon"
    assert_accessible(page)
    screenshot(page, "issue11-case-checklist-error-phone")
    page.screenshot(path=str(SCREENSHOTS / "issue11-case-checklist-error-phone-viewport.png"))

    desktop.goto(f"/arenden/{city.bypassed.pk}/")
    screenshot(desktop, "issue11-case-desktop")
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        page.goto(f"/arenden/{city.bypassed.pk}/")
        page.emulate_media(media="print")
        assert not page.get_by_role("button", name="Spara").first.is_visible()
        assert not page.locator("#id_body").is_visible()          # the empty message box
        assert not page.get_by_role("button", name="Skicka meddelandet").is_visible()
        assert page.get_by_role("heading", name="Uppföljning enligt handlingsplanen").is_visible()
        assert page.get_by_text("Redan polisanmäld (K123456-26)").is_visible()
        screenshot(page, f"issue11-case-print-{size}")
        page.emulate_media(media="screen")


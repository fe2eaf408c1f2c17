"""The handler drives the support track from the case page on a phone: the
first support conversation, a refused and then recorded offer, a check-in
moved; axe-core on every state of the page."""
from datetime import timedelta

import pytest
from django.utils import timezone

from support import services
from support.models import SupportAnswer, SupportOffer, SupportStep
from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_runs_the_support_track_on_a_phone(city, phone):
    page = phone
    browser_login(page, city.manager.username)
    page.goto(f"/arenden/{city.named.pk}/#stod")
    panel = page.locator("#stod")
    assert panel.get_by_role("heading", name="Stöd till medarbetaren").is_visible()
    panel.get_by_role("button", name="Starta stödspår").click()
    assert page.get_by_text("Stödspåret är startat.").is_visible()
    assert_accessible(page)
    screenshot(page, "support-started-phone")

    # The first support conversation, held today.
    step = page.locator("#stod-first_talk")
    step.locator("summary").click()
    step.get_by_label("Genomfört").check()
    step.get_by_label("Datum", exact=True).fill(timezone.localdate().isoformat())
    step.get_by_label("Anteckning eller skäl").fill("Samtal på kontoret.")
    step.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Steget är registrerat som genomfört.").is_visible()

    # An offer without a date: refused at the field, what was typed kept.
    page.locator("#stod").get_by_text("Registrera erbjudet stöd").click()
    page.get_by_label("Stöd", exact=True).select_option(label="Krisstöd")
    page.get_by_label("Erbjudet den").fill("")
    page.get_by_label("Beskrivning", exact=True).fill("Via företagshälsovården")
    page.get_by_role("button", name="Registrera").click()
    assert page.get_by_text("Ange när stödet erbjöds.").first.is_visible()
    assert page.get_by_label("Beskrivning", exact=True).input_value() == "Via företagshälsovården"
    assert_accessible(page)
    screenshot(page, "support-offer-error-phone")
    page.get_by_label("Erbjudet den").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Registrera").click()
    assert page.get_by_text("Det erbjudna stödet är registrerat.").is_visible()
    page.locator("#stod").get_by_role("button", name="Tackade ja").click()
    assert page.get_by_text("Svaret är sparat.").is_visible()

    # The week's check-in moved to another day.
    later = timezone.localdate() + timedelta(days=12)
    week = page.locator("#stod-week")
    week.locator("summary").click()
    week.get_by_label("Flytta till ett annat datum").check()
    week.get_by_label("Datum", exact=True).fill(later.isoformat())
    week.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Steget är flyttat.").is_visible()
    assert_accessible(page)
    screenshot(page, "support-progress-phone")

    track = services.track_of(city.named)
    steps = {s.kind: s for s in SupportStep.unscoped.filter(track=track)}
    assert steps["first_talk"].state == SupportStep.State.DONE
    assert steps["week"].due_on == later
    assert SupportOffer.unscoped.get(track=track).answer == SupportOffer.Answer.ACCEPTED


def test_the_case_page_with_a_track_on_a_desktop(city, desktop):
    services.start(city.manager, city.named.pk)
    page = desktop
    browser_login(page, city.manager.username)
    page.goto(f"/arenden/{city.named.pk}/")
    assert page.locator("#stod-first_talk").is_visible()
    assert_accessible(page)
    screenshot(page, "support-case-desktop")


def test_the_employee_answers_whether_they_got_support_on_a_phone(city, phone):
    track = services.start(city.manager, city.named.pk)
    services.update_step(city.manager, city.named.pk, "first_talk", version=track.version, action="done",
                         day=timezone.localdate())
    page = phone
    browser_login(page, city.employee.username)
    page.goto(f"/mina-rapporter/{city.named.pk}/")
    section = page.locator("#stod")
    assert section.get_by_role("heading", name="Stöd till dig").is_visible()
    assert section.get_by_text("Efter första stödsamtalet").is_visible()
    assert_accessible(page)
    screenshot(page, "support-employee-question-phone")
    # Sent without a choice: told at the question, the comment kept.
    section.get_by_label("Vill du säga något mer? (frivilligt)").fill("Jag hade velat ha samtalet tidigare.")
    section.get_by_role("button", name="Skicka svaret").click()
    assert page.get_by_text("Svara ja eller nej.").first.is_visible()
    assert page.get_by_label("Vill du säga något mer? (frivilligt)").input_value() == \
        "Jag hade velat ha samtalet tidigare."
    assert_accessible(page)
    page.locator("#stod").get_by_label("Nej").check()
    page.locator("#stod").get_by_role("button", name="Skicka svaret").click()
    assert page.get_by_text("Tack för ditt svar.").is_visible()
    assert page.get_by_text("du fick inte det stöd du behövde").is_visible()
    screenshot(page, "support-employee-answered-phone")
    saved = SupportAnswer.unscoped.get(incident=city.named)
    assert not saved.felt_supported and saved.comment == "Jag hade velat ha samtalet tidigare."

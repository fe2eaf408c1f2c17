"""The reporting flow in a real browser (Chromium, 390×844 and desktop):
named, confidential and anonymous reports end to end with the message thread
and the receipt-code follow-up, drafts that survive a reload, one report for
a double submission, every kind of bad input, routing with the manager
bypass, the confidential reporter kept from the handler, and axe-core on
the form, its error state and the receipt."""
import io
import re
import time
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from audit.models import PendingAnonymousEntry
from incidents.models import Incident, Message, ReportDraft
from tests.conftest import SCREENSHOTS, assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Brukaren sa att hen vet var jag bor och att jag ska få se vad som händer."
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture(autouse=True)
def clean_state(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    mail.outbox.clear()


def fill(page, text=TEXT, forms=("Hot",), identity=None, source="Brukare/klient", channel=None, unit=None):
    page.get_by_label("Vad hände?").fill(text)
    if unit:
        page.get_by_label("Enhet", exact=True).select_option(label=unit)
    for name in forms:
        page.locator(".choice-card", has_text=name).first.click()
    if identity:
        page.get_by_role("radio", name=identity).check()
    if source:
        page.get_by_role("radio", name=source).check()
    if channel:
        details = page.locator("details.more")
        if not details.get_attribute("open") == "":
            page.get_by_text("Mer information (frivilligt)").click()
        page.get_by_label("Hur eller var skedde det?").select_option(label=channel)


def submit(page):
    # The script may hold the press until the recipients of the latest
    # answers are shown, so wait for the page that answers the form.
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_load_state()


def logout(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/konto/logga-in/**")


RECEIPT_SUBJECT = "Värn: din rapport har kommit in"  # the reporter's own receipt (issue 17)


def mailed_to(count, timeout=10):
    """Addresses mailed so far, once `count` e-mails have gone out. The live
    server's threads share one database connection in these tests, so a
    commit (and the e-mail sent after it) can land a moment after the page."""
    deadline = time.monotonic() + timeout
    while len(routed()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return sorted(a for m in routed() for a in m.to)


def routed():
    """The e-mails so far but the reporter's own receipt ("har kommit in")."""
    return [m for m in mail.outbox if m.subject != RECEIPT_SUBJECT]


def screenshot_path(name):
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def the_report(text=TEXT):
    return Incident.unscoped.get(description=text)


# --- named ---------------------------------------------------------------------------

def test_a_named_report_end_to_end_with_a_message_exchange(city, phone, desktop):
    browser_login(phone, city.employee.username)
    phone.get_by_role("link", name="Rapportera en händelse").click()
    # Waits for the form page (is_visible() alone asks before it has loaded).
    expect(phone.get_by_role("heading", name="Rapportera en händelse")).to_be_visible()
    fill(phone, source="Brukare/klient", channel="Hembesök")
    submit(phone)
    incident = the_report()
    assert phone.get_by_role("heading", name="Tack – rapporten är skickad").is_visible()
    assert incident.reference in phone.content()
    assert incident.reporter == city.employee and incident.channel.code == "hembesok"
    assert_accessible(phone)
    screenshot(phone, "report-receipt-phone")
    assert mailed_to(3) == sorted([city.manager.email, city.security.email, city.safety.email])

    # The manager opens the case from the e-mail's link and asks a question.
    link = re.search(r"https?://\S+", routed()[0].body).group(0)
    browser_login(desktop, city.manager.username)
    assert urlparse(link).path == f"/arenden/{incident.pk}/"
    desktop.goto(urlparse(link).path)
    assert str(city.employee) in desktop.content()
    desktop.get_by_label("Skriv till rapportören").fill("Tack för rapporten. Behöver du stöd?")
    mail.outbox.clear()
    desktop.get_by_role("button", name="Skicka meddelandet").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_text("Tack för rapporten. Behöver du stöd?").is_visible()
    assert_accessible(desktop)
    screenshot(desktop, "case-thread-desktop")
    assert mailed_to(1) == [city.employee.email]
    assert "Behöver du stöd" not in mail.outbox[0].body

    # The reporter reads it under Mina rapporter and answers.
    phone.goto("/mina-rapporter/")
    assert incident.reference in phone.content()
    assert_accessible(phone)
    screenshot(phone, "mine-list-phone")
    phone.get_by_role("link", name=incident.reference).click()
    assert phone.get_by_text("Tack för rapporten. Behöver du stöd?").is_visible()
    phone.get_by_label("Skriv till handläggaren").fill("Ja tack, gärna ett samtal.")
    phone.get_by_role("button", name="Skicka meddelandet").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Ja tack, gärna ett samtal.").is_visible()
    assert_accessible(phone)
    screenshot(phone, "mine-thread-phone")
    assert Message.unscoped.filter(incident=incident, by_reporter=True, author=city.employee).count() == 1

    desktop.goto("/mina-rapporter/")
    screenshot(desktop, "mine-list-desktop-manager-empty")
    logout(desktop)
    browser_login(desktop, city.employee.username)
    desktop.goto("/mina-rapporter/")
    screenshot(desktop, "mine-list-desktop")
    desktop.get_by_role("link", name=incident.reference).click()
    screenshot(desktop, "mine-thread-desktop")


# --- confidential --------------------------------------------------------------------

def test_a_confidential_reporter_is_hidden_from_the_manager_but_not_the_coordinator(city, desktop):
    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop, identity="Konfidentiell")
    submit(desktop)
    incident = the_report()
    assert incident.identity_mode == "confidential"
    desktop.goto(f"/mina-rapporter/{incident.pk}/")
    desktop.get_by_label("Skriv till handläggaren").fill("Jag vill inte att chefen vet att det är jag.")
    desktop.get_by_role("button", name="Skicka meddelandet").click()
    desktop.wait_for_load_state()
    name = str(city.employee)
    for message in mail.outbox:
        assert name not in message.body and city.employee.username not in message.body
    logout(desktop)

    browser_login(desktop, city.manager.username)
    desktop.goto(f"/arenden/{incident.pk}/")
    page = desktop.content()
    assert "Konfidentiell" in page and "Rapportören" in page and name not in page
    desktop.goto("/arenden/")
    assert incident.reference in desktop.content() and name not in desktop.content()
    logout(desktop)

    browser_login(desktop, city.auditor.username)
    desktop.goto(f"/granskning/?arende={incident.reference}")
    page = desktop.content()
    assert "Konfidentiell rapportör skickade in rapporten" in page and name not in page
    logout(desktop)

    browser_login(desktop, city.security.username)
    desktop.goto(f"/arenden/{incident.pk}/")
    assert desktop.get_by_text(name).first.is_visible()
    assert f"{name} (rapportör)" in desktop.content()


# --- anonymous -------------------------------------------------------------------------

def test_an_anonymous_report_end_to_end_with_the_receipt_code(city, phone, desktop, browser, live_server):
    phone.goto("/rapportera/anonymt/")
    assert_accessible(phone)
    screenshot(phone, "report-anonymous-form-phone")
    fill(phone, forms=("Trakasserier",), unit="Ekonomiskt bistånd Norr")
    submit(phone)
    code = CODE.search(phone.locator(".receipt-code").inner_text()).group(0)
    incident = the_report()
    assert incident.reporter is None and incident.identity_mode == "anonymous"
    # The anonymous reporter's entry is held back until its hour has ended (audit.log.record).
    held = PendingAnonymousEntry.objects.get(action="incident.create", incident=incident)
    assert held.actor_label == "anonym rapportör"
    assert_accessible(phone)
    screenshot(phone, "report-anonymous-receipt-phone")

    # The coordinator asks a question from the case page.
    browser_login(desktop, city.security.username)
    desktop.goto(f"/arenden/{incident.pk}/")
    assert "Anonym" in desktop.content()
    desktop.get_by_label("Skriv till rapportören").fill("Hände det vid ett hembesök?")
    desktop.get_by_role("button", name="Skicka meddelandet").click()
    desktop.wait_for_load_state()

    # Later, on another device, the reporter follows up with the code alone.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE",
                                  base_url=live_server.url, is_mobile=True, has_touch=True)
    other = context.new_page()
    other.goto("/uppfoljning/")
    assert_accessible(other)
    screenshot(other, "followup-phone")
    other.get_by_label("Kvittokod").fill(code.lower().replace("-", " "))
    other.get_by_role("button", name="Öppna rapporten").click()
    other.wait_for_load_state()
    assert other.get_by_text("Hände det vid ett hembesök?").is_visible()
    assert incident.reference in other.content()
    other.get_by_label("Skriv till handläggaren").fill("Ja, i brukarens hem.")
    other.get_by_role("button", name="Skicka meddelandet").click()
    other.wait_for_load_state()
    assert other.get_by_text("Meddelandet är skickat").is_visible()
    assert other.get_by_text("Ja, i brukarens hem.").is_visible()
    assert_accessible(other)
    screenshot(other, "followup-case-phone")
    message = Message.unscoped.get(body="Ja, i brukarens hem.")
    assert message.author is None and message.by_reporter
    context.close()

    desktop.reload()
    assert desktop.get_by_text("Ja, i brukarens hem.").is_visible()
    assert "Rapportören" in desktop.content()
    logout(desktop)
    desktop.goto("/uppfoljning/")
    screenshot(desktop, "followup-desktop")


def test_a_wrong_code_gets_the_same_answer_as_one_that_never_existed(city, phone):
    phone.goto("/uppfoljning/")
    answers = []
    for code in ("ABCD-EFGH-JKMN-PQRS", "0000-0000-0000-0001"):
        phone.get_by_label("Kvittokod").fill(code)
        phone.get_by_role("button", name="Öppna rapporten").click()
        phone.wait_for_load_state()
        answers.append(phone.locator("main").inner_text())
    assert answers[0] == answers[1] and "Koden öppnar ingen rapport" in answers[0]
    assert_accessible(phone)
    screenshot(phone, "followup-error-phone")


def test_a_logged_in_employee_can_choose_anonymous(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    named_token = phone.locator("input[name=token]").input_value()
    fill(phone, identity="Anonym")
    # The token that may have reached a named server draft is replaced.
    assert phone.locator("input[name=token]").input_value() != named_token
    submit(phone)
    assert CODE.search(phone.locator(".receipt-code").inner_text())
    assert the_report().reporter is None
    assert not ReportDraft.objects.exists()


# --- drafts ------------------------------------------------------------------------------

def test_a_draft_is_restored_after_a_reload_and_on_another_device(city, phone, browser, live_server):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone, forms=("Hot", "Våld"), identity="Konfidentiell")
    phone.get_by_role("button", name="I går").click()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    phone.get_by_label("Vad hände?").blur()
    phone.wait_for_timeout(600)
    phone.reload()
    assert phone.get_by_label("Vad hände?").input_value() == TEXT
    assert phone.locator("#id_forms_0").is_checked() and phone.locator("#id_forms_1").is_checked()
    assert phone.get_by_role("radio", name="Konfidentiell").is_checked()
    assert phone.get_by_label("Datum").input_value() == yesterday
    assert phone.get_by_text("Vi har fyllt i").first.is_visible()
    # The restored area was only the unit's own, so it still follows the unit.
    phone.get_by_text("Mer information (frivilligt)").click()
    phone.get_by_label("Enhet", exact=True).select_option(label="Barn och unga Norr")
    assert phone.get_by_label("Verksamhetsområde").evaluate("el => el.selectedOptions[0].text") == "Barn och unga"
    phone.get_by_label("Enhet", exact=True).select_option(label="Ekonomiskt bistånd Norr")

    # The server keeps it too, for the next device.
    deadline = time.monotonic() + 10
    while not ReportDraft.objects.filter(user=city.employee, data__description=TEXT).exists():
        assert time.monotonic() < deadline, "the draft never reached the server"
        time.sleep(0.2)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE", base_url=live_server.url)
    other = context.new_page()
    browser_login(other, city.employee.username)
    other.goto("/rapportera/")
    assert other.get_by_label("Vad hände?").input_value() == TEXT
    assert other.get_by_role("radio", name="Konfidentiell").is_checked()
    screenshot(other, "report-draft-restored-desktop")

    # Sending clears every copy.
    other.get_by_role("button", name="Skicka rapporten").click()
    other.wait_for_load_state()
    assert the_report().identity_mode == "confidential"
    assert not ReportDraft.objects.exists()
    phone.goto("/rapportera/")
    assert phone.get_by_label("Vad hände?").input_value() == TEXT  # the phone's own copy until its next send…
    with phone.expect_navigation():
        phone.get_by_role("button", name="Börja om med ett tomt formulär").first.click()
    assert phone.get_by_label("Vad hände?").input_value() == ""
    context.close()


def test_an_anonymous_draft_never_reaches_the_server(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone, text="Något som bara ska stanna i den här fliken", identity="Anonym")
    phone.get_by_label("Vad hände?").focus()
    phone.get_by_label("Vad hände?").blur()
    phone.wait_for_timeout(6000)  # longer than the autosave interval
    assert not ReportDraft.objects.exists()
    stored = phone.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert stored == [0, 1]
    phone.reload()
    assert phone.get_by_label("Vad hände?").input_value() == "Något som bara ska stanna i den här fliken"


# --- one report per submission -----------------------------------------------------------

def test_a_double_tap_and_a_retry_create_one_report(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone)
    posts = []
    phone.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/rapportera/") else None)
    # The very same form sent twice, as a browser retries after a timeout.
    # (Truly simultaneous requests are tested in test_reporting.py: the
    # live server shares one connection to SQLite's in-memory database.)
    urls = phone.evaluate("""async () => {
        const form = document.querySelector("form[data-report-form]");
        const send = () => fetch(location.href, {method: "POST", body: new FormData(form)}).then(r => r.url);
        const first = await send();
        return [first, await send()];
    }""")
    assert urls[0] == urls[1] and "/kvitto/" in urls[0]
    assert Incident.unscoped.filter(description=TEXT).count() == 1
    # A double tap on the button: the second tap does nothing.
    posts.clear()
    phone.evaluate("""() => { const b = document.querySelector("[data-submit]"); b.click(); b.click(); }""")
    phone.wait_for_load_state()
    phone.get_by_role("heading", name="Tack – rapporten är skickad").wait_for()
    assert len(posts) == 1
    assert Incident.unscoped.filter(description=TEXT).count() == 1


# --- bad input --------------------------------------------------------------------------

def test_each_invalid_input_is_explained_and_everything_else_kept(city, phone, desktop, tmp_path):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    submit(phone)
    summary = phone.get_by_role("alert")
    assert summary.is_visible()
    assert phone.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert summary.get_by_role("link", name="Beskriv kort vad som hände.").is_visible()
    summary.get_by_role("link", name=re.compile("Välj minst en form")).click()
    assert phone.evaluate("() => location.hash") == "#id_forms_0"
    assert_accessible(phone)
    screenshot(phone, "report-errors-phone")

    # A date in the future, a bad K-number and a PDF named .jpg, with good text.
    pdf = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(pdf, format="PDF")
    fake = tmp_path / "foto.jpg"
    fake.write_bytes(pdf.getvalue())
    fill(phone, forms=())
    phone.locator(".choice-card", has_text="Hot").first.click()
    phone.get_by_label("Datum").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    if phone.locator("details.more").get_attribute("open") is None:
        phone.get_by_text("Mer information (frivilligt)").click()
    phone.get_by_label("Plats", exact=True).fill("Trapphuset <b>utanför</b> 😡")
    phone.get_by_role("radio", name="Jag har redan polisanmält").check()
    phone.get_by_label("K-nummer").fill("nummer 12")
    phone.get_by_label("Bilagor").set_input_files(str(fake))
    submit(phone)
    text = phone.locator("main").inner_text()
    assert "Datumet har inte varit än" in text
    assert "Det ser inte ut som ett K-nummer" in text
    assert "heter som en annan filtyp än den är (innehållet är PDF)" in text
    assert phone.get_by_label("Vad hände?").input_value() == TEXT
    assert phone.get_by_label("Plats", exact=True).input_value() == "Trapphuset <b>utanför</b> 😡"
    assert phone.locator("#id_forms_0").is_checked()
    assert not Incident.unscoped.filter(description=TEXT).exists()
    assert_accessible(phone)
    screenshot(phone, "report-errors-2-phone")

    # Too long a text: the counter warns, the server explains.
    phone.get_by_label("Vad hände?").fill("ä" * 5001)
    assert "1 tecken för mycket" in phone.locator("[data-counter]").inner_text()
    phone.get_by_label("Datum").fill(timezone.localdate().isoformat())
    phone.get_by_label("K-nummer").fill("K123456-24")
    submit(phone)
    assert "högst 5000 tecken, du har skrivit 5001" in phone.locator("main").inner_text()
    assert "Välj filen igen" not in phone.locator("main").inner_text()
    phone.get_by_label("Vad hände?").fill("<script>alert(1)</script> Ett hot 🔥")
    submit(phone)
    incident = the_report("<script>alert(1)</script> Ett hot 🔥")
    assert incident.location == "Trapphuset <b>utanför</b> 😡" and incident.police_reference == "K123456-24"
    phone.goto(f"/mina-rapporter/{incident.pk}/")
    assert phone.get_by_text("<script>alert(1)</script> Ett hot 🔥").is_visible()

    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop, text="")
    submit(desktop)
    assert_accessible(desktop)
    screenshot(desktop, "report-errors-desktop")


def test_an_event_older_than_five_years_is_refused_with_a_way_forward(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone)
    phone.get_by_label("Datum").fill("2015-06-01")
    submit(phone)
    assert "mer än fem år tillbaka" in phone.get_by_role("alert").inner_text()
    assert phone.get_by_label("Datum").input_value() == "2015-06-01"


# --- accessibility and looks --------------------------------------------------------------

def test_the_form_is_accessible_with_everything_open(city, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        browser_login(page, city.employee.username)
        page.goto("/rapportera/")
        assert_accessible(page)
        screenshot(page, f"report-form-{size}")
        page.get_by_text("Mer information (frivilligt)").click()
        page.get_by_role("radio", name="Jag vill inte att det polisanmäls").check()
        assert page.get_by_label("Varför vill du inte att det polisanmäls?").is_visible()
        assert not page.get_by_label("K-nummer").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
        assert_accessible(page)
        screenshot(page, f"report-form-open-{size}")
    # The quick dates and the unit's area do their job.
    phone.get_by_role("button", name="I dag").click()
    assert phone.get_by_label("Datum").input_value() == timezone.localdate().isoformat()
    assert phone.get_by_label("Verksamhetsområde").evaluate("el => el.selectedOptions[0].text") == "Ekonomiskt bistånd"
    phone.get_by_label("Enhet", exact=True).select_option(label="Barn och unga Norr")
    assert phone.get_by_label("Verksamhetsområde").evaluate("el => el.selectedOptions[0].text") == "Barn och unga"


def test_on_the_real_form_the_suggestion_and_the_guide_tick_the_right_boxes(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    hot = phone.locator(".choice-card", has_text="Hot").locator("input")
    vald = phone.locator(".choice-card", has_text="Våld").locator("input")
    phone.get_by_label("Vad hände?").fill("Han lutade sig fram och sa att han vet var du bor.")
    suggestion = phone.locator("[data-form-suggest]")
    suggestion.get_by_text("Det låter som hot").wait_for()
    assert "du skrev ”vet var du bor”" in suggestion.inner_text()
    assert not hot.is_checked()  # never chosen for the reporter
    suggestion.get_by_role("button", name="Välj hot").click()
    assert hot.is_checked() and not vald.is_checked()
    phone.get_by_text("Osäker? Hjälp mig välja").click()
    phone.locator('[data-guide-question="touch"]').get_by_text("Ja", exact=True).click()
    assert vald.is_checked()
    assert "Våld" in phone.locator("[data-guide-result]").inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    assert_accessible(phone)
    screenshot(phone, "report-form-guide-phone")
    phone.get_by_role("radio", name="Brukare/klient").check()
    before = set(Incident.unscoped.values_list("pk", flat=True))
    submit(phone)
    [incident] = Incident.unscoped.exclude(pk__in=before)
    assert set(incident.forms.values_list("code", flat=True)) == {"hot", "vald"}


def test_the_receipt_is_accessible_on_desktop(city, desktop):
    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop)
    submit(desktop)
    assert_accessible(desktop)
    screenshot(desktop, "report-receipt-desktop")


def test_the_form_works_without_javascript(city, browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    browser_login(page, city.employee.username)
    page.goto("/rapportera/")
    assert not page.get_by_role("button", name="I dag").is_visible()  # needs the script
    page.get_by_label("Vad hände?").fill(TEXT)
    page.locator("#id_forms_0").check()
    page.get_by_role("radio", name="Brukare/klient").check()
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Tack – rapporten är skickad").is_visible()
    assert the_report().reporter == city.employee
    context.close()


# --- routing ------------------------------------------------------------------------------

def test_a_report_about_ones_own_manager_bypasses_the_manager(city, desktop):
    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop, forms=("Trakasserier",), source="Chef eller kollega")
    submit(desktop)
    incident = the_report()
    assert incident.bypasses_management
    assert "gått förbi enhetens chefer" in desktop.locator("main").inner_text()
    assert mailed_to(2) == sorted([city.security.email, city.hr.email])
    screenshot(desktop, "report-receipt-bypass-desktop")
    logout(desktop)

    browser_login(desktop, city.manager.username)
    desktop.goto("/arenden/")
    assert incident.reference not in desktop.content()
    response = desktop.goto(f"/arenden/{incident.pk}/")
    assert response.status == 404
    logout(desktop)

    browser_login(desktop, city.hr.username)
    response = desktop.goto(f"/arenden/{incident.pk}/")
    assert response.status == 200 and str(city.employee) in desktop.content()


# --- the routing question: asked before sending, with who receives the report -------

ABOUT_MANAGER = "Min chef pressade mig att bevilja bistånd till hans släkting, trots att han inte hade rätt till det."


def recipients(page):
    return page.locator("[data-recipients]")


def test_with_the_script_the_recipients_follow_the_answers_and_the_text_is_asked_about(city, phone, desktop):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    # Before any answer: both possible sets, for the pre-filled unit.
    expect(recipients(phone)).to_contain_text(f"{city.manager} (chef)")
    expect(recipients(phone)).to_contain_text(f"{city.hr} (HR)")
    # The "may see" box belongs to "Vet inte / vill inte säga" only.
    assert not phone.get_by_label("Min chef får se rapporten").is_visible()
    phone.get_by_role("radio", name="Vet inte / vill inte säga").check()
    assert phone.get_by_label("Min chef får se rapporten").is_visible()
    expect(recipients(phone)).to_contain_text(f"Går till: {city.security} (säkerhetssamordnare), {city.hr} (HR)")
    expect(recipients(phone)).not_to_contain_text(str(city.manager))

    fill(phone, text=ABOUT_MANAGER, forms=("Korruption",), source="Brukare/klient")
    hint = phone.locator("[data-source-hint]")
    expect(hint).to_contain_text("Du skrev ”Min chef pressade”. Gäller det din chef eller en kollega?")
    expect(recipients(phone)).to_contain_text(f"Går till: {city.manager} (chef), {city.security} (säkerhetssamordnare)")
    assert phone.get_by_label("Ja, mitt svar stämmer – rapporten får gå till enhetens chefer").is_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways"
    assert_accessible(phone)
    phone.locator("[data-source-question]").screenshot(path=str(screenshot_path("report-source-hint-phone")))
    screenshot(phone, "report-form-hint-phone")

    hint.get_by_role("button", name="Välj ”Chef eller kollega”").click()
    assert phone.get_by_role("radio", name="Chef eller kollega").is_checked()
    expect(recipients(phone)).to_contain_text(f"Går till: {city.security} (säkerhetssamordnare), {city.hr} (HR)")
    expect(recipients(phone)).not_to_contain_text(str(city.manager))
    expect(hint).to_be_hidden()
    assert not phone.get_by_label("Ja, mitt svar stämmer – rapporten får gå till enhetens chefer").is_visible()
    assert_accessible(phone)
    screenshot(phone, "report-form-routing-phone")
    submit(phone)
    assert phone.get_by_role("heading", name="Tack – rapporten är skickad").is_visible()
    incident = the_report(ABOUT_MANAGER)
    assert incident.bypasses_management and incident.source.code == "intern"
    assert mailed_to(2) == sorted([city.security.email, city.hr.email])
    text = phone.locator("main").inner_text()
    assert "HR hjälper dig att boka" in text and "din chef" not in text
    assert_accessible(phone)
    screenshot(phone, "report-receipt-bypass-phone")

    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop, text="Brukaren sa att hen vet var jag bor.", source="Brukare/klient")
    expect(recipients(desktop)).to_contain_text(f"Får veta att en rapport har kommit in: {city.safety} (skyddsombud)")
    assert_accessible(desktop)
    screenshot(desktop, "report-form-routing-desktop")


def test_without_javascript_a_report_about_the_manager_is_asked_about_and_never_reaches_the_manager(
        city, browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    browser_login(page, city.employee.username)
    page.goto("/rapportera/")
    expect(recipients(page)).to_contain_text("Det beror på vem som utövade påverkan")
    page.get_by_label("Vad hände?").fill(ABOUT_MANAGER)
    page.locator(".choice-card", has_text="Korruption").first.click()
    page.get_by_role("radio", name="Brukare/klient").check()
    submit(page)
    # The server refuses the first press with the question and keeps everything.
    assert not Incident.unscoped.filter(description=ABOUT_MANAGER).exists()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Du skrev ”Min chef pressade”. Gäller det din chef eller en kollega?")
    assert page.get_by_label("Vad hände?").input_value() == ABOUT_MANAGER
    assert page.locator(".choice-card", has_text="Korruption").locator("input").is_checked()
    assert page.get_by_label("Ja, mitt svar stämmer – rapporten får gå till enhetens chefer").is_visible()
    screenshot(page, "report-nojs-question-phone")  # axe needs the script: see the test below
    page.get_by_role("radio", name="Chef eller kollega").check()
    submit(page)
    assert page.get_by_role("heading", name="Tack – rapporten är skickad").is_visible()
    incident = the_report(ABOUT_MANAGER)
    assert incident.bypasses_management
    assert mailed_to(2) == sorted([city.security.email, city.hr.email])
    context.close()


def test_without_javascript_the_recipients_are_shown_when_the_unit_changes(city, browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900},
                                  locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    browser_login(page, city.employee.username)
    page.goto("/rapportera/?alla-enheter=1")
    fill(page, unit="Ekonomiskt bistånd Syd", source="Vet inte / vill inte säga")
    submit(page)
    assert not Incident.unscoped.filter(description=TEXT).exists()
    expect(page.get_by_role("alert")).to_contain_text("Rapporten är inte skickad än")
    expect(recipients(page)).to_contain_text(f"Går till: {city.security_south} (säkerhetssamordnare)")
    expect(recipients(page)).not_to_contain_text(str(city.manager_south))
    screenshot(page, "report-nojs-confirm-desktop")
    submit(page)
    assert page.get_by_role("heading", name="Tack – rapporten är skickad").is_visible()
    incident = the_report()
    assert incident.unit == city.south_a and incident.bypasses_management
    context.close()


def test_the_servers_question_and_confirmation_step_are_accessible(city, phone, desktop):
    """The pages the server answers with when it asks before sending, scanned
    by axe (which needs the script, so in an ordinary browser)."""
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone, text=ABOUT_MANAGER, forms=("Korruption",), source="Brukare/klient")
    phone.wait_for_timeout(1200)   # the recipients and the question are shown
    phone.evaluate("() => { document.querySelector('#id_source_confirmed').checked = false; }")
    submit(phone)
    expect(phone.get_by_role("alert")).to_contain_text("Du skrev ”Min chef pressade”")
    assert not Incident.unscoped.filter(description=ABOUT_MANAGER).exists()
    assert_accessible(phone)
    screenshot(phone, "report-question-phone")

    browser_login(desktop, city.employee.username)
    desktop.goto("/rapportera/")
    fill(desktop)
    desktop.evaluate("() => { document.querySelector('[data-recipients-seen]').value = ''; }")
    desktop.evaluate("() => document.querySelector('form[data-report-form]').submit()")
    desktop.wait_for_load_state()
    expect(desktop.get_by_role("alert")).to_contain_text("Rapporten är inte skickad än")
    assert_accessible(desktop)
    screenshot(desktop, "report-confirm-desktop")


def test_a_restored_draft_keeps_the_answer_and_never_reaches_the_manager(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/rapportera/")
    fill(phone, text=ABOUT_MANAGER, forms=("Korruption",), source="Chef eller kollega", identity="Konfidentiell")
    phone.get_by_label("Vad hände?").blur()
    phone.wait_for_timeout(600)
    phone.reload()
    assert phone.get_by_label("Vad hände?").input_value() == ABOUT_MANAGER
    assert phone.get_by_role("radio", name="Chef eller kollega").is_checked()
    expect(recipients(phone)).to_contain_text(f"Går till: {city.security} (säkerhetssamordnare), {city.hr} (HR)")
    expect(recipients(phone)).not_to_contain_text(str(city.manager))
    submit(phone)
    incident = the_report(ABOUT_MANAGER)
    assert incident.bypasses_management and incident.identity_mode == "confidential"
    assert mailed_to(2) == sorted([city.security.email, city.hr.email])


def test_the_public_anonymous_form_with_vet_inte_and_the_copy_button(city, browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE", base_url=live_server.url,
                                  is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto("/rapportera/anonymt/")
    expect(recipients(page)).to_contain_text("Välj enhet, så ser du här vem som får rapporten.")
    fill(page, text=ABOUT_MANAGER, forms=("Korruption",), unit="Ekonomiskt bistånd Norr",
         source="Vet inte / vill inte säga")
    expect(recipients(page)).to_contain_text(f"Går till: {city.security} (säkerhetssamordnare), {city.hr} (HR)")
    assert_accessible(page)
    screenshot(page, "report-anonymous-routing-phone")
    submit(page)
    code = CODE.search(page.locator(".receipt-code").inner_text()).group(0)
    incident = the_report(ABOUT_MANAGER)
    assert incident.bypasses_management and incident.reporter is None
    assert mailed_to(2) == sorted([city.security.email, city.hr.email])
    page.get_by_role("button", name="Kopiera koden").click()
    expect(page.locator("[data-copy-status]")).to_contain_text("Koden är kopierad")
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    assert_accessible(page)
    screenshot(page, "report-anonymous-receipt-copy-phone")
    context.close()


def test_a_report_just_sent_looks_calm_on_my_reports(city, phone):
    browser_login(phone, city.employee.username)
    phone.goto("/mina-rapporter/")
    badge = phone.locator(".status-own.status-new").first
    colour = badge.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(74, 82, 96)"   # --muted, not the alarm red
    assert_accessible(phone)
    screenshot(phone, "mine-list-calm-phone")

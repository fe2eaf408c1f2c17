"""Real-browser checks of the foundation: every persona logs in and sees its
start page, the language switch works, and axe-core finds no violations."""
import pytest

from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START_PAGES = {
    "employee": "Rapportera en händelse",
    "manager": "Rapporter som väntar på dig",
    "security": "Rapporter som väntar på dig",
    "hr": "Rapporter som väntar på dig",
    "safety": "Rapporter i ditt skyddsområde",
    "analyst": "Statistik",
    "committee": "Statistik",
    "auditor": "Granskning",
    "admin": "Administration",
}


def test_each_persona_logs_in_and_sees_its_start_page(city, phone):
    for persona, heading in START_PAGES.items():
        user = getattr(city, persona)
        browser_login(phone, user.username)
        # The employee's first thing is the report button; the others' a heading.
        target = phone.get_by_role("heading", name=heading).or_(phone.get_by_role("link", name=heading))
        assert target.first.is_visible(), persona
        assert_accessible(phone)
        screenshot(phone, f"start-{persona}-phone")
        phone.get_by_role("button", name="Logga ut").click()
        phone.wait_for_url("**/konto/logga-in/**")


def test_login_page_is_accessible_with_and_without_errors(city, phone, desktop):
    for page, size in ((phone, "phone"), (desktop, "desktop")):
        page.goto("/konto/logga-in/")
        assert_accessible(page)
        screenshot(page, f"login-{size}")
        page.fill("#id_username", "employee_north")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]:has-text('Logga in')")
        assert page.get_by_role("alert").is_visible()
        assert page.input_value("#id_username") == "employee_north"
        assert_accessible(page)


def test_language_switch_changes_the_interface_to_english_and_back(city, desktop):
    browser_login(desktop, city.employee.username)
    desktop.get_by_role("button", name="English").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_role("link", name="Report an incident").is_visible()
    assert desktop.locator("html").get_attribute("lang") == "en"
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Svenska").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_role("link", name="Rapportera en händelse").is_visible()


def test_pages_of_the_foundation_have_no_accessibility_violations(city, desktop, phone):
    pages = [
        (city.manager, f"/arenden/{city.named.pk}/", "case"),
        (city.manager, "/arenden/", "cases"),
        (city.auditor, "/granskning/", "audit"),
        (city.analyst, "/lagesbild/", "situation"),
        (city.employee, "/kunskap/former/", "forms"),
        (city.employee, "/finns-inte/", "404"),
    ]
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        for user, url, name in pages:
            browser_login(page, user.username)
            page.goto(url)
            assert_accessible(page)
            screenshot(page, f"{name}-{size}")
            page.context.clear_cookies()


def test_skip_link_moves_focus_to_main_content(city, desktop):
    browser_login(desktop, city.employee.username)
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "main"


def test_no_csp_violations_on_start_page(city, desktop):
    messages = []
    desktop.on("console", lambda m: messages.append(m.text))
    browser_login(desktop, city.manager.username)
    desktop.goto("/")
    desktop.wait_for_load_state("networkidle")
    assert not [m for m in messages if "Content Security Policy" in m], messages

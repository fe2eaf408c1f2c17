"""Login lockout in a real browser (Chromium): failing on one account until it
is locked shows the 429 page with the wait in minutes and the way back to
the login page, while a colleague on the same address still signs in."""
import re

import pytest

from tests.conftest import assert_accessible, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failing_until_locked_shows_the_wait_and_the_way_back(city, phone, settings):
    settings.LOGIN_ACCOUNT_FAILURE_RATE = "3/15m"
    phone.goto("/konto/logga-in/")
    for attempt in range(1, 4):
        phone.fill("#id_username", city.employee.username)
        phone.fill("#id_password", "fel-lösenord")
        phone.click("button[type=submit]:has-text('Logga in')")
        phone.wait_for_load_state()
        if attempt < 3:
            assert phone.get_by_role("heading", name="Inloggningen misslyckades").is_visible()
    assert phone.get_by_role("heading", name="För många försök").is_visible()
    text = phone.locator("main").inner_text()
    assert "Inloggningen är tillfälligt spärrad" in text
    match = re.search(r"Vänta (\d+) minut(?:er)? och försök sedan igen\.", text)
    assert match and 1 <= int(match.group(1)) <= 15, text
    assert_accessible(phone)
    screenshot(phone, "login-locked-phone")

    # The link leads back to the login page, where the locked account stays locked.
    phone.get_by_role("link", name="Tillbaka till inloggningen").click()
    phone.wait_for_url("**/konto/logga-in/")
    browser_login(phone, city.employee.username)
    assert phone.get_by_role("heading", name="För många försök").is_visible()

    # A colleague behind the same address signs in.
    phone.get_by_role("link", name="Tillbaka till inloggningen").click()
    browser_login(phone, city.colleague.username)
    assert phone.get_by_role("button", name="Logga ut").is_visible()

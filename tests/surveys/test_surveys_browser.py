"""Real-browser checks of the surveys: answering on a phone in a handful of
taps, the follow-up questions only after "Ja", the coordinator's pages with
results, each with zero axe-core violations."""
import time

import pytest

from surveys import services
from surveys.models import Answer
from tests.conftest import assert_accessible, browser_login, screenshot
from tests.surveys.helpers import answer_data, secrets_from, staff, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answering_on_a_phone(city, smtp_server, phone):
    staff(city)
    start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    began = time.monotonic()
    phone.goto(f"/enkater/svara/?n={secret}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Exponeringsenkät 2026"
    # The follow-ups are hidden until "Ja".
    assert not phone.locator("#id_hot_times-group").is_visible()
    assert_accessible(phone)
    screenshot(phone, "survey-answer-phone")
    taps = 0
    phone.select_option("#id_unit", label="Barn och unga Norr")
    taps += 1
    phone.locator("#id_hot_exposed_0").check()
    taps += 1
    assert phone.locator("#id_hot_times-group").is_visible()
    phone.locator("#id_hot_times_1").check()
    phone.locator("#id_hot_reported_2").check()
    phone.locator("#id_hot_reasons_1").check()
    taps += 3
    for code in ("vald", "trakasserier", "skadegorelse", "korruption"):
        phone.locator(f"#id_{code}_exposed_1").check()
        taps += 1
    assert_accessible(phone)
    phone.get_by_role("button", name="Skicka svaret").click()
    taps += 1
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Tack för ditt svar"
    assert taps <= 12 and time.monotonic() - began < 120
    assert_accessible(phone)
    answer = Answer.objects.get()
    assert answer.unit == city.north_b
    assert answer.exposure["hot"] == {"exposed": True, "times": "2-5", "reported": "none",
                                      "reasons": ["too_much_work"]}
    phone.goto(f"/enkater/svara/?n={secret}")
    assert "redan använd" in phone.content()


def test_a_half_filled_answer_shows_errors_and_keeps_the_choices(city, smtp_server, phone):
    staff(city)
    start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    phone.goto(f"/enkater/svara/?n={secret}")
    phone.select_option("#id_unit", label="Ekonomiskt bistånd Norr")
    phone.locator("#id_vald_exposed_0").check()
    phone.get_by_role("button", name="Skicka svaret").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").is_visible()
    assert phone.locator("#id_vald_exposed_0").is_checked()
    assert phone.locator("#id_vald_times-group").is_visible()
    assert_accessible(phone)
    screenshot(phone, "survey-answer-errors-phone")
    assert not Answer.objects.exists()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_coordinator_sees_results(city, smtp_server, request, viewport):
    page = request.getfixturevalue(viewport)
    staff(city, count_a=8, count_b=4)
    survey = start(city).survey
    letters = list(secrets_from(smtp_server).values())
    for i, secret in enumerate(letters[:10]):
        unit = city.north_a if i < 5 else city.north_b
        services.submit_answer(secret, answer_data(unit, exposed=("hot", "trakasserier") if i % 2 else ("hot",),
                                                   reported="some" if i % 3 else "none"))
    browser_login(page, city.security.username)
    page.goto("/enkater/")
    assert_accessible(page)
    screenshot(page, f"survey-list-{viewport}")
    page.goto(f"/enkater/{survey.pk}/")
    assert "10 av 14 inbjudna" in page.content()
    assert "Ekonomiskt bistånd Norr" in page.content()
    assert_accessible(page)
    screenshot(page, f"survey-detail-{viewport}")
    assert "Rapporter per utsatt medarbetare" in page.content()
    page.goto("/enkater/ny/")
    assert_accessible(page)
    screenshot(page, f"survey-start-{viewport}")
    page.goto(f"/lagesbild/{city.north.pk}/")
    section = page.locator("#h-underreporting")
    assert section.is_visible()
    assert_accessible(page)
    screenshot(page, f"survey-situation-{viewport}")

"""Real-browser checks of the exit survey: answering on a phone in a handful
of taps, and the results page with its chart and tables, each with zero
axe-core violations, on a phone and on a desktop."""
import time
from pathlib import Path

import pytest

from surveys import exit as exit_survey
from surveys.models import ExitAnswer
from tests.conftest import assert_accessible, browser_login
from tests.surveys.exit_helpers import exit_data, leavers, start_exit
from tests.surveys.helpers import secrets_from

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/me/shots-exit")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name


def test_a_leaver_answers_on_a_phone(city, smtp_server, phone):
    leavers(city, count=1)
    start_exit(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    began = time.monotonic()
    phone.goto(f"/enkater/svara/?n={secret}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Avgångsenkät Norr"
    assert not phone.locator("#id_forms-group").is_visible()
    assert_accessible(phone)
    shot(phone, "exit-answer-phone")
    taps = 0
    phone.select_option("#id_unit", label="Barn och unga Norr")
    phone.locator("#id_reasons_1").check()
    phone.locator("#id_exposed_0").check()
    taps += 3
    assert phone.locator("#id_forms-group").is_visible()
    # Sent half filled: the errors, and nothing lost.
    phone.get_by_role("button", name="Skicka svaret").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").is_visible()
    assert phone.locator("#id_reasons_1").is_checked() and phone.locator("#id_exposed_0").is_checked()
    assert_accessible(phone)
    shot(phone, "exit-answer-errors-phone")
    phone.locator("#id_forms_0").check()
    phone.locator("#id_mattered_1").check()
    phone.get_by_role("button", name="Skicka svaret").click()
    taps += 4
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Tack för ditt svar"
    assert taps <= 10 and time.monotonic() - began < 120
    assert_accessible(phone)
    answer = ExitAnswer.objects.get()
    assert (answer.unit, answer.reasons, answer.exposed, answer.mattered) == (city.north_b, ["workload"], ["hot"],
                                                                            "some")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_hr_reads_the_results(city, smtp_server, request, viewport):
    page = request.getfixturevalue(viewport)
    survey = start_exit(city)
    for i in range(6):
        secret = exit_survey.print_link(city.hr, survey)
        exit_survey.submit_exit_answer(secret, exit_data(city.north_a, exposed=("hot",) if i % 2 else (),
                                                         reasons=("workload", "pay") if i % 3 else ("new_job",)))
    leavers(city, count=2, days=0, prefix="gone")
    leavers(city, count=2, days=10)
    browser_login(page, city.hr.username)
    page.goto(f"/enkater/{survey.pk}/")
    assert page.locator("svg.chart-svg").count() == 1
    assert "Omsättning och incidenter per år" in page.content()
    assert_accessible(page)
    shot(page, f"exit-detail-{viewport}")
    page.goto(f"/lagesbild/{city.north.pk}/")
    assert page.locator("#h-turnover").is_visible()
    assert_accessible(page)
    shot(page, f"exit-situation-{viewport}")
    page.locator("section[aria-labelledby=h-turnover]").screenshot(path=str(SHOTS / f"exit-situation-section-{viewport}.png"))
    page.goto("/enkater/")
    assert_accessible(page)
    shot(page, f"exit-list-{viewport}")
    page.goto("/enkater/avgang/ny/")
    assert_accessible(page)
    shot(page, f"exit-start-{viewport}")
    page.goto(f"/enkater/{survey.pk}/")
    page.get_by_role("button", name="Skapa en länk att skriva ut").click()
    page.wait_for_load_state()
    assert "/enkater/svara/?n=" in page.content()
    assert_accessible(page)
    shot(page, f"exit-printed-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_coordinator_makes_a_shared_link_and_staff_answer_through_it(city, smtp_server, request, viewport):
    from tests.surveys.helpers import staff, start

    page = request.getfixturevalue(viewport)
    staff(city)
    survey = start(city).survey
    browser_login(page, city.security.username)
    page.goto(f"/enkater/{survey.pk}/")
    page.select_option("#id_unit", label="Barn och unga Norr")
    page.get_by_role("button", name="Skapa delad länk").click()
    page.wait_for_load_state()
    assert_accessible(page)
    shot(page, f"shared-link-{viewport}")
    link = page.locator(".printed-link code").inner_text()
    link = link[link.index("/enkater/svara/"):]  # the address names the configured site
    page.goto(link)
    assert "gemensamma länk för Barn och unga Norr" in page.content()
    assert_accessible(page)
    shot(page, f"shared-answer-{viewport}")
    for code in ("hot", "vald", "trakasserier", "skadegorelse", "korruption"):
        page.locator(f"#id_{code}_exposed_1").check()
    page.get_by_role("button", name="Skicka svaret").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Tack för ditt svar"
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Du har redan svarat från den här telefonen eller datorn"
    assert_accessible(page)
    shot(page, f"shared-device-{viewport}")
    page.goto(f"/enkater/{survey.pk}/")
    assert "1 svar kom via en enhets delade länk" in page.content()
    assert_accessible(page)
    shot(page, f"survey-detail-shared-{viewport}")

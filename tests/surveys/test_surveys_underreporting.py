"""The underreporting estimate: the survey's exposure scaled to the
headcount against the reports Värn received, in the reader's scope, shown
in the survey's page and the situation picture."""
import pytest
from django.urls import reverse

from surveys import services, underreporting
from tests.factories import incident
from tests.surveys.helpers import answer_data, secrets_from, staff, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(city, smtp_server):
    staff(city, count_a=8, count_b=4)
    survey = start(city).survey
    letters = list(secrets_from(smtp_server).values())
    # Ekonomiskt bistånd: 6 answers, 3 exposed to threats; Barn och unga: 5, 1 exposed.
    for i, secret in enumerate(letters[:6]):
        services.submit_answer(secret, answer_data(city.north_a, exposed=("hot",) if i < 3 else ()))
    for i, secret in enumerate(letters[6:11]):
        services.submit_answer(secret, answer_data(city.north_b, exposed=("hot",) if i < 1 else ()))
    return survey


def by_form(group, code):
    return next(e for e in group.estimates if e.form.code == code)


def test_exposure_scaled_to_headcount_against_reports(city, answered):
    under = underreporting.build(city.security, answered)
    assert under.answers == 11 and under.response_percent == round(100 * 11 / 14)
    top = under.groups[0]
    assert top.label == "Norra stadsdelsförvaltningen" and top.employees == 65  # 40 + 25
    hot = by_form(top, "hot")
    assert hot.exposed_share == pytest.approx(4 / 11)
    assert hot.exposed == pytest.approx(65 * 4 / 11)
    assert hot.exposed_low < hot.exposed < hot.exposed_high
    # The city fixture's north reports with "hot" in the period: named,
    # confidential, anonymous and bypassed in Ekonomiskt bistånd (the
    # coordinator counts the bypassed one too).
    assert hot.reports.value == 4
    assert hot.ratio == pytest.approx(4 / (65 * 4 / 11))
    assert hot.not_always == 4 and hot.not_always_share == 1
    assert hot.top_reasons == ["Det är för krångligt eller tar för lång tid"]
    unit = next(g for g in under.groups if g.label == "Ekonomiskt bistånd Norr")
    assert unit.employees == 40 and by_form(unit, "hot").reports.value == 4


def test_the_reports_are_counted_in_the_readers_scope(city, answered):
    incident(city.south_a, forms=("hot",))
    for _ in range(3):
        incident(city.north_b, forms=("vald",))
    committee = underreporting.build(city.committee, answered)
    # Aggregate-only: the survey's node only, small counts suppressed.
    assert committee.aggregate_only and len(committee.groups) == 1
    cells = {e.form.code: e.reports for e in committee.groups[0].estimates}
    assert all(c.hidden for c in cells.values() if 0 < c.value < 5)
    assert cells["vald"].hidden and str(cells["vald"]) in ("<5", "..")
    security = underreporting.build(city.security, answered)
    assert by_form(security.groups[0], "vald").reports.value == 4  # 3 new + the fixture's one
    assert underreporting.build(city.security_south, answered) is not None  # the south's reports: none in north
    assert by_form(underreporting.build(city.security_south, answered).groups[0], "hot").reports.value == 0


def test_shown_in_the_situation_picture_and_the_survey_page(login, city, answered):
    client = login(city.security)
    page = client.get(reverse("situation:picture", args=[city.north.pk])).content.decode()
    assert "Underrapportering enligt enkät" in page and "svarsfrekvens 79 %" in page
    assert "Wilsons metod" in page
    detail = client.get(reverse("surveys:detail", args=[answered.pk])).content.decode()
    assert "Rapporter per utsatt medarbetare" in detail
    south = login(city.security_south).get(reverse("situation:picture", args=[city.south.pk])).content.decode()
    assert "Underrapportering enligt enkät" not in south


def test_no_estimate_below_the_minimum(city, smtp_server):
    staff(city)
    survey = start(city).survey
    for secret in list(secrets_from(smtp_server).values())[:4]:
        services.submit_answer(secret, answer_data(city.north_a))
    assert underreporting.build(city.security, survey) is None
    assert underreporting.latest_for(city.security, city.north) is None


def test_in_the_committee_pdf_but_not_the_police_one(login, city, answered):
    from tests.situation.test_situation_pdf import make_pdf, text

    client = login(city.security)
    committee_pdf = text(make_pdf(client, city.north))
    assert "Underrapportering enligt enkät" in committee_pdf
    assert "Wilsons metod" in committee_pdf and "svarsfrekvens 79 %" in committee_pdf
    assert "Underrapportering enligt enkät" not in text(make_pdf(client, city.north, recipient="polis"))

"""The yearly review of the action plan from the annual cycle: the plan
beside the year's figures, and HR's decision closing the occurrence."""
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cycle import services as cycle_services
from cycle.models import Duty, DutyOccurrence
from governance import plan

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def review(city):
    cycle_services.ensure_standard_duties(YEAR, starts_on=date(YEAR, 1, 1))
    cycle_services.ensure_occurrences(Duty.objects.all(), [YEAR])
    return DutyOccurrence.objects.get(duty__node=city.north, duty__kind=Duty.Kind.ACTION_PLAN_REVIEW,
                                      period_start__year=YEAR)


def approve_plan(city):
    draft = plan.start_draft(city.hr, city.north)
    return plan.approve(city.hr, draft.pk, revision=draft.revision, decision="Ok")


def test_the_cycle_page_opens_the_review_with_the_years_figures(login, city, review):
    approve_plan(city)
    client = login(city.hr)
    page = client.get(reverse("cycle:occurrence", args=[review.pk])).content.decode()
    assert reverse("governance:review", args=[review.pk]) in page
    page = client.get(reverse("governance:review", args=[review.pk])).content.decode()
    for text in ("Årets siffror", "Rapporter", "Hot och våld som polisanmälts", "Tid till mottagande, median",
                 "Återkommande aktörer", "Planen som gäller", "Registrera beslutet", "Enkätresultat"):
        assert text in page, text


def test_hr_records_unchanged_and_the_duty_is_done(login, city, review):
    version = approve_plan(city)
    client = login(city.hr)
    response = client.post(reverse("governance:review", args=[review.pk]),
                           {"decision": "unchanged", "note": "Genomgången med huvudskyddsombudet."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_done and review.done_by == city.hr
    assert "oförändrad" in review.result_note and str(version.pk) in review.result_url
    assert AuditEntry.objects.filter(action="plan.review", object_id=str(version.pk)).exists()


def test_a_new_version_must_have_been_approved_in_the_period(login, city, review):
    client = login(city.hr)
    response = client.post(reverse("governance:review", args=[review.pk]), {"decision": "new_version"})
    assert response.status_code == 400 and "Välj en version som godkänts under perioden" in response.content.decode()
    version = approve_plan(city)
    response = client.post(reverse("governance:review", args=[review.pk]),
                           {"decision": "new_version", "version": str(version.pk)})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_done and "ny version 1" in review.result_note


def test_only_hr_decides_and_strangers_get_404(login, city, review):
    approve_plan(city)
    url = reverse("governance:review", args=[review.pk])
    page = login(city.security).get(url).content.decode()
    assert "Registrera beslutet" not in page
    assert login(city.security).post(url, {"decision": "unchanged"}).status_code == 403
    assert login(city.security_south).get(url).status_code == 404
    assert login(city.employee).get(url).status_code == 404
    review.refresh_from_db()
    assert not review.is_done


def test_the_review_shows_the_years_survey_beside_the_figures(login, city, review, smtp_server):
    """A prevalence survey of the district whose period overlaps the year is
    on the review page with its response rate and underreporting estimate."""
    from surveys import services
    from tests.surveys.helpers import answer_data, secrets_from, staff, start

    client = login(city.hr)
    page = client.get(reverse("governance:review", args=[review.pk])).content.decode()
    assert "ingen exponeringsenkät under perioden" in page
    staff(city, count_a=6, count_b=4)
    survey = start(city, period_start=date(YEAR, 1, 1), period_end=date(YEAR, 6, 30)).survey
    for secret in list(secrets_from(smtp_server).values())[:7]:
        services.submit_answer(secret, answer_data(city.north_a))
    page = client.get(reverse("governance:review", args=[review.pk])).content.decode()
    assert "Enkätresultat: underrapportering" in page and "ingen exponeringsenkät" not in page
    survey.refresh_from_db()
    assert f"7 svar av {survey.invited} inbjudna, svarsfrekvens {round(700 / survey.invited)} %" in page
    assert reverse("surveys:detail", args=[survey.pk]) in page
    # A survey of another year is not this year's review's.
    survey.period_start, survey.period_end = date(YEAR - 2, 1, 1), date(YEAR - 2, 12, 31)
    survey.save()
    page = client.get(reverse("governance:review", args=[review.pk])).content.decode()
    assert "ingen exponeringsenkät under perioden" in page

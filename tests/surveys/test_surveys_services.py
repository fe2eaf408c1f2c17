"""Starting a survey, its invitations and reminder, and answering once."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEntry
from surveys import services
from surveys.models import Answer, Invitation, Survey, Token
from surveys.services import LinkState
from tests.surveys.helpers import answer_data, secrets_from, staff, start

pytestmark = pytest.mark.django_db


def test_a_survey_invites_everyone_in_scope_with_a_single_use_link(city, smtp_server):
    people = staff(city)
    started = start(city)
    # The north's staff: the ten above plus the two employees of the city fixture.
    expected = {p.email for p in people} | {city.employee.email, city.colleague.email}
    assert started.invited == len(expected) == Survey.objects.get().invited
    assert {m["to"][0] for m in smtp_server.messages} == expected
    assert city.employee_south.email not in {m["to"][0] for m in smtp_server.messages}
    secrets_ = secrets_from(smtp_server)
    assert len(set(secrets_.values())) == len(expected)
    # Only digests are stored, never a secret.
    stored = set(Token.objects.values_list("digest", flat=True))
    assert stored == {services.digest(s) for s in secrets_.values()}
    assert not stored & set(secrets_.values())
    assert Invitation.objects.count() == len(expected)
    entry = AuditEntry.objects.get(action="survey.start")
    assert entry.changes["invited"] == [None, len(expected)]


def test_a_node_with_too_few_people_cannot_have_a_survey(city):
    with pytest.raises(ValidationError) as raised:
        start(city)
    assert "bara 2 medarbetare" in raised.value.messages[0]
    assert "minst 5" in raised.value.messages[0]
    assert not Survey.objects.exists() and not Token.objects.exists()


def test_a_higher_minimum_is_respected(city):
    staff(city)
    with pytest.raises(ValidationError):
        start(city, min_answers=20)


def test_only_coordinator_or_hr_in_scope_may_start(city):
    staff(city)
    for outsider in (city.security_south, city.manager, city.analyst, city.employee):
        with pytest.raises(Http404):
            start(city, actor=outsider)
    assert start(city, actor=city.hr).invited == 12


def test_a_link_answers_once(city, smtp_server):
    staff(city)
    start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    assert services.open_link(secret).state == LinkState.OK
    assert services.submit_answer(secret, answer_data(city.north_a)).state == LinkState.OK
    assert services.submit_answer(secret, answer_data(city.north_a)).state == LinkState.USED
    assert services.open_link(secret).state == LinkState.USED
    assert Answer.objects.count() == 1
    assert Token.objects.filter(used=True).count() == 1


def test_unknown_and_closed_links(city, smtp_server):
    staff(city)
    started = start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    assert services.open_link("nonsense").state == LinkState.UNKNOWN
    assert services.open_link("").state == LinkState.UNKNOWN
    assert services.open_link("x" * 500).state == LinkState.UNKNOWN
    later = started.survey.closes_on + timedelta(days=1)
    assert services.submit_answer(secret, answer_data(city.north_a), today=later).state == LinkState.CLOSED
    services.close_survey(city.security, started.survey)
    assert services.submit_answer(secret, answer_data(city.north_a)).state == LinkState.CLOSED
    assert not Answer.objects.exists()
    assert not Token.objects.filter(used=True).exists()


def test_the_answer_keeps_unit_and_week_only(city, smtp_server):
    staff(city)
    start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    services.submit_answer(secret, answer_data(city.north_b))
    answer = Answer.objects.get()
    year, week, _day = timezone.localdate().isocalendar()
    assert answer.week == f"{year}-W{week:02d}"
    assert answer.unit == city.north_b
    names = {f.name for f in Answer._meta.get_fields()}
    assert names == {"id", "survey", "unit", "operation_area", "week", "exposure", "own", "shared"}


def test_the_reminder_goes_to_everyone_once_without_a_link(city, smtp_server):
    people = staff(city)
    started = start(city)
    secret = next(iter(secrets_from(smtp_server).values()))
    services.submit_answer(secret, answer_data(city.north_a))
    smtp_server.messages.clear()
    assert services.send_reminder(city.security, started.survey) == 12
    reminded = {m["to"][0] for m in smtp_server.messages}
    assert reminded == {p.email for p in people} | {city.employee.email, city.colleague.email}
    for message in smtp_server.messages:
        assert "?n=" not in message["body"] and "Påminnelse" in message["subject"]
    smtp_server.messages.clear()
    assert services.send_reminder(city.security, started.survey) == 0
    assert not smtp_server.messages
    with pytest.raises(PermissionDenied):
        services.send_reminder(city.security_south, started.survey)
    assert AuditEntry.objects.get(action="survey.remind").changes["reminded"] == [None, 12]

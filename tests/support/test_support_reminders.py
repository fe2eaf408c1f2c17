"""Support steps remind with a moving clock, delivered to a real local SMTP
server: once when due, once overdue, escalated once; never with case text."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from incidents.models import Incident
from notifications.reminders import send_from
from support import services
from support.models import SupportStep, SupportTrack
from tests.factories import incident

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")
Kind = SupportStep.Kind


def at(*args):
    return datetime(*args, tzinfo=STHLM)


@pytest.fixture
def track(city):
    """A track on a case in north_a whose first support talk is due on
    Tuesday 2026-11-24; the later check-ins are far ahead."""
    Incident.unscoped.update(status="closed")
    inc = incident(city.north_a, reporter=city.employee, description="HEMLIG-TEXT om klienten",
                   status=Incident.Status.ACKNOWLEDGED)
    started = services.start(city.manager, inc.pk)
    SupportStep.unscoped.filter(track=started, kind=Kind.FIRST_TALK).update(due_on=date(2026, 11, 24))
    SupportStep.unscoped.filter(track=started).exclude(kind=Kind.FIRST_TALK).update(due_on=date(2027, 6, 1))
    return started


def recipients(smtp):
    return {addr for m in smtp.messages for addr in m["to"]}


def test_nothing_before_the_day(city, track, smtp_server):
    assert send_from("support", at(2026, 11, 23, 16)) == 0


def test_on_the_day_the_handlers_are_reminded(city, track, smtp_server):
    assert send_from("support", at(2026, 11, 24, 8)) > 0
    assert city.manager.email in recipients(smtp_server)
    assert city.head_north.email not in recipients(smtp_server)  # not escalated yet


def test_an_overdue_step_reminds_once_and_escalates_once(city, track, smtp_server):
    first = send_from("support", at(2026, 11, 25, 8))
    got = recipients(smtp_server)
    assert city.manager.email in got            # the handlers
    assert city.head_north.email in got         # the next manager up
    assert city.security.email in got           # the district's coordinator
    assert city.manager_south.email not in got and city.employee.email not in got
    assert first == len(smtp_server.messages)
    assert send_from("support", at(2026, 11, 25, 8, 5)) == 0
    assert send_from("support", at(2026, 11, 26, 8)) == 0  # overdue still, but already told
    assert len(smtp_server.messages) == first


def test_the_assigned_handler_is_the_one_reminded(city, track, smtp_server):
    Incident.unscoped.filter(pk=track.incident_id).update(assigned_to=city.hr)
    send_from("support", at(2026, 11, 24, 8))
    assert recipients(smtp_server) == {city.hr.email}


def test_a_step_done_or_moved_stops_or_rearms_the_reminder(city, track, smtp_server):
    send_from("support", at(2026, 11, 25, 8))
    sent = len(smtp_server.messages)
    SupportStep.unscoped.filter(track=track, kind=Kind.FIRST_TALK).update(due_on=date(2026, 11, 30))
    assert send_from("support", at(2026, 11, 27, 8)) == 0
    assert send_from("support", at(2026, 11, 30, 8)) > 0      # moved: reminded again on its new day
    SupportStep.unscoped.filter(track=track, kind=Kind.FIRST_TALK).update(state=SupportStep.State.DONE)
    before = len(smtp_server.messages)
    assert send_from("support", at(2026, 12, 2, 8)) == 0
    assert len(smtp_server.messages) == before > sent


def test_a_closed_case_still_reminds_an_open_track(city, track, smtp_server):
    Incident.unscoped.filter(pk=track.incident_id).update(status=Incident.Status.CLOSED)
    assert send_from("support", at(2026, 11, 24, 8)) > 0


def test_an_ended_track_reminds_nobody(city, track, smtp_server):
    SupportTrack.unscoped.filter(pk=track.pk).update(status=SupportTrack.Status.DONE)
    assert send_from("support", at(2026, 11, 25, 8)) == 0


def test_emails_carry_no_case_text_or_reporter(city, track, smtp_server):
    send_from("support", at(2026, 11, 25, 8))
    assert smtp_server.messages
    reference = Incident.unscoped.get(pk=track.incident_id).reference
    for message in smtp_server.messages:
        assert "HEMLIG-TEXT" not in message["raw"]
        assert city.employee.first_name not in message["raw"]
        assert reference in message["body"] and "#stod" in message["body"]

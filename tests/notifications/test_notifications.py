"""One way to send a reminder for every app: claimed once by key, released
when the mail server does not take it, with one digest rule across apps."""
import socket
from datetime import date, datetime

import pytest
from django.core.management import call_command

from cycle.models import Duty
from incidents.models import Incident
from notifications.models import SentReminder
from notifications.reminders import DIGEST_AFTER, send_all
from tests.factories import incident

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-03-20T09:00:00+01:00")


@pytest.fixture
def busy_manager(city):
    """Two overdue acknowledgements and two annual-cycle duties falling due,
    all for the north's manager on the same morning."""
    Incident.unscoped.update(status="closed")
    for days in (10, 11):
        case = incident(city.north_a, reporter=city.employee, days_ago=days)
        Incident.unscoped.filter(pk=case.pk).update(ack_due_at=datetime.fromisoformat("2026-03-19T08:00:00+01:00"))
    for title in ("Översyn av handlingsplanen", "Riskanalys"):
        Duty.objects.create(title=title, kind=Duty.Kind.ACTION_PLAN_REVIEW, node=city.north_a,
                            owner=city.manager, schedule=Duty.Schedule.YEARLY, month=3, day=31,
                            starts_on=date(2026, 1, 1))
    return city.manager


def test_the_digest_rule_counts_every_apps_reminders_together(busy_manager, smtp_server):
    assert DIGEST_AFTER == 3
    sent = send_all(NOW)
    to_manager = smtp_server.to(busy_manager.email)
    assert len(to_manager) == 1 and "sammanställning" in to_manager[0]["subject"]
    assert "Översyn av handlingsplanen" in to_manager[0]["body"] and "Riskanalys" in to_manager[0]["body"]
    assert sent["cases"] + sent["cycle"] >= 1
    assert send_all(NOW) == {"cases": 0, "support": 0, "protection": 0, "knowledge": 0, "cycle": 0,
                             "retention": 0, "police": 0}  # claimed: never twice


def test_a_reminder_the_mail_server_refused_is_released_and_sent_next_run(busy_manager, settings, smtp_server):
    good_port = settings.EMAIL_PORT
    with socket.socket() as sock:  # a port nobody listens on: the server is "down"
        sock.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = sock.getsockname()[1]
    send_all(NOW)
    assert not SentReminder.objects.filter(recipient=busy_manager.email).exists()
    settings.EMAIL_PORT = good_port
    send_all(NOW)
    assert len(smtp_server.to(busy_manager.email)) == 1
    assert SentReminder.objects.filter(recipient=busy_manager.email).count() == 4


def test_the_one_timer_command_reports_every_app(busy_manager, smtp_server):
    out = __import__("io").StringIO()
    call_command("run_reminders", stdout=out)
    assert [part.split(":")[0] for part in out.getvalue().strip().split(", ")] == ["cases", "support", "protection",
                                                                                      "knowledge", "cycle", "retention",
                                                                                      "police", "outbox"]


def test_work_after_the_response_waits_for_it_inside_a_request_and_runs_at_once_outside(caplog):
    """notifications.mail.after_response: a report's e-mails go out once the
    reporter has their answer (Django's request_finished), and at once from
    a command or the timer; a failure is logged and the next work still runs."""
    from django.core.signals import request_finished, request_started

    from notifications.mail import after_response

    ran = []
    after_response(lambda: ran.append("outside"))
    assert ran == ["outside"]
    request_started.send(sender=None)
    after_response(lambda: ran.append("first"))
    after_response(lambda: 1 / 0)
    after_response(lambda: ran.append("second"))
    assert ran == ["outside"]
    request_finished.send(sender=None)
    assert ran == ["outside", "first", "second"]
    assert "Could not send a notification after the response" in caplog.text
    after_response(lambda: ran.append("after"))
    assert ran[-1] == "after"

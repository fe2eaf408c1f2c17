"""Reminders and escalation with a moving clock, delivered to a real local
SMTP server; e-mails never carry the case's text or the reporter's name."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from casework import workflow
from incidents.models import Incident
from notifications.models import SentReminder
from notifications.reminders import send_from
from tests.factories import incident

pytestmark = pytest.mark.django_db
STHLM = ZoneInfo("Europe/Stockholm")


def at(*args):
    return datetime(*args, tzinfo=STHLM)


@pytest.fixture
def friday_report(city):
    """A threat reported on Friday 2026-11-20 at 15:00 in unit north_a; the
    city's other cases are closed so that only this one can be due."""
    Incident.unscoped.update(status="closed")
    inc = incident(city.north_a, reporter=city.employee, description="HEMLIG-TEXT om klienten")
    Incident.unscoped.filter(pk=inc.pk).update(reported_at=at(2026, 11, 20, 15), ack_due_at=None)
    inc = Incident.unscoped.get(pk=inc.pk)
    inc.ack_due_at = None
    inc.save()
    return inc


def test_acknowledgement_is_due_next_working_day(friday_report):
    assert friday_report.ack_due_at == at(2026, 11, 23, 15)  # Monday


def test_holidays_are_not_working_days(city):
    inc = incident(city.north_a, reporter=city.employee)
    inc.reported_at, inc.ack_due_at = at(2026, 12, 23, 10), None
    inc.save()
    assert inc.ack_due_at == at(2026, 12, 28, 10)  # 24th, 25th, 26th/27th weekend


def test_nothing_is_sent_before_the_deadline(city, friday_report, smtp_server):
    assert send_from("cases", at(2026, 11, 23, 14)) == 0
    assert smtp_server.messages == []


def test_overdue_acknowledgement_reminds_handlers_and_escalates(city, friday_report, smtp_server):
    sent = send_from("cases", at(2026, 11, 23, 16))
    recipients = {addr for m in smtp_server.messages for addr in m["to"]}
    assert city.manager.email in recipients          # the unit's manager
    assert city.security.email in recipients         # the district's coordinator
    assert city.head_north.email in recipients       # the next manager up
    assert city.manager_south.email not in recipients
    assert city.employee.email not in recipients
    assert sent == len(smtp_server.messages)


def test_running_twice_sends_nothing_new(city, friday_report, smtp_server):
    first = send_from("cases", at(2026, 11, 23, 16))
    assert first > 0
    assert send_from("cases", at(2026, 11, 23, 16, 5)) == 0
    assert len(smtp_server.messages) == first


def test_emails_contain_no_case_text_or_reporter(city, friday_report, smtp_server):
    send_from("cases", at(2026, 11, 23, 16))
    for message in smtp_server.messages:
        assert "HEMLIG-TEXT" not in message["raw"]
        assert "Employee" not in message["raw"]
        assert friday_report.reference in message["body"]
        assert f"/arenden/{friday_report.pk}/" in message["body"]


def test_acknowledged_case_stops_reminders(city, friday_report, smtp_server):
    workflow.acknowledge(city.manager, friday_report.pk, friday_report.version)
    smtp_server.messages.clear()
    send_from("cases", at(2026, 11, 23, 16))
    assert not [m for m in smtp_server.messages if friday_report.reference in m["body"]]


def test_bypassed_case_does_not_escalate_to_managers(city, smtp_server):
    inc = incident(city.north_a, reporter=city.colleague, source="intern", days_ago=10)
    send_from("cases", inc.ack_due_at + timedelta(hours=1))
    recipients = {addr for m in smtp_server.messages for addr in m["to"]}
    assert city.security.email in recipients and city.hr.email in recipients
    assert city.manager.email not in recipients and city.head_north.email not in recipients


def test_action_due_and_overdue_reminders_once_each(city, smtp_server):
    action = workflow.add_action(city.manager, city.named.pk, title="Byt lås", owner=city.security,
                                 due_date=at(2026, 11, 25, 0).date())
    smtp_server.messages.clear()
    SentReminder.objects.all().delete()
    Incident.unscoped.update(status="acknowledged")  # only the action is due
    send_from("cases", at(2026, 11, 24, 9))
    assert not smtp_server.to(city.security.email)
    send_from("cases", at(2026, 11, 25, 9))
    assert "ska vara klar i dag" in smtp_server.to(city.security.email)[0]["body"]
    send_from("cases", at(2026, 11, 26, 9))
    send_from("cases", at(2026, 11, 27, 9))
    bodies = [m["body"] for m in smtp_server.to(city.security.email)]
    assert len(bodies) == 2 and "försenad" in bodies[1]
    assert "Byt lås" not in "".join(bodies)
    assert action.pk


def test_serious_incident_clock(city, smtp_server):
    Incident.unscoped.update(status="closed")
    inc = incident(city.north_a, reporter=city.employee, forms=("vald",), days_ago=0)
    Incident.unscoped.filter(pk=inc.pk).update(status="acknowledged")
    send_from("cases", inc.reported_at + timedelta(hours=1))
    running = [m for m in smtp_server.messages if "allvarligt tillbud" in m["body"]]
    assert running and all("senast" in m["body"] for m in running)
    send_from("cases", inc.reported_at + timedelta(hours=25))
    late = [m for m in smtp_server.messages if "har gått ut" in m["body"]]
    assert late
    workflow.update_checklist_item(city.manager, inc.pk, "work_env_authority", state="not_applicable",
                                   note="Bedömt som ej allvarligt efter samtal")
    before = len(smtp_server.messages)
    send_from("cases", inc.reported_at + timedelta(hours=30))
    assert len(smtp_server.messages) == before


def test_many_reminders_become_one_digest(city, smtp_server):
    for i in range(5):
        incident(city.north_a, reporter=city.employee, days_ago=10 + i)
    send_from("cases", at(2026, 12, 30, 12))
    to_manager = smtp_server.to(city.manager.email)
    assert len(to_manager) == 1
    assert "sammanställning" in to_manager[0]["subject"]


def test_command_runs_every_kind_of_reminder(city, friday_report, smtp_server, capsys):
    call_command("run_reminders")
    out = capsys.readouterr().out
    assert "cases:" in out and "knowledge:" in out and "cycle:" in out


def test_the_24_hour_clock_runs_on_even_when_another_checklist_item_is_settled(city, smtp_server):
    Incident.unscoped.update(status="closed")
    inc = incident(city.north_a, reporter=city.employee, forms=("vald",), days_ago=0)
    workflow.acknowledge(city.manager, inc.pk, inc.version)  # creates the checklist
    inc.refresh_from_db()
    assert inc.checklist.filter(state="not_applicable").exists()  # work injury: nobody was hurt
    smtp_server.messages.clear()
    send_from("cases", inc.reported_at + timedelta(hours=25))
    assert [m for m in smtp_server.messages if "har gått ut" in m["body"]]


def test_an_overdue_acknowledgement_reaches_the_coordinator_once(city, friday_report, smtp_server):
    send_from("cases", at(2026, 11, 23, 16))
    about_it = [m for m in smtp_server.to(city.security.email) if friday_report.reference in m["body"]]
    assert len(about_it) == 1


def test_more_than_three_reminders_in_a_day_come_as_a_digest_even_across_runs(city, smtp_server):
    Incident.unscoped.update(status="closed")
    cases = [incident(city.north_a, reporter=city.employee, days_ago=10 + i) for i in range(5)]
    for inc in cases:
        Incident.unscoped.filter(pk=inc.pk).update(ack_due_at=at(2026, 12, 29, 8))
    rest = cases[3:]  # the first three fall due at 08:00, these two at 11:00
    Incident.unscoped.filter(pk__in=[c.pk for c in rest]).update(ack_due_at=at(2026, 12, 29, 11))
    send_from("cases", at(2026, 12, 29, 9))
    assert len(smtp_server.to(city.manager.email)) == 3  # three separate reminders
    send_from("cases", at(2026, 12, 29, 12))
    to_manager = smtp_server.to(city.manager.email)
    assert len(to_manager) == 4 and "sammanställning" in to_manager[-1]["subject"]
    assert all(c.reference in to_manager[-1]["body"] for c in rest)

"""The reporter is kept informed (issue 17): an e-mail when the report has
come in, when it is received, written to and closed, never with content;
the same progress on their page and on the receipt-code page; and the
feedback clock that reminds the handlers when the reporter has heard
nothing for three months. Real SMTP server, real database."""
import functools
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from casework import workflow
from incidents.models import ChecklistItem, Incident, InfluenceForm, Source
from notifications.reminders import send_from
from reporting import services as reporting
from reporting import thread
from tests.factories import incident as make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """A test runs in one transaction that never commits: `commit(work)`
    runs what would have run at the commit (the e-mails of a report or a
    message) once `work` is done."""
    def run(work):
        with django_capture_on_commit_callbacks(execute=True):
            return work()
    return run


def report(city, reporter, commit=None, **overrides):
    values = {
        "unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=2),
        "description": "HEMLIG-TEXT: brukaren hotade mig i receptionen.",
        "forms": InfluenceForm.objects.filter(code="hot"), "identity_mode": Incident.IdentityMode.NAMED,
        "source": Source.objects.get(code="brukare"),
    }
    values.update(overrides)
    work = functools.partial(reporting.create_report, reporter=reporter, data=values, token=uuid.uuid4())
    return commit(work) if commit else work()


def test_the_reporter_is_told_the_report_has_come_in(city, smtp_server, commit):
    receipt = report(city, city.employee, commit)
    to_reporter = smtp_server.to(city.employee.email)
    assert len(to_reporter) == 1
    assert "har kommit in" in to_reporter[0]["body"] and receipt.incident.reference in to_reporter[0]["body"]
    assert f"/mina-rapporter/{receipt.incident.pk}/" in to_reporter[0]["body"]
    for message in smtp_server.messages:
        assert "HEMLIG-TEXT" not in message["raw"]


def test_an_anonymous_report_e_mails_nobody_about_the_reporter(city, smtp_server, commit):
    """Filed by a logged-in employee who chose anonymous: no e-mail may reach them."""
    report(city, city.employee, commit, identity_mode=Incident.IdentityMode.ANONYMOUS)
    assert smtp_server.to(city.employee.email) == []
    report(city, AnonymousUser(), commit, identity_mode=Incident.IdentityMode.ANONYMOUS)
    assert smtp_server.to(city.employee.email) == []
    assert smtp_server.messages  # the handlers were told


def test_the_reporter_hears_of_each_step_and_sees_the_outcome(login, city, smtp_server, commit):
    inc = report(city, city.employee, commit).incident
    workflow.acknowledge(city.manager, inc.pk, inc.version)
    commit(lambda: thread.post_message(Incident.unscoped.get(pk=inc.pk), body="Jag ringer dig i morgon.",
                                       author=city.manager, by_reporter=False))
    inc = Incident.unscoped.get(pk=inc.pk)
    for item in workflow.checklist(inc):
        if item.state == ChecklistItem.State.OPEN:
            workflow.update_checklist_item(city.manager, inc.pk, item.code,
                                           state=ChecklistItem.State.NOT_APPLICABLE, note="Ej aktuellt")
    inc = Incident.unscoped.get(pk=inc.pk)
    workflow.resolve(city.manager, inc.pk, inc.version)
    workflow.close(city.manager, inc.pk, inc.version + 1, "Brukaren har fått en ny handläggare.")
    subjects = [m["subject"] for m in smtp_server.to(city.employee.email)]
    assert subjects == ["Värn: din rapport har kommit in", "Värn: din rapport har fått ny status",
                        "Värn: nytt meddelande om din rapport", "Värn: din rapport har fått ny status"]
    for message in smtp_server.to(city.employee.email):
        assert "HEMLIG-TEXT" not in message["raw"] and "ny handläggare" not in message["raw"]
    page = login(city.employee).get(reverse("reporting:mine_detail", args=[inc.pk])).content.decode()
    assert "Mottagen av en handläggare" in page and "Brukaren har fått en ny handläggare." in page
    assert "Avslutad" in page


def test_the_anonymous_reporter_sees_the_same_progress_by_code(client, city):
    receipt = report(city, AnonymousUser(), identity_mode=Incident.IdentityMode.ANONYMOUS)
    inc = receipt.incident
    workflow.acknowledge(city.manager, inc.pk, inc.version)
    page = client.post(reverse("reporting:followup"), {"code": receipt.code}).content.decode()
    assert "Mottagen av en handläggare" in page and "Så går det med rapporten" in page


# --- the feedback clock ------------------------------------------------------------------

@pytest.fixture
def old_case(city):
    """A case reported three months and a day ago, acknowledged, never written to."""
    Incident.unscoped.update(status="closed")
    inc = make_incident(city.north_a, reporter=city.employee, description="HEMLIG-TEXT",
                        status=Incident.Status.ACKNOWLEDGED, days_ago=0)
    when = timezone.now() - timedelta(days=93)
    Incident.unscoped.filter(pk=inc.pk).update(reported_at=when, occurred_at=when, assigned_to=city.manager)
    return Incident.unscoped.get(pk=inc.pk)


def test_the_handler_is_reminded_once_when_the_reporter_has_heard_nothing(city, old_case, smtp_server):
    assert send_from("cases") == 1
    assert smtp_server.messages[0]["to"] == [city.manager.email]
    assert "återkoppling" in smtp_server.messages[0]["body"] and "HEMLIG-TEXT" not in smtp_server.messages[0]["raw"]
    assert send_from("cases") == 0


def test_a_message_to_the_reporter_stops_the_feedback_clock(city, old_case, smtp_server):
    thread.post_message(old_case, body="Vi arbetar med ärendet.", author=city.manager, by_reporter=False)
    smtp_server.messages.clear()
    assert send_from("cases") == 0


def test_the_feedback_clock_waits_three_months(city, old_case, smtp_server):
    Incident.unscoped.filter(pk=old_case.pk).update(reported_at=timezone.now() - timedelta(days=80))
    assert send_from("cases") == 0


def test_the_case_page_shows_the_feedback_deadline_until_the_reporter_is_told(login, city, old_case):
    client = login(city.manager)
    url = reverse("casework:detail", args=[old_case.pk])
    assert "Rapportören har inte fått någon återkoppling än" in client.get(url).content.decode()
    thread.post_message(old_case, body="Vi arbetar med ärendet.", author=city.manager, by_reporter=False)
    assert "Rapportören har inte fått någon återkoppling än" not in client.get(url).content.decode()

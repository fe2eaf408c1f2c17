"""The outbox (notifications/outbox.py): a new report's notices are stored
with the report and sent after it, by the process that took the report or
by the sender (VARN_MAIL_WORKER), retried when the mail server is down and
never sent twice by two senders at once."""
import logging
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import ChecklistItem, Incident, InfluenceForm, Source
from notifications import outbox
from notifications.models import QueuedMail
from reporting import services
from tests.reporting.test_reporting_views import REPORT, shown

pytestmark = pytest.mark.django_db
SAFETY_REP = ChecklistItem.Code.SAFETY_REP


def report_data(city):
    return {"unit": city.north_a, "occurred_at": timezone.now() - timedelta(hours=1),
            "description": "Brukaren sa att hen vet var jag bor.",
            "forms": InfluenceForm.objects.filter(code="hot"),
            "identity_mode": Incident.IdentityMode.NAMED, "source": Source.objects.get(code="brukare")}


def recipients_of(city):
    """A client's threat in the north unit goes to its manager and the
    district's coordinator, for information to the safety representative,
    and the receipt to the reporter (not to HR: no bypass)."""
    return sorted([city.manager.email, city.security.email, city.safety.email, city.employee.email])


def test_a_report_sends_its_notices_after_the_response_and_leaves_the_queue_empty(
        city, login, smtp_server, django_capture_on_commit_callbacks):
    client = login(city.employee)
    values = shown(client, city)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REPORT, values)
    assert response.status_code == 302
    assert sorted(a for m in smtp_server.messages for a in m["to"]) == recipients_of(city)
    assert not QueuedMail.objects.exists()
    incident = Incident.unscoped.get(description__startswith="Brukaren sa:")
    assert incident.checklist.get(code=SAFETY_REP).state == ChecklistItem.State.DONE


def test_with_the_mail_worker_the_request_only_queues_and_the_sender_sends(
        city, login, smtp_server, settings, django_capture_on_commit_callbacks):
    settings.MAIL_WORKER = True
    client = login(city.employee)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(REPORT, shown(client, city)).status_code == 302
    incident = Incident.unscoped.get(description__startswith="Brukaren sa:")
    assert smtp_server.messages == []
    assert sorted(QueuedMail.objects.values_list("to", flat=True)) == recipients_of(city)
    # Nothing of the case in what waits: only its reference and a link.
    for row in QueuedMail.objects.all():
        assert "Brukaren" not in row.body and "vet var du bor" not in row.body and incident.reference in row.body
    # The safety representative is informed when the e-mail goes, not before.
    assert incident.checklist.get(code=SAFETY_REP).state == ChecklistItem.State.OPEN

    call_command("send_queued_mail", stdout=__import__("io").StringIO())
    assert sorted(a for m in smtp_server.messages for a in m["to"]) == recipients_of(city)
    assert not QueuedMail.objects.exists()
    item = incident.checklist.get(code=SAFETY_REP)
    assert item.state == ChecklistItem.State.DONE and "automatiskt" in item.note


def test_a_report_that_rolls_back_queues_nothing(city):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_report(reporter=city.employee, data=report_data(city), token=uuid.uuid4())
        assert QueuedMail.objects.count() == 4
        raise RuntimeError("the request failed after filing")
    assert not QueuedMail.objects.exists()


def test_a_mail_server_that_is_down_keeps_the_e_mails_and_they_go_later(
        city, smtp_server, settings, caplog):
    services.create_report(reporter=city.employee, data=report_data(city), token=uuid.uuid4())
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = 9, 1   # nothing listens there
    now = timezone.now()
    with caplog.at_level(logging.ERROR, logger="notifications.outbox"):
        assert outbox.drain(now=now) == 0
    assert "4 e-mails wait in the queue" in caplog.text
    assert set(QueuedMail.objects.values_list("attempts", flat=True)) == {1}
    assert all(abs((r.next_try_at - now).total_seconds() - 30) < 1 for r in QueuedMail.objects.all())

    settings.EMAIL_PORT = good_port
    # Not due yet: the timer a minute early sends nothing.
    assert outbox.drain(now=now + timedelta(seconds=10)) == 0 and smtp_server.messages == []
    assert outbox.drain(now=now + timedelta(seconds=31)) == 4
    assert len(smtp_server.messages) == 4 and not QueuedMail.objects.exists()
    incident = Incident.unscoped.get(description__startswith="Brukaren sa att")
    assert incident.checklist.get(code=SAFETY_REP).state == ChecklistItem.State.DONE


def test_the_delay_grows_and_an_e_mail_untaken_for_a_week_is_given_up(city, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    now = timezone.now()
    old = QueuedMail.objects.create(to="a@example.se", subject="s", body="b", attempts=3,
                                    queued_at=now - timedelta(days=8), next_try_at=now)
    young = QueuedMail.objects.create(to="b@example.se", subject="s", body="b", attempts=3,
                                      queued_at=now - timedelta(days=1), next_try_at=now)
    with caplog.at_level(logging.ERROR, logger="notifications.outbox"):
        outbox.drain(now=now)
    assert "Gave up 1 e-mails" in caplog.text
    assert not QueuedMail.objects.filter(pk=old.pk).exists()
    young.refresh_from_db()
    assert young.attempts == 4 and young.next_try_at == now + timedelta(seconds=outbox.RETRY_DELAYS[3])


def test_the_timer_sends_what_a_failure_left(city, smtp_server):
    QueuedMail.objects.create(to="left@example.se", subject="Värn: en ny rapport", body="b",
                              next_try_at=timezone.now() - timedelta(minutes=1))
    out = __import__("io").StringIO()
    call_command("run_reminders", stdout=out)
    assert "outbox: 1" in out.getvalue()
    assert len(smtp_server.to("left@example.se")) == 1 and not QueuedMail.objects.exists()


def test_work_asked_for_twice_in_one_request_runs_once_after_it():
    """notifications.mail.after_response runs the same function once per
    request: a report queues three groups of notices, and the outbox is
    drained once."""
    from django.core.signals import request_finished, request_started

    from notifications.mail import after_response

    ran = []

    def work():
        ran.append(1)

    request_started.send(sender=None)
    after_response(work)
    after_response(work)
    request_finished.send(sender=None)
    assert ran == [1]


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_e_mail_once(city, smtp_server):
    """Each batch is claimed with SKIP LOCKED: two senders draining the same
    queue at the same moment share it out between them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions: run the suite on PostgreSQL (DATABASE_URL=postgresql://…)")
    QueuedMail.objects.bulk_create([QueuedMail(to=f"p{n}@example.se", subject="s", body="b") for n in range(60)])
    start = threading.Barrier(2)
    counts, errors = [], []

    def sender():
        try:
            start.wait(timeout=10)
            counts.append(outbox.drain(batch=5))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and sum(counts) == 60
    addresses = [a for m in smtp_server.messages for a in m["to"]]
    assert sorted(addresses) == sorted(f"p{n}@example.se" for n in range(60))
    assert not QueuedMail.objects.exists()


def test_the_case_page_link_in_a_queued_notice_points_into_varn(city, settings):
    settings.MAIL_WORKER = True
    incident = services.create_report(reporter=city.employee, data=report_data(city), token=uuid.uuid4()).incident
    link = settings.BASE_URL.rstrip("/") + reverse("casework:detail", args=[incident.pk])
    assert QueuedMail.objects.filter(to=city.manager.email, body__contains=link).exists()

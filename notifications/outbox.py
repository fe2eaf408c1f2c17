"""The outbox: notices stored with what they tell about, sent by a sender.

queue() writes one QueuedMail row per recipient in the caller's transaction:
a report that is committed has its notices, and one that rolls back has
none. drain() sends what is due over one connection to the mail server and
deletes each row the server took; a row the server did not take is tried
again later (RETRY_DELAYS), and dropped with a logged error after MAX_AGE.

Who drains:
  - by default the process that queued, once the user has their answer
    (notifications.mail.after_response), as before the outbox;
  - with VARN_MAIL_WORKER=1 the sender (`manage.py send_queued_mail --loop`,
    README), so that a rush of reports does not spend the web workers' time
    on the mail server: the intake only inserts the rows;
  - and in both cases every run of the timer (run_reminders), which sends
    what an earlier failure left.

Concurrent drains never send one row twice on PostgreSQL: a batch is
claimed with SELECT ... FOR UPDATE SKIP LOCKED (SQLite serialises writers).
A crash after the mail server took a message and before its row was
deleted sends it again: at least once, never lost.
"""
import logging
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from notifications.mail import addresses_of, after_response, notice_body
from notifications.models import QueuedMail

logger = logging.getLogger(__name__)

BATCH = 100
# Seconds before the next attempt after the 1st, 2nd, ... failure (then the last, again).
RETRY_DELAYS = (30, 120, 600, 1800, 3600)
MAX_AGE = timedelta(days=7)


def letters(users, subject: str, text: str, path: str, *, about_a_case: bool = True,
            then: str = "", then_arg: str = "") -> list[QueuedMail]:
    """`text` with a link to `path` for each active user with an address
    (as notifications.mail.send_notice words it), not saved yet: queue()
    saves them. `then`: a dotted path to a function called as
    f(then_arg, sent) once they are sent."""
    addresses = addresses_of(users)
    if not addresses:
        return []
    body = notice_body(text, path, about_a_case=about_a_case)
    return [QueuedMail(to=a, subject=subject, body=body, then=then, then_arg=str(then_arg)) for a in addresses]


def queue(*groups: list[QueuedMail]) -> int:
    """Save letters() in the caller's transaction, in one statement, and
    after commit have them sent (see the module's docstring). Returns the
    number queued."""
    rows = [row for group in groups for row in group]
    if rows:
        QueuedMail.objects.bulk_create(rows)
        transaction.on_commit(_kick)
    return len(rows)


def _kick():
    if not settings.MAIL_WORKER:
        after_response(drain)


def drain(*, now=None, batch: int = BATCH) -> int:
    """Send every queued e-mail that is due, in batches; returns the number
    sent. Stops at the first batch the mail server did not fully take (the
    rest is tried again after its delay)."""
    now = now or timezone.now()
    sent = 0
    while True:
        done, failed = _one_batch(now, batch)
        sent += done
        if failed or done < batch:
            return sent


def _one_batch(now, batch: int) -> tuple[int, bool]:
    with transaction.atomic():
        rows = list(QueuedMail.objects.select_for_update(skip_locked=True)
                    .filter(next_try_at__lte=now).order_by("pk")[:batch])
        if not rows:
            return 0, False
        taken, failed = _send(rows)
        QueuedMail.objects.filter(pk__in=[row.pk for row in taken]).delete()
        stale = [row for row in failed if now - row.queued_at > MAX_AGE]
        if stale:
            logger.error("Gave up %d e-mails the mail server has not taken in %s days",
                         len(stale), MAX_AGE.days)
            QueuedMail.objects.filter(pk__in=[row.pk for row in stale]).delete()
        retry = [row for row in failed if row not in stale]
        for row in retry:
            row.attempts += 1
            row.next_try_at = now + timedelta(seconds=RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1])
        QueuedMail.objects.bulk_update(retry, ["attempts", "next_try_at"])
        _afterwards(taken)
    return len(taken), bool(failed)


def _send(rows) -> tuple[list, list]:
    """(taken, failed): each row sent on its own over one connection, so
    that one refused address does not hold back the others."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.exception("Could not connect to the mail server; %d e-mails wait in the queue", len(rows))
        return [], rows
    taken, failed = [], []
    try:
        for row in rows:
            try:
                ok = connection.send_messages([EmailMessage(subject=row.subject, body=row.body, to=[row.to])])
            except Exception:
                logger.exception("The mail server did not take a queued e-mail")
                ok = 0
            (taken if ok else failed).append(row)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Could not close the connection to the mail server")
    return taken, failed


def _afterwards(taken) -> None:
    """Call each sent group's `then` once with its count."""
    groups: dict[tuple[str, str], int] = {}
    for row in taken:
        if row.then:
            groups[(row.then, row.then_arg)] = groups.get((row.then, row.then_arg), 0) + 1
    for (then, arg), count in groups.items():
        module, _, name = then.rpartition(".")
        try:
            getattr(import_module(module), name)(arg, count)
        except Exception:   # the e-mails are sent; only the follow-up record is missing
            logger.exception("The follow-up %s of sent e-mails failed", then)

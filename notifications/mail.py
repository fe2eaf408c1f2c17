"""Sending e-mail from Värn. One e-mail per recipient (recipients never see
each other), in the installation's language, with a link into Värn.

A notice about a case says only that something needs attention and where
to look: never the description, the reporter or any other content, because
e-mail leaves the system's access control and audit log. Sending failures
are logged (without content) and never break the action that caused them.
"""
import logging
import threading

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.signals import request_finished, request_started
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def addresses_of(users) -> list[str]:
    """The distinct addresses of the active users among `users`, sorted."""
    return sorted({u.email for u in users if getattr(u, "email", "") and u.is_active})


def notice_body(text: str, path: str, *, about_a_case: bool = True) -> str:
    """A notice's text: `text`, the link to `path` and, about a case, why it
    says nothing of the case's content."""
    with translation.override(settings.LANGUAGE_CODE):
        parts = [text, absolute(path)] if path else [text]
        if about_a_case:
            parts.append(_("Av sekretesskäl står inget om ärendets innehåll i det här meddelandet. "
                           "Logga in i Värn för att läsa."))
        return "\n\n".join(parts)


def send_notice(users, subject: str, text: str, path: str, *, about_a_case: bool = True) -> int:
    """Send `text` and a link to `path` to each active user with an address.
    A notice about a case ends by saying why it holds no content. Returns
    the number of e-mails sent (0 when the mail server is down)."""
    addresses = addresses_of(users)
    if not addresses:
        return 0
    body = notice_body(text, path, about_a_case=about_a_case)
    messages = [EmailMessage(subject=subject, body=body, to=[a]) for a in addresses]
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # the mail server is down: what caused the notice is safe in the database
        logger.exception("Could not send notification e-mail about %s", path)
        return 0


# --- after the response ---------------------------------------------------------------

_waiting = threading.local()


def after_response(work) -> None:
    """Run `work()` once the answer has gone to the user, so that talking to
    the mail server is no part of their wait: inside a request, when Django
    has handed the response to the server (request_finished); anywhere else
    (a command, the timer, a test calling a service), at once. A failure is
    logged and never reaches the user, like a mail server that is down."""
    queue = getattr(_waiting, "queue", None)
    if queue is None:
        _run(work)
    elif work not in queue:   # the same function twice (the outbox's drain) runs once
        queue.append(work)


def _run(work) -> None:
    try:
        work()
    except Exception:  # the request's own work is committed; only the notice is lost
        logger.exception("Could not send a notification after the response")


def _request_started(**kwargs):
    _waiting.queue = []


def _request_finished(**kwargs):
    queue, _waiting.queue = getattr(_waiting, "queue", None), None
    # A database connection the work opens after Django closed the
    # request's is checked, like any, when the next request starts.
    for work in queue or ():
        _run(work)


request_started.connect(_request_started, dispatch_uid="notifications-after-response-start")
request_finished.connect(_request_finished, dispatch_uid="notifications-after-response-finish")

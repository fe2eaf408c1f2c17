"""The message thread between a reporter (named, confidential or anonymous by
receipt code) and the case's handlers."""
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.log import ANONYMOUS_REPORTER, record
from incidents import access, notify
from incidents.models import Incident, Message
from incidents.routing import route
from notifications.mail import after_response

ANONYMOUS = Incident.IdentityMode.ANONYMOUS


def post_message(incident: Incident, *, body: str, author=None, by_reporter: bool) -> Message:
    """Add a message to the case's thread.

    Side effects: the message; a "message.create" audit entry with the text
    (actor "anonym rapportör" and no user when the anonymous reporter writes);
    after commit an e-mail without content to the other side: the reporter
    when a handler writes (if the reporter has a known address), the
    assigned handler or else the report's handlers when the reporter writes.
    """
    anonymous = by_reporter and incident.identity_mode == ANONYMOUS
    with transaction.atomic():
        message = Message.objects.create(incident=incident, body=body, by_reporter=by_reporter,
                                         author=None if anonymous else author)
        record(None if anonymous else author, "message.create", message, incident=incident,
               changes={"body": [None, body], "by_reporter": [None, by_reporter]},
               actor_label=ANONYMOUS_REPORTER if anonymous else "")
        if by_reporter:
            transaction.on_commit(lambda: after_response(lambda: notify.reply_to_handlers(message, _thread_handlers(incident))))
        else:
            transaction.on_commit(lambda: after_response(lambda: notify.reply_to_reporter(message)))
    return message


def _thread_handlers(incident: Incident) -> list:
    if incident.assigned_to_id and access.can_handle(incident.assigned_to, incident):
        return [incident.assigned_to]
    return route(incident).handlers


def message_label(message: Message, viewer, incident: Incident, *, viewer_is_reporter: bool) -> str:
    """Who wrote a message, as the viewer may know it: the confidential or
    anonymous reporter stays "Rapportören" to everyone who may not identify them."""
    if message.by_reporter:
        if viewer_is_reporter:
            return _("Du")
        if message.author_id and access.can_identify(viewer, incident):
            return _("%(name)s (rapportör)") % {"name": message.author}
        return _("Rapportören")
    if viewer is not None and getattr(viewer, "pk", None) == message.author_id:
        return _("Du")
    return _("%(name)s (handläggare)") % {"name": message.author}


def thread_context(viewer, incident: Incident, *, form=None, viewer_is_reporter=False,
                   action: str = "", code: str = "") -> dict:
    """Context for reporting/_thread.html: the messages labelled for the viewer,
    whether the viewer may write, and where the form posts to."""
    from reporting.forms import MessageForm

    viewer_is_reporter = viewer_is_reporter or bool(
        viewer is not None and incident.reporter_id and getattr(viewer, "pk", None) == incident.reporter_id)
    if viewer_is_reporter:
        can_post = True
    else:
        can_post = access.can_handle(viewer, incident)
    messages = list(incident.messages.select_related("author"))
    return {
        "thread": [
            {"message": m, "label": message_label(m, viewer, incident, viewer_is_reporter=viewer_is_reporter),
             "own": m.by_reporter if viewer_is_reporter
             else (not m.by_reporter and m.author_id == getattr(viewer, "pk", None))}
            for m in messages
        ],
        "thread_form": form or MessageForm(),
        "thread_can_post": can_post,
        "thread_action": action or reverse("casework:message_post", args=[incident.pk]),
        "thread_code": code,
        "thread_for_reporter": viewer_is_reporter,
        "attachments": list(incident.attachments.all()),
    }

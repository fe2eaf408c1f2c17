"""E-mail notifications about cases, sent through notifications.mail (a new
report's through its outbox, notifications.outbox).

An e-mail says only that something needs attention and where to look: never
the description, the reporter, the forms of influence or any other content of
the case, because e-mail leaves the system's access control and audit log.
Sending failures are logged (without content) and never break the action
that caused them.
"""
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from incidents.checklist import safety_rep_informed
from incidents.models import Incident
from notifications.mail import send_notice
from notifications.outbox import letters, queue


def filed(incident, routing) -> int:
    """A report was filed: notices to its handlers and, for information, its
    safety representative, and the reporter's receipt, queued in the
    filing's transaction in one statement (notifications.outbox) and sent
    after it. Returns the number queued."""
    return queue(*new_report(incident, routing), received_to_reporter(incident))


def new_report(incident, routing) -> tuple[list, list]:
    """The letters telling the report's handlers, and for information the
    safety representative, that a new report has arrived. Once the e-mail has
    reached a safety representative, the checklist item "Skyddsombudet
    informerat" is marked done by the system (safety_rep_sent)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("casework:detail", args=[incident.pk])
        handlers = letters(
            routing.handlers,
            _("Värn: en ny rapport behöver din uppmärksamhet"),
            _("En ny rapport (%(ref)s) har kommit in till Värn och behöver din uppmärksamhet.") % {"ref": incident.reference},
            path,
        )
        # The e-mail is the safety representative's information: the
        # checklist records it when it has gone out, so that no handler has to.
        informed = letters(
            routing.informed,
            _("Värn: en ny rapport i ditt skyddsområde"),
            _("En ny rapport (%(ref)s) har kommit in i ditt skyddsområde. Du får detta för kännedom.") % {"ref": incident.reference},
            path, then="incidents.notify.safety_rep_sent", then_arg=incident.pk,
        )
    return handlers, informed


def safety_rep_sent(incident_pk: str, count: int) -> None:
    """The outbox sent `count` e-mails to the safety representatives of this
    report: incidents.checklist.safety_rep_informed."""
    # Unscoped: the system records its own e-mail on the case; nothing is shown.
    incident = Incident.unscoped.filter(pk=int(incident_pk)).first()
    if incident is not None:
        safety_rep_informed(incident, count)


def received_to_reporter(incident) -> list:
    """The letter telling a named or confidential reporter that their report
    has arrived (the receipt, as the whistleblowing act's norm asks).
    Anonymous reporters have their receipt code and the receipt page."""
    if incident.reporter_id is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        # Registered on the employee's behalf: say that someone did, not what.
        on_behalf = _("Någon har registrerat rapporten åt dig efter att ni har talats vid. Se vem under Mina "
                      "rapporter, och hör av dig till säkerhetssamordnaren om du inte har bett om det. ")
        return letters(
            [incident.reporter],
            _("Värn: en rapport har registrerats åt dig") if incident.registered_by_id else
            _("Värn: din rapport har kommit in"),
            (on_behalf if incident.registered_by_id else "")
            + _("Din rapport %(ref)s har kommit in till Värn. Du får e-post när den har tagits emot, när någon "
                "skriver till dig och när ärendet avslutas.") % {"ref": incident.reference},
            reverse("reporting:mine_detail", args=[incident.pk]),
        )


def reply_to_reporter(message) -> int:
    """Tell a named or confidential reporter that a handler has written."""
    incident = message.incident
    if incident.reporter_id is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return send_notice(
            [incident.reporter],
            _("Värn: nytt meddelande om din rapport"),
            _("Du har fått ett nytt meddelande om din rapport %(ref)s.") % {"ref": incident.reference},
            reverse("reporting:mine_detail", args=[incident.pk]),
        )


def reply_to_handlers(message, handlers) -> int:
    """Tell the case's handlers that the reporter has written."""
    incident = message.incident
    with translation.override(settings.LANGUAGE_CODE):
        return send_notice(
            handlers,
            _("Värn: nytt meddelande i ett ärende"),
            _("Rapportören har skrivit ett nytt meddelande i ärende %(ref)s.") % {"ref": incident.reference},
            reverse("casework:detail", args=[incident.pk]) + "#meddelanden",
        )


def status_to_reporter(incident) -> int:
    """Tell a named or confidential reporter that their case moved on
    (acknowledged, closed, reopened). Anonymous reporters check with their code."""
    if incident.reporter_id is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        return send_notice(
            [incident.reporter],
            _("Värn: din rapport har fått ny status"),
            _("Din rapport %(ref)s har nu status: %(status)s.") % {
                "ref": incident.reference, "status": incident.get_status_display().lower()},
            reverse("reporting:mine_detail", args=[incident.pk]),
        )


def assigned(incident, handler) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return send_notice(
            [handler],
            _("Värn: ett ärende har tilldelats dig"),
            _("Ärende %(ref)s har tilldelats dig.") % {"ref": incident.reference},
            reverse("casework:detail", args=[incident.pk]),
        )


def action_assigned(action) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return send_notice(
            [action.owner],
            _("Värn: du har fått en åtgärd"),
            _("Du är ansvarig för en åtgärd i ärende %(ref)s, klar senast %(due)s.") % {
                "ref": action.incident.reference, "due": action.due_date.isoformat()},
            reverse("casework:detail", args=[action.incident_id]) + "#atgarder",
        )

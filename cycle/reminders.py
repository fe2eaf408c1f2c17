"""E-mail reminders for the annual cycle.

send_due(now) e-mails the owner of each open occurrence once when it falls
due within DUE_SOON_DAYS days and once when it is overdue. A duty whose owner
cannot be reached (none, deactivated, no e-mail address) is not forgotten:
the node's nearest HR and security coordinators get the reminder instead. What was sent is
stored (ReminderSent, unique per occurrence and kind), so running the command
twice, or from two machines at once, sends nothing twice. The e-mail holds
the duty's title, its due date and a link; nothing else.

Called from the global reminder command on a timer; `now` is a parameter so
that tests can move the clock.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cycle.models import DUE_SOON_DAYS, DutyOccurrence, ReminderSent
from cycle.services import occurrence_url, prepare_years
from organisation.models import Role
from organisation.tree import nearest_holders

log = logging.getLogger(__name__)


def _reachable(user) -> bool:
    return bool(user and user.is_active and user.email)


def recipients(occurrence: DutyOccurrence) -> list:
    """The owner, or when the owner cannot be reached, the nearest HR and
    security coordinators of the duty's node."""
    owner = occurrence.duty.owner
    if _reachable(owner):
        return [owner]
    node = occurrence.duty.node
    people = nearest_holders(node, Role.HR) + nearest_holders(node, Role.SECURITY_COORDINATOR)
    return [u for u in dict.fromkeys(people) if _reachable(u)]


def _message(occurrence: DutyOccurrence, kind: str, to_owner: bool = True) -> tuple[str, str]:
    due = date_format(occurrence.due_date, "j F Y")
    link = settings.BASE_URL.rstrip("/") + occurrence_url(occurrence)
    if kind == ReminderSent.Kind.OVERDUE:
        subject = _("Värn: försenad uppgift i årshjulet – %(title)s") % {"title": occurrence.duty.title}
        lead = (_("En uppgift i årshjulet som du är ansvarig för är försenad.") if to_owner else
                _("En uppgift i årshjulet i ditt ansvarsområde är försenad och har ingen ansvarig som nås."))
    else:
        subject = _("Värn: uppgift i årshjulet förfaller %(due)s") % {"due": due}
        lead = (_("En uppgift i årshjulet som du är ansvarig för förfaller snart.") if to_owner else
                _("En uppgift i årshjulet i ditt ansvarsområde förfaller snart och har ingen ansvarig som nås."))
    body = "\n".join([
        lead,
        "",
        _("Uppgift: %(title)s") % {"title": occurrence.duty.title},
        _("Förfaller: %(due)s") % {"due": due},
        "",
        _("Markera den som klar eller se detaljer här:"),
        link,
    ])
    return subject, body


def _candidates(today):
    base = (DutyOccurrence.objects
            .filter(status=DutyOccurrence.Status.OPEN, duty__active=True)
            .select_related("duty__owner", "duty__node")
            .order_by("due_date", "pk"))
    soon = base.filter(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
    overdue = base.filter(due_date__lt=today)
    return [
        (ReminderSent.Kind.DUE_SOON, soon.exclude(reminders__kind=ReminderSent.Kind.DUE_SOON)),
        (ReminderSent.Kind.OVERDUE, overdue.exclude(reminders__kind=ReminderSent.Kind.OVERDUE)),
    ]


def send_due(now=None) -> int:
    """Send the reminders that are due at `now`; return how many were sent.

    Side effects: first starts the year (cycle.services.prepare_years: this
    and next year's occurrences of active duties exist), so that reminders do
    not depend on anyone having opened a page; stores one ReminderSent per
    e-mail. An e-mail that fails to send is not recorded and is retried next
    run."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    prepare_years(today)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for kind, occurrences in _candidates(today):
            for occurrence in occurrences:
                people = recipients(occurrence)
                if not people:
                    continue
                try:
                    with transaction.atomic():
                        _, created = ReminderSent.objects.get_or_create(
                            occurrence=occurrence, kind=kind,
                            defaults={"recipient": people[0], "sent_at": now},
                        )
                        if not created:
                            continue
                        subject, body = _message(occurrence, kind, to_owner=people == [occurrence.duty.owner])
                        for person in people:  # one e-mail each: recipients never see each other
                            send_mail(subject, body, None, [person.email])
                except OSError:
                    # SMTP down: nothing was recorded, the next run tries again.
                    log.exception("cycle reminder for occurrence %s could not be sent", occurrence.pk)
                    continue
                sent += 1
    return sent

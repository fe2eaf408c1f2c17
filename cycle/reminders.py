"""Reminders of the annual cycle: which are due now.

The owner of each open occurrence is reminded once when it falls due within
DUE_SOON_DAYS days and once when it is overdue. A duty whose owner cannot be
reached (none, deactivated, no e-mail address) is not forgotten: the node's
nearest HR and security coordinators get the reminder instead. The e-mail
holds the duty's title, its due date and a link; nothing else.

notifications.reminders sends each once, by its key (kind, occurrence, due
date, recipient): a moved due date is a new key and is reminded again.
"""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cycle.models import DUE_SOON_DAYS, DutyOccurrence
from cycle.services import occurrence_url, prepare_years
from notifications.reminders import Due
from organisation.models import Role
from organisation.tree import nearest_holders

DUE_SOON, OVERDUE = "due_soon", "overdue"


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
    if kind == OVERDUE:
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
    ])
    return subject, body


def _candidates(today):
    base = (DutyOccurrence.objects
            .filter(status=DutyOccurrence.Status.OPEN, duty__active=True)
            .select_related("duty__owner", "duty__node")
            .order_by("due_date", "pk"))
    return [
        (DUE_SOON, base.filter(due_date__gte=today, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))),
        (OVERDUE, base.filter(due_date__lt=today)),
    ]


def due_reminders(now) -> list[Due]:
    """The cycle's reminders due at `now`.

    Side effects: first starts the year (cycle.services.prepare_years: this
    and next year's occurrences of active duties exist), so that reminders do
    not depend on anyone having opened a page."""
    today = timezone.localdate(now)
    prepare_years(today)
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for kind, occurrences in _candidates(today):
            for occurrence in occurrences:
                people = recipients(occurrence)
                subject, body = _message(occurrence, kind, to_owner=people == [occurrence.duty.owner])
                for person in people:
                    due.append(Due(f"cycle-{kind}:{occurrence.pk}:{occurrence.due_date}:{person.pk}", person,
                                   subject, body, occurrence_url(occurrence), about_a_case=False))
    return due

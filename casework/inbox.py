"""The handler's inbox: which cases wait on whom, built on the access module."""
import re

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from incidents import access
from incidents.models import Action, Incident

TABS = ("mina", "nya", "forsenade", "alla")


def base_queryset(user):
    """Handlers see what they may handle; safety representatives what they are informed of."""
    if user.has_role(*access.HANDLER_ROLES):
        return access.handleable_incidents(user)
    return access.visible_incidents(user).exclude(reporter=user)


def _open_action(user=None, overdue=False):
    # Correlated with the outer (already scoped) incident query.
    actions = Action.unscoped.filter(incident=OuterRef("pk"), status=Action.Status.OPEN)
    if user is not None:
        actions = actions.filter(owner=user)
    if overdue:
        actions = actions.filter(due_date__lt=timezone.localdate())
    return Exists(actions)


def tab_filter(tab: str, user) -> Q:
    now = timezone.now()
    not_closed = ~Q(status=Incident.Status.CLOSED)
    if tab == "nya":
        return Q(status=Incident.Status.NEW)
    if tab == "mina":
        return not_closed & (
            Q(assigned_to=user) | Q(assigned_to__isnull=True, status=Incident.Status.NEW) | _open_action(user)
        )
    if tab == "forsenade":
        return not_closed & (Q(status=Incident.Status.NEW, ack_due_at__lt=now) | _open_action(overdue=True))
    return Q()


# "V-000123", "v 123", "123": a case's reference, with or without the zeros.
REFERENCE = re.compile(r"^V?\s*-?\s*0*(\d{1,9})$", re.IGNORECASE)


def search(incidents, text: str):
    """Narrow an (already scoped) queryset of cases to those matching what
    was typed: the case's reference, or every word in the description, the
    place or the K-number. Never who reported: the reporter's name is not
    searchable, so a search reveals nothing a handler may not see."""
    text = " ".join((text or "").split())
    if not text:
        return incidents
    words = Q()
    for word in text.split(" "):
        words &= (Q(description__icontains=word) | Q(location__icontains=word)
                  | Q(police_reference__icontains=word))
    reference = REFERENCE.match(text)
    if reference:
        words |= Q(pk=int(reference.group(1)))
    return incidents.filter(words)


def counts(user) -> dict[str, int]:
    base = base_queryset(user)
    return {tab: base.filter(tab_filter(tab, user)).count() for tab in TABS}


def my_actions(user):
    """Open actions the user owns on cases they can still open."""
    return (access.rows_of(Action, access.visible_incidents(user)).filter(owner=user, status=Action.Status.OPEN)
            .select_related("incident").order_by("due_date"))

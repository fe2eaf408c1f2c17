"""Who may see and change the annual cycle and the training log.

The organisation scope of a role comes from incidents.access.covered_nodes,
the one place that decides which nodes a role assignment covers; this module
only says which roles count here. Default deny, and anything outside a
user's scope answers 404 so that its existence is not revealed.

- see a node's year view and training log: manager, security coordinator, HR,
  committee or administrator at the node or above;
- change a duty or mark an occurrence done: its owner, or a security
  coordinator, HR or administrator at the node or above;
- log training for a unit: a security coordinator, HR or administrator at the
  unit or above;
- add a duty, or create the standard duties of a district or the city: a
  security coordinator, HR or administrator at the node or above.

cycle.services asks these before every change; the views ask them only to
decide what to show.
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from cycle.models import Duty, DutyOccurrence, TrainingSession
from incidents import access
from organisation.models import OrgUnit, Role

VIEW_ROLES = (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR, Role.COMMITTEE, Role.ADMIN)
EDIT_ROLES = (Role.SECURITY_COORDINATOR, Role.HR, Role.ADMIN)
# The district's management: they see overdue duties of the nodes they cover.
MANAGEMENT_ROLES = (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def viewable_nodes(user):
    return access.covered_nodes(user, roles=VIEW_ROLES)


def editable_nodes(user):
    return access.covered_nodes(user, roles=EDIT_ROLES)


def may_use_cycle(user) -> bool:
    return _active(user) and user.has_role(*VIEW_ROLES)


def get_viewable_node(user, pk) -> OrgUnit:
    try:
        return viewable_nodes(user).get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_edit_node(user, node) -> bool:
    return editable_nodes(user).filter(pk=node.pk).exists()


def can_edit_duty(user, duty) -> bool:
    if not _active(user):
        return False
    return duty.owner_id == user.pk or can_edit_node(user, duty.node)


def visible_duties(user):
    """Duties at nodes the user covers, and the duties the user owns."""
    if not _active(user):
        return Duty.objects.none()
    return Duty.objects.filter(Q(node__in=viewable_nodes(user)) | Q(owner=user))


def _locked(qs, for_update: bool):
    # Only the row itself: PostgreSQL cannot lock the nullable side of a join.
    return qs.select_for_update(of=("self",)) if for_update else qs


def get_visible_occurrence(user, pk, *, for_update: bool = False) -> DutyOccurrence:
    try:
        qs = DutyOccurrence.objects.select_related("duty__node", "duty__owner", "done_by")
        return _locked(qs, for_update).get(pk=pk, duty__in=visible_duties(user))
    except (DutyOccurrence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_editable_occurrence(user, pk, *, for_update: bool = False) -> DutyOccurrence:
    """The occurrence if the user may mark it done or reopen it; 404 when the
    user cannot see it, PermissionDenied (403) when they see it only."""
    occurrence = get_visible_occurrence(user, pk, for_update=for_update)
    if not can_edit_duty(user, occurrence.duty):
        raise PermissionDenied
    return occurrence


def get_editable_duty(user, pk, *, for_update: bool = False) -> Duty:
    """The duty if the user may change it; 404 when the user cannot even see
    it, 403 (PermissionDenied) when they see it but may not change it."""
    try:
        duty = _locked(visible_duties(user).select_related("node", "owner"), for_update).get(pk=pk)
    except (Duty.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_edit_duty(user, duty):
        raise PermissionDenied
    return duty


def get_training_session(user, pk, *, for_update: bool = False) -> TrainingSession:
    try:
        qs = TrainingSession.objects.select_related("unit", "created_by")
        return _locked(qs, for_update).get(pk=pk, unit__in=viewable_nodes(user))
    except (TrainingSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_editable_training_session(user, pk, *, for_update: bool = False) -> TrainingSession:
    """The session if the user may change it: 404 outside the user's view,
    PermissionDenied (403) when they see it but may not log training there."""
    session = get_training_session(user, pk, for_update=for_update)
    if not can_edit_node(user, session.unit):
        raise PermissionDenied
    return session

"""Who may see and change the action plans.

The organisation scope of a role comes from incidents.access.covered_nodes
(the one place that decides which nodes an assignment covers); this module
says which roles count. Default deny; a plan outside a user's reach answers
404, one they may read but not change 403.

- read a plan in force (its approved versions): everyone whose work it
  governs (any assignment at or below the plan's node: staff, managers,
  safety representatives) and everyone who covers the node with a role
  (HR, security coordinator, manager above it, committee, analyst, auditor);
- read a draft: the editors and the district's management (HR, security
  coordinator, committee, or a manager at the plan's node or above);
- edit a draft: HR or the security coordinator at the node or above;
- approve a draft: HR at the node or above (HR owns the plan).

governance.plan asks these before every change; the views ask them only to
decide what to show.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404

from governance.models import ActionPlan, PlanVersion
from incidents import access
from organisation.models import OrgUnit, Role

EDIT_ROLES = (Role.HR, Role.SECURITY_COORDINATOR)
APPROVE_ROLES = (Role.HR,)
DRAFT_ROLES = (Role.HR, Role.SECURITY_COORDINATOR, Role.COMMITTEE, Role.MANAGER)
# The nodes that have a plan of their own.
PLAN_KINDS = (OrgUnit.Kind.CITY, OrgUnit.Kind.ADMINISTRATION)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _paths(user) -> list[str]:
    return [path for _role, path in user.assignment_rows()] if _active(user) else []


def may_read_plan_of(user, node) -> bool:
    """The node's plan in force governs the user's work or the user covers the node."""
    return any(path.startswith(node.path) or node.path.startswith(path) for path in _paths(user))


def readable_nodes(user) -> list[OrgUnit]:
    """The city and districts whose plans the user may read, city first."""
    if not _active(user):
        return []
    nodes = OrgUnit.objects.filter(kind__in=PLAN_KINDS, active=True).order_by("path")
    return [node for node in nodes if may_read_plan_of(user, node)]


def _covers(user, node, roles) -> bool:
    return _active(user) and access.covered_nodes(user, roles=roles).filter(pk=node.pk).exists()


def may_read_drafts(user, node) -> bool:
    return _covers(user, node, DRAFT_ROLES)


def may_edit(user, node) -> bool:
    return _covers(user, node, EDIT_ROLES)


def may_approve(user, node) -> bool:
    return _covers(user, node, APPROVE_ROLES)


def get_readable_node(user, pk) -> OrgUnit:
    try:
        node = OrgUnit.objects.get(pk=pk, kind__in=PLAN_KINDS, active=True)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_read_plan_of(user, node):
        raise Http404
    return node


def get_readable_version(user, pk, *, for_update: bool = False) -> PlanVersion:
    """The version if the user may read it: an approved one of a plan they
    reach, a draft only for its editors and management (404 otherwise, so a
    draft's existence is not revealed)."""
    try:
        qs = PlanVersion.objects.select_related("plan__node", "approved_by", "created_by")
        version = (qs.select_for_update(of=("self",)) if for_update else qs).get(pk=pk)
    except (PlanVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    node = version.plan.node
    if not may_read_plan_of(user, node):
        raise Http404
    if version.is_draft and not may_read_drafts(user, node):
        raise Http404
    return version


def get_editable_draft(user, pk, *, for_update: bool = False) -> PlanVersion:
    """The draft if the user may edit it: 404 when they cannot see it, 403
    when they may read it only (or it is no longer a draft)."""
    version = get_readable_version(user, pk, for_update=for_update)
    if not version.is_draft or not may_edit(user, version.plan.node):
        raise PermissionDenied
    return version


def plan_of(node) -> ActionPlan | None:
    return ActionPlan.objects.filter(node=node).first()

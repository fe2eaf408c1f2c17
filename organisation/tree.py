"""Queries over the organisation tree: who holds a role nearest to a node.

Used by routing (who receives a report), reminders and the annual cycle
(whose desk a duty lands on). Pure reads of organisation data: nothing here
knows about incidents.
"""
from organisation.models import OrgUnit, RoleAssignment


def chain(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and the nodes above it, nearest first."""
    return [unit] + list(unit.ancestors().order_by("-path"))


def nearest_holders(unit: OrgUnit, role: str, exclude=None) -> list:
    """Active users holding `role` at the nearest node at or above `unit` that
    has anyone in that role (the unit's own managers before the head of the
    department). Sorted by name so that e-mails and pages are stable."""
    nodes = chain(unit)
    rows = (RoleAssignment.objects
            .filter(role=role, active=True, node__in=nodes, user__is_active=True)
            .select_related("user"))
    by_node: dict[int, list] = {}
    for row in rows:
        if exclude is None or row.user_id != exclude:
            by_node.setdefault(row.node_id, []).append(row.user)
    for node in nodes:
        if by_node.get(node.pk):
            return sorted(by_node[node.pk], key=lambda u: (u.last_name, u.first_name, u.username))
    return []

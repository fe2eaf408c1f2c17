"""Queries over the organisation tree: who holds a role nearest to a node.

Used by routing (who receives a report), reminders and the annual cycle
(whose desk a duty lands on). Pure reads of organisation data: nothing here
knows about incidents.
"""
import functools
import unicodedata
from operator import attrgetter

from organisation import catalogue
from organisation.models import OrgUnit, RoleAssignment, User

# Swedish alphabetical order: å, ä and ö are letters of their own after z
# (æ and ø as ä and ö, ü as y); other accents and case do not count.
_SWEDISH_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})


@functools.lru_cache(maxsize=4096)
def collation_key(name: str) -> tuple[str, str]:
    """Sort key for names in Swedish alphabetical order: "Bromma" <
    "Zinkensdamm" < "Årsta" < "Älvsjö" < "Östermalm", whatever the case."""
    folded = (name or "").casefold().translate(_SWEDISH_LETTERS)
    plain = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return plain, name or ""


def tree_order(nodes, *, path=attrgetter("path"), name=attrgetter("name")) -> list:
    """Nodes depth first, each parent before its children and siblings in
    alphabetical order, however the tree was built (paths hold pks, so
    ordering by path gives the order of creation). Works on OrgUnits or on
    any rows, given how to read their materialised path and name; an
    ancestor not among the nodes sorts by its pk."""
    nodes = list(nodes)
    names = {int(path(n).strip("/").split("/")[-1]): name(n) for n in nodes if path(n).strip("/")}

    def key(node):
        pks = [int(p) for p in path(node).strip("/").split("/") if p]
        return tuple((collation_key(names[pk]) if pk in names else ("", ""), pk) for pk in pks)

    return sorted(nodes, key=key)


def chain_ids(unit: OrgUnit) -> list[int]:
    """The pks of the unit and the nodes above it, nearest first, read from
    its materialised path (no query)."""
    return [int(part) for part in unit.path.strip("/").split("/") if part][::-1]


def nearest_holders(unit: OrgUnit, role: str, exclude=None) -> list:
    """Active users holding `role` at the nearest node at or above `unit` that
    has anyone in that role (the unit's own managers before the head of the
    department). Sorted by name so that e-mails and pages are stable."""
    return nearest_holders_by_role(unit, [role], exclude)[role]


def _holders_on_chain(nodes: list[int], roles: tuple) -> dict[tuple[str, int], list]:
    """Every active holder of `roles` at each of `nodes`, (role, node pk) →
    users with their assignment rows loaded (User.assignment_rows), in two
    queries."""
    rows = (RoleAssignment.objects
            .filter(role__in=list(roles), active=True, node_id__in=nodes, user__is_active=True)
            .select_related("user"))
    by_role_node: dict[tuple[str, int], list] = {}
    for row in rows:
        by_role_node.setdefault((row.role, row.node_id), []).append(row.user)
    User.load_assignment_rows([u for users in by_role_node.values() for u in users])
    return by_role_node


def nearest_holders_by_role(unit: OrgUnit, roles, exclude=None) -> dict[str, list]:
    """nearest_holders for several roles at once: the assignments on the
    chain above the unit (chain_ids, from its path) and the holders' own
    assignments (so that checking what each may reach asks nothing more),
    kept under organisation.catalogue's stamp, which any change of a unit, a
    role assignment or a user renews; without a shared cache, two queries.
    Each call gets its own copies of the users."""
    nodes, roles = chain_ids(unit), tuple(roles)
    by_role_node = catalogue.kept(f"holders:{','.join(roles)}:{','.join(map(str, nodes))}",
                                  lambda: _holders_on_chain(nodes, roles))
    found = {}
    for role in roles:
        holders = next((users for pk in nodes
                        if (users := [u for u in by_role_node.get((role, pk), ()) if u.pk != exclude])), [])
        found[role] = sorted(holders, key=lambda u: (u.last_name, u.first_name, u.username))
    return found

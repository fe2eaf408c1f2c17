"""Who to contact in each district: the people who hold the security
coordinator, HR and safety representative roles, read from the role
assignments so that the contact page is never out of date. Only names and
work contact details of people in these functions are shown."""
from dataclasses import dataclass, field

from organisation.models import OrgUnit, Role, RoleAssignment
from organisation.tree import collation_key

CONTACT_ROLES = (Role.SECURITY_COORDINATOR, Role.HR, Role.SAFETY_REP)


@dataclass
class District:
    unit: OrgUnit
    own: bool = False
    roles: list = field(default_factory=list)  # [(role label, [users])]


def _administration_ids_of(user) -> set[int]:
    ids = set()
    for assignment in user.active_assignments():
        admin = assignment.node.administration()
        if admin is not None:
            ids.add(admin.pk)
    return ids


def district_contacts(user) -> list[District]:
    """Every active district administration with its contact people; the
    user's own district(s) first."""
    administrations = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ADMINISTRATION, active=True)
                           .order_by("name"))
    own = _administration_ids_of(user)
    by_path = {a.path: a for a in administrations}
    people: dict[int, dict[str, list]] = {a.pk: {} for a in administrations}
    assignments = (RoleAssignment.objects.filter(active=True, role__in=CONTACT_ROLES,
                                                 user__is_active=True, node__active=True)
                   .select_related("user", "node").order_by("user__last_name", "user__first_name"))
    for assignment in assignments:
        # The district is the administration whose path is a prefix of the node's path.
        parts = assignment.node.path.strip("/").split("/")
        district = next((by_path[p] for p in ("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
                         if p in by_path), None)
        if district is None:
            continue
        bucket = people[district.pk].setdefault(assignment.role, [])
        if assignment.user not in bucket:
            bucket.append(assignment.user)
    districts = []
    for admin in administrations:
        roles = [(label, people[admin.pk].get(value, [])) for value, label in Role.choices
                 if value in CONTACT_ROLES]
        districts.append(District(admin, admin.pk in own, roles))
    districts.sort(key=lambda d: (not d.own, collation_key(d.unit.name)))
    return districts

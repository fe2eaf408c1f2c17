"""People and their roles kept up to date from outside sources: the identity
provider at sign-in (`signin/`) and the HR file (`import_people`).

Each source changes only the role assignments it owns (RoleAssignment.source):
a role an administrator gave by hand is never taken away by a sign-in or an
import. Every change goes to the audit log with old and new value.
"""
from audit.log import diff, record, snapshot
from organisation.models import RoleAssignment, User

PERSON_FIELDS = ["first_name", "last_name", "email", "gender", "employee_number", "oidc_subject",
                 "employment_end", "manager", "is_active"]
ASSIGNMENT_FIELDS = ["user", "role", "node", "active", "source"]

GENDER_WORDS = {
    "kvinna": User.Gender.WOMAN, "k": User.Gender.WOMAN, "woman": User.Gender.WOMAN,
    "female": User.Gender.WOMAN, "f": User.Gender.WOMAN, "w": User.Gender.WOMAN,
    "man": User.Gender.MAN, "m": User.Gender.MAN, "male": User.Gender.MAN,
    "annat": User.Gender.OTHER, "annan": User.Gender.OTHER, "other": User.Gender.OTHER,
    "x": User.Gender.OTHER, "o": User.Gender.OTHER,
    "": User.Gender.UNKNOWN, "ej angivet": User.Gender.UNKNOWN, "okänt": User.Gender.UNKNOWN,
    "unknown": User.Gender.UNKNOWN,
}


def parse_gender(raw: str) -> str | None:
    """The stored gender for an HR or claim value ("Kvinna", "K", "female",
    "M", …), or None when the value is not one Värn knows."""
    return GENDER_WORDS.get((raw or "").strip().lower())


def update_person(user: User, values: dict, *, actor=None, actor_label: str) -> dict:
    """Set `values` on the user and save when anything changed; returns the
    changes ({field: [old, new]}), which also go to the audit log."""
    fields = [name for name in PERSON_FIELDS if name in values]
    old = snapshot(user, fields) if user.pk else {}
    for name in fields:
        setattr(user, name, values[name])
    changes = diff(old, snapshot(user, fields))
    if not user.pk:
        user.save()
        record(actor, "user.create", user, changes=diff({}, snapshot(user, ["username", *fields])),
               actor_label=actor_label)
    elif changes:
        user.save(update_fields=fields)
        record(actor, "user.change", user, changes=changes, actor_label=actor_label)
    return changes


def sync_assignments(user: User, desired: set[tuple[str, int]], source: str, *, roles=None,
                     actor=None, actor_label: str) -> list[tuple[str, int, bool]]:
    """Make the user's assignments of `source` (limited to `roles` when given)
    exactly `desired`, a set of (role, node id). Rows the source no longer
    wants are deactivated, never deleted; a (role, node) the user already has
    from another source is left as it is. Returns (role, node id, active)
    for each change."""
    rows = user.assignments.filter(source=source)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    changed = []
    have = set()
    for row in rows:
        key = (row.role, row.node_id)
        have.add(key)
        wanted = key in desired
        if row.active != wanted:
            row.active = wanted
            row.save(update_fields=["active"])
            record(actor, "roleassignment.change", row, changes={"active": [not wanted, wanted]},
                   actor_label=actor_label)
            changed.append((row.role, row.node_id, wanted))
    others = set(user.assignments.exclude(source=source).values_list("role", "node_id"))
    for role, node_id in sorted(desired - have - others):
        row = RoleAssignment.objects.create(user=user, role=role, node_id=node_id, source=source)
        record(actor, "roleassignment.create", row, changes=diff({}, snapshot(row, ASSIGNMENT_FIELDS)),
               actor_label=actor_label)
        changed.append((role, node_id, True))
    if changed and hasattr(user, "_assignment_rows"):
        del user._assignment_rows
    return changed

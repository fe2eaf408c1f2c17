"""Who may see what: the one place that decides which incidents a user reaches.

Every view, export, statistic, search and API endpoint gets its incidents from
the functions below. Default deny: a user with no matching role assignment gets
an empty queryset. An object outside these querysets must answer 404.

- visible_incidents: cases whose details the user may open.
- handleable_incidents: cases the user may act on (acknowledge, assign, close).
- identifiable_incidents: cases whose reporter the user may see by name.
- countable_incidents: incidents that may enter the user's statistics.
  Aggregate-only roles (analyst, committee) count without opening cases, and
  their figures must be suppressed (see is_aggregate_only).
"""
from django.db.models import Q
from django.http import Http404

from incidents.models import Incident
from organisation.models import OrgUnit, Role

HANDLER_ROLES = (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR)
CASE_ROLES = HANDLER_ROLES + (Role.SAFETY_REP,)
AGGREGATE_ROLES = (Role.ANALYST, Role.COMMITTEE)
# Roles that still receive a case when it bypasses the unit's management.
BYPASS_ROLES = (Role.SECURITY_COORDINATOR, Role.HR)
# Roles that see who reported, confidential reports included.
CONFIDENTIAL_ROLES = (Role.SECURITY_COORDINATOR, Role.HR)

NAMED = Incident.IdentityMode.NAMED
CONFIDENTIAL = Incident.IdentityMode.CONFIDENTIAL


def scope_paths(user, roles) -> list[str]:
    """Tree paths the user covers with any of `roles` (active assignments on
    active nodes), without paths already inside another."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    rows = user.assignment_rows()
    paths = sorted({path for role, path in rows if role in roles})
    # A path inside another covered path adds nothing.
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def _within(paths: list[str], prefix: str = "unit__") -> Q | None:
    q = None
    for path in paths:
        part = Q(**{f"{prefix}path__startswith": path})
        q = part if q is None else q | part
    return q


def _or(*parts: Q | None) -> Q | None:
    q = None
    for part in parts:
        if part is not None:
            q = part if q is None else q | part
    return q


def _and(scope: Q | None, condition: Q) -> Q | None:
    return None if scope is None else scope & condition


def _filter(q: Q | None):
    return Incident.objects.filter(q) if q is not None else Incident.objects.none()


def _not_bypassed():
    return Q(bypasses_management=False)


def _visible_q(user) -> Q | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    return _or(
        Q(reporter=user),
        _and(_within(scope_paths(user, [Role.MANAGER, Role.SAFETY_REP])), _not_bypassed()),
        _within(scope_paths(user, BYPASS_ROLES)),
    )


def visible_incidents(user):
    """Incidents whose details the user may open (their own reports included)."""
    return _filter(_visible_q(user))


def handleable_incidents(user):
    """Incidents the user may act on; never the user's own report."""
    q = _or(
        _and(_within(scope_paths(user, [Role.MANAGER])), _not_bypassed()),
        _within(scope_paths(user, BYPASS_ROLES)),
    )
    return _filter(q).exclude(reporter=user) if q is not None else _filter(None)


def identifiable_incidents(user):
    """Incidents whose reporter the user may see. Anonymous ones have none."""
    if not (user and user.is_authenticated and user.is_active):
        return _filter(None)
    q = _or(
        Q(reporter=user),
        _and(
            _within(scope_paths(user, [Role.MANAGER, Role.SAFETY_REP])),
            _not_bypassed() & Q(identity_mode=NAMED),
        ),
        _and(_within(scope_paths(user, CONFIDENTIAL_ROLES)), Q(identity_mode__in=[NAMED, CONFIDENTIAL])),
    )
    return _filter(q)


def countable_incidents(user):
    """Incidents that may enter the user's statistics: their case scope and,
    for analysts and committees, their aggregate scope. Never only their own."""
    q = _or(
        _and(_within(scope_paths(user, [Role.MANAGER, Role.SAFETY_REP])), _not_bypassed()),
        _within(scope_paths(user, BYPASS_ROLES)),
        _within(scope_paths(user, AGGREGATE_ROLES)),
    )
    return _filter(q)


def is_aggregate_only(user) -> bool:
    """True when some of the user's statistics come from a role without case
    access; such figures show small counts suppressed."""
    return bool(scope_paths(user, AGGREGATE_ROLES))


def covered_nodes(user, roles=CASE_ROLES + AGGREGATE_ROLES):
    """Organisation nodes the user covers with any of the given roles."""
    q = _within(scope_paths(user, roles), prefix="")
    return OrgUnit.objects.filter(q) if q is not None else OrgUnit.objects.none()


def can_identify(user, incident) -> bool:
    return identifiable_incidents(user).filter(pk=incident.pk).exists()


def can_handle(user, incident) -> bool:
    return handleable_incidents(user).filter(pk=incident.pk).exists()


def handlers_of(incident):
    """Users who may handle the incident: the inverse of handleable_incidents,
    as one query (for assignment lists and routing)."""
    from organisation.models import User

    parts = incident.unit.path.strip("/").split("/")
    chain = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    roles = BYPASS_ROLES if incident.bypasses_management else HANDLER_ROLES
    users = User.objects.filter(
        is_active=True, assignments__active=True, assignments__node__active=True,
        assignments__role__in=roles, assignments__node__path__in=chain,
    )
    if incident.reporter_id:
        users = users.exclude(pk=incident.reporter_id)
    return users.distinct()


def get_visible_incident(user, pk):
    """The incident if the user may open it; otherwise 404, never 403, so that
    a stranger cannot learn that a case exists."""
    try:
        return visible_incidents(user).select_related(
            "unit", "source", "channel", "operation_area", "reporter"
        ).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None

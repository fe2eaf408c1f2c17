"""Who may see what: the one place that decides which incidents a user reaches.

Every view, export, statistic, search and API endpoint gets its incidents from
the functions below. Default deny: a user with no matching role assignment gets
an empty queryset. An object outside these querysets must answer 404.

- visible_incidents: cases whose details the user may open.
- handleable_incidents: cases the user may act on (acknowledge, assign, close).
- identifiable_incidents: cases whose reporter the user may see by name.
- countable_incidents: incidents that may enter the user's statistics.
  Aggregate-only roles (analyst, committee) count without opening cases, and
  their figures must be suppressed (see is_aggregate_only). countable_scope
  is the same rule as (path, with bypassed reports) pairs.
- rows_of: actions, messages, attachments or checklist items of such incidents.
- get_visible_incident / get_handleable_incident: one case for a page or an
  action; 404 when the user may not know it exists, 403 when they may see it
  but not act on it.
- may_know_matches / actor_matches: repeated actors across the city, for the
  security coordinator and HR.
- auditable_entries / masked_actor: what an auditor reads of the audit log.
- holdable_incidents: cases the user may put on hold (bevarande, retention/).
- own_reports: a person's own reports, for their register extract (GDPR art. 15).

The data layer enforces this: Incident.objects (and the managers of what
hangs off an incident) refuse to read without a scope (ScopedManager), so
this module is the one that applies it, through Model.unscoped.
"""
from django.core.exceptions import PermissionDenied
from django.db.models import F, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import Http404

from audit.models import AuditEntry
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
    # The one place that applies a user's scope to the unscoped manager.
    return Incident.unscoped.filter(q) if q is not None else Incident.unscoped.none()


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


def countable_scope(user) -> list[tuple[str, bool]]:
    """The rule behind countable_incidents as (tree path, with_bypassed)
    pairs: the incidents at and below the path, and only those that do not
    bypass the unit's management unless with_bypassed. The statistics'
    running totals (situation.totals) read the same scope from these pairs."""
    return ([(path, False) for path in scope_paths(user, [Role.MANAGER, Role.SAFETY_REP])]
            + [(path, True) for path in scope_paths(user, BYPASS_ROLES)]
            + [(path, True) for path in scope_paths(user, AGGREGATE_ROLES)])


def countable_incidents(user):
    """Incidents that may enter the user's statistics: their case scope and,
    for analysts and committees, their aggregate scope. Never only their own."""
    q = _or(*(_within([path]) if with_bypassed else _and(_within([path]), _not_bypassed())
              for path, with_bypassed in countable_scope(user)))
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
    if incident.pk is None:
        return would_reach(user, incident, handle=True)
    return handleable_incidents(user).filter(pk=incident.pk).exists()


def can_see(user, incident) -> bool:
    if incident.pk is None:
        return would_reach(user, incident, handle=False)
    return visible_incidents(user).filter(pk=incident.pk).exists()


def would_reach(user, incident, *, handle: bool) -> bool:
    """Whether the user would open (handle=False) or handle a case with the
    facts of `incident`, which need not be saved yet: the report form shows
    who will receive a report before it is sent. The same rules as
    visible_incidents and handleable_incidents, read in Python (a test keeps
    the two in step)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    path = incident.unit.path

    def within(roles):
        return any(path.startswith(p) for p in scope_paths(user, roles))

    own = incident.reporter_id is not None and incident.reporter_id == user.pk
    bypassed = incident.bypasses_management
    if handle:
        return not own and ((within([Role.MANAGER]) and not bypassed) or within(BYPASS_ROLES))
    return own or (within([Role.MANAGER, Role.SAFETY_REP]) and not bypassed) or within(BYPASS_ROLES)


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


def rows_of(model, incidents):
    """Rows of a model that hangs off an incident (Action, Message, Attachment,
    ChecklistItem) whose incident is in `incidents`, a queryset from above."""
    return model.unscoped.filter(incident__in=incidents)


def get_visible_incident(user, pk):
    """The incident if the user may open it; otherwise 404, never 403, so that
    a stranger cannot learn that a case exists."""
    try:
        return visible_incidents(user).select_related(
            "unit", "source", "channel", "operation_area", "reporter"
        ).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_handleable_incident(user, pk, queryset=None):
    """The incident if the user may act on it. 404 when the user may not know
    that it exists; 403 (PermissionDenied) when they may open it but not act
    on it (a safety representative, or a handler on their own report).
    `queryset` narrows the handleable cases further (e.g. select_for_update)."""
    found = (queryset if queryset is not None else handleable_incidents(user)).filter(pk=pk).first()
    if found is not None:
        return found
    if visible_incidents(user).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def get_handleable_row(user, model, pk, related=("incident",)):
    """A row hanging off an incident (an action) that the user may act on,
    with the same 404/403 rule as get_handleable_incident."""
    found = rows_of(model, handleable_incidents(user)).select_related(*related).filter(pk=pk).first()
    if found is not None:
        return found
    if rows_of(model, visible_incidents(user)).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def holdable_incidents(user):
    """Incidents the user may put on hold against gallring, or release: the
    security coordinator and HR of the district (retention.holds)."""
    return _filter(_within(scope_paths(user, CONFIDENTIAL_ROLES)))


def own_reports(person):
    """The reports `person` filed under their name or confidentially (an
    anonymous report has no reporter, so it is never among them): what a
    register extract (GDPR art. 15) shows of their reports."""
    if person is None or person.pk is None:
        return _filter(None)
    return _filter(Q(reporter_id=person.pk))


# --- reports registered on an employee's behalf --------------------------------------

# Roles that may register a report on behalf of an employee in their scope
# (after a phone call or a conversation), in the order their label is chosen.
ON_BEHALF_ROLES = (Role.SECURITY_COORDINATOR, Role.MANAGER, Role.SAFETY_REP)


def on_behalf_people(user):
    """Employees `user` may register a report for: active people with an
    active employee assignment at or below a node where the user is a
    manager, safety representative or security coordinator; never the user.
    Empty for everyone else."""
    from organisation.models import User

    q = _within(scope_paths(user, ON_BEHALF_ROLES), prefix="assignments__node__")
    if q is None:
        return User.objects.none()
    return (User.objects.filter(q, is_active=True, assignments__active=True, assignments__node__active=True,
                                assignments__role=Role.EMPLOYEE)
            .exclude(pk=user.pk).distinct())


def may_register_on_behalf(user) -> bool:
    return bool(scope_paths(user, ON_BEHALF_ROLES))


def on_behalf_role(user, unit) -> str:
    """The role in which `user` registers a report about `unit` for an
    employee: the first of ON_BEHALF_ROLES whose scope covers the unit, else
    the first they hold (the employee is in scope; the event may be elsewhere)."""
    for role in ON_BEHALF_ROLES:
        if any(unit.path.startswith(p) for p in scope_paths(user, [role])):
            return role
    return next((role for role in ON_BEHALF_ROLES if scope_paths(user, [role])), "")


# --- protective measures for a unit's future visits (protection/) ------------------

# Who sees and keeps a unit's protective measures: its managers and the
# district's security coordinators and HR.
MEASURE_ROLES = (Role.MANAGER, Role.SECURITY_COORDINATOR, Role.HR)


def measures_in_scope(model, user):
    """Rows of `model` (protection.ProtectiveMeasure: a row with a unit)
    whose unit is at or below a node where the user is a manager, security
    coordinator or HR. A measure says what the unit does at its next visits,
    not what happened, so the unit's managers see it also when the case it
    came from is one they may not open."""
    q = _within(scope_paths(user, MEASURE_ROLES))
    return model.unscoped.filter(q) if q is not None else model.unscoped.none()


# --- repeated actors ----------------------------------------------------------------

def may_know_matches_at(user, node) -> bool:
    """Whether the user may learn where else an actor appears, for cases at
    `node`: security coordinators and HR whose district covers it."""
    return any(node.path.startswith(p) for p in scope_paths(user, CONFIDENTIAL_ROLES))


def may_know_matches(user, incident) -> bool:
    return may_know_matches_at(user, incident.unit)


def actor_matches(user, node, pseudonyms):
    """Incidents anywhere in the city that carry one of the actor
    `pseudonyms`, for a user who may know matches at `node`; none otherwise.
    The city-wide search is the point (an actor crosses district lines), so
    callers show counts and place names only, never the cases themselves."""
    if not may_know_matches_at(user, node):
        return Incident.unscoped.none()
    return Incident.unscoped.filter(actor_pseudonym__in=list(pseudonyms))


# --- the audit log ------------------------------------------------------------------

def auditable_entries(user):
    """Entries an auditor may read: those about incidents in the subtree they
    were granted, and, for an auditor at the root, every entry."""
    paths = scope_paths(user, [Role.AUDITOR])
    if not paths:
        return AuditEntry.objects.none()
    q = Q()
    for p in paths:
        q |= Q(incident__unit__path__startswith=p)
    if any(p.count("/") == 2 for p in paths):  # covers the whole city
        q |= Q(incident__isnull=True)
    return AuditEntry.objects.filter(q)


def masked_actor(entry, viewer, hidden=None) -> str:
    """The reporter of a confidential case is hidden from auditors who may not
    identify that reporter; anonymous reporters are never stored. `hidden`:
    reporters_hidden_from(viewer, ...) computed once for many entries."""
    incident = entry.incident
    if (incident is not None and entry.actor_id is not None
            and entry.actor_id == _reporter_of(incident)
            and incident.identity_mode != incident.IdentityMode.NAMED
            and (incident.pk in hidden if hidden is not None else not can_identify(viewer, incident))):
        return "konfidentiell rapportör"
    return entry.actor_label


def _reporter_of(incident):
    """The reporter's id; for a thinned case (gallring removed the reporter)
    the one its report's own audit entry names, so that the log goes on
    hiding a confidential reporter from those who may not know them."""
    if incident.reporter_id is not None or incident.thinned_at is None:
        return incident.reporter_id
    return _former_reporter(incident.pk)


def _former_reporter(incident_id):
    found = (AuditEntry.objects.filter(incident_id=incident_id, action="incident.create", actor__isnull=False)
             .values_list("actor_id", "changes").first())
    if found is None:
        return None
    actor_id, changes = found
    # A report registered on the employee's behalf: its actor is the
    # registrar, and the entry names the employee as reporter.
    named = (changes or {}).get("reporter") if isinstance(changes, dict) else None
    if isinstance(named, list) and len(named) == 2 and str(named[1] or "").isdigit():
        return int(named[1])
    return actor_id


def reporters_hidden_from(viewer, incident_ids) -> set[int]:
    """Of these incidents, those whose reporter `viewer` may not know by name:
    confidential reports outside what the viewer may identify (an anonymous
    report has no reporter to hide). One query for a page of entries."""
    ids = {int(pk) for pk in incident_ids if pk is not None}
    if not ids:
        return set()
    candidates = _filter(Q(pk__in=ids) & (Q(reporter__isnull=False) | Q(thinned_at__isnull=False))
                         & ~Q(identity_mode=NAMED))
    return set(candidates.exclude(pk__in=identifiable_incidents(viewer).values("pk"))
               .values_list("pk", flat=True))


def hidden_reporter_entries(viewer) -> Q:
    """Entries whose actor masked_actor hides from `viewer`. A search of the
    log by person must leave them out: finding them under a name would tell
    who the confidential reporter is."""
    # The report's own entry names the reporter as its actor, or, for a report
    # registered on the employee's behalf, in its changes (its actor is the registrar).
    named = Cast(KT("changes__reporter__1"), IntegerField())
    former = Subquery(AuditEntry.objects.filter(incident_id=OuterRef("incident_id"), action="incident.create",
                                                actor__isnull=False)
                      .annotate(former=Coalesce(named, F("actor_id"), output_field=IntegerField()))
                      .values("former")[:1])
    reporter = Q(actor_id=F("incident__reporter_id")) | (
        Q(incident__reporter__isnull=True, incident__thinned_at__isnull=False) & Q(actor_id=former))
    return (Q(incident__isnull=False) & reporter
            & ~Q(incident__identity_mode=NAMED)
            & ~Q(incident_id__in=identifiable_incidents(viewer).values("pk")))

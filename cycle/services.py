"""The årshjul's business rules. Views parse forms and call one of these.

Every function that changes something checks the actor's permission itself
(cycle.permissions: Http404 when the actor may not know the thing exists,
PermissionDenied when they see it but may not do this), takes its own
before/after snapshot and writes the audit log with old and new values. Its
docstring lists what it checks, saves, audits and sends. An actor of None is
the system (management commands, the reminder timer): no permission check,
audited as "system".

Reading functions never write: a page that renders creates no rows. The dated
occurrences are created when a duty is created or rescheduled, and when a year
starts (prepare_years, which the reminder pass calls before it sends; seed_cycle
generates them too). New districts get their standard duties from seed_cycle or
from the year view's button (seed_standard_duties), never from a page view.

ensure_occurrences(duties, years)      generate the dated occurrences (idempotent)
prepare_years(today)                   this and next year's occurrences of every active duty
ensure_standard_duties(year, ...)      seed the standard duties of each district and the city
seed_standard_duties(actor, node)      the same, asked for by a user on the year view
create_duty / update_duty              change a duty; a new schedule recomputes open occurrences
mark_done / reopen                     the occurrence's status
create_training / update_training      the training log
year_overview(node, year, user)        what the year view shows
duties_for(user)                       what a user's start page shows
trained_units(node, start, end)        units with training in a period (for the situation picture)
lagesbild_url(node, start, end)        the situation picture for a node and period
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from audit.log import diff, record, snapshot
from cycle import permissions, schedule
from cycle.models import DUE_SOON_DAYS, Duty, DutyOccurrence, TrainingSession
from cycle.standard import STANDARD_DUTIES
from incidents import access
from organisation.models import OrgUnit, RoleAssignment

DUTY_FIELDS = ["title", "description", "kind", "node", "owner", "schedule", "month", "day",
               "custom_days", "starts_on", "active"]
SCHEDULE_FIELDS = {"schedule", "month", "day", "custom_days", "starts_on", "active"}
# What a user may change on an existing duty (the node is fixed at creation).
EDITABLE_DUTY_FIELDS = [f for f in DUTY_FIELDS if f != "node"]
# What an owner who does not manage the duty's node may change: the text, not
# who owns it, when it is due or whether it is due at all, so that an owner
# cannot silence their own overdue duty.
OWNER_FIELDS = {"title", "description", "kind"}
OCCURRENCE_FIELDS = ["status", "done_at", "done_by", "result_url", "result_note"]
TRAINING_FIELDS = ["unit", "date", "kind", "participants", "note"]
# Occurrences exist up to this many years after the current one; the year
# view goes no further.
YEARS_AHEAD = 1


# --- generation ---------------------------------------------------------------

def ensure_occurrences(duties, years) -> int:
    """Create the missing occurrences of active duties for the given years.
    Idempotent: an occurrence is identified by its duty and period start, and a
    concurrent run that creates the same row is ignored. Returns rows created.

    Checks: nothing (the system's step; callers have checked).
    Side effects: inserts DutyOccurrence rows; not audited (they are derived
    from the duty, whose changes are); sends nothing."""
    duties = [d for d in duties if d.active]
    wanted = {(d.pk, slot.period_start): (d, slot) for d in duties for y in years for slot in d.slots(y)}
    if not wanted:
        return 0
    starts = [start for _, start in wanted]
    existing = set(DutyOccurrence.objects.filter(
        duty_id__in={d.pk for d in duties}, period_start__gte=min(starts), period_start__lte=max(starts),
    ).values_list("duty_id", "period_start"))
    missing = [
        DutyOccurrence(duty=duty, period_start=slot.period_start, period_end=slot.period_end,
                       due_date=slot.due_date)
        for key, (duty, slot) in wanted.items() if key not in existing
    ]
    DutyOccurrence.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def planned_years(today: date) -> list[int]:
    """The years whose occurrences exist: this one and the next."""
    return list(range(today.year, today.year + YEARS_AHEAD + 1))


def prepare_years(today: date | None = None) -> int:
    """Start the year: make sure this and next year's occurrences of every
    active duty exist, so that reminders and the year view do not depend on
    anyone having opened a page. Returns rows created.

    Checks: nothing (the reminder pass calls it on the timer).
    Side effects: inserts missing DutyOccurrence rows (ensure_occurrences);
    not audited; sends nothing."""
    today = today or timezone.localdate()
    return ensure_occurrences(Duty.objects.filter(active=True), planned_years(today))


def reschedule(duty: Duty, today: date) -> None:
    """After a schedule change, recompute the occurrences that are not done,
    from this year on. Done ones stay as they were; so do earlier years' open
    ones (they are history, overdue or not).

    Side effects: updates or deletes open DutyOccurrence rows of this year and
    later, inserts missing ones up to next year (a moved due date is reminded
    again: the reminder's key holds the due date). Not
    audited on its own (the duty change that caused it is). Sends nothing."""
    years = planned_years(today)
    slots = {s.period_start: s for y in years for s in duty.slots(y)} if duty.active else {}
    for occ in duty.occurrences.filter(status=DutyOccurrence.Status.OPEN, due_date__year__gte=today.year):
        slot = slots.get(occ.period_start)
        if slot is None:
            occ.delete()
        elif (occ.due_date, occ.period_end) != (slot.due_date, slot.period_end):
            occ.due_date, occ.period_end = slot.due_date, slot.period_end
            occ.save(update_fields=["due_date", "period_end", "updated_at"])
    ensure_occurrences([duty], years)


def _first_holders(nodes) -> dict:
    """(node id, role) → the longest-serving active user holding that role there."""
    holders = {}
    assignments = (RoleAssignment.objects.filter(node__in=nodes, active=True, user__is_active=True)
                   .select_related("user").order_by("created_at", "pk"))
    for a in assignments:
        holders.setdefault((a.node_id, a.role), a.user)
    return holders


def pick_owner(node: OrgUnit, roles, holders: dict):
    """The first role held at the node itself; otherwise at the nearest ancestor."""
    chain = [node.pk] + [int(p) for p in reversed(node.path.strip("/").split("/")[:-1])]
    for node_id in chain:
        for role in roles:
            if (node_id, role) in holders:
                return holders[node_id, role]
    return None


def ensure_standard_duties(year: int | None = None, *, nodes=None, starts_on: date | None = None,
                           actor=None) -> int:
    """Create the standard duties (cycle.standard) that each active district
    administration and the city lack, with owners picked from role
    assignments, and generate their occurrences for `year`. Idempotent: a
    standard duty is created once per node, even if later deactivated.
    Returns duties created.

    Checks: nothing (seed_cycle, or seed_standard_duties after its check).
    Side effects: inserts Duty rows and their occurrences for `year`; audits
    cycle.duty.created per duty (by `actor`, or "system"); sends nothing."""
    today = timezone.localdate()
    year = year or today.year
    candidates = list(OrgUnit.objects.filter(active=True, kind__in=list(STANDARD_DUTIES)))
    if nodes is not None:
        wanted = {n.pk for n in nodes}
        candidates = [n for n in candidates if n.pk in wanted]
    if not candidates:
        return 0
    existing = set(Duty.objects.filter(node__in=candidates).exclude(standard_key="")
                   .values_list("node_id", "standard_key"))
    chain_ids = {int(p) for n in candidates for p in n.path.strip("/").split("/")}
    holders = _first_holders(OrgUnit.objects.filter(pk__in=chain_ids))
    created = 0
    for node in candidates:
        for spec in STANDARD_DUTIES[node.kind]:
            if (node.pk, spec.key) in existing:
                continue
            duty = Duty(
                title=spec.title, description=spec.description, kind=spec.kind, node=node,
                owner=pick_owner(node, spec.owner_roles, holders), schedule=spec.schedule,
                month=spec.month, day=spec.day, custom_days=list(spec.custom_days),
                starts_on=starts_on or today, standard_key=spec.key,
            )
            try:
                with transaction.atomic():
                    duty.save()
                    record(actor, "cycle.duty.created", duty, actor_label="" if actor else "system",
                           changes=diff({}, snapshot(duty, DUTY_FIELDS)))
            except IntegrityError:
                continue  # created at the same moment by another request
            created += 1
    ensure_occurrences(Duty.objects.filter(node__in=candidates, active=True), [year])
    return created


def unseeded_nodes(node: OrgUnit):
    """The active districts and city at or below `node` that have no standard
    duties yet (a read: the year view offers to create them)."""
    return (OrgUnit.objects.subtree_of(node).filter(active=True, kind__in=list(STANDARD_DUTIES))
            .exclude(pk__in=Duty.objects.exclude(standard_key="").values("node_id"))
            .order_by("path"))


def seed_standard_duties(actor, node: OrgUnit, today: date | None = None) -> int:
    """Create the standard duties of the districts and city at or below `node`
    that lack them, from today on. Returns duties created.

    Checks: the actor may edit each of those nodes (security coordinator, HR or
    administrator there or above); PermissionDenied if they may edit none.
    Nodes the actor may not edit are left for someone who may.
    Side effects: inserts the duties and this and next year's occurrences;
    audits cycle.duty.created per duty by the actor; sends nothing."""
    today = today or timezone.localdate()
    wanted = list(unseeded_nodes(node))
    editable = set(permissions.editable_nodes(actor).filter(pk__in=[n.pk for n in wanted])
                   .values_list("pk", flat=True)) if actor is not None else {n.pk for n in wanted}
    nodes = [n for n in wanted if n.pk in editable]
    if not nodes:
        if wanted:
            raise PermissionDenied
        return 0
    with transaction.atomic():
        created = ensure_standard_duties(today.year, nodes=nodes, starts_on=today, actor=actor)
        ensure_occurrences(Duty.objects.filter(node__in=nodes, active=True), planned_years(today))
    return created


def _may_edit_node(actor, node) -> bool:
    return actor is None or permissions.can_edit_node(actor, node)


def create_duty(actor, duty: Duty, today: date | None = None) -> Duty:
    """Add a new (unsaved) duty to the annual cycle.

    Checks: the actor may edit duty.node (security coordinator, HR or
    administrator at the node or above); PermissionDenied otherwise.
    Side effects: saves the duty and its occurrences from the year it starts
    through next year (a duty that started last January has last year's
    occurrences, overdue if they are); audits cycle.duty.created with every
    field; sends nothing (reminders come from cycle.reminders)."""
    today = today or timezone.localdate()
    if duty.pk:
        raise ValueError("create_duty takes a new duty")
    if not _may_edit_node(actor, duty.node):
        raise PermissionDenied
    with transaction.atomic():
        duty.save()
        record(actor, "cycle.duty.created", duty, changes=diff({}, snapshot(duty, DUTY_FIELDS)))
        first = min(max(duty.starts_on.year, 2000), today.year)
        ensure_occurrences([duty], list(range(first, today.year)) + planned_years(today))
    return duty


def update_duty(actor, duty, values: dict, today: date | None = None) -> dict:
    """Change a duty (a Duty or its pk) to `values` (field → new value, any of
    EDITABLE_DUTY_FIELDS). Returns the changes, {} if nothing changed.

    Checks: the actor may see the duty (Http404 otherwise) and change it
    (its owner, or a security coordinator, HR or administrator at the node or
    above; PermissionDenied otherwise); an owner who does not manage the node
    may change only OWNER_FIELDS (PermissionDenied for the rest).
    Side effects: saves the duty (locked while it changes); a changed schedule
    or activity recomputes its open occurrences from this year on (reschedule);
    audits cycle.duty.changed with old and new values; sends nothing."""
    unknown = set(values) - set(EDITABLE_DUTY_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    pk = getattr(duty, "pk", duty)
    with transaction.atomic():
        if actor is None:
            duty = Duty.objects.select_for_update(of=("self",)).select_related("node", "owner").get(pk=pk)
        else:
            duty = permissions.get_editable_duty(actor, pk, for_update=True)
        before = snapshot(duty, DUTY_FIELDS)
        for name, value in values.items():
            setattr(duty, name, value)
        changes = diff(before, snapshot(duty, DUTY_FIELDS))
        if not changes:
            return {}
        if set(changes) - OWNER_FIELDS and not _may_edit_node(actor, duty.node):
            raise PermissionDenied
        duty.save()
        record(actor, "cycle.duty.changed", duty, changes=changes)
        if SCHEDULE_FIELDS & set(changes):
            reschedule(duty, today or timezone.localdate())
    return changes


def _occurrence_for_change(actor, occurrence) -> DutyOccurrence:
    pk = getattr(occurrence, "pk", occurrence)
    if actor is None:
        return (DutyOccurrence.objects.select_for_update(of=("self",))
                .select_related("duty__node", "duty__owner").get(pk=pk))
    return permissions.get_editable_occurrence(actor, pk, for_update=True)


def mark_done(actor, occurrence, *, done_at: date, result_url: str = "", result_note: str = "") -> dict:
    """Mark an occurrence (a DutyOccurrence or its pk) done, or change when
    and what, recording who vouched for it. Returns the changes, {} if none.

    Checks: the actor may see the occurrence (Http404 otherwise) and change its
    duty (its owner, or a security coordinator, HR or administrator at the node
    or above; PermissionDenied otherwise).
    Side effects: saves the occurrence as it is in the database (locked while
    it changes; the caller's object is not updated); audits
    cycle.occurrence.done, or cycle.occurrence.changed if it was done
    already, with old and new values; sends nothing."""
    with transaction.atomic():
        occurrence = _occurrence_for_change(actor, occurrence)
        before = snapshot(occurrence, OCCURRENCE_FIELDS)
        was_done = occurrence.is_done
        occurrence.status = DutyOccurrence.Status.DONE
        occurrence.done_at = done_at
        occurrence.result_url = result_url
        occurrence.result_note = result_note
        if diff(before, snapshot(occurrence, OCCURRENCE_FIELDS)):
            occurrence.done_by = actor  # whoever last vouched for what was produced
        changes = diff(before, snapshot(occurrence, OCCURRENCE_FIELDS))
        if changes:
            occurrence.save()
            record(actor, "cycle.occurrence.changed" if was_done else "cycle.occurrence.done",
                   occurrence, changes=changes)
    return changes


def reopen(actor, occurrence) -> dict:
    """Open a done occurrence (a DutyOccurrence or its pk) again: it was not
    done after all. Returns the changes, {} if it was open.

    Checks: as mark_done (Http404 / PermissionDenied).
    Side effects: clears the date, who and the result and saves; audits
    cycle.occurrence.reopened with old and new values; sends nothing (if it
    is overdue, the next reminder pass finds it as before)."""
    with transaction.atomic():
        occurrence = _occurrence_for_change(actor, occurrence)
        before = snapshot(occurrence, OCCURRENCE_FIELDS)
        occurrence.status = DutyOccurrence.Status.OPEN
        occurrence.done_at = None
        occurrence.done_by = None
        occurrence.result_url = ""
        occurrence.result_note = ""
        changes = diff(before, snapshot(occurrence, OCCURRENCE_FIELDS))
        if changes:
            occurrence.save()
            record(actor, "cycle.occurrence.reopened", occurrence, changes=changes)
    return changes


def create_training(actor, session: TrainingSession) -> TrainingSession:
    """Log a new (unsaved) training session for its unit.

    Checks: the actor may log training for session.unit (security
    coordinator, HR or administrator at the unit or above); PermissionDenied
    otherwise.
    Side effects: saves the session with the actor as registrar; audits
    cycle.training.created with every field; sends nothing."""
    if session.pk:
        raise ValueError("create_training takes a new session")
    if not _may_edit_node(actor, session.unit):
        raise PermissionDenied
    with transaction.atomic():
        session.created_by = actor
        session.save()
        record(actor, "cycle.training.created", session,
               changes=diff({}, snapshot(session, TRAINING_FIELDS)))
    return session


def update_training(actor, session, values: dict) -> dict:
    """Change a training session (a TrainingSession or its pk) to `values`
    (field → new value, any of TRAINING_FIELDS). Returns the changes.

    Checks: the actor may see the session (Http404 otherwise) and log
    training for its unit, and for the new unit if it moves
    (PermissionDenied otherwise).
    Side effects: saves the session (locked while it changes); audits
    cycle.training.changed with old and new values; sends nothing."""
    unknown = set(values) - set(TRAINING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    pk = getattr(session, "pk", session)
    with transaction.atomic():
        if actor is None:
            session = TrainingSession.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
        else:
            session = permissions.get_editable_training_session(actor, pk, for_update=True)
        before = snapshot(session, TRAINING_FIELDS)
        for name, value in values.items():
            setattr(session, name, value)
        changes = diff(before, snapshot(session, TRAINING_FIELDS))
        if not changes:
            return {}
        if "unit" in changes and not _may_edit_node(actor, session.unit):
            raise PermissionDenied
        session.save()
        record(actor, "cycle.training.changed", session, changes=changes)
    return changes


# --- reading --------------------------------------------------------------------

@dataclass
class Month:
    number: int
    start: date
    occurrences: list = field(default_factory=list)
    is_current: bool = False


@dataclass
class YearOverview:
    node: OrgUnit
    year: int
    today: date
    months: list
    counts: dict
    overdue: list
    editable_node_ids: set
    multi_node: bool
    duties: list
    by_node: list
    shown: str
    # On this year's page: earlier years' occurrences that are still not done.
    carried: list = field(default_factory=list)
    # Districts and city in view without their standard duties, and whether
    # the user may create them.
    unseeded: list = field(default_factory=list)
    can_seed: bool = False

    @property
    def overdue_in_year(self) -> list:
        """The overdue occurrences due in the year shown (not those carried)."""
        return [o for o in self.overdue if o.due_date.year == self.year]


# What the year view's "Visa" filter keeps in the month lists.
SHOW_CHOICES = {
    "alla": None,
    "ej-klara": {DutyOccurrence.State.OVERDUE, DutyOccurrence.State.DUE_SOON, DutyOccurrence.State.UPCOMING},
    "forsenade": {DutyOccurrence.State.OVERDUE},
}


def year_overview(node: OrgUnit, year: int, user, today: date | None = None, show: str = "alla") -> YearOverview:
    """Occurrences due in `year` for duties at the node and below, by month
    (only those of the states `show` names; counts are always complete), and
    per node. On this year's page, earlier years' occurrences that are still
    not done are overdue now: they are counted as overdue and listed apart
    (`carried`), whatever the filter. A read: creates nothing (the
    occurrences come from ensure_occurrences' callers)."""
    show = show if show in SHOW_CHOICES else "alla"
    kept = SHOW_CHOICES[show]
    today = today or timezone.localdate()
    subtree = OrgUnit.objects.subtree_of(node)
    shown_occurrences = (DutyOccurrence.objects.filter(duty__node__in=subtree)
                         .select_related("duty__node", "duty__owner", "done_by")
                         .order_by("due_date", "duty__node__path", "duty__title"))
    occurrences = list(shown_occurrences.filter(due_date__year=year)
                       .filter(Q(duty__active=True) | Q(status=DutyOccurrence.Status.DONE)))
    carried = []
    if year == today.year:
        carried = list(shown_occurrences.filter(status=DutyOccurrence.Status.OPEN, duty__active=True,
                                                due_date__lt=date(year, 1, 1)))
    months = [Month(m, date(year, m, 1), is_current=(year, m) == (today.year, today.month))
              for m in range(1, 13)]
    counts = {state: 0 for state in DutyOccurrence.State.values}
    per_node = {}
    overdue = []
    for occ in carried + occurrences:
        occ.current_state = occ.state(today)
        counts[occ.current_state] += 1
        node_counts = per_node.setdefault(occ.duty.node, {state: 0 for state in DutyOccurrence.State.values})
        node_counts[occ.current_state] += 1
        if occ.current_state == DutyOccurrence.State.OVERDUE:
            overdue.append(occ)
    for occ in occurrences:
        if kept is None or occ.current_state in kept:
            months[occ.due_date.month - 1].occurrences.append(occ)
    by_node = [(n, c, c["due_soon"] + c["upcoming"]) for n, c in sorted(per_node.items(), key=lambda i: i[0].path)]
    duties = list(Duty.objects.filter(node__in=subtree).select_related("node", "owner")
                  .order_by("-active", "node__path", "title"))
    duty_nodes = {d.node_id for d in duties}
    unseeded = list(unseeded_nodes(node))
    editable = set(permissions.editable_nodes(user).filter(pk__in=duty_nodes | {n.pk for n in unseeded})
                   .values_list("pk", flat=True))
    for item in carried + occurrences:
        item.can_edit = item.duty.node_id in editable or item.duty.owner_id == user.pk
    for duty in duties:
        duty.can_edit = duty.node_id in editable or duty.owner_id == user.pk
    return YearOverview(node=node, year=year, today=today, months=months, counts=counts, overdue=overdue,
                        editable_node_ids=editable & duty_nodes, multi_node=len(duty_nodes) > 1, duties=duties,
                        by_node=by_node, shown=show, carried=carried, unseeded=unseeded,
                        can_seed=any(n.pk in editable for n in unseeded))


@dataclass
class MyDuties:
    own: list
    overdue: list
    overdue_count: int
    today: date
    can_view_year: bool = False
    own_count: int = 0

    @property
    def any(self) -> bool:
        return bool(self.own or self.overdue)


def duties_for(user, today: date | None = None, limit: int = 10) -> MyDuties:
    """For the start page: the user's own open occurrences that are overdue
    (of any year) or due soon, and overdue occurrences (of any year) of the
    nodes the user manages (manager, security coordinator or HR at the node or
    above) that others own; the oldest first, at most `limit` of each, with
    the full counts. A read: creates nothing."""
    today = today or timezone.localdate()
    if not (user and user.is_authenticated and user.is_active):
        return MyDuties([], [], 0, today)
    base = (DutyOccurrence.objects.filter(status=DutyOccurrence.Status.OPEN, duty__active=True)
            .select_related("duty__node", "duty__owner").order_by("due_date", "duty__title"))
    own_qs = base.filter(duty__owner=user, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
    own = list(own_qs[:limit])
    overdue_qs = base.filter(
        due_date__lt=today, duty__node__in=access.covered_nodes(user, roles=permissions.MANAGEMENT_ROLES),
    ).exclude(duty__owner=user)
    overdue = list(overdue_qs[:limit])
    for occ in own + overdue:
        occ.current_state = occ.state(today)
    return MyDuties(own=own, overdue=overdue,
                    overdue_count=len(overdue) if len(overdue) < limit else overdue_qs.count(), today=today,
                    can_view_year=permissions.may_use_cycle(user),
                    own_count=len(own) if len(own) < limit else own_qs.count())


def trained_units(node: OrgUnit, start: date, end: date) -> set[int]:
    """Ids of the units at or below `node` with at least one training session
    dated start..end (both inclusive)."""
    return set(TrainingSession.objects.filter(
        unit__path__startswith=node.path, date__gte=start, date__lte=end,
    ).values_list("unit_id", flat=True).distinct())


def training_overview(node: OrgUnit, year: int) -> dict:
    """The year's sessions at or below the node, and which units had none."""
    sessions = list(TrainingSession.objects.filter(unit__path__startswith=node.path, date__year=year)
                    .select_related("unit", "created_by").order_by("-date", "unit__name", "-pk"))
    units = list(OrgUnit.objects.subtree_of(node).filter(kind=OrgUnit.Kind.UNIT, active=True).order_by("name"))
    trained = {s.unit_id for s in sessions}
    by_kind = defaultdict(lambda: {"sessions": 0, "participants": 0})
    for s in sessions:
        by_kind[s.kind]["sessions"] += 1
        by_kind[s.kind]["participants"] += s.participants
    kinds = [(TrainingSession.Kind(k).label, v["sessions"], v["participants"])
             for k, v in sorted(by_kind.items(), key=lambda kv: TrainingSession.Kind.values.index(kv[0]))]
    return {
        "sessions": sessions,
        "units": units,
        "untrained": [u for u in units if u.pk not in trained],
        "trained_count": len([u for u in units if u.pk in trained]),
        "participants": sum(s.participants for s in sessions),
        "kinds": kinds,
    }


def lagesbild_url(node: OrgUnit, start: date, end: date) -> str:
    """The situation picture (situation app, /lagesbild/<node>/) for a node and
    period: the prepared draft that the re-reporting duty links to. A tertial
    or calendar year uses the picture's own period choices, anything else
    its date range."""
    number = schedule.tertial_number(start, end)
    if number:
        params = {"period": f"t{number}", "ar": start.year}
    elif schedule.is_whole_year(start, end):
        params = {"period": "ar", "ar": start.year}
    else:
        params = {"period": "intervall", "fran": start.isoformat(), "till": end.isoformat()}
    return f"{reverse('situation:picture', args=[node.pk])}?{urlencode(params)}"


def occurrence_url(occurrence: DutyOccurrence) -> str:
    return reverse("cycle:occurrence", args=[occurrence.pk])


def state_text(occurrence: DutyOccurrence, today: date) -> str:
    """The status as one short sentence for lists and e-mails."""
    state = occurrence.state(today)
    if state == DutyOccurrence.State.OVERDUE:
        days = (today - occurrence.due_date).days
        return ngettext("Försenad %(days)s dag", "Försenad %(days)s dagar", days) % {"days": days}
    return DutyOccurrence.State(state).label

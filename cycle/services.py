"""The årshjul's business rules. Views call these; each function that changes
data writes the audit log with old and new values.

ensure_occurrences(duties, years)      generate the dated occurrences (idempotent)
ensure_standard_duties(year, ...)       seed the standard duties of each district and the city
create_duty / update_duty               change a duty; a new schedule recomputes open occurrences
mark_done / reopen                      the occurrence's status
create_training / update_training       the training log
year_overview(node, year, user)         what the year view shows
duties_for(user)                        what a user's start page shows
trained_units(node, start, end)         units with training in a period (for the situation picture)
lagesbild_url(node, start, end)         the situation picture for a node and period
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

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
OCCURRENCE_FIELDS = ["status", "done_at", "done_by", "result_url", "result_note"]
TRAINING_FIELDS = ["unit", "date", "kind", "participants", "note"]


# --- generation ---------------------------------------------------------------

def ensure_occurrences(duties, years) -> int:
    """Create the missing occurrences of active duties for the given years.
    Idempotent: an occurrence is identified by its duty and period start, and a
    concurrent run that creates the same row is ignored. Returns rows created."""
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


def reschedule(duty: Duty, today: date) -> None:
    """After a schedule change, recompute the occurrences that are not done,
    from this year on. Done ones stay as they were; a moved due date forgets
    the reminders sent about the old date."""
    years = [today.year, today.year + 1]
    slots = {s.period_start: s for y in years for s in duty.slots(y)} if duty.active else {}
    for occ in duty.occurrences.filter(status=DutyOccurrence.Status.OPEN, due_date__year__gte=today.year):
        slot = slots.get(occ.period_start)
        if slot is None:
            occ.delete()
        elif (occ.due_date, occ.period_end) != (slot.due_date, slot.period_end):
            if occ.due_date != slot.due_date:
                occ.reminders.all().delete()
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


def ensure_standard_duties(year: int | None = None, *, nodes=None, starts_on: date | None = None) -> int:
    """Create the standard duties (cycle.standard) that each active district
    administration and the city lack, with owners picked from role
    assignments, and generate their occurrences for `year`. Idempotent: a
    standard duty is created once per node, even if later deactivated.
    Each created duty is written to the audit log. Returns duties created."""
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
                    record(None, "cycle.duty.created", duty, actor_label="system",
                           changes=diff({}, snapshot(duty, DUTY_FIELDS)))
            except IntegrityError:
                continue  # created at the same moment by another request
            created += 1
    ensure_occurrences(Duty.objects.filter(node__in=candidates, active=True), [year])
    return created


# --- changes by users -----------------------------------------------------------

def create_duty(actor, duty: Duty) -> Duty:
    """Save a new duty, log it and generate this and next year's occurrences."""
    with transaction.atomic():
        duty.save()
        record(actor, "cycle.duty.created", duty, changes=diff({}, snapshot(duty, DUTY_FIELDS)))
        reschedule(duty, timezone.localdate())
    return duty


def update_duty(actor, duty: Duty, before: dict, today: date | None = None) -> dict:
    """Save a changed duty (permission checked by the caller) and log old and
    new values; a changed schedule recomputes its open occurrences."""
    changes = diff(before, snapshot(duty, DUTY_FIELDS))
    if not changes:
        return changes
    with transaction.atomic():
        duty.save()
        record(actor, "cycle.duty.changed", duty, changes=changes)
        if SCHEDULE_FIELDS & set(changes):
            reschedule(duty, today or timezone.localdate())
    return changes


def mark_done(actor, occurrence: DutyOccurrence, *, done_at: date, result_url: str = "",
              result_note: str = "") -> dict:
    """Mark an occurrence done (or change when and what), recording who did it.
    Logs old and new values; returns the changes."""
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
        with transaction.atomic():
            occurrence.save()
            record(actor, "cycle.occurrence.changed" if was_done else "cycle.occurrence.done",
                   occurrence, changes=changes)
    return changes


def reopen(actor, occurrence: DutyOccurrence) -> dict:
    before = snapshot(occurrence, OCCURRENCE_FIELDS)
    occurrence.status = DutyOccurrence.Status.OPEN
    occurrence.done_at = None
    occurrence.done_by = None
    occurrence.result_url = ""
    occurrence.result_note = ""
    changes = diff(before, snapshot(occurrence, OCCURRENCE_FIELDS))
    if changes:
        with transaction.atomic():
            occurrence.save()
            record(actor, "cycle.occurrence.reopened", occurrence, changes=changes)
    return changes


def create_training(actor, session: TrainingSession) -> TrainingSession:
    with transaction.atomic():
        session.created_by = actor
        session.save()
        record(actor, "cycle.training.created", session,
               changes=diff({}, snapshot(session, TRAINING_FIELDS)))
    return session


def update_training(actor, session: TrainingSession, before: dict) -> dict:
    changes = diff(before, snapshot(session, TRAINING_FIELDS))
    if changes:
        with transaction.atomic():
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


# What the year view's "Visa" filter keeps in the month lists.
SHOW_CHOICES = {
    "alla": None,
    "ej-klara": {DutyOccurrence.State.OVERDUE, DutyOccurrence.State.DUE_SOON, DutyOccurrence.State.UPCOMING},
    "forsenade": {DutyOccurrence.State.OVERDUE},
}


def year_overview(node: OrgUnit, year: int, user, today: date | None = None, show: str = "alla") -> YearOverview:
    """Occurrences due in `year` for duties at the node and below, by month
    (only those of the states `show` names; counts are always complete), and
    per node. Seeds the standard duties of any district or city in view that
    has none yet (first use) and generates the year's occurrences."""
    show = show if show in SHOW_CHOICES else "alla"
    kept = SHOW_CHOICES[show]
    today = today or timezone.localdate()
    subtree = OrgUnit.objects.subtree_of(node)
    unseeded = (subtree.filter(active=True, kind__in=list(STANDARD_DUTIES))
                .exclude(pk__in=Duty.objects.exclude(standard_key="").values("node_id")))
    if unseeded.exists():
        ensure_standard_duties(year, nodes=list(unseeded))
    ensure_occurrences(Duty.objects.filter(node__in=subtree, active=True), [year])

    occurrences = list(
        DutyOccurrence.objects
        .filter(duty__node__in=subtree, due_date__year=year)
        .filter(Q(duty__active=True) | Q(status=DutyOccurrence.Status.DONE))
        .select_related("duty__node", "duty__owner", "done_by")
        .order_by("due_date", "duty__node__path", "duty__title")
    )
    months = [Month(m, date(year, m, 1), is_current=(year, m) == (today.year, today.month))
              for m in range(1, 13)]
    counts = {state: 0 for state in DutyOccurrence.State.values}
    per_node = {}
    overdue = []
    for occ in occurrences:
        occ.current_state = occ.state(today)
        counts[occ.current_state] += 1
        node_counts = per_node.setdefault(occ.duty.node, {state: 0 for state in DutyOccurrence.State.values})
        node_counts[occ.current_state] += 1
        if kept is None or occ.current_state in kept:
            months[occ.due_date.month - 1].occurrences.append(occ)
        if occ.current_state == DutyOccurrence.State.OVERDUE:
            overdue.append(occ)
    by_node = [(n, c, c["due_soon"] + c["upcoming"]) for n, c in sorted(per_node.items(), key=lambda i: i[0].path)]
    duties = list(Duty.objects.filter(node__in=subtree).select_related("node", "owner")
                  .order_by("-active", "node__path", "title"))
    duty_nodes = {d.node_id for d in duties}
    editable = set(permissions.editable_nodes(user).filter(pk__in=duty_nodes).values_list("pk", flat=True))
    for item in occurrences:
        item.can_edit = item.duty.node_id in editable or item.duty.owner_id == user.pk
    for duty in duties:
        duty.can_edit = duty.node_id in editable or duty.owner_id == user.pk
    return YearOverview(node=node, year=year, today=today, months=months, counts=counts, overdue=overdue,
                        editable_node_ids=editable, multi_node=len(duty_nodes) > 1, duties=duties,
                        by_node=by_node, shown=show)


@dataclass
class MyDuties:
    own: list
    overdue: list
    overdue_count: int
    today: date
    can_view_year: bool = False

    @property
    def any(self) -> bool:
        return bool(self.own or self.overdue)


def duties_for(user, today: date | None = None, limit: int = 10) -> MyDuties:
    """For the start page: the user's own open occurrences that are overdue or
    due soon, and overdue occurrences of the nodes the user manages (manager,
    security coordinator or HR at the node or above) that others own."""
    today = today or timezone.localdate()
    if not (user and user.is_authenticated and user.is_active):
        return MyDuties([], [], 0, today)
    base = (DutyOccurrence.objects.filter(status=DutyOccurrence.Status.OPEN, duty__active=True)
            .select_related("duty__node", "duty__owner").order_by("due_date", "duty__title"))
    own = list(base.filter(duty__owner=user, due_date__lte=today + timedelta(days=DUE_SOON_DAYS))[:limit])
    overdue_qs = base.filter(
        due_date__lt=today, duty__node__in=access.covered_nodes(user, roles=permissions.MANAGEMENT_ROLES),
    ).exclude(duty__owner=user)
    overdue = list(overdue_qs[:limit])
    for occ in own + overdue:
        occ.current_state = occ.state(today)
    return MyDuties(own=own, overdue=overdue,
                    overdue_count=len(overdue) if len(overdue) < limit else overdue_qs.count(), today=today,
                    can_view_year=permissions.may_use_cycle(user))


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

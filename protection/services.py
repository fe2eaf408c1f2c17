"""Every change of a protective measure.

Each function
  1. checks the permission: recording a measure needs a case the user may
     handle (casework.workflow.load_for_handling: 404/403) whose source is a
     client or a relative; changing or ending one needs the measure's unit
     in the user's scope (incidents.access.measures_in_scope: 404 otherwise),
  2. checks the input (MeasureInvalid with Swedish messages by field): a
     review date not in the past and at most two years ahead, no personal
     identity number in the text,
  3. saves with optimistic locking on ProtectiveMeasure.version (Conflict
     if someone else saved first; nothing changes),
  4. appends an audit entry with old and new values (free texts as keyed
     hashes, audit.log.protect),
  5. sends nothing: the review reminders come from the timer (protection/reminders.py).
"""
import re
from datetime import timedelta

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import diff, record, snapshot
from casework.workflow import Conflict, WorkflowError, load_for_handling
from incidents import access
from protection.models import ProtectiveMeasure

# Sources whose household the unit meets again.
SOURCES = ("brukare", "anhorig")
FIELDS = ["kind", "note", "review_on", "status", "end_reason"]
LONGEST = timedelta(days=2 * 366)
# Something that looks like a personnummer or samordningsnummer.
IDENTITY_NUMBER = re.compile(r"\b(\d{2})?\d{6}\s*[-+]?\s*\d{4}\b")


class MeasureInvalid(WorkflowError):
    """A change with field errors (field → Swedish message)."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(v) for v in errors.values()))
        self.errors = errors


def _conflict():
    return Conflict(_("Åtgärden har ändrats av någon annan medan du arbetade. Det du skrev finns kvar – "
                      "se vad som ändrats och spara igen."))


def applies_to(incident) -> bool:
    """Whether a protective measure can be recorded on the case: its source is a client or a relative."""
    return incident.source_id is not None and incident.source.code in SOURCES


def measures_of(user, incident):
    """The case's measures the user may see (its unit in their scope)."""
    return access.measures_in_scope(ProtectiveMeasure, user).filter(incident=incident).select_related(
        "created_by", "updated_by")


def load(user, pk) -> ProtectiveMeasure:
    """A measure the user may see and change; 404 otherwise."""
    found = (access.measures_in_scope(ProtectiveMeasure, user)
             .select_related("unit", "incident", "created_by", "updated_by").filter(pk=pk).first())
    if found is None:
        raise Http404
    return found


def _check(kind, note, review_on, *, today=None):
    today = today or timezone.localdate()
    errors = {}
    if kind not in ProtectiveMeasure.Kind.values:
        errors["kind"] = _("Välj vilken åtgärd som gäller.")
    if kind == ProtectiveMeasure.Kind.OTHER and not (note or "").strip():
        errors["note"] = _("Beskriv kort vad enheten ska göra, när du väljer ”Annan åtgärd”.")
    if note and IDENTITY_NUMBER.search(note):
        errors["note"] = _("Skriv inte personnummer eller andra uppgifter som pekar ut klienten. "
                           "Åtgärden kopplas till klienten genom ärendet och aktörens pseudonym.")
    if review_on is None:
        errors["review_on"] = _("Ange när åtgärden ska omprövas, till exempel om tre månader.")
    elif review_on < today:
        errors["review_on"] = _("Omprövningsdatumet har redan varit. Välj i dag eller ett senare datum.")
    elif review_on > today + LONGEST:
        errors["review_on"] = _("Välj ett omprövningsdatum inom två år. En åtgärd ska omprövas minst så ofta.")
    if errors:
        raise MeasureInvalid(errors)


def add(user, incident_pk, *, kind, note="", review_on) -> ProtectiveMeasure:
    """Record a measure for the case's unit. Audits "protection.create"."""
    incident = load_for_handling(user, incident_pk)
    if not applies_to(incident):
        raise WorkflowError(_("Skyddsåtgärder för kommande besök gäller händelser där en brukare eller "
                              "anhörig utövade påverkan."))
    _check(kind, note, review_on)
    with transaction.atomic():
        measure = ProtectiveMeasure.objects.create(
            incident=incident, unit=incident.unit, kind=kind, note=(note or "").strip(), review_on=review_on,
            created_by=user)
        record(user, "protection.create", measure, incident=incident,
               changes={name: [None, value] for name, value in snapshot(measure, FIELDS + ["unit"]).items()})
    return measure


def _save(user, pk, version, change) -> ProtectiveMeasure:
    """Load the measure locked, check its version, apply `change(measure)`, audit the diff."""
    load(user, pk)   # 404 before anything else
    with transaction.atomic():
        # Unscoped after the check above: the row locked for the update.
        measure = ProtectiveMeasure.unscoped.select_for_update().select_related("incident").get(pk=pk)
        if measure.version != version:
            raise _conflict()
        before = snapshot(measure, FIELDS)
        change(measure)
        after = snapshot(measure, FIELDS)
        changes = diff(before, after)
        if not changes:
            return measure
        measure.version += 1
        measure.updated_by, measure.updated_at = user, timezone.now()
        measure.save()
        record(user, "protection.change", measure, incident=measure.incident, changes=changes)
    return measure


def change(user, pk, *, version, kind, note="", review_on) -> ProtectiveMeasure:
    """Change an active measure, or review it (a new review date). Audits "protection.change"."""
    current = load(user, pk)
    if not current.is_active:
        raise WorkflowError(_("Åtgärden är avslutad och kan inte ändras."))
    _check(kind, note, review_on)

    def apply(measure):
        measure.kind, measure.note, measure.review_on = kind, (note or "").strip(), review_on
    return _save(user, pk, version, apply)


def end(user, pk, *, version, reason) -> ProtectiveMeasure:
    """End a measure that is no longer needed, with a reason. Audits "protection.change"."""
    current = load(user, pk)
    if not current.is_active:
        raise WorkflowError(_("Åtgärden är redan avslutad."))
    if not (reason or "").strip():
        raise MeasureInvalid({"reason": _("Skriv kort varför åtgärden inte behövs längre.")})
    if IDENTITY_NUMBER.search(reason):
        raise MeasureInvalid({"reason": _("Skriv inte personnummer eller andra uppgifter som pekar ut klienten.")})

    def apply(measure):
        measure.status, measure.end_reason = ProtectiveMeasure.Status.ENDED, reason.strip()
        measure.ended_at = timezone.now()
    return _save(user, pk, version, apply)


def for_unit_list(user):
    """The measures the user sees on the unit's list: active first, by review date."""
    return (access.measures_in_scope(ProtectiveMeasure, user)
            .select_related("unit", "incident", "created_by")
            .order_by("status", "review_on", "pk"))


def same_actor(user, measures) -> dict[str, int]:
    """For each actor pseudonym among `measures`, how many active measures
    in the user's scope carry it (the same household met by several units)."""
    pseudonyms = {m.incident.actor_pseudonym for m in measures if m.incident.actor_pseudonym}
    counts: dict[str, int] = {}
    if pseudonyms:
        for value in (access.measures_in_scope(ProtectiveMeasure, user)
                      .filter(status=ProtectiveMeasure.Status.ACTIVE, incident__actor_pseudonym__in=pseudonyms)
                      .values_list("incident__actor_pseudonym", flat=True)):
            counts[value] = counts.get(value, 0) + 1
    return counts

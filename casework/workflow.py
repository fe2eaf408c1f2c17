"""Case handling: how a report moves from inkommen to avslutad.

Every function here is one thing a handler does. Each one
  1. checks that the user may handle the case (incidents.access; 404 if they
     may not know it exists, 403 if they may see it but not act),
  2. checks that the step is allowed now (WorkflowError with a Swedish message),
  3. saves with optimistic locking on Incident.version (Conflict if someone
     else saved first; nothing changes),
  4. appends an audit entry with the old and new values,
  5. tells whoever must know (incidents.notify; never case content by e-mail).
Views call these and nothing else changes a case.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import diff, record, snapshot
from incidents import access, notify
from incidents.checklist import REFERENCE_LABELS, checklist, ensure_checklist
from incidents.models import Action, ChecklistItem, Incident
from incidents.police import normalise_k_number
from incidents.workdays import add_months

Status = Incident.Status
Code = ChecklistItem.Code
State = ChecklistItem.State

# Allowed moves forward; reopening a closed case is its own step with a reason.
# The usual next step first: the case page shows it as the primary button.
TRANSITIONS = {
    Status.NEW: (Status.ACKNOWLEDGED,),
    Status.ACKNOWLEDGED: (Status.INVESTIGATING, Status.RESOLVED),
    Status.INVESTIGATING: (Status.RESOLVED,),
    Status.RESOLVED: (Status.CLOSED, Status.INVESTIGATING),
    Status.CLOSED: (),
}
# Arbetsmiljöverket wants serious incidents without delay; municipalities use 24 hours.
SERIOUS_CLOCK = timedelta(hours=24)
THREAT_OR_VIOLENCE = {"hot", "vald"}
# Words in a description that suggest danger to life or health (weapons, killing).
SERIOUS_WORDS = re.compile(
    r"\b(kniv\w*|vapen\w*|pistol\w*|skjut\w*|döda\w*|mörda\w*|strypgrepp|sprängämne\w*|brandbomb\w*|yxa)\b",
    re.IGNORECASE,
)


def _conflict_message():
    return _("Ärendet har ändrats av någon annan medan du arbetade. "
             "Det du skrev finns kvar – kontrollera ärendet och spara igen.")


class WorkflowError(Exception):
    """A step that is not allowed now; the message is shown to the user."""


class Conflict(WorkflowError):
    """Someone else changed the case since the user loaded it."""


class ChecklistInvalid(WorkflowError):
    """A checklist change with field errors (field → Swedish message)."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- facts -------------------------------------------------------------------

def form_codes(incident) -> set[str]:
    return {f.code for f in incident.forms.all()}


def is_threat_or_violence(incident) -> bool:
    return bool(form_codes(incident) & THREAT_OR_VIOLENCE)


def possibly_serious(incident) -> bool:
    """Värn's flag for a possibly serious incident (allvarligt tillbud) by the
    facts of the report: someone was hurt, there was violence, or the
    description mentions weapons or killing. The handler decides."""
    return bool(
        incident.someone_hurt
        or "vald" in form_codes(incident)
        or SERIOUS_WORDS.search(incident.description or "")
    )


def serious_deadline(incident):
    return incident.reported_at + SERIOUS_CLOCK


def ack_overdue(incident, now=None) -> bool:
    now = now or timezone.now()
    return incident.status == Status.NEW and incident.ack_due_at is not None and incident.ack_due_at < now


def feedback_deadline(incident):
    """When the reporter is to have had feedback: settings.FEEDBACK_MONTHS
    (3, the whistleblowing act's norm) after the report."""
    return add_months(incident.reported_at, settings.FEEDBACK_MONTHS)


def reporter_told(incident) -> bool:
    """Whether the reporter has had feedback: a handler has written to them,
    or the case is closed (its summary is on the reporter's page)."""
    return incident.status == Status.CLOSED or incident.messages.filter(by_reporter=False).exists()


def feedback_overdue(incident, now=None) -> bool:
    return not reporter_told(incident) and feedback_deadline(incident) < (now or timezone.now())


# --- checklist ---------------------------------------------------------------

def open_items(incident) -> list[ChecklistItem]:
    return [item for item in checklist(incident) if item.state == State.OPEN]


@dataclass
class Blocker:
    """Something that keeps a case from being actioned or closed, with the
    anchor on the case page where it is done."""
    label: str
    anchor: str


def closing_blockers(incident) -> list[Blocker]:
    """The one rule for "åtgärdad" and for closing: every checklist item is
    done or not applicable and no action is still open. What remains, in the
    order of the page."""
    blockers = [Blocker(item.get_code_display(), f"punkt-{item.code}") for item in open_items(incident)]
    blockers += [Blocker(_("Åtgärd: %(title)s") % {"title": action.title}, "atgarder")
                 for action in incident.actions.filter(status=Action.Status.OPEN)]
    return blockers


def _refuse_if_blocked(incident, message: str) -> None:
    blockers = closing_blockers(incident)
    if blockers:
        raise WorkflowError(message % {"items": "; ".join(b.label for b in blockers)})


def validate_item(incident, code, state, done_on, reference, note) -> dict:
    """Field errors (field → Swedish message) for a checklist change."""
    errors = {}
    if state == State.NOT_APPLICABLE and not note.strip():
        errors["note"] = _("Skriv varför punkten inte är aktuell.")
    elif (state == State.NOT_APPLICABLE and code == Code.POLICE and is_threat_or_violence(incident)
          and len(note.strip()) < 10):
        # "Not applicable" is no way around the city's line on threats and violence.
        errors["note"] = _("Stadens linje är att alla hot och allt våld polisanmäls. "
                           "Beskriv varför det inte görs här.")
    if state == State.DONE:
        if code in (Code.SUPPORT_TALK, Code.WORK_ENV_AUTHORITY, Code.WORK_INJURY) and not done_on:
            errors["done_on"] = _("Ange datum.")
        if done_on and done_on > timezone.localdate():
            errors["done_on"] = _("Datumet kan inte ligga i framtiden.")
        if code == Code.WORK_ENV_AUTHORITY and not reference.strip():
            errors["reference"] = _("Ange Arbetsmiljöverkets diarienummer eller referens.")
        if code == Code.POLICE:
            if not reference.strip() and not note.strip():
                errors["reference"] = _("Ange K-numret, eller skriv skälet till att inte polisanmäla.")
            elif reference.strip() and normalise_k_number(reference) is None:
                errors["reference"] = _("Det ser inte ut som ett K-nummer. Skriv det som det står på polisens "
                                        "kvitto, till exempel K123456-26.")
            elif not reference.strip() and is_threat_or_violence(incident) and len(note.strip()) < 10:
                errors["note"] = _("Stadens linje är att alla hot och allt våld polisanmäls. "
                                   "Beskriv varför det inte görs här.")
    return errors


# --- saving with the version check --------------------------------------------

def load_for_handling(user, incident_pk) -> Incident:
    """The case if the user may handle it: 404 when they may not know it
    exists, 403 when they may see it but not act on it."""
    return access.get_handleable_incident(
        user, incident_pk, access.handleable_incidents(user).select_related("unit"))


def load_action(user, action_pk) -> Action:
    """An action the user may change, with the same 404/403 rule."""
    return access.get_handleable_row(user, Action, action_pk)


def _check_version(incident, version) -> None:
    if incident.version != version:
        raise Conflict(_conflict_message())


def _save(user, incident, version, fields: dict, action: str) -> Incident:
    """Apply `fields` if the case is still at `version`; audit old → new."""
    names = list(fields)
    old = snapshot(incident, names)
    # Unscoped: the case was loaded through access; this is the version check.
    updated = Incident.unscoped.filter(pk=incident.pk, version=version).update(
        **fields, version=version + 1)
    if not updated:
        raise Conflict(_conflict_message())
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.version = version + 1
    record(user, action, incident, incident=incident, changes=diff(old, snapshot(incident, names)))
    return incident


def _transition(user, incident_pk, version, to, action, extra=None) -> Incident:
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        _check_version(incident, version)
        if incident.status == to:
            raise WorkflowError(_("Ärendet är redan markerat som %(status)s.") % {
                "status": incident.get_status_display().lower()})
        if to not in TRANSITIONS[incident.status]:
            raise WorkflowError(_("Ett ärende med status %(status)s kan inte markeras som %(to)s.") % {
                "status": incident.get_status_display().lower(), "to": Status(to).label.lower()})
        return _save(user, incident, version, {"status": to, **(extra or {})}, action)


# --- the steps -------------------------------------------------------------

def acknowledge(user, incident_pk, version) -> Incident:
    """Mark the report as received: the reporter sees that someone has it.

    Checks: the user may handle the case; the version; the status allows it.
    Saves: status, acknowledged_at, and the user as assignee if nobody is;
    the checklist's rows. Audits: "incident.acknowledge" with old → new.
    Sends: after the change, the reporter an e-mail without content."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        extra = {"acknowledged_at": timezone.now()}
        if incident.assigned_to_id is None:
            extra["assigned_to"] = user
        incident = _transition(user, incident_pk, version, Status.ACKNOWLEDGED, "incident.acknowledge", extra)
        ensure_checklist(incident)
    notify.status_to_reporter(incident)
    return incident


def start_investigation(user, incident_pk, version) -> Incident:
    """Mark the case as under investigation.

    Checks: may handle; version; status. Saves: status. Audits:
    "incident.investigate". Sends: nothing."""
    return _transition(user, incident_pk, version, Status.INVESTIGATING, "incident.investigate")


def resolve(user, incident_pk, version) -> Incident:
    """Mark the case as actioned (åtgärdad).

    Checks: may handle; version; status; nothing remains (closing_blockers:
    the same rule as for closing, so that an actioned case can be closed).
    Saves: status. Audits: "incident.resolve". Sends: nothing."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        _check_version(incident, version)
        if incident.status in TRANSITIONS and Status.RESOLVED in TRANSITIONS[incident.status]:
            _refuse_if_blocked(incident, _("Ärendet kan markeras som åtgärdat när uppföljningen är klar och inga "
                                           "åtgärder pågår. Kvar: %(items)s."))
        return _transition(user, incident_pk, version, Status.RESOLVED, "incident.resolve")


def close(user, incident_pk, version, summary: str) -> Incident:
    """Close the case.

    Checks: may handle; version; a summary is written; nothing remains
    (closing_blockers: every checklist item done or not applicable, no
    action still open). Saves: status, closed_at, closing_summary (which the
    reporter sees). Audits: "incident.close". Sends: the reporter an e-mail
    without content."""
    summary = (summary or "").strip()
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        _check_version(incident, version)
        if not summary:
            raise WorkflowError(_("Skriv en kort sammanfattning innan du avslutar ärendet."))
        _refuse_if_blocked(incident, _("Ärendet kan avslutas när uppföljningen är klar och inga åtgärder pågår. "
                                       "Kvar: %(items)s."))
        incident = _transition(user, incident_pk, version, Status.CLOSED, "incident.close",
                               {"closed_at": timezone.now(), "closing_summary": summary})
    notify.status_to_reporter(incident)
    return incident


def reopen(user, incident_pk, version, reason: str) -> Incident:
    """Open a closed case again.

    Checks: may handle; version; the case is closed; a reason is given.
    Saves: status (under investigation), closed_at cleared, the reason on
    the case (reopen_reason). Audits:
    "incident.reopen" and "incident.reopen_reason" with the reason. Sends:
    the reporter an e-mail without content."""
    reason = (reason or "").strip()
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        _check_version(incident, version)
        if incident.status != Status.CLOSED:
            raise WorkflowError(_("Bara ett avslutat ärende kan öppnas igen."))
        if not reason:
            raise WorkflowError(_("Skriv varför ärendet öppnas igen."))
        incident = _save(user, incident, version,
                         {"status": Status.INVESTIGATING, "closed_at": None}, "incident.reopen")
        # Unscoped: the case was loaded through access above; the text is the
        # case's own (the log keeps its keyed hash only).
        Incident.unscoped.filter(pk=incident.pk).update(reopen_reason=reason)
        incident.reopen_reason = reason
        record(user, "incident.reopen_reason", incident, incident=incident, changes={"reason": [None, reason]})
    notify.status_to_reporter(incident)
    return incident


def assign(user, incident_pk, version, handler) -> Incident:
    """Give the case to a named handler (or to nobody, with None).

    Checks: may handle; version; the new handler may handle the case too.
    Saves: assigned_to. Audits: "incident.assign". Sends: the new handler an
    e-mail without content, unless they assigned it to themselves."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        _check_version(incident, version)
        if handler is not None and not access.can_handle(handler, incident):
            raise WorkflowError(_("%(name)s kan inte handlägga det här ärendet.") % {"name": handler})
        if incident.assigned_to_id == (handler.pk if handler else None):
            raise WorkflowError(_("Ärendet är redan tilldelat %(name)s.") % {"name": handler or _("ingen")})
        incident = _save(user, incident, version, {"assigned_to": handler}, "incident.assign")
    if handler is not None and handler != user:
        notify.assigned(incident, handler)
    return incident


def possible_handlers(incident) -> list:
    """People who may be assigned: everyone who may handle the case."""
    return list(access.handlers_of(incident).order_by("last_name", "first_name"))


def item_stamp(item) -> str:
    """What ChecklistItemForm.seen carries: when the item was last saved."""
    return item.updated_at.isoformat() if item.updated_at else ""


def update_checklist_item(user, incident_pk, code, *, state, done_on=None, reference="", note="",
                          seen=None) -> ChecklistItem:
    """Change one follow-up item.

    Checks: may handle; the case is not closed; the code and state exist;
    the fields (validate_item); the item's own lock: `seen` is item_stamp()
    as the user loaded it, and if someone saved the item since, Conflict and
    nothing changes. Saves: the checklist's rows, the item (a date only when
    it is done; a reference only when it is done and the item carries
    another authority's number, a K-number in its normalised form); for the
    police item the case's police report in the same transaction (see
    _police_in_step). Audits: "checklist.<code>" with old → new (nothing when
    nothing changed), and "incident.police" when the case's police report
    changed. Sends: nothing."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        if incident.status == Status.CLOSED:
            raise WorkflowError(_("Ärendet är avslutat. Öppna det igen för att ändra uppföljningen."))
        if code not in Code.values or state not in State.values:
            raise WorkflowError(_("Okänd uppföljningspunkt."))
        reference, note = (reference or "").strip(), (note or "").strip()
        errors = validate_item(incident, code, state, done_on, reference, note)
        if errors:
            raise ChecklistInvalid(errors)
        if code == Code.POLICE:
            reference = normalise_k_number(reference)
        item = next((i for i in ensure_checklist(incident) if i.code == code), None)
        if item is None:  # a step the action plan did not give this case
            raise WorkflowError(_("Okänd uppföljningspunkt."))
        if seen is not None and seen != item_stamp(item):
            raise Conflict(_("Någon annan har ändrat den här punkten medan du skrev. Det du skrev finns kvar: "
                             "se vad som ändrats och spara igen."))
        fields = ["state", "done_on", "reference", "note"]
        old = snapshot(item, fields)
        done = state == State.DONE
        item.state, item.done_on = state, done_on if done else None
        item.reference, item.note = reference if done and code in REFERENCE_LABELS else "", note
        item.updated_by, item.updated_at = user, timezone.now()
        item.save()
        changes = diff(old, snapshot(item, fields))
        if changes:
            record(user, f"checklist.{code}", item, incident=incident, changes=changes)
        if code == Code.POLICE:
            _police_in_step(user, incident, old["reference"] or "", item.reference)
    return item


def _police_in_step(user, incident, old_reference: str, new_reference: str) -> None:
    """The police item's K-number is the case's police report: one fact,
    shown on the case page, in Mina rapporter, in exports and statistics.

    A K-number on the item makes the case police-reported with that number.
    A K-number taken off the item (a mistake corrected) is taken off the case
    too, if the case carried that number; the case is then undecided again.
    A police decision without a K-number leaves the case's police report as
    the reporter stated it. Audits "incident.police" with old → new."""
    if new_reference:
        fields = {"police_status": Incident.PoliceStatus.REPORTED, "police_reference": new_reference}
    elif old_reference and old_reference == incident.police_reference:
        fields = {"police_reference": ""}
        if incident.police_status == Incident.PoliceStatus.REPORTED:
            fields["police_status"] = Incident.PoliceStatus.UNDECIDED
    else:
        return
    if any(getattr(incident, name) != value for name, value in fields.items()):
        _save(user, incident, incident.version, fields, "incident.police")


def set_police_reference(user, incident_pk, reference: str) -> ChecklistItem:
    """Change the case's K-number from anywhere but the checklist (or take it
    away with ""): it goes through the police item, so that the item and the
    case never disagree. Checks, saves and audits as update_checklist_item."""
    incident = load_for_handling(user, incident_pk)
    item = next(i for i in checklist(incident) if i.code == Code.POLICE)
    if (reference or "").strip():
        return update_checklist_item(user, incident_pk, Code.POLICE, state=State.DONE,
                                     done_on=item.done_on or timezone.localdate(), reference=reference,
                                     note=item.note)
    return update_checklist_item(user, incident_pk, Code.POLICE, state=State.OPEN, note=item.note)


def add_action(user, incident_pk, *, title, owner, due_date) -> Action:
    """Decide an action on the case: what, who, by when.

    Checks: may handle; the case is not closed; the owner may handle the
    case (or is the user). Saves: the action. Audits: "action.create".
    Sends: the owner an e-mail without content, unless it is the user."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        if incident.status == Status.CLOSED:
            raise WorkflowError(_("Ärendet är avslutat. Öppna det igen för att lägga till åtgärder."))
        if not (access.can_handle(owner, incident) or owner == user):
            raise WorkflowError(_("Den ansvariga måste kunna handlägga ärendet."))
        action = Action.objects.create(incident=incident, title=title.strip(), owner=owner, due_date=due_date)
        record(user, "action.create", action, incident=incident, changes={
            "title": [None, action.title], "owner": [None, str(owner.pk)], "due_date": [None, due_date]})
    if owner != user:
        notify.action_assigned(action)
    return action


def set_action_status(user, action_pk, status) -> Action:
    """Mark an action done, cancelled or open again.

    Checks: may handle the action's case (404/403 as for cases); the status
    exists and differs. Saves: status, done_at. Audits: "action.change".
    Sends: nothing."""
    with transaction.atomic():
        action = load_action(user, action_pk)
        if status not in Action.Status.values:
            raise WorkflowError(_("Okänd status."))
        if action.status == status:
            raise WorkflowError(_("Åtgärden har redan den statusen."))
        old = snapshot(action, ["status", "done_at"])
        action.status = status
        action.done_at = timezone.now() if status == Action.Status.DONE else None
        action.save(update_fields=["status", "done_at"])
        record(user, "action.change", action, incident=action.incident,
               changes=diff(old, snapshot(action, ["status", "done_at"])))
    return action


# The statuses in the order a case moves through them.
ORDER = [Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.RESOLVED, Status.CLOSED]


def forward_steps(incident, blockers) -> list[str]:
    """The status buttons of the case page, the usual first: only forward,
    never to closed (closing has its own form with the summary), and
    "åtgärdad" only when nothing remains (closing_blockers)."""
    here = ORDER.index(incident.status)
    return [to for to in TRANSITIONS[incident.status]
            if ORDER.index(to) > here and to != Status.CLOSED and not (to == Status.RESOLVED and blockers)]


def next_step(incident, user=None) -> str:
    """The one thing to do next, in plain Swedish, for the case page. It
    always leads forward: on an actioned case, to what remains before
    closing, then to closing."""
    if incident.status == Status.NEW:
        return _("Kvittera att rapporten är mottagen och ta kontakt med medarbetaren.")
    if incident.status == Status.CLOSED:
        return _("Ärendet är avslutat.")
    if possibly_serious(incident):
        av = next((i for i in checklist(incident) if i.code == Code.WORK_ENV_AUTHORITY), None)
        if av and av.state == State.OPEN:
            return _("Händelsen kan vara ett allvarligt tillbud: ta ställning till anmälan till Arbetsmiljöverket "
                     "inom 24 timmar.")
    remaining = open_items(incident)
    if remaining:
        return _("Nästa punkt i uppföljningen: %(item)s.") % {"item": remaining[0].get_code_display().lower()}
    if incident.actions.filter(status=Action.Status.OPEN).exists():
        return _("Följ upp de pågående åtgärderna.")
    if incident.status != Status.RESOLVED:
        return _("Uppföljningen är klar: markera ärendet som åtgärdat.")
    return _("Skriv en sammanfattning och avsluta ärendet.")

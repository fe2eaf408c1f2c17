"""Support to the exposed employee: every change of a support track.

Each function here is one thing a handler (or, for start_from_report, the
report itself) does. Each one
  1. checks that the user may handle the case (incidents.access through
     casework.workflow.load_for_handling: 404 if they may not know it exists,
     403 if they may see it but not act),
  2. checks the input (SupportInvalid with Swedish messages by field),
  3. saves with optimistic locking on SupportTrack.version (Conflict if
     someone else saved first; nothing changes),
  4. appends an audit entry with the old and new values (free texts as keyed
     hashes, audit.log.protect),
  5. sends nothing: the reminders come from the timer (support/reminders.py).
The track is not bound to the case's status: it is kept and worked on after
the case is closed, until its last step is done or skipped.
"""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import ANONYMOUS_REPORTER, SYSTEM, diff, record, snapshot
from casework.workflow import Conflict, WorkflowError, load_for_handling
from incidents import access
from incidents.checklist import ITEM_FIELDS, ensure_checklist
from incidents.models import ChecklistItem, Incident
from support.models import SupportAnswer, SupportOffer, SupportStep, SupportTrack
from support.schedule import due_dates

Kind = SupportStep.Kind
State = SupportStep.State
STEP_FIELDS = ["state", "due_on", "done_on", "note"]


class SupportInvalid(WorkflowError):
    """A change with field errors (field → Swedish message)."""

    def __init__(self, errors: dict):
        super().__init__(" ".join(str(v) for v in errors.values()))
        self.errors = errors


def _conflict():
    return Conflict(_("Stödspåret har ändrats av någon annan medan du arbetade. Det du skrev finns kvar – "
                      "se vad som ändrats och spara igen."))


# --- reading ---------------------------------------------------------------------

def track_of(incident):
    """The case's support track, or None. Reads only; `incident` comes from access."""
    try:
        return incident.support_track
    except SupportTrack.DoesNotExist:
        return None


def handleable_tracks(user):
    """Tracks on the cases the user may handle (incidents.access)."""
    return access.rows_of(SupportTrack, access.handleable_incidents(user))


# --- starting --------------------------------------------------------------------

def _create(incident, *, origin, started_by, started_at):
    track = SupportTrack.objects.create(incident=incident, origin=origin, started_by=started_by,
                                        started_at=started_at)
    SupportStep.objects.bulk_create([SupportStep(track=track, kind=kind, due_on=day)
                                     for kind, day in due_dates(started_at).items()])
    return track


def start_from_report(incident) -> SupportTrack:
    """The reporter answered "Jag vill ha ett stödsamtal": the case gets its
    track, started when the report was (for an anonymous report that is the
    hour only, so that nothing dates it closer). Called by
    reporting.services.create_report inside its transaction.

    Saves: the track and its four steps. Audits: "support.start" as the
    reporter's own request (the anonymous reporter's label, held to the
    hour, for an anonymous report; the system otherwise)."""
    track = _create(incident, origin=SupportTrack.Origin.REPORT, started_by=None,
                    started_at=incident.reported_at)
    anonymous = incident.identity_mode == Incident.IdentityMode.ANONYMOUS
    record(None, "support.start", track, incident=incident,
           changes={"origin": [None, track.origin]},
           actor_label=ANONYMOUS_REPORTER if anonymous else SYSTEM)
    return track


def start(user, incident_pk) -> SupportTrack:
    """A handler judges that the employee needs support: the case gets its track.

    Checks: may handle; the case has no track yet. Saves: the track and its
    steps, started now. Audits: "support.start"."""
    with transaction.atomic():
        incident = load_for_handling(user, incident_pk)
        if track_of(incident) is not None:
            raise WorkflowError(_("Ärendet har redan ett stödspår."))
        track = _create(incident, origin=SupportTrack.Origin.HANDLER, started_by=user, started_at=timezone.now())
        record(user, "support.start", track, incident=incident, changes={"origin": [None, track.origin]})
    return track


# --- changing --------------------------------------------------------------------

def _load_track(user, incident_pk, version):
    incident = load_for_handling(user, incident_pk)
    track = track_of(incident)
    if track is None:
        raise WorkflowError(_("Ärendet har inget stödspår."))
    if track.version != version:
        raise _conflict()
    return incident, track


def _bump(track, version, **fields):
    """Take the track's lock: one save per version."""
    updated = SupportTrack.unscoped.filter(pk=track.pk, version=version).update(version=version + 1, **fields)
    if not updated:  # pragma: no cover - a race between the check above and here
        raise _conflict()
    track.version = version + 1
    for name, value in fields.items():
        setattr(track, name, value)


def _finish_if_done(user, incident, track) -> None:
    if track.status == SupportTrack.Status.OPEN and not track.steps.filter(state=State.PLANNED).exists():
        SupportTrack.unscoped.filter(pk=track.pk).update(status=SupportTrack.Status.DONE, ended_at=timezone.now())
        track.status = SupportTrack.Status.DONE
        record(user, "support.done", track, incident=incident,
               changes={"status": [SupportTrack.Status.OPEN, SupportTrack.Status.DONE]})


def _first_talk_on_checklist(user, incident, done_on) -> None:
    """The first support conversation is the checklist's "Stödsamtal med
    medarbetaren hållet": one fact. The item is marked done with its date
    when it is still open and the case is not closed."""
    if incident.status == Incident.Status.CLOSED:
        return
    item = next(i for i in ensure_checklist(incident) if i.code == ChecklistItem.Code.SUPPORT_TALK)
    if item.state != ChecklistItem.State.OPEN:
        return
    old = snapshot(item, ITEM_FIELDS)
    item.state, item.done_on = ChecklistItem.State.DONE, done_on
    item.note = _("Registrerat i stödspåret.")
    item.updated_by, item.updated_at = user, timezone.now()
    item.save()
    record(user, f"checklist.{item.code}", item, incident=incident, changes=diff(old, snapshot(item, ITEM_FIELDS)))


def validate_step(incident, action, day, note) -> dict:
    """Field errors (field → Swedish message) for a step change."""
    errors = {}
    today = timezone.localdate()
    event_day = timezone.localdate(incident.occurred_at)
    if action in ("done", "reschedule"):
        if day is None:
            errors["day"] = _("Ange datum.")
        elif day < event_day:
            errors["day"] = _("Datumet kan inte ligga före händelsen (%(day)s).") % {"day": event_day.isoformat()}
        elif action == "done" and day > today:
            errors["day"] = _("Ett genomfört samtal kan inte ha ett datum i framtiden.")
        elif action == "reschedule" and day < today:
            errors["day"] = _("Välj ett datum från och med i dag.")
    if action == "skip" and not note:
        errors["note"] = _("Skriv varför steget hoppas över.")
    if action not in ("done", "reschedule", "skip"):
        errors["action"] = _("Välj vad som ska göras med steget.")
    return errors


def update_step(user, incident_pk, kind, *, version, action, day=None, note="") -> SupportStep:
    """Mark a step done (with its date), schedule it for another day, or
    skip it with a reason.

    Checks: may handle; the track exists and is at `version`; the step is
    still planned; the fields (validate_step: no date before the event, none in
    the future for a conversation held, none in the past for a new
    appointment, a reason to skip). Saves: the step; the track's version;
    the track done when no step is left; the checklist's support item when
    the first conversation is held. Audits: "support.step.<kind>" with old →
    new, "support.done" when the track ends."""
    note = (note or "").strip()
    with transaction.atomic():
        incident, track = _load_track(user, incident_pk, version)
        step = track.steps.filter(kind=kind).first()
        if step is None:
            raise WorkflowError(_("Okänt steg i stödspåret."))
        if not step.is_open:
            raise WorkflowError(_("Steget är redan %(state)s.") % {"state": step.get_state_display().lower()})
        errors = validate_step(incident, action, day, note)
        if errors:
            raise SupportInvalid(errors)
        _bump(track, version)
        old = snapshot(step, STEP_FIELDS)
        if action == "done":
            step.state, step.done_on = State.DONE, day
        elif action == "skip":
            step.state = State.SKIPPED
        else:
            step.due_on = day
        if note:
            step.note = note
        step.updated_by, step.updated_at = user, timezone.now()
        step.save()
        record(user, f"support.step.{kind}", step, incident=incident, changes=diff(old, snapshot(step, STEP_FIELDS)))
        if action == "done" and kind == Kind.FIRST_TALK:
            _first_talk_on_checklist(user, incident, day)
        _finish_if_done(user, incident, track)
    return step


def validate_offer(incident, code, offered_on, note) -> dict:
    errors = {}
    if code not in SupportOffer.Code.values:
        errors["code"] = _("Välj vilket stöd som erbjöds.")
    if offered_on is None:
        errors["offered_on"] = _("Ange när stödet erbjöds.")
    elif offered_on < timezone.localdate(incident.occurred_at):
        errors["offered_on"] = _("Datumet kan inte ligga före händelsen.")
    elif offered_on > timezone.localdate():
        errors["offered_on"] = _("Datumet kan inte ligga i framtiden.")
    if code == SupportOffer.Code.OTHER and not note:
        errors["note"] = _("Beskriv vilket stöd som erbjöds.")
    return errors


def add_offer(user, incident_pk, *, version, code, offered_on, answer, note="") -> SupportOffer:
    """Record support offered to the employee and their answer.

    Checks: may handle; the track exists and is at `version`; a known
    support code, a date (not before the event, not in the future), a
    description for "annat". Saves: the offer; the track's version.
    Audits: "support.offer"."""
    note = (note or "").strip()
    with transaction.atomic():
        incident, track = _load_track(user, incident_pk, version)
        errors = validate_offer(incident, code, offered_on, note)
        if answer not in SupportOffer.Answer.values:
            errors["answer"] = _("Välj medarbetarens svar.")
        if errors:
            raise SupportInvalid(errors)
        _bump(track, version)
        offer = SupportOffer.objects.create(track=track, code=code, offered_on=offered_on, answer=answer,
                                            note=note, recorded_by=user)
        record(user, "support.offer", offer, incident=incident, changes={
            "code": [None, code], "offered_on": [None, offered_on], "answer": [None, answer],
            **({"note": [None, note]} if note else {})})
    return offer


def answer_offer(user, incident_pk, offer_pk, *, version, answer) -> SupportOffer:
    """Change the employee's answer to an offer (accepted, declined, pending).

    Checks: may handle; version; the offer is on this case's track; a known
    answer. Saves: the answer. Audits: "support.offer" with old → new."""
    with transaction.atomic():
        incident, track = _load_track(user, incident_pk, version)
        offer = track.offers.filter(pk=offer_pk).first()
        if offer is None:
            raise WorkflowError(_("Okänt stöd."))
        if answer not in SupportOffer.Answer.values:
            raise SupportInvalid({"answer": _("Välj medarbetarens svar.")})
        if offer.answer == answer:
            return offer
        _bump(track, version)
        old = snapshot(offer, ["answer"])
        offer.answer = answer
        offer.save(update_fields=["answer"])
        record(user, "support.offer", offer, incident=incident, changes=diff(old, snapshot(offer, ["answer"])))
    return offer


def end_early(user, incident_pk, *, version, reason) -> SupportTrack:
    """Close the track before its last check-in (the employee does not want
    more, or has support elsewhere).

    Checks: may handle; version; the track is open; a reason. Saves: every
    planned step skipped with the reason; the track done with the reason.
    Audits: "support.end" with the reason (as a keyed hash)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        incident, track = _load_track(user, incident_pk, version)
        if track.status != SupportTrack.Status.OPEN:
            raise WorkflowError(_("Stödspåret är redan avslutat."))
        if not reason:
            raise SupportInvalid({"reason": _("Skriv varför stödspåret avslutas i förtid.")})
        now = timezone.now()
        _bump(track, version, status=SupportTrack.Status.DONE, ended_at=now, end_reason=reason)
        track.steps.filter(state=State.PLANNED).update(state=State.SKIPPED, note=reason, updated_by=user,
                                                       updated_at=now)
        record(user, "support.end", track, incident=incident, changes={
            "status": [SupportTrack.Status.OPEN, SupportTrack.Status.DONE], "end_reason": [None, reason]})
    return track


# --- the employee's voice -------------------------------------------------------------

Occasion = SupportAnswer.Occasion


def current_occasion(incident):
    """The occasion the employee is asked "Fick du det stöd du behövde?"
    about now: the latest of their support steps held, or the closing of the
    case once it is closed. None when there is none or it is answered.
    Reads only; `incident` is one the reporter may see (their own, or the
    one their receipt code opened)."""
    occasions = []
    track = track_of(incident)
    if track is not None:
        occasions += [(s.done_on, Occasion(s.kind)) for s in track.steps.filter(state=State.DONE)]
    if incident.status == Incident.Status.CLOSED and incident.closed_at:
        occasions.append((timezone.localdate(incident.closed_at), Occasion.CLOSING))
    if not occasions:
        return None
    order = list(Occasion.values)
    latest = max(occasions, key=lambda o: (o[0], order.index(o[1])))[1]
    if incident.support_answers.filter(occasion=latest).exists():
        return None
    return latest


def answer(incident, *, reporter, occasion, felt_supported: bool, comment="") -> SupportAnswer:
    """The employee answers "Fick du det stöd du behövde?".

    Checks: `reporter` is the case's named or confidential reporter, or None
    for an anonymous case opened with its receipt code (the caller checked
    the code); the occasion is the one asked now (current_occasion). Saves:
    the answer, with no user and for an anonymous case the hour only.
    Audits: "support.answer" as the reporter (the anonymous reporter's
    label, held to the hour, for an anonymous case), the comment as a keyed
    hash. Sends: nothing."""
    anonymous = incident.identity_mode == Incident.IdentityMode.ANONYMOUS
    if anonymous != (reporter is None) or (reporter is not None and incident.reporter_id != reporter.pk):
        raise PermissionDenied
    comment = (comment or "").strip()
    with transaction.atomic():
        if current_occasion(incident) != occasion:
            raise WorkflowError(_("Frågan är redan besvarad."))
        saved = SupportAnswer.objects.create(incident=incident, occasion=occasion, felt_supported=felt_supported,
                                             comment=comment)
        record(reporter, "support.answer", saved, incident=incident, changes={
            "occasion": [None, occasion], "felt_supported": [None, felt_supported],
            **({"comment": [None, comment]} if comment else {})},
            actor_label=ANONYMOUS_REPORTER if anonymous else "")
    return saved

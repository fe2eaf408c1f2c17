"""The district's cooperation with its local police area: the agreement
(samverkansöverenskommelse), its meetings and the measures agreed.

Who: the security coordinator and HR of the district (or above) record and
read all of it; anyone else gets 404 (the agreement's notes may say more
than its figures). Every change is audited with old and new values (free
texts as the audit log keeps them: a keyed hash and the length).

The agreement's meeting rhythm is a duty in the annual cycle (cycle.
services: created and changed there, with its occurrences and reminders).
The agreement's document is stored as incidents' attachments are: its type
checked by content, images cleaned of metadata (reporting.attachments), a
random file name; a replaced document's file is removed after the commit.

The meeting's pack for the police (pack()) holds only the joint situation
picture of the agreement's police area for the meeting's period, counted
within the user's scope and always suppressed (police.picture), and the
agreement's open measures."""
import os
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.log import diff, record, snapshot
from cycle import services as cycle_services
from cycle.models import Duty
from incidents import access
from organisation.models import OrgUnit, Role
from police import picture
from police.models import Agreement, Measure, Meeting
from reporting.attachments import AttachmentError, check_upload, clean_image
from situation.forms import load_terms
from situation.lens import Lens

COOPERATION_ROLES = (Role.SECURITY_COORDINATOR, Role.HR)
AGREEMENT_FIELDS = ["node", "area", "city_party", "police_party", "valid_from", "valid_to", "city_contact",
                    "police_contact", "rhythm", "meeting_day", "document_name"]
MEASURE_FIELDS = ["title", "side", "owner", "due_date", "status", "done_on"]


class Invalid(Exception):
    """Input that cannot be saved; errors per field ("__all__" for the form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- who ---------------------------------------------------------------------------

def nodes_for(user):
    """The districts (and the city) where the user may run police cooperation."""
    return access.covered_nodes(user, roles=COOPERATION_ROLES).exclude(kind__in=[OrgUnit.Kind.UNIT,
                                                                                 OrgUnit.Kind.DEPARTMENT])


def may_cooperate(user) -> bool:
    return nodes_for(user).exists()


def agreements_for(user):
    return Agreement.objects.filter(node__in=nodes_for(user)).select_related("node", "area__region", "duty")


def get_agreement(user, pk) -> Agreement:
    found = agreements_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_meeting(user, pk) -> Meeting:
    found = (Meeting.objects.filter(pk=pk, agreement__in=agreements_for(user))
             .select_related("agreement__node", "agreement__area__region").first())
    if found is None:
        raise Http404
    return found


def get_measure(user, pk) -> Measure:
    found = (Measure.objects.filter(pk=pk, meeting__agreement__in=agreements_for(user))
             .select_related("meeting__agreement").first())
    if found is None:
        raise Http404
    return found


# --- the agreement -------------------------------------------------------------------

def _store_document(agreement: Agreement, upload) -> None:
    """Checked by content, images cleaned of metadata, under a random name."""
    mime = check_upload(upload)
    upload.seek(0)
    data = upload.read()
    name = os.path.basename(upload.name or "overenskommelse")[:150] or "overenskommelse"
    if mime.startswith("image/"):
        try:
            data, mime, ending = clean_image(data, mime)
        except Exception as exc:  # Pillow raises many kinds for broken or hostile images
            raise AttachmentError(_("Bilden ”%(name)s” gick inte att läsa. Välj en annan fil.") % {"name": name}) \
                from exc
        name = os.path.splitext(name)[0] + ending
    agreement.document.save("upload", ContentFile(data), save=False)
    agreement.document_name, agreement.document_type, agreement.document_size = name, mime, len(data)


def _check(agreement: Agreement) -> None:
    errors = {}
    if agreement.valid_to < agreement.valid_from:
        errors["valid_to"] = _("Slutdatumet är före startdatumet. Ange när överenskommelsen slutar gälla.")
    if errors:
        raise Invalid(errors)


def _duty_values(agreement: Agreement) -> dict:
    """The meeting duty's fields; its text is stored in the organisation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _duty_texts(agreement) | {
            "kind": Duty.Kind.POLICE_MEETING, "schedule": Duty.Schedule.CUSTOM,
            "custom_days": agreement.meeting_days, "starts_on": agreement.valid_from,
            "active": agreement.valid_to >= timezone.localdate()}


def _duty_texts(agreement: Agreement) -> dict:
    return {"title": _("Samverkansmöte med lokalpolisområde %(area)s") % {"area": agreement.area.name},
            "description": _("Enligt samverkansöverenskommelsen %(start)s–%(end)s. Mötesunderlaget tas fram i Värn "
                             "under Polissamverkan.") % {"start": agreement.valid_from.isoformat(),
                                                          "end": agreement.valid_to.isoformat()}}


def save_agreement(user, agreement: Agreement, upload=None) -> Agreement:
    """Create or change an agreement (an unsaved or changed instance from
    the form). Checks: the user runs police cooperation at its node
    (PermissionDenied otherwise); the period ends after it starts (Invalid).
    Side effects: stores the document; creates or changes the meeting duty in
    the annual cycle; audits police.agreement.create / .change."""
    if not nodes_for(user).filter(pk=agreement.node_id).exists():
        raise PermissionDenied
    _check(agreement)
    with transaction.atomic():
        old = {}
        old_file = ""
        if agreement.pk:
            stored = Agreement.objects.select_for_update().get(pk=agreement.pk)
            if not nodes_for(user).filter(pk=stored.node_id).exists():
                raise PermissionDenied
            old = snapshot(stored, AGREEMENT_FIELDS)
            old_file = stored.document.name if upload is not None else ""
        if upload is not None:
            _store_document(agreement, upload)
        created = agreement.pk is None
        if created:
            agreement.created_by = user
        agreement.save()
        changes = diff(old, snapshot(agreement, AGREEMENT_FIELDS))
        if changes:
            record(user, "police.agreement.create" if created else "police.agreement.change", agreement,
                   changes=changes)
        values = _duty_values(agreement)
        if agreement.duty_id is None:
            duty = Duty(node=agreement.node, owner=user, **values)
            cycle_services.create_duty(user, duty)
            agreement.duty = duty
            agreement.save(update_fields=["duty"])
        else:
            cycle_services.update_duty(user, agreement.duty_id, values)
        if old_file and old_file != agreement.document.name:
            transaction.on_commit(lambda: default_storage.delete(old_file))
    return agreement


# --- meetings and measures ---------------------------------------------------------------

def create_meeting(user, agreement_pk, *, held_on: date, period_start: date, period_end: date) -> Meeting:
    """A meeting under an agreement. Checks: the period ends after it
    starts. Audits police.meeting.create. A meeting that has been held
    also marks the annual cycle's meeting duty done for the latest period
    that had begun by then (_meeting_duty_done), so that the cycle does not
    keep reminding of a meeting that took place."""
    agreement = get_agreement(user, agreement_pk)
    if period_end < period_start:
        raise Invalid({"period_end": _("Periodens slut är före dess början.")})
    with transaction.atomic():
        meeting = Meeting.objects.create(agreement=agreement, held_on=held_on, period_start=period_start,
                                         period_end=period_end, created_by=user)
        record(user, "police.meeting.create", meeting, changes={
            "held_on": [None, held_on.isoformat()], "period_start": [None, period_start.isoformat()],
            "period_end": [None, period_end.isoformat()]})
        _meeting_duty_done(user, agreement, meeting)
    return meeting


def _meeting_duty_done(user, agreement, meeting) -> None:
    """The open occurrence of the agreement's meeting duty whose period had
    begun by the meeting, marked done on the meeting's day through the
    annual cycle (which checks that the user may, and audits it). Nothing
    for a meeting in the future, an agreement without a duty, or a user the
    cycle does not let change the duty."""
    from cycle.models import DutyOccurrence

    if agreement.duty_id is None or meeting.held_on > timezone.localdate():
        return
    occurrence = (DutyOccurrence.objects.filter(duty_id=agreement.duty_id, status=DutyOccurrence.Status.OPEN,
                                                period_start__lte=meeting.held_on)
                  .order_by("-period_start").first())
    if occurrence is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Mötet den %(date)s är registrerat under Polissamverkan.") % {"date": meeting.held_on.isoformat()}
    try:
        cycle_services.mark_done(user, occurrence, done_at=meeting.held_on, result_note=note)
    except (PermissionDenied, Http404):
        return


def save_notes(user, meeting_pk, notes: str) -> bool:
    """The meeting's notes. Audits police.meeting.notes (the text as a keyed hash)."""
    with transaction.atomic():
        meeting = get_meeting(user, meeting_pk)
        if meeting.notes == notes:
            return False
        record(user, "police.meeting.notes", meeting, changes={"notes": [meeting.notes, notes]})
        meeting.notes = notes
        meeting.save(update_fields=["notes"])
    return True


def add_measure(user, meeting_pk, *, title: str, side: str, owner: str, due_date: date | None) -> Measure:
    """A measure agreed at the meeting. Refused (Invalid) without an owner
    or a deadline. Audits police.measure.create."""
    meeting = get_meeting(user, meeting_pk)
    errors = {}
    if not side:
        errors["side"] = _("Välj om staden eller polisen ansvarar för åtgärden.")
    if not (owner or "").strip():
        errors["owner"] = _("Ange vem som ansvarar, som en roll eller funktion, till exempel "
                            "”Kommunpolisen” eller ”Säkerhetssamordnaren”.")
    if due_date is None:
        errors["due_date"] = _("Ange när åtgärden ska vara klar. En åtgärd utan slutdatum följs inte upp.")
    elif due_date < meeting.held_on:
        errors["due_date"] = _("Datumet är före mötet (%(date)s). Ange när åtgärden ska vara klar.") % {
            "date": meeting.held_on.isoformat()}
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        measure = Measure.objects.create(meeting=meeting, title=title, side=side, owner=owner.strip(),
                                         due_date=due_date)
        record(user, "police.measure.create", measure, changes=diff({}, snapshot(measure, MEASURE_FIELDS)))
    return measure


def set_measure_status(user, measure_pk, status: str) -> bool:
    """Follow up a measure: open, done (dated today) or cancelled. Audits police.measure.change."""
    with transaction.atomic():
        measure = get_measure(user, measure_pk)
        if status not in Measure.Status.values:
            raise Invalid({"status": _("Välj en av statusarna i listan.")})
        before = snapshot(measure, MEASURE_FIELDS)
        measure.status = status
        measure.done_on = timezone.localdate() if status == Measure.Status.DONE else None
        changes = diff(before, snapshot(measure, MEASURE_FIELDS))
        if not changes:
            return False
        measure.save(update_fields=["status", "done_on"])
        record(user, "police.measure.change", measure, changes=changes)
    return True


def open_measures(agreement: Agreement):
    return (Measure.objects.filter(meeting__agreement=agreement, status=Measure.Status.OPEN)
            .select_related("meeting").order_by("due_date", "pk"))


# --- the pack for the police ------------------------------------------------------------

@dataclass
class Pack:
    meeting: Meeting
    area_picture: picture.AreaPicture | None
    lens: Lens
    measures: list


def pack(user, meeting: Meeting) -> Pack:
    """The meeting's pack: the joint situation picture of the police area for
    the meeting's period (suppressed, within the user's scope) and the
    agreement's open measures. Nothing that names a person."""
    end = min(meeting.period_end, timezone.localdate())
    start = min(meeting.period_start, end)
    lens = Lens(node=meeting.agreement.node, start=start, end=end, period="intervall")
    built = picture.build(user, meeting.agreement.area, lens, load_terms())
    return Pack(meeting, built, lens, list(open_measures(meeting.agreement)))

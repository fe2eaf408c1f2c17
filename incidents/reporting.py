"""Reporting an incident: creating the report, routing it, receipt codes for
anonymous reporters, drafts, attachments and the message thread.

Views call these functions; they hold the business rules. Who may see a case
is decided in incidents.access only: routing picks candidate people from role
assignments and then keeps those that access.py lets reach the case.
"""
import io
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import ANONYMOUS_REPORTER, record, snapshot
from incidents import access, notify
from incidents.workdays import add_working_days
from incidents.models import (
    Attachment, Incident, Message, ReceiptCode, ReportDraft, Submission,
)
from organisation.models import OrgUnit, Role, RoleAssignment

ANONYMOUS = Incident.IdentityMode.ANONYMOUS
CONFIDENTIAL = Incident.IdentityMode.CONFIDENTIAL
NAMED = Incident.IdentityMode.NAMED

# Fields whose stored values go into the "incident.create" audit entry. The
# reporter is deliberately not among them: the entry's actor is the reporter,
# and the audit view masks that actor for confidential reports.
AUDITED_FIELDS = [
    "unit", "occurred_at", "forms", "source", "channel", "operation_area", "description",
    "identity_mode", "status", "bypasses_management", "location", "someone_hurt",
    "property_damaged", "wants_support", "police_status", "police_reference", "police_reason",
]

MAX_TEXT = 5000           # characters in a description or a message
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
OLDEST_YEARS = 5          # reports about older events go to the coordinator directly

# Rate limits of the paths that work without logging in. A whole workplace may
# share one public IP address, so the submission limit is generous.
ANONYMOUS_REPORT_RATE = getattr(settings, "VARN_ANONYMOUS_REPORT_RATE", "20/h")
FOLLOWUP_FAILURE_RATE = getattr(settings, "VARN_FOLLOWUP_FAILURE_RATE", "10/15m")
FOLLOWUP_RATE = getattr(settings, "VARN_FOLLOWUP_RATE", "120/h")


# --- keyed hashes ----------------------------------------------------------------

def _digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 keyed with SECRET_KEY: without the key a stored digest says
    nothing, and with it one can only check a guess, never read the value."""
    return salted_hmac(f"varn.reporting.{purpose}", value, algorithm="sha256").hexdigest()


def ip_key(group, request) -> str:
    """Rate-limit key for the anonymous paths: a keyed hash of the client's
    address. It exists only inside the cache key, never in the database
    tables, the logs or the report."""
    from django_ratelimit.core import _get_ip  # honours RATELIMIT_IP_META_KEY behind a proxy
    return _digest("ratelimit-ip", _get_ip(request))


def limit_reached(request, group: str, rate: str) -> bool:
    """Whether the anonymous visitor has used up `rate` in `group`, without
    counting this request (count_attempt does that, e.g. only for failures)."""
    from django_ratelimit.core import get_usage
    usage = get_usage(request, group=group, key=ip_key, rate=rate, increment=False)
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


def count_attempt(request, group: str, rate: str) -> None:
    from django_ratelimit.core import get_usage
    get_usage(request, group=group, key=ip_key, rate=rate, increment=True)


# --- receipt codes ---------------------------------------------------------------

# Crockford's base32: no I, L, O or U, so nothing is mistaken when typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LEN = 4, 4   # 16 symbols = 80 bits
_CODE_LEN = CODE_GROUPS * CODE_GROUP_LEN
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def receipt_code_for(token: uuid.UUID) -> str:
    """The receipt code that belongs to a submission token. Derived with the
    secret key from the token, which only the reporter's browser holds (the
    database keeps a digest of it), so a retried submission can show the same
    code again while nothing stored can reproduce it."""
    raw = salted_hmac("varn.reporting.receipt-code", str(token), algorithm="sha256").digest()
    number = int.from_bytes(raw[:10], "big")  # 80 bits
    symbols = []
    for _i in range(_CODE_LEN):
        number, rest = divmod(number, 32)
        symbols.append(CODE_ALPHABET[rest])
    code = "".join(symbols)
    return "-".join(code[i:i + CODE_GROUP_LEN] for i in range(0, _CODE_LEN, CODE_GROUP_LEN))


def normalise_code(text: str) -> str | None:
    """The code as typed (any case, spaces, dashes, O for 0 …) in canonical
    form, or None when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    compact = "".join(ch for ch in text.upper() if ch not in " -–_.\t\n\r").translate(_CONFUSABLE)
    if len(compact) != _CODE_LEN or any(ch not in CODE_ALPHABET for ch in compact):
        return None
    return "-".join(compact[i:i + CODE_GROUP_LEN] for i in range(0, _CODE_LEN, CODE_GROUP_LEN))


def incident_for_code(text: str) -> Incident | None:
    """The anonymous report a receipt code opens, or None. A wrong code and a
    code that never existed are indistinguishable to the caller."""
    code = normalise_code(text)
    digest = _digest("receipt-lookup", code or secrets.token_hex(8))
    found = ReceiptCode.objects.filter(digest=digest).select_related("incident").first()
    if code is None or found is None:
        return None
    return found.incident


# --- routing ---------------------------------------------------------------------

# How a role reads inside a sentence on the receipt ("Anna Berg (chef)").
ROLE_NOUNS = {
    Role.MANAGER: gettext_lazy("chef"),
    Role.SECURITY_COORDINATOR: gettext_lazy("säkerhetssamordnare"),
    Role.HR: gettext_lazy("HR"),
    Role.SAFETY_REP: gettext_lazy("skyddsombud"),
}


@dataclass
class Routing:
    """Who a report goes to. handlers act on it; informed are told about it."""

    handlers: list = field(default_factory=list)
    informed: list = field(default_factory=list)
    bypass: bool = False
    roles: dict = field(default_factory=dict)   # user pk → role label, for the receipt

    def described(self, users) -> list[tuple[str, object]]:
        return [(self.roles.get(u.pk, ""), u) for u in users]

    @property
    def everyone(self) -> list:
        return self.handlers + [u for u in self.informed if u not in self.handlers]


def _chain(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and the nodes above it, nearest first."""
    return [unit] + list(unit.ancestors().order_by("-path"))


def nearest_holders(unit: OrgUnit, role: str, exclude=None) -> list:
    """Active users holding `role` at the nearest node at or above `unit` that
    has anyone in that role (the unit's own managers before the head of the
    department). Sorted by name so that e-mails and pages are stable."""
    chain = _chain(unit)
    rows = (RoleAssignment.objects
            .filter(role=role, active=True, node__in=chain, user__is_active=True)
            .select_related("user"))
    by_node: dict[int, list] = {}
    for row in rows:
        if exclude is None or row.user_id != exclude:
            by_node.setdefault(row.node_id, []).append(row.user)
    for node in chain:
        if by_node.get(node.pk):
            return sorted(by_node[node.pk], key=lambda u: (u.last_name, u.first_name, u.username))
    return []


def route(incident: Incident) -> Routing:
    """Recipients of a report.

    Normally the unit's nearest managers and the district's security
    coordinator handle it and the safety representative is informed. When the
    source is inside the organisation or its governance (manager, colleague,
    elected official) the unit's management is bypassed: the security
    coordinator and HR of the district receive it instead. Everyone returned
    can open the case according to incidents.access, and the reporter is
    never among them."""
    unit, reporter = incident.unit, incident.reporter_id
    if incident.bypasses_management:
        handler_roles, informed_roles = (Role.SECURITY_COORDINATOR, Role.HR), ()
    else:
        handler_roles, informed_roles = (Role.MANAGER, Role.SECURITY_COORDINATOR), (Role.SAFETY_REP,)
    routing = Routing(bypass=incident.bypasses_management)
    for role in handler_roles:
        for user in nearest_holders(unit, role, reporter):
            if user not in routing.handlers and access.can_handle(user, incident):
                routing.handlers.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    for role in informed_roles:
        for user in nearest_holders(unit, role, reporter):
            if (user not in routing.handlers and user not in routing.informed
                    and access.visible_incidents(user).filter(pk=incident.pk).exists()):
                routing.informed.append(user)
                routing.roles.setdefault(user.pk, ROLE_NOUNS[role])
    return routing


def support_contacts(unit: OrgUnit) -> list[tuple[str, object]]:
    """People an exposed employee can turn to right now: the district's
    security coordinator(s) and HR, as (role label, user)."""
    contacts = []
    for role in (Role.SECURITY_COORDINATOR, Role.HR):
        for user in nearest_holders(unit, role):
            contacts.append((ROLE_NOUNS[role], user))
    return contacts


def ack_deadline(incident: Incident) -> datetime:
    """When the report is to be acknowledged at the latest (working days,
    Swedish holidays excluded)."""
    return add_working_days(incident.reported_at, settings.ACK_TARGET_WORKING_DAYS)


# --- the reporter's unit ---------------------------------------------------------

def home_unit(user) -> OrgUnit | None:
    """Where the user works: their employee assignment, else any assignment."""
    if not (user and user.is_authenticated):
        return None
    assignments = list(user.active_assignments().filter(node__active=True).order_by("pk"))
    for a in assignments:
        if a.role == Role.EMPLOYEE:
            return a.node
    return assignments[0].node if assignments else None


def reportable_units():
    """Every node a report may be filed against: any active part of the
    organisation below the city itself."""
    return OrgUnit.objects.filter(active=True).exclude(kind=OrgUnit.Kind.CITY)


def unit_groups(user, selected=None, everything=False) -> list[tuple[str, list[OrgUnit]]]:
    """Units for the report form's select, grouped by administration: for a
    logged-in employee the units of their own administration(s), for
    everyone else (or on request) the whole organisation. The selected unit
    is always included so that a re-shown form keeps it."""
    nodes = list(reportable_units().order_by("path"))
    admins = {n.pk: n for n in nodes if n.kind == OrgUnit.Kind.ADMINISTRATION}
    assigned, scope = set(), []
    if user and user.is_authenticated:
        for a in user.active_assignments():
            assigned.add(a.node_id)
            if not everything:
                scope.append((a.node.administration() or a.node).path)

    def wanted(node):
        if node.pk == selected:
            return True
        if scope and not any(node.path.startswith(p) for p in scope):
            return False
        return node.kind == OrgUnit.Kind.UNIT or node.pk in assigned

    groups: dict[str, list[OrgUnit]] = {}
    for node in filter(wanted, nodes):
        admin = next((admins[int(p)] for p in node.path.strip("/").split("/") if int(p) in admins), None)
        groups.setdefault(admin.name if admin else _("Övrigt"), []).append(node)
    return list(groups.items())


# --- drafts ----------------------------------------------------------------------

DRAFT_FIELDS = [
    "description", "occurred_date", "occurred_time", "unit", "identity_mode", "source",
    "channel", "operation_area", "location", "someone_hurt", "property_damaged",
    "wants_support", "police_status", "police_reference", "police_reason", "token",
]
DRAFT_LIST_FIELDS = ["forms"]


def save_draft(user, data) -> ReportDraft | None:
    """Keep what the user has typed. An anonymous report is never drafted on
    the server: choosing anonymous removes the server copy instead. A draft
    whose token was already submitted is stale and is removed too."""
    token = data.get("token") or ""
    forms = data.getlist("forms") if hasattr(data, "getlist") else data.get("forms") or []
    empty = not (data.get("description") or "").strip() and not forms
    if data.get("identity_mode") == ANONYMOUS or empty or _submitted(token):
        discard_draft(user)
        return None
    values = {}
    for name in DRAFT_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            values[name] = value[: MAX_TEXT * 2]
    for name in DRAFT_LIST_FIELDS:
        items = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        values[name] = [str(v)[:20] for v in items][:20]
    draft, _created = ReportDraft.objects.update_or_create(user=user, defaults={"data": values})
    return draft


def discard_draft(user) -> None:
    ReportDraft.objects.filter(user=user).delete()


def draft_for(user) -> ReportDraft | None:
    if not (user and user.is_authenticated):
        return None
    return ReportDraft.objects.filter(user=user).first()


def _submitted(token: str) -> bool:
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return False
    return Submission.objects.filter(token_digest=_digest("submission", str(token))).exists()


# --- creating a report -----------------------------------------------------------

@dataclass
class Receipt:
    incident: Incident
    created: bool
    code: str = ""          # the anonymous reporter's receipt code, shown once
    routing: Routing | None = None


def existing_receipt(token) -> Receipt | None:
    """The receipt of an already submitted form (a retry or a double tap)."""
    try:
        token = uuid.UUID(str(token))
    except (ValueError, TypeError):
        return None
    found = (Submission.objects.filter(token_digest=_digest("submission", str(token)))
             .select_related("incident").first())
    if found is None:
        return None
    incident = found.incident
    code = receipt_code_for(token) if incident.identity_mode == ANONYMOUS else ""
    return Receipt(incident=incident, created=False, code=code, routing=route(incident))


def create_report(*, reporter, data: dict, files=(), token: uuid.UUID) -> Receipt:
    """File a report. `data` is a report form's cleaned_data.

    Side effects, all in one transaction: the incident with its forms of
    influence; bypasses_management from the source; the attachments, cleaned
    of metadata, under MEDIA_ROOT; the submission token's digest (a second call
    with the same token returns the first report instead); for an anonymous
    report a receipt code of which only a digest is stored; an
    "incident.create" audit entry with the stored values (actor "anonym
    rapportör" and no user for an anonymous report); the reporter's server
    draft removed. After commit the recipients get an e-mail without any of
    the case's content. An anonymous report stores no user and no IP address.
    """
    identity = data.get("identity_mode") or NAMED
    anonymous = identity == ANONYMOUS
    if not anonymous and not (reporter and reporter.is_authenticated):
        raise ValueError("Only an anonymous report can be filed without a logged-in reporter.")
    source = data.get("source")
    written: list[str] = []
    try:
        with transaction.atomic():
            previous = existing_receipt(token)
            if previous:
                return previous
            incident = Incident.objects.create(
                unit=data["unit"],
                occurred_at=data["occurred_at"],
                description=data["description"],
                reporter=None if anonymous else reporter,
                identity_mode=identity,
                source=source,
                channel=data.get("channel"),
                operation_area=data.get("operation_area") or data["unit"].operation_area,
                bypasses_management=bool(source and source.bypasses_management),
                location=data.get("location") or "",
                someone_hurt=bool(data.get("someone_hurt")),
                property_damaged=bool(data.get("property_damaged")),
                wants_support=bool(data.get("wants_support")),
                police_status=data.get("police_status") or Incident.PoliceStatus.UNDECIDED,
                police_reference=data.get("police_reference") or "",
                police_reason=data.get("police_reason") or "",
            )
            incident.forms.set(data["forms"])
            Submission.objects.create(token_digest=_digest("submission", str(token)), incident=incident)
            names = []
            for upload in files:
                attachment = store_attachment(incident, upload)
                written.append(attachment.file.name)
                names.append(attachment.original_name)
            code = ""
            if anonymous:
                code = receipt_code_for(token)
                ReceiptCode.objects.create(incident=incident, digest=_digest("receipt-lookup", code))
            changes = {name: [None, value] for name, value in snapshot(incident, AUDITED_FIELDS).items()}
            if names:
                changes["attachments"] = [None, names]
            record(None if anonymous else reporter, "incident.create", incident, incident=incident,
                   changes=changes, actor_label=ANONYMOUS_REPORTER if anonymous else "")
            if anonymous:
                # A draft saved before the reporter switched to anonymous would
                # tie their account to this token; no copy may outlive the report.
                ReportDraft.objects.filter(data__token=str(token)).delete()
            if getattr(reporter, "is_authenticated", False):
                # Also for an anonymous report: the draft saved while the form
                # was still named holds the same text, with an older token.
                discard_draft(reporter)
            routing = route(incident)
            transaction.on_commit(lambda: notify.new_report(incident, routing))
    except IntegrityError:
        # The same token was committed by a concurrent request (double tap).
        for name in written:
            Attachment.file.field.storage.delete(name)
        previous = existing_receipt(token)
        if previous is None:
            raise
        return previous
    except BaseException:
        for name in written:
            Attachment.file.field.storage.delete(name)
        raise
    return Receipt(incident=incident, created=True, code=code, routing=routing)


# --- attachments -----------------------------------------------------------------

ALLOWED_TYPES = {
    # content type found by filetype → (accepted file name endings, label)
    "image/jpeg": ((".jpg", ".jpeg", ".jpe"), "JPEG"),
    "image/png": ((".png",), "PNG"),
    "image/heic": ((".heic", ".heif"), "HEIC"),
    "image/heif": ((".heic", ".heif"), "HEIC"),
    "application/pdf": ((".pdf",), "PDF"),
}


class AttachmentError(ValueError):
    pass


def check_upload(upload) -> str:
    """The upload's content type, checked by its content; AttachmentError with
    a message for the reporter when it is not a file we take."""
    import filetype

    name = os.path.basename(upload.name or "")
    if upload.size > MAX_FILE_BYTES:
        raise AttachmentError(_("Filen ”%(name)s” är större än 10 MB. Ta en skärmdump eller minska bilden och välj den igen.") % {"name": name})
    if upload.size == 0:
        raise AttachmentError(_("Filen ”%(name)s” är tom.") % {"name": name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    ending = os.path.splitext(name)[1].lower()
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise AttachmentError(_("Filen ”%(name)s” är inte en bild (JPEG, PNG, HEIC) eller en PDF. Andra filtyper kan inte bifogas.") % {"name": name})
    endings, label = ALLOWED_TYPES[kind.mime]
    if ending not in endings:
        raise AttachmentError(_("Filen ”%(name)s” heter som en annan filtyp än den är (innehållet är %(label)s). Välj rätt fil eller byt filändelse till %(ending)s.") % {"name": name, "label": label, "ending": endings[0]})
    return kind.mime


def clean_image(data: bytes, mime: str) -> tuple[bytes, str, str]:
    """The image with all metadata (EXIF, GPS position, XMP) removed. The
    pixels are turned upright first, since the orientation lived in the EXIF.
    HEIC photos become JPEG so that every handler's browser can show them.
    Returns (bytes, content type, file name ending)."""
    from PIL import Image, ImageOps
    import pillow_heif

    pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        if mime == "image/png":
            clean = upright.copy()
            clean.info = {}
            clean.save(out, format="PNG", optimize=False)
            return out.getvalue(), "image/png", ".png"
        clean = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright.copy()
        clean.info = {}
        clean.save(out, format="JPEG", quality=90, exif=b"")
        return out.getvalue(), "image/jpeg", ".jpg"


def store_attachment(incident: Incident, upload) -> Attachment:
    mime = check_upload(upload)
    upload.seek(0)
    data = upload.read()
    name = os.path.basename(upload.name or "bilaga")[:150] or "bilaga"
    if mime.startswith("image/"):
        try:
            data, mime, ending = clean_image(data, mime)
        except Exception as exc:  # Pillow raises many kinds for broken or hostile images
            raise AttachmentError(_("Bilden ”%(name)s” gick inte att läsa. Välj en annan bild.") % {"name": name}) from exc
        name = os.path.splitext(name)[0] + ending
    attachment = Attachment(incident=incident, original_name=name, content_type=mime, size=len(data))
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment


# --- messages --------------------------------------------------------------------

def post_message(incident: Incident, *, body: str, author=None, by_reporter: bool) -> Message:
    """Add a message to the case's thread.

    Side effects: the message; a "message.create" audit entry with the text
    (actor "anonym rapportör" and no user when the anonymous reporter writes);
    after commit an e-mail without content to the other side: the reporter
    when a handler writes (if the reporter has a known address), the
    assigned handler or else the report's handlers when the reporter writes.
    """
    anonymous = by_reporter and incident.identity_mode == ANONYMOUS
    with transaction.atomic():
        message = Message.objects.create(incident=incident, body=body, by_reporter=by_reporter,
                                         author=None if anonymous else author)
        record(None if anonymous else author, "message.create", message, incident=incident,
               changes={"body": [None, body], "by_reporter": [None, by_reporter]},
               actor_label=ANONYMOUS_REPORTER if anonymous else "")
        if by_reporter:
            transaction.on_commit(lambda: notify.reply_to_handlers(message, _thread_handlers(incident)))
        else:
            transaction.on_commit(lambda: notify.reply_to_reporter(message))
    return message


def _thread_handlers(incident: Incident) -> list:
    if incident.assigned_to_id and access.can_handle(incident.assigned_to, incident):
        return [incident.assigned_to]
    return route(incident).handlers


def message_label(message: Message, viewer, incident: Incident, *, viewer_is_reporter: bool) -> str:
    """Who wrote a message, as the viewer may know it: the confidential or
    anonymous reporter stays "Rapportören" to everyone who may not identify them."""
    if message.by_reporter:
        if viewer_is_reporter:
            return _("Du")
        if message.author_id and access.can_identify(viewer, incident):
            return _("%(name)s (rapportör)") % {"name": message.author}
        return _("Rapportören")
    if viewer is not None and getattr(viewer, "pk", None) == message.author_id:
        return _("Du")
    return _("%(name)s (handläggare)") % {"name": message.author}


def thread_context(viewer, incident: Incident, *, form=None, viewer_is_reporter=False,
                   action: str = "", code: str = "") -> dict:
    """Context for incidents/_thread.html: the messages labelled for the viewer,
    whether the viewer may write, and where the form posts to."""
    from incidents.forms import MessageForm

    viewer_is_reporter = viewer_is_reporter or bool(
        viewer is not None and incident.reporter_id and getattr(viewer, "pk", None) == incident.reporter_id)
    if viewer_is_reporter:
        can_post = True
    else:
        can_post = access.can_handle(viewer, incident)
    messages = list(incident.messages.select_related("author"))
    return {
        "thread": [
            {"message": m, "label": message_label(m, viewer, incident, viewer_is_reporter=viewer_is_reporter),
             "own": m.by_reporter if viewer_is_reporter
             else (not m.by_reporter and m.author_id == getattr(viewer, "pk", None))}
            for m in messages
        ],
        "thread_form": form or MessageForm(),
        "thread_can_post": can_post,
        "thread_action": action or reverse("incidents:message_post", args=[incident.pk]),
        "thread_code": code,
        "thread_for_reporter": viewer_is_reporter,
        "attachments": list(incident.attachments.all()),
    }

"""What a logged-in reporter has typed but not sent yet. An anonymous report
is never drafted on the server."""
import uuid

from incidents.models import Incident, ReportDraft, Submission
from reporting.receipts import _digest

ANONYMOUS = Incident.IdentityMode.ANONYMOUS
# A draft keeps at most twice a description's length per field.
MAX_DRAFT_TEXT = 10000


DRAFT_FIELDS = [
    "description", "occurred_date", "occurred_time", "unit", "identity_mode", "source", "manager_may_see",
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
            # A draft is a convenience copy: a control character (PostgreSQL
            # refuses NUL in JSON) is dropped here; the form itself refuses it.
            values[name] = "".join(ch for ch in value[:MAX_DRAFT_TEXT] if ch >= " " or ch in "\t\n\r")
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

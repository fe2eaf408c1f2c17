"""The action plan's follow-up checklist of a case.

The rows are created when a case is filed (create_checklist, from
reporting.services.create_report)
or, for cases that came another way (imports, demo data), the first time a
handler acts on them. Reading never writes: checklist() fills the items that
have no row yet with unsaved defaults that look the same on the page.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.log import SYSTEM, diff, record, snapshot
from incidents.models import ChecklistItem, Incident

Code = ChecklistItem.Code
State = ChecklistItem.State

# The items that carry another authority's number, and what it is called.
# The other items have no reference field.
REFERENCE_LABELS = {
    Code.POLICE: gettext_lazy("K-nummer"),
    Code.WORK_ENV_AUTHORITY: gettext_lazy("Arbetsmiljöverkets diarienummer"),
    Code.WORK_INJURY: gettext_lazy("Försäkringskassans ärendenummer"),
}
ITEM_FIELDS = ["state", "done_on", "reference", "note"]


def _default(incident: Incident, code: str) -> ChecklistItem:
    """A new item; items that cannot apply are pre-marked with the reason."""
    item = ChecklistItem(incident=incident, code=code)
    if code == Code.WORK_INJURY and not incident.someone_hurt:
        item.state, item.note = State.NOT_APPLICABLE, _("Ingen skadades enligt rapporten.")
    if code == Code.POLICE and incident.police_status == Incident.PoliceStatus.REPORTED \
            and incident.police_reference:
        item.state, item.reference = State.DONE, incident.police_reference
        item.done_on = timezone.localdate(incident.reported_at)
    return item


def checklist(incident: Incident) -> list[ChecklistItem]:
    """The case's checklist in the action plan's order. Side effects: none
    (items without a row are unsaved defaults)."""
    existing = {item.code: item for item in incident.checklist.all()}
    return [existing.get(code) or _default(incident, code) for code in Code.values]


def create_checklist(incident: Incident) -> None:
    """The checklist of a case just filed, every item saved. Side effects:
    inserts the rows (the incident is new, so it has none to read first)."""
    ChecklistItem.objects.bulk_create([_default(incident, code) for code in Code.values])


def ensure_checklist(incident: Incident) -> list[ChecklistItem]:
    """The checklist with every item saved. Side effects: inserts the
    missing rows (safe against a concurrent insert of the same item)."""
    missing = [item for item in checklist(incident) if item.pk is None]
    if missing:
        ChecklistItem.objects.bulk_create(missing, ignore_conflicts=True)
    return [item if item.pk else incident.checklist.get(code=item.code) for item in checklist(incident)]


def safety_rep_informed(incident: Incident, count: int) -> ChecklistItem | None:
    """Värn has e-mailed `count` safety representatives about the new
    report (incidents.notify.new_report): "Skyddsombudet informerat" is done,
    by the system, with a note that says so. Nothing when nobody was
    e-mailed (no safety representative, or the mail did not go out) or a
    handler has already settled the item. Audits "checklist.safety_rep" as
    the system with old → new."""
    if not count:
        return None
    with transaction.atomic():
        # Filed reports have their checklist (create_checklist); others get it now.
        item = (incident.checklist.filter(code=Code.SAFETY_REP).first()
                or next(i for i in ensure_checklist(incident) if i.code == Code.SAFETY_REP))
        if item.state != State.OPEN:
            return None
        old = snapshot(item, ITEM_FIELDS)
        item.state, item.done_on = State.DONE, timezone.localdate()
        item.note = ngettext(
            "Värn informerade skyddsombudet automatiskt med e-post när rapporten kom in.",
            "Värn informerade %(n)d skyddsombud automatiskt med e-post när rapporten kom in.",
            count) % {"n": count}
        item.updated_by, item.updated_at = None, timezone.now()
        item.save()
        record(None, f"checklist.{Code.SAFETY_REP}", item, incident=incident,
               changes=diff(old, snapshot(item, ITEM_FIELDS)), actor_label=SYSTEM)
    return item

"""The action plan's follow-up checklist of a case.

The rows are created when a case is filed (reporting.services.create_report)
or, for cases that came another way (imports, demo data), the first time a
handler acts on them. Reading never writes: checklist() fills the items that
have no row yet with unsaved defaults that look the same on the page.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import ChecklistItem, Incident

Code = ChecklistItem.Code
State = ChecklistItem.State


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


def ensure_checklist(incident: Incident) -> list[ChecklistItem]:
    """The checklist with every item saved. Side effects: inserts the
    missing rows (safe against a concurrent insert of the same item)."""
    missing = [item for item in checklist(incident) if item.pk is None]
    if missing:
        ChecklistItem.objects.bulk_create(missing, ignore_conflicts=True)
    return [item if item.pk else incident.checklist.get(code=item.code) for item in checklist(incident)]

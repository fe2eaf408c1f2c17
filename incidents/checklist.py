"""The action plan's follow-up checklist of a case.

The rows are created when a case is filed (create_checklist, from
reporting.services.create_report)
or, for cases that came another way (imports, demo data), the first time a
handler acts on them. Reading never writes: checklist() fills the items that
have no row yet with unsaved defaults that look the same on the page.

Which items a case has comes from the action plan in force when the case was
reported (governance.plan registers itself with use_plan; this layer cannot
import it): its after-event measures that carry a checklist step, in the
plan's order. The steps the law requires (police decision, Arbetsmiljöverket,
Försäkringskassan) are always there. A plan approved later does not change
the checklist of a case reported earlier, and rows a case already has stay.
Without a plan, every step in the standard order.
"""
from collections.abc import Callable

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
# Steps every case has whatever the plan says: the law requires them.
REQUIRED = [Code.POLICE, Code.WORK_ENV_AUTHORITY, Code.WORK_INJURY]

_plan_steps: Callable[[Incident], list[str] | None] | None = None


def use_plan(provider: Callable[[Incident], list[str] | None] | None) -> None:
    """Register the function that says which checklist codes the action plan
    in force at the case's report gives it (None: no plan, the standard)."""
    global _plan_steps
    _plan_steps = provider


def steps(incident: Incident) -> list[str]:
    """The checklist codes of the case, in order, before its saved rows are
    read: the plan's steps plus the required ones; the standard without a
    plan. Read once per incident object."""
    cached = getattr(incident, "_checklist_steps", None)
    if cached is not None:
        return list(cached)
    codes = _plan_steps(incident) if _plan_steps is not None and incident.pk else None
    if codes:
        codes = [code for code in dict.fromkeys(codes) if code in Code.values]
        codes += [code for code in REQUIRED if code not in codes]
    else:
        codes = list(Code.values)
    incident._checklist_steps = codes
    return list(codes)


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
    existing = {item.code: item for item in incident.checklist.order_by("pk")}
    codes = steps(incident)
    codes += [code for code in existing if code not in codes]
    return [existing.get(code) or _default(incident, code) for code in codes]


def create_checklist(incident: Incident) -> None:
    """The checklist of a case just filed, every item saved. Side effects:
    inserts the rows (the incident is new, so it has none to read first)."""
    ChecklistItem.objects.bulk_create([_default(incident, code) for code in steps(incident)])


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
                or next((i for i in ensure_checklist(incident) if i.code == Code.SAFETY_REP), None))
        if item is None or item.state != State.OPEN:  # the plan has no such step
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

"""The tertial report to the committee: the situation picture of the
tertial (key figures against the same tertial last year, the tables and
charts), the status of the action plan and of the year's risk register, the
author's analysis and a proposed decision, laid out like a tjänsteutlåtande.

The figures are those of the situation picture for the district, always
suppressed as for the committee (situation.stats.build with suppress=True).
While the report is a draft they are read live; approving it freezes them in
the report (TertialReport.frozen), so later changes in the data do not change
a sent report; changed_figures() says which figures have changed since.

Every function that changes something checks the permission, saves and
audits ("tertial.*" with old → new), and says so. A draft has an optimistic
lock (TertialReport.revision).
"""
from dataclasses import asdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from audit.log import diff, record, snapshot
from governance import permissions, plan, risks
from governance.models import RiskAction, RiskRegister, TertialReport
from incidents import access
from situation import stats
from situation.forms import load_terms
from situation.lens import Lens, period_bounds

TEXT_FIELDS = ["title", "reference", "recipient", "analysis", "proposed_decision"]
APPROVE_ROLES = permissions.EDIT_ROLES


class TertialError(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class TertialConflict(TertialError):
    pass


# --- who ------------------------------------------------------------------------------

def get_report(user, pk, *, edit=False) -> TertialReport:
    """A draft for the editors and the district's management, an approved
    report also for analysts (404 otherwise); with edit, 403 unless the user
    may edit and it is a draft."""
    try:
        report = TertialReport.objects.select_related("node", "author", "approved_by").get(pk=pk)
    except (TertialReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    roles = permissions.DRAFT_ROLES if report.is_draft else risks.READ_ROLES
    if not access.covered_nodes(user, roles=roles).filter(pk=report.node_id).exists():
        raise Http404
    if edit and not (report.is_draft and permissions.may_edit(user, report.node)):
        raise PermissionDenied
    return report


def visible_reports(user):
    nodes = risks.readable_nodes(user)
    drafts = {n.pk for n in nodes if permissions.may_read_drafts(user, n)}
    return [r for r in TertialReport.objects.filter(node__in=nodes).select_related("node")
            if not r.is_draft or r.node_id in drafts]


# --- the figures ------------------------------------------------------------------------

def _plain(value):
    """JSON-ready: lazy translations as text, dataclasses as dicts."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def period(report, today: date) -> tuple[date, date]:
    return period_bounds(f"t{report.tertial}", report.year, None, None, today)


def plan_status(node) -> dict:
    """The action plan that governs the district: its own, else the city's."""
    version = plan.current_version(node)
    own = version is not None
    if version is None and node.parent_id:
        version = plan.effective_version(node, timezone.now())
    if version is None:
        return {"exists": False}
    months = (timezone.now() - version.approved_at).days / 30.4
    return {"exists": True, "own": own, "node": version.plan.node.name, "number": version.number,
            "approved": date_format(timezone.localtime(version.approved_at), "j F Y"),
            "approved_by": str(version.approved_by), "review_due": months > 12,
            "sections": [{"label": str(s.label), "measures": len(s.measures),
                          "steps": sum(1 for m in s.measures if m.checklist_code)} for s in plan.sections(version)],
            "draft": plan.draft_of(node) is not None}


def risk_status(node, year: int, today: date) -> dict:
    register = RiskRegister.objects.filter(node=node, year=year).first()
    if register is None:
        return {"exists": False, "year": year}
    rows = risks.register_rows(register)
    actions = [a for r in rows for a in r.actions.all()]
    return {"exists": True, "year": year, "risks": len(rows), "assessed": sum(1 for r in rows if r.score),
            "high": sum(1 for r in rows if r.level in ("high", "very_high")),
            "decisions": {str(label): sum(1 for r in rows if r.decision == code) for code, label in
                          risks.Risk.Decision.choices if code},
            "actions": [{"risk": r.title, "title": a.title, "owner": str(a.owner),
                         "due": a.due_date.isoformat(), "due_text": date_format(a.due_date, "j F Y"),
                         "status": str(a.get_status_display()), "overdue": a.is_overdue(today)}
                        for r in rows for a in r.actions.all()],
            "open": sum(1 for a in actions if a.status == RiskAction.Status.OPEN),
            "done": sum(1 for a in actions if a.status == RiskAction.Status.DONE),
            "overdue": sum(1 for a in actions if a.is_overdue(today))}


def compute(user, report, today: date | None = None) -> dict:
    """The report's figures now, suppressed as for the committee. Side
    effects: none."""
    from situation.templatetags.situation_tags import key_figure_rows

    today = today or timezone.localdate()
    start, end = period(report, today)
    lens = Lens(node=report.node, start=start, end=end, period=f"t{report.tertial}", year=report.year)
    picture = stats.build(user, lens, load_terms(), suppress=True, drill=False)
    return _plain({
        "period": lens.label, "start": start.isoformat(), "end": end.isoformat(),
        "previous": "%s – %s" % tuple(date_format(d, "j F Y") for d in lens.previous_year),
        "total": str(picture.total), "too_few": picture.too_few, "empty": picture.empty,
        "key": [{"label": k.label, "text": k.text, "note": k.note} for k in key_figure_rows(picture)],
        "tables": [asdict(t) for t in picture.tables],
        "plan": plan_status(report.node), "risks": risk_status(report.node, report.year, today),
        "computed_at": timezone.now().isoformat(),
    })


def tables(figures: dict) -> list:
    """The stored tables as situation.stats.StatTable, for its templates and charts."""
    result = []
    for data in figures.get("tables", []):
        rows = [stats.Row(r["label"], [stats.Display(**c) for c in r["cells"]], r.get("link"))
                for r in data["rows"]]
        foot = data.get("foot")
        foot = stats.Row(foot["label"], [stats.Display(**c) for c in foot["cells"]]) if foot else None
        result.append(stats.StatTable(**{**data, "rows": rows, "foot": foot}))
    return result


def changed_figures(frozen: dict, live: dict) -> list[str]:
    """Which frozen figures the data now gives otherwise: key figures by
    label, table rows as "caption: row"."""
    changed = []
    live_key = {k["label"]: k["text"] for k in live.get("key", [])}
    for k in frozen.get("key", []):
        if live_key.get(k["label"]) not in (None, k["text"]):
            changed.append(k["label"])
    live_tables = {t["caption"]: t for t in live.get("tables", [])}
    for t in frozen.get("tables", []):
        other = live_tables.get(t["caption"])
        if other is None:
            continue
        other_rows = {r["label"]: [c["text"] for c in r["cells"]] for r in other["rows"]}
        for r in t["rows"]:
            now = other_rows.get(r["label"])
            if now is not None and now != [c["text"] for c in r["cells"]]:
                changed.append(f"{t['caption']}: {r['label']}")
    return changed


# --- changes -------------------------------------------------------------------------------

def _default_recipient(node) -> str:
    name = node.name
    if name.endswith("stadsdelsförvaltning"):
        return name[: -len("stadsdelsförvaltning")] + "stadsdelsnämnd"
    return _("Nämnden för %(node)s") % {"node": name}


def create_report(user, node, year: int, tertial: int) -> TertialReport:
    """The district's report for the tertial, or the existing one. Checks:
    HR or the security coordinator at the node or above; the city or a
    district; a tertial 1–3 that has begun. Audits "tertial.create"."""
    if node.kind not in permissions.PLAN_KINDS:
        raise TertialError(_("Tertialrapporter skrivs för staden och för förvaltningarna."))
    if not permissions.may_edit(user, node):
        raise PermissionDenied
    today = timezone.localdate()
    errors = {}
    if tertial not in (1, 2, 3):
        errors["tertial"] = _("Välj tertial 1, 2 eller 3.")
    elif not 2000 <= year <= today.year or date(year, (tertial - 1) * 4 + 1, 1) > today:
        errors["year"] = _("Tertialen har inte börjat än. Välj en tertial som har börjat.")
    if errors:
        raise TertialError(_("Rapporten är inte skapad."), errors)
    with transaction.atomic():
        report, created = TertialReport.objects.get_or_create(
            node=node, year=year, tertial=tertial,
            defaults={"author": user, "recipient": _default_recipient(node),
                      "title": _("Återrapportering av otillåten påverkan, tertial %(t)s %(y)s")
                      % {"t": tertial, "y": year},
                      "proposed_decision": _("Nämnden godkänner förvaltningens tjänsteutlåtande som "
                                             "återrapportering av arbetet mot otillåten påverkan.")})
        if created:
            record(user, "tertial.create", report, changes={"year": [None, year], "tertial": [None, tertial]})
    return report


def _lock(user, pk, revision) -> TertialReport:
    report = get_report(user, pk, edit=True)
    report = TertialReport.objects.select_for_update().select_related("node").get(pk=report.pk)
    if revision != report.revision:
        raise TertialConflict(_("Någon annan har sparat rapporten medan du skrev. Det du skrev finns kvar: "
                                "se vad som ändrats och spara igen."))
    return report


def update_report(user, pk, *, revision, values: dict) -> dict:
    """The texts of a draft. Checks: may edit; the lock; a title and a
    recipient. Audits "tertial.change" with old → new (texts as hashes)."""
    errors = {}
    if not (values.get("title") or "").strip():
        errors["title"] = _("Skriv rapportens rubrik.")
    if not (values.get("recipient") or "").strip():
        errors["recipient"] = _("Skriv vilken nämnd rapporten går till.")
    if errors:
        raise TertialError(_("Rapporten är inte sparad."), errors)
    with transaction.atomic():
        report = _lock(user, pk, revision)
        old = snapshot(report, TEXT_FIELDS)
        for name in TEXT_FIELDS:
            setattr(report, name, (values.get(name) or "").strip())
        report.save()
        changes = diff(old, snapshot(report, TEXT_FIELDS))
        if changes:
            TertialReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)
            record(user, "tertial.change", report, changes=changes)
    return changes


def approve(user, pk, *, revision) -> TertialReport:
    """Approve the draft and freeze its figures. Checks: may edit; the lock;
    a proposed decision and an analysis. Saves status, approver, time and
    the frozen figures. Audits "tertial.approve" with old → new."""
    with transaction.atomic():
        report = _lock(user, pk, revision)
        errors = {}
        if not report.proposed_decision.strip():
            errors["proposed_decision"] = _("Skriv förslaget till beslut innan rapporten godkänns.")
        if not report.analysis.strip():
            errors["analysis"] = _("Skriv analysen innan rapporten godkänns.")
        if errors:
            raise TertialError(_("Rapporten är inte godkänd."), errors)
        fields = ["status", "approved_at", "approved_by"]
        old = snapshot(report, fields)
        report.frozen = compute(user, report)
        report.status, report.approved_at, report.approved_by = TertialReport.Status.APPROVED, timezone.now(), user
        report.save()
        TertialReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)
        record(user, "tertial.approve", report, changes=diff(old, snapshot(report, fields)))
    return report

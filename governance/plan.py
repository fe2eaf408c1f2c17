"""The action plan's business rules: drafts, measures, approval, the plan in
force, the diff between versions, and the checklist steps of a new case.

Every function that changes something checks the permission
(governance.permissions), saves, audits ("plan.*" with old → new; free texts
as keyed hashes, audit.log.protect) and says so in its docstring. A draft
has an optimistic lock (PlanVersion.revision): a change carries the revision
the user loaded, and if someone else saved the draft since, PlanConflict and
nothing changes. Nothing here sends e-mail.
"""
import difflib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import diff, record, snapshot
from governance import permissions, template
from governance.models import ActionPlan, Measure, PlanVersion
from knowledge.models import Article
from organisation import catalogue
from organisation.models import OperationArea, OrgUnit
from organisation.tree import chain_ids

Section = Measure.Section
MEASURE_FIELDS = ["section", "position", "text", "owner_role", "article", "operation_areas", "checklist_code"]
HEADER_FIELDS = ["title", "introduction"]


class PlanError(Exception):
    """A step that is not allowed now; the message is shown to the user."""


class PlanConflict(PlanError):
    """Someone else saved the draft since the user loaded it."""


# --- reading ------------------------------------------------------------------

def current_version(node) -> PlanVersion | None:
    """The node's plan in force: its newest approved version."""
    return (PlanVersion.objects.filter(plan__node=node, status=PlanVersion.Status.APPROVED)
            .select_related("plan__node", "approved_by").order_by("-number").first())


def draft_of(node) -> PlanVersion | None:
    return PlanVersion.objects.filter(plan__node=node, status=PlanVersion.Status.DRAFT).first()


def _in_force(versions, at):
    """Of (approved_at, depth of the plan's node, item) in the order of
    their version numbers, newest first: the item of the nearest node's
    newest version approved by `at`, or None."""
    best = None
    for approved_at, depth, item in versions:
        if approved_at is not None and approved_at <= at and (best is None or depth > best[0]):
            best = (depth, item)
    return best[1] if best else None


def effective_version(unit, at) -> PlanVersion | None:
    """The plan in force for `unit` at the moment `at`: the nearest node at or
    above the unit (its district, else the city) with a version approved by
    then, and of that node the newest such version."""
    versions = (PlanVersion.objects.filter(plan__node_id__in=chain_ids(unit), status=PlanVersion.Status.APPROVED,
                                           approved_at__lte=at)
                .select_related("plan__node").order_by("-number"))
    return _in_force(((v.approved_at, len(v.plan.node.path), v) for v in versions), at)


def _approved_steps(nodes: list[int]) -> list[tuple]:
    """Every approved version of the plans at these nodes for _in_force, each
    with its after-event measures that have a checklist step, as (code,
    operation area pks; none: everywhere) in the plan's order."""
    versions = list(PlanVersion.objects.filter(plan__node_id__in=nodes, status=PlanVersion.Status.APPROVED)
                    .select_related("plan__node").order_by("-number"))
    steps: dict[int, list] = {v.pk: [] for v in versions}
    for measure in (Measure.objects.filter(version__in=versions, section=Section.AFTER)
                    .exclude(checklist_code="").prefetch_related("operation_areas")):
        steps[measure.version_id].append((measure.checklist_code, [a.pk for a in measure.operation_areas.all()]))
    return [(v.approved_at, len(v.plan.node.path), steps[v.pk]) for v in versions]


def checklist_steps(incident) -> list[str] | None:
    """The checklist codes the plan in force when the case was reported gives
    it (effective_version's rule): the after-event measures with a checklist
    step that apply to the case's unit's operation area, in the plan's order.
    None without a plan (incidents.checklist then uses the standard). The
    approved versions above the unit are kept under organisation.catalogue's
    stamp, which saving a version or a measure renews. Side effects: none."""
    nodes = chain_ids(incident.unit)
    versions = catalogue.kept(f"plan-steps:{','.join(map(str, nodes))}", lambda: _approved_steps(nodes))
    steps = _in_force(versions, incident.reported_at)
    if steps is None:
        return None
    area = incident.unit.operation_area_id
    return [code for code, areas in steps if not areas or area in areas]


@dataclass
class SectionView:
    code: str
    label: str
    measures: list = field(default_factory=list)


def sections(version) -> list[SectionView]:
    """The version's measures grouped by section, before → during → after."""
    groups = {code: SectionView(code, label) for code, label in Section.choices}
    for measure in (version.measures.select_related("article").prefetch_related("operation_areas")
                    .order_by("position", "pk")):
        groups[measure.section].measures.append(measure)
    return list(groups.values())


def history(node) -> list[PlanVersion]:
    return list(PlanVersion.objects.filter(plan__node=node).select_related("approved_by", "created_by")
                .order_by("-number"))


def previous_approved(version) -> PlanVersion | None:
    return (PlanVersion.objects.filter(plan=version.plan, status=PlanVersion.Status.APPROVED,
                                       number__lt=version.number).order_by("-number").first())


def _measure_lines(measure) -> list[str]:
    areas = ", ".join(sorted(a.name for a in measure.operation_areas.all())) or _("alla verksamhetsområden")
    lines = [measure.text, _("Ansvarig: %(role)s") % {"role": measure.get_owner_role_display()},
             _("Gäller: %(areas)s") % {"areas": areas}]
    if measure.article_id:
        lines.append(_("Så gör du: %(title)s") % {"title": measure.article.title})
    if measure.checklist_code:
        lines.append(_("Uppföljningspunkt: %(step)s") % {"step": measure.get_checklist_code_display()})
    return lines


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def compare(old, new) -> list[tuple[str, list[DiffLine]]]:
    """Section by section, what changed from `old` to `new`: each measure as
    its lines (text, owner, areas, article, checklist step), compared with
    difflib. Sections without changes are left out."""
    result = []
    old_sections = {s.code: s for s in sections(old)}
    for section in sections(new):
        before = [line for m in old_sections[section.code].measures for line in ["—", *_measure_lines(m)]]
        after = [line for m in section.measures for line in ["—", *_measure_lines(m)]]
        if before == after:
            continue
        lines = []
        for row in difflib.ndiff(before, after):
            tag, text = row[:2], row[2:]
            if tag == "? ":
                continue
            kind = {"+ ": "added", "- ": "removed"}.get(tag, "same")
            if text == "—":
                if kind == "same":
                    continue
                text = _("(ny åtgärd)") if kind == "added" else _("(borttagen åtgärd)")
            lines.append(DiffLine(kind, text))
        result.append((section.label, lines))
    old_header = [old.title, *old.introduction.splitlines()]
    new_header = [new.title, *new.introduction.splitlines()]
    if old_header != new_header:
        lines = [DiffLine({"+ ": "added", "- ": "removed"}.get(r[:2], "same"), r[2:])
                 for r in difflib.ndiff(old_header, new_header) if r[:2] != "? "]
        result.insert(0, (_("Rubrik och inledning"), lines))
    return result


# --- changing -----------------------------------------------------------------

def _lock_draft(user, pk, revision) -> PlanVersion:
    version = permissions.get_editable_draft(user, pk, for_update=True)
    if revision is not None and revision != version.revision:
        raise PlanConflict(_("Någon annan har sparat utkastet medan du skrev. Det du skrev finns kvar: "
                             "se vad som ändrats och spara igen."))
    return version


def _bump(version) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    version.refresh_from_db(fields=["revision", "updated_at"])


def _copy_measures(source_rows, version) -> None:
    for row in source_rows:
        areas = row.pop("areas", [])
        measure = Measure.objects.create(version=version, **row)
        if areas:
            measure.operation_areas.set(areas)


def start_draft(user, node) -> PlanVersion:
    """A new draft of the node's plan, or its existing draft.

    Checks: HR or the security coordinator at the node or above
    (PermissionDenied); the node is the city or a district. Saves: the plan
    if the node has none, and a draft copied from the plan in force, or for
    a first plan from the city's plan in force, or else from Värn's template
    (governance.template). Audits: "plan.draft" with the version number."""
    if node.kind not in permissions.PLAN_KINDS:
        raise PlanError(_("Handlingsplaner finns för staden och för förvaltningarna."))
    if not permissions.may_edit(user, node):
        raise PermissionDenied
    with transaction.atomic():
        plan, _created = ActionPlan.objects.get_or_create(node=node)
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        existing = draft_of(node)
        if existing:
            return existing
        source = current_version(node)
        if source is None and node.parent_id:
            city = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY).first()
            source = current_version(city) if city else None
        number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        if source is not None:
            version = PlanVersion.objects.create(plan=plan, number=number, title=source.title,
                                                 introduction=source.introduction, created_by=user)
            rows = []
            for m in source.measures.prefetch_related("operation_areas").order_by("section", "position", "pk"):
                rows.append({"section": m.section, "position": m.position, "text": m.text,
                             "owner_role": m.owner_role, "article_id": m.article_id,
                             "checklist_code": m.checklist_code, "areas": list(m.operation_areas.all())})
        else:
            version = PlanVersion.objects.create(plan=plan, number=number, title=template.TITLE,
                                                 introduction=template.INTRODUCTION, created_by=user)
            articles = dict(Article.objects.values_list("slug", "pk"))
            positions: dict[str, int] = {}
            rows = []
            for section, role, text, slug, code in template.MEASURES:
                positions[section] = positions.get(section, 0) + 1
                rows.append({"section": section, "position": positions[section], "text": text,
                             "owner_role": role, "article_id": articles.get(slug), "checklist_code": code})
        _copy_measures(rows, version)
        record(user, "plan.draft", version, changes={"number": [None, number],
                                                    "based_on": [None, source.number if source else None]})
    return version


def update_header(user, pk, *, revision, title, introduction) -> dict:
    """Change the draft's title and introduction. Checks: may edit the draft;
    the lock. Saves the draft. Audits "plan.header" with old → new (nothing
    when nothing changed). Returns the changes."""
    with transaction.atomic():
        version = _lock_draft(user, pk, revision)
        old = snapshot(version, HEADER_FIELDS)
        version.title, version.introduction = title, introduction
        version.save(update_fields=HEADER_FIELDS)
        changes = diff(old, snapshot(version, HEADER_FIELDS))
        if changes:
            _bump(version)
            record(user, "plan.header", version, changes=changes)
    return changes


def _check_step(version, checklist_code, section, measure_pk=None) -> None:
    if not checklist_code:
        return
    if section != Section.AFTER:
        raise PlanError(_("Uppföljningspunkter på ärendet hör till avsnittet Efter en händelse."))
    taken = version.measures.filter(checklist_code=checklist_code).exclude(pk=measure_pk)
    if taken.exists():
        raise PlanError(_("Uppföljningspunkten finns redan i planen. Varje punkt kan höra till en åtgärd."))


def _set_values(measure, values) -> None:
    for name in ("section", "position", "text", "owner_role", "article", "checklist_code"):
        setattr(measure, name, values[name])


def add_measure(user, pk, *, revision, values) -> Measure:
    """Add a measure to the draft. Checks: may edit; the lock; a checklist
    step only after an event and only once in the plan. Saves the measure.
    Audits "plan.measure.add" with its values."""
    with transaction.atomic():
        version = _lock_draft(user, pk, revision)
        _check_step(version, values["checklist_code"], values["section"])
        measure = Measure(version=version)
        _set_values(measure, values)
        measure.save()
        measure.operation_areas.set(values["operation_areas"])
        _bump(version)
        record(user, "plan.measure.add", measure,
               changes=diff({}, snapshot(measure, MEASURE_FIELDS)))
    return measure


def get_draft_measure(user, measure_pk) -> Measure:
    try:
        measure = Measure.objects.select_related("version").get(pk=measure_pk)
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    permissions.get_editable_draft(user, measure.version_id)
    return measure


def update_measure(user, measure_pk, *, revision, values) -> dict:
    """Change a measure of the draft. Checks as add_measure. Saves it.
    Audits "plan.measure.change" with old → new. Returns the changes."""
    with transaction.atomic():
        measure = get_draft_measure(user, measure_pk)
        version = _lock_draft(user, measure.version_id, revision)
        _check_step(version, values["checklist_code"], values["section"], measure.pk)
        old = snapshot(measure, MEASURE_FIELDS)
        _set_values(measure, values)
        measure.save()
        measure.operation_areas.set(values["operation_areas"])
        changes = diff(old, snapshot(measure, MEASURE_FIELDS))
        if changes:
            _bump(version)
            record(user, "plan.measure.change", measure, changes=changes)
    return changes


def delete_measure(user, measure_pk, *, revision) -> None:
    """Take a measure out of the draft. Checks: may edit; the lock. Audits
    "plan.measure.delete" with its values."""
    with transaction.atomic():
        measure = get_draft_measure(user, measure_pk)
        version = _lock_draft(user, measure.version_id, revision)
        old = snapshot(measure, MEASURE_FIELDS)
        record(user, "plan.measure.delete", measure, changes=diff(old, {}))
        measure.delete()
        _bump(version)


def approve(user, pk, *, revision, decision) -> PlanVersion:
    """Approve the draft: it becomes the plan in force for cases reported
    from now on. Checks: HR at the node or above (PermissionDenied); the
    lock; a decision text; at least one measure. Saves: status, approval
    time, approver, decision. Audits "plan.approve" with old → new."""
    with transaction.atomic():
        version = _lock_draft(user, pk, revision)
        if not permissions.may_approve(user, version.plan.node):
                raise PermissionDenied
        if not (decision or "").strip():
            raise PlanError(_("Skriv beslutet: vad som godkänns och varför."))
        if not version.measures.exists():
            raise PlanError(_("Planen har inga åtgärder. Lägg till minst en innan den godkänns."))
        fields = ["status", "approved_at", "approved_by", "decision"]
        old = snapshot(version, fields)
        version.status = PlanVersion.Status.APPROVED
        version.approved_at, version.approved_by, version.decision = timezone.now(), user, decision.strip()
        version.save(update_fields=fields)
        _bump(version)
        record(user, "plan.approve", version, changes=diff(old, snapshot(version, fields)))
    return version


def discard_draft(user, pk, *, revision) -> ActionPlan:
    """Throw the draft away (the plan in force stays). Checks: may edit; the
    lock. Audits "plan.discard" with the version number."""
    with transaction.atomic():
        version = _lock_draft(user, pk, revision)
        plan = version.plan
        record(user, "plan.discard", version, changes={"number": [version.number, None]})
        version.measures.all().delete()
        version.delete()
    return plan


def areas() -> list[OperationArea]:
    return list(OperationArea.objects.filter(active=True))

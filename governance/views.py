"""Pages of the action plan, under /handlingsplan/: the plans a user reaches,
one plan (the version in force, its history), one version, the diff between
two versions, and the draft with its measures and approval. Each view parses
its form and calls one function of governance.plan, which checks the
permission, saves and audits; the views ask governance.permissions only to
decide what to show. GET requests write nothing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance import permissions, plan
from governance import review as review_rules
from governance.forms import ApproveForm, DeleteForm, HeaderForm, MeasureForm, ReviewForm
from governance.models import Measure


def _take_new_revision(form, version) -> None:
    """After a conflict the page shows what the user typed with the draft's
    new revision: having seen the other change, their next save goes through."""
    data = form.data.copy()
    data["revision"] = version.revision
    form.data = data


def _plan_url(node) -> str:
    return reverse("governance:plan", args=[node.pk])


@login_required
def index(request):
    nodes = permissions.readable_nodes(request.user)
    if not nodes:
        raise Http404
    rows = []
    for node in nodes:
        drafts = permissions.may_read_drafts(request.user, node)
        rows.append({"node": node, "current": plan.current_version(node),
                     "draft": plan.draft_of(node) if drafts else None,
                     "can_edit": permissions.may_edit(request.user, node)})
    # The plan that governs the user's own work: the deepest one in force.
    own = next((row for row in reversed(rows) if row["current"]), None)
    return render(request, "governance/index.html", {"rows": rows, "own": own})


@login_required
def plan_detail(request, pk):
    node = permissions.get_readable_node(request.user, pk)
    current = plan.current_version(node)
    drafts = permissions.may_read_drafts(request.user, node)
    versions = [v for v in plan.history(node) if drafts or not v.is_draft]
    return render(request, "governance/plan.html", {
        "node": node, "version": current, "sections": plan.sections(current) if current else [],
        "versions": versions, "draft": plan.draft_of(node) if drafts else None,
        "can_edit": permissions.may_edit(request.user, node),
    })


@login_required
def version_detail(request, pk):
    version = permissions.get_readable_version(request.user, pk)
    if version.is_draft and permissions.may_edit(request.user, version.plan.node):
        return redirect("governance:draft", pk=version.pk)
    return render(request, "governance/version.html", {
        "version": version, "node": version.plan.node, "sections": plan.sections(version),
        "previous": plan.previous_approved(version),
        "current": plan.current_version(version.plan.node),
    })


@login_required
def version_compare(request, pk):
    version = permissions.get_readable_version(request.user, pk)
    other_pk = request.GET.get("med")
    if other_pk:
        other = permissions.get_readable_version(request.user, other_pk)
        if other.plan_id != version.plan_id:
            raise Http404
    else:
        other = plan.previous_approved(version)
    if other is None:
        messages.info(request, _("Det finns ingen tidigare godkänd version att jämföra med."))
        return redirect("governance:version", pk=version.pk)
    old, new = sorted([other, version], key=lambda v: v.number)
    return render(request, "governance/compare.html", {
        "old": old, "new": new, "node": version.plan.node, "changes": plan.compare(old, new),
    })


@login_required
@require_POST
def start_draft(request, pk):
    node = permissions.get_readable_node(request.user, pk)
    try:
        version = plan.start_draft(request.user, node)
    except plan.PlanError as error:
        messages.error(request, str(error))
        return redirect(_plan_url(node))
    return redirect("governance:draft", pk=version.pk)


def _draft_page(request, version, **forms):
    node = version.plan.node
    context = {
        "version": version, "node": node, "sections": plan.sections(version),
        "current": plan.current_version(node),
        "header_form": forms.get("header_form") or HeaderForm(initial={
            "revision": version.revision, "title": version.title, "introduction": version.introduction}),
        "approve_form": forms.get("approve_form") or ApproveForm(initial={"revision": version.revision}),
        "can_approve": permissions.may_approve(request.user, node),
        "conflict": forms.get("conflict", False),
    }
    status = 409 if context["conflict"] else (400 if forms else 200)
    return render(request, "governance/draft.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def draft(request, pk):
    """The draft, its header form (POST here), its measures and approval."""
    version = permissions.get_editable_draft(request.user, pk)
    if request.method == "POST":
        form = HeaderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changes = plan.update_header(request.user, version.pk, revision=data["revision"],
                                             title=data["title"], introduction=data["introduction"])
            except plan.PlanConflict as error:
                form.add_error(None, str(error))
                version.refresh_from_db()
                _take_new_revision(form, version)
                return _draft_page(request, version, header_form=form, conflict=True)
            messages.success(request, _("Ändringarna är sparade.") if changes else _("Inget ändrades."))
            return redirect("governance:draft", pk=version.pk)
        return _draft_page(request, version, header_form=form)
    return _draft_page(request, version)


def _measure_page(request, version, form, measure=None, status=200):
    return render(request, "governance/measure_form.html",
                  {"form": form, "version": version, "node": version.plan.node, "measure": measure},
                  status=status)


def _save_measure(request, version, form, measure=None):
    try:
        if measure is None:
            plan.add_measure(request.user, version.pk, revision=form.cleaned_data["revision"],
                             values=form.values())
            messages.success(request, _("Åtgärden är tillagd i utkastet."))
        else:
            changes = plan.update_measure(request.user, measure.pk, revision=form.cleaned_data["revision"],
                                          values=form.values())
            messages.success(request, _("Ändringarna är sparade.") if changes else _("Inget ändrades."))
    except plan.PlanConflict as error:
        form.add_error(None, str(error))
        version.refresh_from_db()
        _take_new_revision(form, version)
        return _measure_page(request, version, form, measure, status=409)
    except plan.PlanError as error:
        form.add_error("checklist_code", str(error))
        return _measure_page(request, version, form, measure, status=400)
    return redirect(reverse("governance:draft", args=[version.pk]) + f"#avsnitt-{form.cleaned_data['section']}")


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, pk):
    version = permissions.get_editable_draft(request.user, pk)
    if request.method == "POST":
        form = MeasureForm(request.POST)
        if form.is_valid():
            return _save_measure(request, version, form)
        return _measure_page(request, version, form, status=400)
    section = request.GET.get("avsnitt")
    section = section if section in Measure.Section.values else Measure.Section.AFTER
    last = version.measures.filter(section=section).order_by("-position").values_list("position", flat=True).first()
    form = MeasureForm(initial={"revision": version.revision, "section": section, "position": (last or 0) + 1})
    return _measure_page(request, version, form)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    measure = plan.get_draft_measure(request.user, pk)
    version = measure.version
    if request.method == "POST":
        form = MeasureForm(request.POST)
        if form.is_valid():
            return _save_measure(request, version, form, measure)
        return _measure_page(request, version, form, measure, status=400)
    form = MeasureForm(initial={
        "revision": version.revision, "section": measure.section, "position": measure.position,
        "text": measure.text, "owner_role": measure.owner_role, "article": measure.article_id,
        "operation_areas": list(measure.operation_areas.all()), "checklist_code": measure.checklist_code})
    return _measure_page(request, version, form, measure)


@login_required
@require_POST
def measure_delete(request, pk):
    measure = plan.get_draft_measure(request.user, pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Åtgärden är inte borttagen: sidan var inaktuell. Försök igen."))
        return redirect("governance:draft", pk=measure.version_id)
    try:
        plan.delete_measure(request.user, measure.pk, revision=form.cleaned_data["revision"])
    except plan.PlanConflict as error:
        messages.error(request, str(error))
        return redirect("governance:draft", pk=measure.version_id)
    messages.success(request, _("Åtgärden är borttagen ur utkastet."))
    return redirect(reverse("governance:draft", args=[measure.version_id]) + f"#avsnitt-{measure.section}")


@login_required
@require_POST
def approve(request, pk):
    version = permissions.get_editable_draft(request.user, pk)
    if not permissions.may_approve(request.user, version.plan.node):
        raise PermissionDenied
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            plan.approve(request.user, version.pk, revision=form.cleaned_data["revision"],
                         decision=form.cleaned_data["decision"])
        except plan.PlanConflict as error:
            form.add_error(None, str(error))
            version.refresh_from_db()
            _take_new_revision(form, version)
            return _draft_page(request, version, approve_form=form, conflict=True)
        except plan.PlanError as error:
            form.add_error(None, str(error))
            return _draft_page(request, version, approve_form=form)
        messages.success(request, _("Version %(n)s är godkänd och gäller för ärenden som rapporteras från och "
                                    "med nu.") % {"n": version.number})
        return redirect(_plan_url(version.plan.node))
    return _draft_page(request, version, approve_form=form)


@login_required
@require_POST
def discard(request, pk):
    version = permissions.get_editable_draft(request.user, pk)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        plan.discard_draft(request.user, version.pk, revision=form.cleaned_data["revision"])
    except plan.PlanConflict as error:
        messages.error(request, str(error))
        return redirect("governance:draft", pk=version.pk)
    messages.success(request, _("Utkastet är borttaget. Planen som gäller är oförändrad."))
    return redirect(_plan_url(version.plan.node))



@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The yearly review: the plan in force beside the year's figures, and HR's decision."""
    occurrence = review_rules.get_review(request.user, pk)
    node = occurrence.duty.node
    versions = review_rules.approved_in_period(node, occurrence)
    can_decide = permissions.may_approve(request.user, node) and not occurrence.is_done
    form = ReviewForm(request.POST or None, versions=versions)
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                review_rules.record_decision(request.user, occurrence.pk, decision=form.cleaned_data["decision"],
                                             version_pk=form.cleaned_data["version"] or None,
                                             note=form.cleaned_data["note"])
            except review_rules.ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Översynen är registrerad och uppgiften i årshjulet är klar."))
                return redirect("cycle:occurrence", pk=occurrence.pk)
        status = 400
    current = plan.current_version(node) or plan.effective_version(node, timezone.now())
    lens, key, repeated, training = review_rules.figures(request.user, occurrence)
    return render(request, "governance/review.html", {
        "occurrence": occurrence, "node": node, "version": current,
        "sections": plan.sections(current) if current else [], "lens": lens, "key": key, "repeated": repeated,
        "training": training, "survey": review_rules.survey(request.user, occurrence),
        "form": form if can_decide else None, "versions": versions,
        "can_edit": permissions.may_edit(request.user, node), "draft": plan.draft_of(node),
    }, status=status)

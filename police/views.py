"""Pages of police cooperation: the local police areas the user's
organisation works with, each area's joint situation picture across
districts, and the administrator's import of the mapping.

Every figure comes from incidents.access through the situation picture's
own counting (police.picture); an area outside what the user may count
answers 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from incidents import access
from organisation.csvio import CsvImportError
from organisation.models import OrgUnit
from police import areas, outcomes, picture
from police.forms import FollowUpForm, MappingImportForm, OutcomeForm
from police.models import AreaMapping
from situation.forms import LensForm, load_terms
from situation.lens import DEFAULT_PERIOD
from situation.views import error_list


@login_required
def overview(request):
    """The police areas that reach into the user's organisation."""
    user = request.user
    found = areas.areas_for(user)
    mapped = {a.pk: [] for a in found}
    for m in AreaMapping.objects.filter(area__in=found).select_related("unit").order_by("unit__path"):
        mapped[m.area_id].append(m.unit)
    may_import = areas.may_import(user)
    if not may_import and not access.covered_nodes(user).exists():
        raise Http404
    return render(request, "police/overview.html", {
        "areas": [{"area": a, "units": mapped[a.pk]} for a in found], "may_import": may_import})


@login_required
def area_picture(request, pk):
    """The joint situation picture of one local police area: suppressed,
    counted only within the user's scope."""
    user = request.user
    area = areas.get_area_for(user, pk)
    nodes = [n for _s, n in areas.reachable_terms(user, area) if _s > 0]
    terms = load_terms()
    data = request.GET.copy()
    data.setdefault("period", DEFAULT_PERIOD)
    form = LensForm(data, node=nodes[0], terms=terms)
    ctx = {"area": area, "form": form, "errors": error_list(form), "all_nodes": areas.mapped_nodes(area)}
    if form.is_valid():
        lens = form.lens()
        built = picture.build(user, area, lens, terms)
        ctx.update({"lens": lens, "picture": built.picture, "nodes": built.nodes})
        ctx["partial"] = len(built.nodes) < len(ctx["all_nodes"])
    return render(request, "police/area.html", ctx, status=200 if form.is_valid() else 400)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request):
    """The administrator reads in which local police area serves which unit."""
    if not areas.may_import(request.user):
        raise Http404
    form = MappingImportForm(request.POST, request.FILES) if request.method == "POST" else MappingImportForm()
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = areas.import_csv(form.cleaned_data["fil"], actor=request.user, actor_label="")
        except CsvImportError as exc:
            problems = exc.errors
        else:
            text = ngettext("%(n)s enhet kopplad eller ändrad.", "%(n)s enheter kopplade eller ändrade.",
                            result.created + result.changed) % {"n": result.created + result.changed}
            if result.unchanged:
                text += " " + ngettext("%(n)s var redan kopplad så.", "%(n)s var redan kopplade så.",
                                       result.unchanged) % {"n": result.unchanged}
            if result.new_areas:
                text += " " + _("Nya lokalpolisområden: %(names)s.") % {"names": ", ".join(result.new_areas)}
            messages.success(request, text)
            return redirect("police:overview")
    status = 400 if request.method == "POST" else 200
    return render(request, "police/import.html", {"form": form, "problems": problems}, status=status)


def _case_page(request, view, outcome_form=None, followup_form=None, errors=None, status=200):
    followup = view.followup
    return render(request, "police/case.html", {
        "incident": view.incident, "steps": view.steps, "followup": followup, "reported_on": view.reported_on,
        "can_handle": view.can_handle, "has_k_number": outcomes.has_police_report(view.incident),
        "outcome_form": outcome_form or OutcomeForm(),
        "followup_form": followup_form or FollowUpForm(initial={
            "employee_role": followup.employee_role if followup else "",
            "court_support": followup.court_support if followup else ""}),
        "case_errors": errors or [],
    }, status=status)


@login_required
def case(request, pk):
    """What became of the case's police report: its steps and the employee's part."""
    return _case_page(request, outcomes.open_case(request.user, pk))


@login_required
@require_http_methods(["POST"])
def case_outcome(request, pk):
    access.get_handleable_incident(request.user, pk)  # 404 / 403 before anything is read
    form = OutcomeForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            outcomes.record_outcome(request.user, pk, step=form.cleaned_data["step"], on=form.cleaned_data["on"])
        except outcomes.OutcomeInvalid as exc:
            for field, message in exc.errors.items():
                if field == "__all__":
                    errors.append(message)
                else:
                    form.add_error(field, message)
        else:
            messages.success(request, _("Steget är registrerat."))
            return redirect("police:case", pk)
    return _case_page(request, outcomes.open_case(request.user, pk), outcome_form=form, errors=errors, status=400)


@login_required
@require_http_methods(["POST"])
def case_outcome_remove(request, pk, outcome_pk):
    outcomes.remove_outcome(request.user, pk, outcome_pk)
    messages.success(request, _("Steget är borttaget."))
    return redirect("police:case", pk)


@login_required
@require_http_methods(["POST"])
def case_followup(request, pk):
    access.get_handleable_incident(request.user, pk)
    form = FollowUpForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            changed = outcomes.set_followup(request.user, pk, **form.cleaned_data)
        except outcomes.OutcomeInvalid as exc:
            errors = list(exc.errors.values())
        else:
            messages.success(request, _("Uppgifterna är sparade.") if changed else _("Inget ändrades."))
            return redirect("police:case", pk)
    return _case_page(request, outcomes.open_case(request.user, pk), followup_form=form, errors=errors, status=400)


YEARS_SHOWN = 3


@login_required
def outcome_figures(request):
    """Per district and year: threats and violence, the share police-reported
    and how those reports ended. Suppressed for aggregate-only readers."""
    user = request.user
    covered = access.covered_nodes(user).order_by("path")
    chosen = covered.first()
    if chosen is None:
        raise Http404
    wanted = request.GET.get("enhet")
    if wanted:
        chosen = covered.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 12 else None
        if chosen is None:
            raise Http404
    nodes = [n for n in covered.exclude(kind=OrgUnit.Kind.UNIT)] or [chosen]
    if chosen not in nodes:
        nodes.append(chosen)
    this_year = timezone.localdate().year
    years = list(range(this_year - YEARS_SHOWN + 1, this_year + 1))
    figures = outcomes.outcome_figures(user, chosen, years)
    top = min(n.path.count("/") for n in nodes)
    options = [{"pk": n.pk, "label": "\u00a0\u00a0" * (n.path.count("/") - top) + n.name, "selected": n == chosen}
               for n in nodes]
    return render(request, "police/outcomes.html", {"node": chosen, "figures": figures, "options": options})

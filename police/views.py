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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from incidents import access
from organisation.csvio import CsvImportError
from police import areas, picture
from police.forms import MappingImportForm
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

"""The situation picture (lägesbild): the page per organisation node and
period, the list of cases behind a figure, the exports (CSV, XLSX, PDF, the
joint picture for the police) and the actor form of a case.

Every view finds its node among access.covered_nodes (404 otherwise) and its
incidents through the lens, which starts from access.countable_incidents
(figures) or access.visible_incidents (lists of cases). The views that only
read (@replica_reads) read a streaming replica when one is configured
(varn/dbrouter.py); their audit lines are written to the primary.
"""
from dataclasses import dataclass
from functools import wraps
from operator import itemgetter

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.log import record
from incidents import access
from organisation.models import OrgUnit
from organisation.tree import tree_order
from situation import actors, exports, pdf, stats
from situation.forms import ActorForm, DrillForm, LensForm, ReportForm, load_terms
from situation.lens import DEFAULT_PERIOD, Lens
from surveys import exit as exit_survey
from surveys import underreporting
from varn.dbrouter import replica_reads

# Above this many covered nodes the picker lists no single units; they are
# reached through the unit comparison on their parent's page.
PICKER_LIMIT = 150


def error_list(form) -> list[dict]:
    """Errors for the summary at the top, each linking to its field."""
    items = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        if field is None:
            anchor, label = "lens-form", ""
        elif isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            anchor, label = f"id_{name}_0", field.label
        else:
            anchor, label = f"id_{name}", field.label
        items.extend({"anchor": anchor, "label": label, "message": message} for message in errors)
    return items


FILTER_NAMES = ("form", "kalla", "omrade", "kanal")


def _filter_fields(form):
    return [form[name] for name in FILTER_NAMES]


def _filters_open(request) -> bool:
    return any(request.GET.getlist(name) for name in FILTER_NAMES)


def _node(user, pk) -> OrgUnit:
    node = access.covered_nodes(user).filter(pk=pk).first()
    if node is None:
        raise Http404
    return node


def _lens(request, node, terms, form_class=LensForm):
    data = request.GET.copy()
    data.setdefault("period", DEFAULT_PERIOD)
    form = form_class(data, node=node, terms=terms)
    return form, (form.lens() if form.is_valid() else None)


def _picker(user, node):
    nodes = tree_order(access.covered_nodes(user).values_list("pk", "name", "kind", "path"),
                       path=itemgetter(3), name=itemgetter(1))
    if len(nodes) > PICKER_LIMIT:
        nodes = [n for n in nodes if n[2] != OrgUnit.Kind.UNIT or n[0] == node.pk]
    top = min((n[3].count("/") for n in nodes), default=0)
    options = [{"pk": pk, "label": "\u00a0\u00a0" * (path.count("/") - top) + name, "selected": pk == node.pk}
               for pk, name, _kind, path in nodes]
    ancestors = [{"pk": pk, "name": name} for pk, name, _kind, path in nodes
                 if node.path.startswith(path) and pk != node.pk]
    return options, ancestors


@dataclass
class Scope:
    """What a view over one node's figures works on."""
    node: OrgUnit
    terms: dict
    lens: Lens


def with_lens(view):
    """The node from the user's scope (404 otherwise) and a valid lens from
    the query string; invalid input answers 400 with the page's messages."""
    @wraps(view)
    def wrapped(request, pk, *args, **kwargs):
        node = _node(request.user, pk)
        terms = load_terms()
        form, lens = _lens(request, node, terms)
        if lens is None:
            return _bad_lens(request, node, form)
        return view(request, Scope(node, terms, lens), *args, **kwargs)
    return wrapped


def case_roles_only(view):
    """Lists of cases: only for users with a case role (404 otherwise)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(*access.CASE_ROLES):
            raise Http404
        return view(request, *args, **kwargs)
    return wrapped


def _audit_export(request, at: Scope, kind: str):
    record(request.user, "situation.export", at.node,
           changes={"export": [None, kind], "lens": [None, at.lens.query()]})


def _bad_lens(request, node, form):
    return render(request, "situation/picture.html", {
        "node": node, "form": form, "lens": None, "options": _picker(request.user, node)[0], "ancestors": [],
        "errors": error_list(form), "filter_fields": _filter_fields(form), "filters_open": _filters_open(request),
    }, status=400)


@login_required
def about_figures(request):
    """How the figures of aggregate-only readers are protected (docs/disclosure.md)."""
    return render(request, "situation/about_figures.html")


@login_required
def overview(request):
    """The entry point: the highest node the user covers."""
    top = access.covered_nodes(request.user).order_by("path").first()
    if top is None:
        return render(request, "situation/no_scope.html", status=403)
    query = request.GET.urlencode()
    return HttpResponseRedirect(reverse("situation:picture", args=[top.pk]) + (f"?{query}" if query else ""))


@login_required
@replica_reads
def picture(request, pk):
    user = request.user
    node = _node(user, pk)
    if "enhet" in request.GET:
        try:
            target = _node(user, int(request.GET["enhet"]))
        except (TypeError, ValueError, OverflowError):
            raise Http404 from None
        if target.pk != node.pk:
            rest = request.GET.copy()
            del rest["enhet"]
            return HttpResponseRedirect(reverse("situation:picture", args=[target.pk]) + "?" + rest.urlencode())
    terms = load_terms()
    form, lens = _lens(request, node, terms)
    options, ancestors = _picker(user, node)
    ctx = {"node": node, "form": form, "lens": lens, "options": options, "ancestors": ancestors,
           "terms": terms, "errors": error_list(form), "filter_fields": _filter_fields(form),
           "filters_open": _filters_open(request)}
    if lens is not None:
        ctx["picture"] = stats.build(user, lens, terms)
        ctx["query"] = lens.query()
        ctx["can_list_cases"] = user.has_role(*access.CASE_ROLES)
        # The newest survey of the node or above beside the reports (surveys/).
        ctx["underreporting"] = underreporting.latest_for(user, node)
        # Turnover against incidents from the newest exit survey of the node or above.
        ctx["turnover"] = exit_survey.latest_for(user, node)
    return render(request, "situation/picture.html", ctx)


@login_required
@replica_reads
@case_roles_only
def drill(request, pk):
    """The cases behind a figure: only those the user may open."""
    user = request.user
    node = _node(user, pk)
    terms = load_terms()
    form, lens = _lens(request, node, terms, DrillForm)
    ctx = {"node": node, "form": form, "lens": lens, "errors": error_list(form)}
    if lens is not None:
        qs = (lens.visible(user, terms=terms).select_related("unit").prefetch_related("forms")
              .order_by("-occurred_at", "-pk"))
        ctx["page"] = Paginator(qs, 25).get_page(request.GET.get("sida"))
        ctx["filters"] = lens.describe_filters(terms)
        params = request.GET.copy()
        params.pop("sida", None)
        ctx["extra_query"] = params.urlencode()
        ctx["back"] = reverse("situation:picture", args=[node.pk]) + "?" + lens.query()
    return render(request, "situation/drill.html", ctx)


@login_required
@replica_reads
@with_lens
def export_tables(request, at: Scope, fmt):
    picture_ = stats.build(request.user, at.lens, at.terms, drill=False)
    _audit_export(request, at, f"tabeller.{fmt}")
    title = _("Lägesbild: %(node)s") % {"node": at.node.name}
    write = exports.tables_csv if fmt == "csv" else exports.tables_xlsx
    return write(picture_, exports.filename("tabeller", at.node, fmt), title)


@login_required
@replica_reads
@case_roles_only
@with_lens
def export_cases(request, at: Scope, fmt):
    qs = at.lens.visible(request.user, terms=at.terms)
    _audit_export(request, at, f"arenden.{fmt}")
    write = exports.cases_csv if fmt == "csv" else exports.cases_xlsx
    return write(qs, at.node, exports.filename("arenden", at.node, fmt))


@login_required
@replica_reads
@with_lens
def export_police(request, at: Scope):
    """The joint situation picture for the local police area as a workbook:
    aggregated, suppressed, no personal data."""
    picture_ = stats.build(request.user, at.lens, at.terms, police=True)
    _audit_export(request, at, "polisen.xlsx")
    title = _("Gemensam lägesbild med lokalpolisområdet: %(node)s") % {"node": at.node.name}
    return exports.tables_xlsx(picture_, exports.filename("polisen", at.node, "xlsx"), title)


@login_required
@replica_reads
@require_http_methods(["GET", "POST"])
@with_lens
def report(request, at: Scope):
    """The PDF report: the author picks the audience and writes the analysis,
    then gets the PDF."""
    report_form = ReportForm(request.POST or None)
    if request.method == "POST" and report_form.is_valid():
        police = report_form.cleaned_data["mottagare"] == "polis"
        picture_ = stats.build(request.user, at.lens, at.terms, police=police, drill=False)
        _audit_export(request, at, "polisen.pdf" if police else "namnd.pdf")
        return pdf.response(request, picture_, report_form.cleaned_data, exports.filename(
            "polisen" if police else "rapport", at.node, "pdf"))
    return render(request, "situation/report_form.html", {
        "node": at.node, "lens": at.lens, "report_form": report_form, "query": at.lens.query(),
        "filters": at.lens.describe_filters(at.terms),
        "suppressed": access.is_aggregate_only(request.user),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def actor(request, pk):
    """Record the actor's identifier on a case (only its pseudonym is kept)."""
    user = request.user
    incident = access.get_visible_incident(user, pk)
    if not access.can_handle(user, incident):
        raise PermissionDenied
    form = ActorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = actors.set_actor(user, incident, form.cleaned_data["pseudonym"])
        if not changed:
            messages.info(request, _("Aktören var redan registrerad så. Inget ändrades."))
        elif form.cleaned_data["pseudonym"]:
            messages.success(request, _("Aktören är registrerad. Numret sparades inte, bara en krypterad kod."))
        else:
            messages.success(request, _("Den registrerade aktören är borttagen från ärendet."))
        return redirect("casework:detail", incident.pk)
    return render(request, "situation/actor.html", {
        "incident": incident, "form": form, "has_actor": bool(incident.actor_pseudonym),
        "short": incident.actor_pseudonym[:actors.PREFIX],
        "matches": actors.other_occurrences(user, incident),
    }, status=400 if request.method == "POST" else 200)

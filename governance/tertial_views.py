"""Pages of the tertial report, under /tertialrapport/: the reports a user
reaches and a new one, one report (a draft with its texts, live figures and
approval; an approved one with its frozen figures and what has changed
since), and its PDF. Each view calls one function of governance.tertial.
GET requests write nothing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance import documents, permissions, risks, tertial
from governance.forms import NewTertialForm, TertialApproveForm, TertialTextForm
from organisation.models import OrgUnit


def _editable_nodes(user):
    return OrgUnit.objects.filter(pk__in=[n.pk for n in risks.readable_nodes(user) if permissions.may_edit(user, n)])


def _index_page(request, form, status=200):
    return render(request, "governance/tertial_index.html",
                  {"reports": tertial.visible_reports(request.user), "form": form}, status=status)


@login_required
def index(request):
    editable = _editable_nodes(request.user)
    initial = {"year": request.GET.get("ar") or timezone.localdate().year,
               "tertial": request.GET.get("tertial") or (timezone.localdate().month - 1) // 4 + 1,
               "node": request.GET.get("enhet")}
    return _index_page(request, NewTertialForm(nodes=editable, initial=initial) if editable.exists() else None)


@login_required
@require_POST
def create(request):
    editable = _editable_nodes(request.user)
    if not editable.exists():
        raise PermissionDenied
    form = NewTertialForm(request.POST, nodes=editable)
    if form.is_valid():
        try:
            report = tertial.create_report(request.user, **form.cleaned_data)
        except tertial.TertialError as error:
            for name, message in error.errors.items():
                form.add_error(name, message)
        else:
            return redirect("tertial:report", pk=report.pk)
    return _index_page(request, form, status=400)


def _report_page(request, report, form=None, approve_form=None, status=200):
    can_edit = report.is_draft and permissions.may_edit(request.user, report.node)
    if report.is_draft:
        figures, changed = tertial.compute(request.user, report), []
    else:
        figures = report.frozen
        changed = tertial.changed_figures(figures, tertial.compute(report.approved_by, report))
    context = {"report": report, "node": report.node, "figures": figures, "tables": tertial.tables(figures),
               "changed": changed, "can_edit": can_edit}
    if can_edit:
        context["form"] = form or TertialTextForm(initial={"revision": report.revision, **{
            name: getattr(report, name) for name in tertial.TEXT_FIELDS}})
        context["approve_form"] = approve_form or TertialApproveForm(initial={"revision": report.revision})
    return render(request, "governance/tertial.html", context, status=status)


def _take_new_revision(form, report):
    data = form.data.copy()
    data["revision"] = report.revision
    form.data = data


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = tertial.get_report(request.user, pk)
    if request.method == "POST":
        report = tertial.get_report(request.user, pk, edit=True)
        form = TertialTextForm(request.POST)
        if form.is_valid():
            try:
                changes = tertial.update_report(request.user, report.pk, revision=form.cleaned_data["revision"],
                                                values=form.values())
            except tertial.TertialConflict as error:
                form.add_error(None, str(error))
                report.refresh_from_db()
                _take_new_revision(form, report)
                return _report_page(request, report, form=form, status=409)
            except tertial.TertialError as error:
                for name, message in error.errors.items():
                    form.add_error(name, message)
                return _report_page(request, report, form=form, status=400)
            messages.success(request, _("Rapporten är sparad.") if changes else _("Inget ändrades."))
            return redirect("tertial:report", pk=report.pk)
        return _report_page(request, report, form=form, status=400)
    return _report_page(request, report)


@login_required
@require_POST
def approve(request, pk):
    report = tertial.get_report(request.user, pk, edit=True)
    form = TertialApproveForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        tertial.approve(request.user, report.pk, revision=form.cleaned_data["revision"])
    except tertial.TertialConflict as error:
        messages.error(request, str(error))
        return redirect("tertial:report", pk=report.pk)
    except tertial.TertialError as error:
        text_form = TertialTextForm(initial={"revision": report.revision, **{
            name: getattr(report, name) for name in tertial.TEXT_FIELDS}})
        text_form.is_bound = False
        messages.error(request, " ".join(str(m) for m in error.errors.values()))
        return _report_page(request, report, form=text_form, status=400)
    messages.success(request, _("Rapporten är godkänd. Siffrorna i den ändras inte längre."))
    return redirect("tertial:report", pk=report.pk)


@login_required
def report_pdf(request, pk) -> HttpResponse:
    report = tertial.get_report(request.user, pk)
    figures = tertial.compute(request.user, report) if report.is_draft else report.frozen
    changed = [] if report.is_draft else tertial.changed_figures(figures, tertial.compute(report.approved_by, report))
    return documents.tertial_pdf_response(request, report, figures, tertial.tables(figures), changed)

"""Pages of the risk and materiality analysis, under /handlingsplan/risker/:
the registers a user reaches, one register (matrix and risks, PDF, XLSX),
one risk (assessment, evidence, actions). Each view parses its form and
calls one function of governance.risks, which checks, saves and audits.
GET requests write nothing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance import documents, permissions, risks
from governance.forms import AssessForm, NewRiskForm, RegisterForm, RiskActionForm
from governance.models import RiskRegister
from organisation.models import OrgUnit


def _editable_nodes(user):
    return OrgUnit.objects.filter(pk__in=[n.pk for n in risks.readable_nodes(user)
                                          if permissions.may_edit(user, n)])


@login_required
def register_index(request):
    nodes = risks.readable_nodes(request.user)  # a unit's manager has none: an empty list
    registers = RiskRegister.objects.filter(node__in=nodes).select_related("node").order_by("node__path", "-year")
    editable = _editable_nodes(request.user)
    form = RegisterForm(nodes=editable, initial={"year": timezone.localdate().year + 1})
    return render(request, "governance/risk_index.html", {
        "registers": registers, "form": form if editable.exists() else None})


@login_required
@require_POST
def register_create(request):
    editable = _editable_nodes(request.user)
    if not editable.exists():
        raise PermissionDenied
    form = RegisterForm(request.POST, nodes=editable)
    if form.is_valid():
        try:
            register = risks.create_register(request.user, form.cleaned_data["node"], form.cleaned_data["year"])
        except risks.RiskError as error:
            form.add_error("year", str(error))
        else:
            return redirect("risks:register", pk=register.pk)
    nodes = risks.readable_nodes(request.user)
    registers = RiskRegister.objects.filter(node__in=nodes).select_related("node").order_by("node__path", "-year")
    return render(request, "governance/risk_index.html", {"registers": registers, "form": form}, status=400)


def _register_context(request, register, new_form=None):
    rows = risks.register_rows(register)
    return {"register": register, "node": register.node, "risks": rows, "matrix": risks.matrix(rows),
            "can_edit": risks.may_edit(request.user, register), "today": timezone.localdate(),
            "new_form": new_form or NewRiskForm(), "levels": risks.LEVEL_LABELS}


@login_required
@require_http_methods(["GET", "POST"])
def register_detail(request, pk):
    register = risks.get_register(request.user, pk)
    if request.method == "POST":  # a risk of the committee's own
        if not risks.may_edit(request.user, register):
            raise PermissionDenied
        form = NewRiskForm(request.POST)
        if form.is_valid():
            risk = risks.add_risk(request.user, register.pk, **form.cleaned_data)
            messages.success(request, _("Risken är tillagd. Bedöm den nu."))
            return redirect("risks:risk", pk=risk.pk)
        return render(request, "governance/register.html", _register_context(request, register, form), status=400)
    return render(request, "governance/register.html", _register_context(request, register))


def _risk_page(request, risk, form=None, action_form=None, status=200):
    can_edit = risks.may_edit(request.user, risk.register)
    owners = risks.owners(risk.register)
    return render(request, "governance/risk.html", {
        "risk": risk, "register": risk.register, "node": risk.register.node, "can_edit": can_edit,
        "form": form or AssessForm(initial={"revision": risk.revision, **{
            name: getattr(risk, name) for name in risks.RISK_FIELDS}}),
        "action_form": action_form or RiskActionForm(owners=owners),
        "actions": list(risk.actions.select_related("owner")), "today": timezone.localdate(),
        "level_label": risks.LEVEL_LABELS.get(risk.level, ""),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def risk_detail(request, pk):
    risk = risks.get_risk(request.user, pk)
    if request.method == "POST":
        if not risks.may_edit(request.user, risk.register):
            raise PermissionDenied
        form = AssessForm(request.POST)
        if form.is_valid():
            try:
                changes = risks.assess(request.user, risk.pk, revision=form.cleaned_data["revision"],
                                       values=form.values())
            except risks.RiskConflict as error:
                form.add_error(None, str(error))
                risk.refresh_from_db()
                data = form.data.copy()
                data["revision"] = risk.revision
                form.data = data
                return _risk_page(request, risk, form=form, status=409)
            except risks.RiskError as error:
                for name, message in error.errors.items():
                    form.add_error(name, message)
                return _risk_page(request, risk, form=form, status=400)
            messages.success(request, _("Bedömningen är sparad.") if changes else _("Inget ändrades."))
            return redirect(reverse("risks:register", args=[risk.register_id]) + f"#risk-{risk.pk}")
        return _risk_page(request, risk, form=form, status=400)
    return _risk_page(request, risk)


@login_required
@require_POST
def risk_evidence(request, pk):
    risk = risks.attach_evidence(request.user, pk)
    messages.success(request, _("Underlaget från lägesbilden är hämtat (%(period)s).") % {"period": risk.evidence_period})
    return redirect(reverse("risks:risk", args=[risk.pk]) + "#underlag")


@login_required
@require_POST
def action_add(request, pk):
    risk = risks.get_risk(request.user, pk, edit=True)
    form = RiskActionForm(request.POST, owners=risks.owners(risk.register))
    if form.is_valid():
        try:
            risks.add_action(request.user, risk.pk, **form.cleaned_data)
        except risks.RiskError as error:
            for name, message in error.errors.items():
                form.add_error(name, message)
        else:
            messages.success(request, _("Åtgärden är tillagd."))
            return redirect(reverse("risks:risk", args=[risk.pk]) + "#atgarder")
    return _risk_page(request, risk, action_form=form, status=400)


@login_required
@require_POST
def action_status(request, pk):
    try:
        action = risks.set_action_status(request.user, pk, request.POST.get("status", ""))
    except risks.RiskError as error:
        messages.error(request, str(error))
        return redirect("risks:index")
    messages.success(request, _("Åtgärden är uppdaterad."))
    return redirect(reverse("risks:risk", args=[action.risk_id]) + "#atgarder")


@login_required
def register_pdf(request, pk):
    register = risks.get_register(request.user, pk)
    return documents.register_pdf_response(request, register)


@login_required
def register_xlsx(request, pk):
    register = risks.get_register(request.user, pk)
    return documents.register_xlsx_response(register)

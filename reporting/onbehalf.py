"""Registering a report on behalf of an employee (issue 17): a manager,
safety representative or security coordinator who heard of an event on the
phone or in a conversation picks the employee (only people in their scope,
incidents.access.on_behalf_people), records the employee's consent, their
choice of identity mode and the contact, and fills in the ordinary report
form, which reporting.services.create_report files as the employee's own
report (registrar=…). Who receives it is previewed for the employee, not for
the registrar (reporting.views._recipients with reporter=the employee).

Anonymous here means what it means on the employee's own form: Värn stores
no link to the employee (not on the case, not in the audit log, no e-mail,
not in Mina rapporter). The registrar knows who it is and is recorded as the
registrar; they get the receipt code once, to hand to the employee.
"""
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from incidents import access, routing
from incidents.models import Incident
from reporting import attachments, services
from reporting.forms import OnBehalfForm
from reporting.views import _form_context, _initial, _receipt_context

MAX_MATCHES = 20

# The identity modes as the registrar explains them to the employee.
IDENTITY_HINTS = {
    Incident.IdentityMode.NAMED: gettext_lazy(
        "Den som handlägger rapporten ser vem medarbetaren är och kan ge stöd direkt."),
    Incident.IdentityMode.CONFIDENTIAL: gettext_lazy(
        "Bara förvaltningens säkerhetssamordnare och HR ser vem medarbetaren är; chefer och andra ser ”konfidentiell”."),
    Incident.IdentityMode.ANONYMOUS: gettext_lazy(
        "Värn sparar ingen koppling till medarbetaren och skickar ingen e-post. Handläggaren ser att du registrerade den, men inte vems den är. Medarbetaren följer rapporten med kvittokoden du får."),
}


def _employee(registrar, value):
    """The employee `value` names, if in the registrar's scope; else None."""
    text = str(value or "")
    if not text.isdigit() or len(text) > 15:
        return None
    return access.on_behalf_people(registrar).filter(pk=int(text)).first()


def _matches(registrar, query: str):
    """Employees in the registrar's scope whose name, user name or employee
    number contains every word of `query`."""
    people = access.on_behalf_people(registrar)
    for word in query.split()[:4]:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                               | Q(username__icontains=word) | Q(employee_number__icontains=word))
    return list(people.order_by("last_name", "first_name", "pk")[:MAX_MATCHES + 1])


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def report_for(request):
    """/rapportera/at-medarbetare/: first the employee (a search by name or
    employee number), then the report form with the registration's questions.
    404 for anyone who may not register on behalf of others, and for an
    employee outside the registrar's scope."""
    registrar = request.user
    if not access.may_register_on_behalf(registrar):
        raise Http404
    if request.method == "POST":
        return _post(request, registrar)
    employee = _employee(registrar, request.GET.get("medarbetare")) if request.GET.get("medarbetare") else None
    if request.GET.get("medarbetare") and employee is None:
        raise Http404
    if employee is None:
        query = request.GET.get("q", "").strip()[:100]
        found = _matches(registrar, query) if query else []
        return render(request, "reporting/onbehalf_pick.html", {
            "query": query, "matches": found[:MAX_MATCHES], "more": len(found) > MAX_MATCHES})
    form = OnBehalfForm(initial=_initial_for(employee), registrar=registrar)
    return _page(request, form, employee)


def _initial_for(employee) -> dict:
    """The fresh form's answers: the public form's defaults (no draft: neither
    person's draft belongs to this report), named as on the employee's own
    form, the employee's unit, a phone call."""
    initial, _draft = _initial(None, anonymous_only=True)
    initial.update({"identity_mode": Incident.IdentityMode.NAMED, "employee": employee.pk,
                    "registered_channel": Incident.RegisteredChannel.PHONE})
    unit = services.home_unit(employee)
    if unit:
        initial["unit"], initial["operation_area"] = unit.pk, unit.operation_area_id
    return initial


def _post(request, registrar):
    employee = _employee(registrar, request.POST.get("employee"))
    if employee is None:
        raise Http404
    previous = services.existing_receipt(request.POST.get("token"))
    if previous:
        if previous.incident.registered_by_id != registrar.pk:
            raise Http404
        return _receipt(request, previous)
    form = OnBehalfForm(request.POST, request.FILES, registrar=registrar)
    confirm_step = False
    if form.is_valid():
        data = form.cleaned_data
        named = data["identity_mode"] != Incident.IdentityMode.ANONYMOUS
        people = routing.candidates(data["unit"], employee.pk if named else None)
        recipients = services.preview_routing(
            reporter=employee, unit=data["unit"], identity_mode=data["identity_mode"],
            bypass=routing.decide_bypass(data["source"], data["manager_may_see"]), people=people)
        confirm_step = routing.signature(recipients) not in data["recipients_seen"].split()
        if not confirm_step:
            try:
                result = services.create_report(reporter=employee, data=data, files=data["attachments"],
                                                token=data["token"], people=people, registrar=registrar)
            except attachments.AttachmentError as exc:
                form.add_error("attachments", str(exc))
            except services.OnBehalfRefused as exc:
                form.add_error(None, str(exc))
            else:
                return _receipt(request, result)
    if request.FILES.getlist("attachments") and "attachments" not in form.errors:
        form.add_error("attachments", _("Välj filen igen: bifogade filer följer inte med när formuläret visas på nytt."))
    return _page(request, form, employee, confirm_step=confirm_step and not form.errors,
                 status=400 if form.errors else 200)


def _page(request, form, employee, *, confirm_step=False, status=200):
    context = _form_context(request, form, anonymous_only=False, draft=None, reporter=employee)
    identity = str(form["identity_mode"].value() or Incident.IdentityMode.NAMED)
    context["identity_cards"] = [{"value": value, "label": label, "hint": IDENTITY_HINTS[value],
                                  "checked": value == identity} for value, label in Incident.IdentityMode.choices]
    context.update({"on_behalf": True, "employee": employee, "confirm_step": confirm_step,
                    "employee_unit": services.home_unit(employee),
                    "change_url": reverse("reporting:report_for")})
    return render(request, "reporting/form.html", context, status=status)


def _receipt(request, result):
    """The registrar's receipt, in answer to the submission (the report is
    the employee's: the registrar has no page of it afterwards, unless their
    role reaches the case). An anonymous report's code is shown once, to be
    handed to the employee."""
    context = _receipt_context(result.incident, result.code)
    context.update({"on_behalf": True, "registered_at": timezone.now()})
    response = render(request, "reporting/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response

"""The support track's steps on the case page, mounted under
/arenden/<pk>/stod/. Each view calls one function of support.services and
goes back to the case page; a refusal shows the case page again with what
the user typed and the reason at the form."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.workflow import Conflict, WorkflowError, load_for_handling
from support import services
from support.forms import EndForm, OfferAnswerForm, OfferForm, StepForm
from support.models import SupportStep


def _back(pk):
    return redirect(reverse("casework:detail", args=[pk]) + "#stod")


def _again(request, pk, name, form, error=None):
    """The case page again, the form kept. Field errors go to their fields;
    any other refusal is shown in the form. After a conflict the form carries
    the track's current version, so that saving again (having seen the
    change) goes through."""
    # The case page is casework's; it shows this app's panel.
    from casework.views import incident_detail

    if isinstance(error, services.SupportInvalid):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
    elif error is not None:
        form.add_error(None, str(error))
    if isinstance(error, Conflict):
        track = services.track_of(load_for_handling(request.user, pk))
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = str(track.version)
    return incident_detail(request, pk, status=409 if isinstance(error, Conflict) else 400, support={name: form})


@login_required
@require_POST
def start(request, pk):
    try:
        services.start(request.user, pk)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Stödspåret är startat. Första stödsamtalet och uppföljningarna är planerade."))
    return _back(pk)


@login_required
@require_POST
def step(request, pk, kind):
    load_for_handling(request.user, pk)  # 404/403 before anything else
    if kind not in SupportStep.Kind.values:
        messages.error(request, _("Okänt steg i stödspåret."))
        return _back(pk)
    form = StepForm(request.POST, kind=kind)
    if not form.is_valid():
        return _again(request, pk, f"steg-{kind}", form)
    data = form.cleaned_data
    try:
        services.update_step(request.user, pk, kind, version=data["version"], action=data["action"],
                             day=data["day"], note=data["note"])
    except WorkflowError as error:
        return _again(request, pk, f"steg-{kind}", form, error)
    messages.success(request, {"done": _("Steget är registrerat som genomfört."),
                               "reschedule": _("Steget är flyttat."),
                               "skip": _("Steget är överhoppat.")}[data["action"]])
    return _back(pk)


@login_required
@require_POST
def add_offer(request, pk):
    load_for_handling(request.user, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "erbjudande", form)
    data = form.cleaned_data
    try:
        services.add_offer(request.user, pk, version=data["version"], code=data["code"],
                           offered_on=data["offered_on"], answer=data["answer"], note=data["note"])
    except WorkflowError as error:
        return _again(request, pk, "erbjudande", form, error)
    messages.success(request, _("Det erbjudna stödet är registrerat."))
    return _back(pk)


@login_required
@require_POST
def offer_answer(request, pk, offer_pk):
    load_for_handling(request.user, pk)
    form = OfferAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(_("Välj medarbetarens svar."))
        services.answer_offer(request.user, pk, offer_pk, version=form.cleaned_data["version"],
                              answer=form.cleaned_data["answer"])
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Svaret är sparat."))
    return _back(pk)


@login_required
@require_POST
def end(request, pk):
    load_for_handling(request.user, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        return _again(request, pk, "avsluta-stod", form)
    try:
        services.end_early(request.user, pk, version=form.cleaned_data["version"],
                           reason=form.cleaned_data["reason"])
    except WorkflowError as error:
        return _again(request, pk, "avsluta-stod", form, error)
    messages.success(request, _("Stödspåret är avslutat."))
    return _back(pk)

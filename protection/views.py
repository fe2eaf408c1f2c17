"""Pages of protective measures: recording one from the case page
(/arenden/<pk>/skydd/), the unit's list (/skyddsatgarder/) and one measure
with its changes, review and end (/skyddsatgarder/<pk>/). Each view calls one
function of protection.services; a refusal shows the page again with what
the user typed and the reason at the form."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from casework.workflow import Conflict, WorkflowError, load_for_handling
from incidents import access
from protection import services
from protection.forms import EndForm, MeasureForm


def _add_errors(form, error):
    if isinstance(error, services.MeasureInvalid):
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, str(error))


@login_required
@require_POST
def add(request, pk):
    load_for_handling(request.user, pk)   # 404/403 before anything else
    form = MeasureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add(request.user, pk, kind=data["kind"], note=data["note"], review_on=data["review_on"])
        except WorkflowError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Skyddsåtgärden är registrerad. Enhetens chefer och säkerhetssamordnare ser den."))
            return redirect(reverse("casework:detail", args=[pk]) + "#skydd")
    # The case page is casework's; it shows this app's panel.
    from casework.views import incident_detail

    return incident_detail(request, pk, status=400, protection=form)


@login_required
def unit_list(request):
    if not access.scope_paths(request.user, access.MEASURE_ROLES):
        raise Http404
    measures = list(services.for_unit_list(request.user))
    same = services.same_actor(request.user, measures)
    rows = [{"measure": m, "same_actor": max(same.get(m.incident.actor_pseudonym, 0) - 1, 0)
             if m.incident.actor_pseudonym else 0,
             "case_visible": access.can_see(request.user, m.incident)} for m in measures]
    return render(request, "protection/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    measure = services.load(request.user, pk)
    change_form = end_form = None
    status = 200
    if request.method == "POST":
        ending = "avsluta-reason" in request.POST
        form = EndForm(request.POST) if ending else MeasureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if ending:
                    services.end(request.user, pk, version=data["version"], reason=data["reason"])
                else:
                    services.change(request.user, pk, version=data["version"] or 0, kind=data["kind"],
                                    note=data["note"], review_on=data["review_on"])
            except WorkflowError as error:
                _add_errors(form, error)
                if isinstance(error, Conflict):
                    # Saving again, having seen what changed, goes through.
                    measure = services.load(request.user, pk)
                    form.data = form.data.copy()
                    form.data[form.add_prefix("version")] = str(measure.version)
                    status = 409
            else:
                messages.success(request, _("Skyddsåtgärden är avslutad.") if ending else _("Skyddsåtgärden är sparad."))
                return redirect("protection:detail", pk=pk)
        status = status if status != 200 else 400
        if ending:
            end_form = form
        else:
            change_form = form
    else:
        # The measure's text is about a case: its read is logged like the case's.
        record(request.user, "protection.view", measure, incident=measure.incident)
    if change_form is None:
        change_form = MeasureForm(initial={"kind": measure.kind, "note": measure.note,
                                           "review_on": measure.review_on, "version": measure.version})
    if end_form is None:
        end_form = EndForm(initial={"version": measure.version})
    return render(request, "protection/detail.html", {
        "measure": measure, "change_form": change_form, "end_form": end_form,
        "case_visible": access.can_see(request.user, measure.incident)}, status=status)

"""Case pages for handlers and safety representatives: the inbox, the case
page, the handling steps and the handler's reply in the thread. Every step
goes through casework.workflow."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.log import record_view
from audit.models import AuditEntry
from casework import inbox, workflow
from casework.forms import (
    ActionForm,
    ActionStatusForm,
    AssignForm,
    ChecklistItemForm,
    CloseForm,
    InboxFilterForm,
    ReopenForm,
    StatusForm,
)
from incidents import access
from incidents.models import ChecklistItem, Incident
from protection.panel import panel_context as protection_context
from reporting import thread
from reporting.forms import MessageForm
from support.panel import panel_context


@login_required
def incident_list(request):
    user = request.user
    if not user.has_role(*access.CASE_ROLES):
        raise Http404
    is_handler = user.has_role(*access.HANDLER_ROLES)
    tabs = inbox.TABS if is_handler else ("alla",)
    tab = request.GET.get("vy") if request.GET.get("vy") in tabs else tabs[0]
    filters = InboxFilterForm(request.GET or None, nodes=access.covered_nodes(user, access.CASE_ROLES))
    incidents = inbox.base_queryset(user).filter(inbox.tab_filter(tab, user))
    searched = False
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        if data["sok"].strip():
            incidents, searched = inbox.search(incidents, data["sok"]), True
        if data["enhet"]:
            incidents = incidents.filter(unit__path__startswith=data["enhet"].path)
        if data["form"]:
            incidents = incidents.filter(forms__code=data["form"])
        if data["status"]:
            incidents = incidents.filter(status=data["status"])
        if data["fran"]:
            incidents = incidents.filter(reported_at__date__gte=data["fran"])
        if data["till"]:
            incidents = incidents.filter(reported_at__date__lte=data["till"])
        newest_first = data["sortering"] == "nyast"
    else:
        newest_first = False
    incidents = (incidents.select_related("unit", "assigned_to", "source").prefetch_related("forms")
                 .order_by("-reported_at" if newest_first else "reported_at"))
    page = Paginator(incidents, 25).get_page(request.GET.get("sida"))
    query = {k: v for k, v in request.GET.items() if k != "sida" and v}
    return render(request, "casework/list.html", {
        "page": page, "tab": tab, "tabs": [(t, TAB_LABELS[t]) for t in tabs], "filters": filters,
        "searched": searched,
        # The box of filters opens when one is in use or wrong (the search stands outside it).
        "filters_open": bool(filters.errors) or any(
            request.GET.get(name) for name in filters.fields if name != "sok"),
        "counts": inbox.counts(user) if is_handler else {"alla": page.paginator.count},
        "my_actions": inbox.my_actions(user)[:20] if is_handler else [],
        "extra_query": urlencode(query), "tab_query": urlencode({k: v for k, v in query.items() if k != "vy"}),
        "now": timezone.now(), "today": timezone.localdate(),
    })


# Lazy: translated when the page is shown, in the user's language (issue 11).
TAB_LABELS = {"mina": gettext_lazy("Väntar på mig"), "nya": gettext_lazy("Nya"),
              "forsenade": gettext_lazy("Försenade"), "alla": gettext_lazy("Alla")}


def _timeline(incident):
    """Everything that happened to the case, from the audit log; reads are in
    the log too but not on the timeline."""
    entries = list(AuditEntry.objects.filter(incident=incident).exclude(action__in=["incident.view", "protection.view"])
                   .select_related("actor").order_by("-id")[:200])
    # The log keeps no text: the latest reopening shows the reason the case holds.
    latest = next((e for e in entries if e.action == "incident.reopen_reason"), None)
    if latest is not None:
        latest.reason_text = incident.reopen_reason
    return entries


@login_required
def incident_detail(request, pk, message_form=None, status=200, step_error=None, **forms):
    incident = access.get_visible_incident(request.user, pk)
    record_view(request.user, incident)
    can_handle = access.can_handle(request.user, incident)
    ctx = {
        "incident": incident,
        "show_reporter": access.can_identify(request.user, incident),
        "can_handle": can_handle,
        "forms_of_influence": list(incident.forms.all()),
        "timeline": _timeline(incident),
        "possibly_serious": workflow.possibly_serious(incident),
        "serious_deadline": workflow.serious_deadline(incident),
        "ack_overdue": workflow.ack_overdue(incident),
        # The feedback clock (whistleblowing act's norm): shown until the reporter has been told.
        "feedback_deadline": None if workflow.reporter_told(incident) else workflow.feedback_deadline(incident),
        "now": timezone.now(),
        # Attachments and the message thread with the reporter (reporting/_thread.html).
        **thread.thread_context(request.user, incident, form=message_form),
        # Protective measures for the unit's future visits (protection/).
        **protection_context(request.user, incident, can_handle=can_handle, bound=forms.get("protection")),
    }
    if can_handle:
        items = workflow.checklist(incident)
        handlers = workflow.possible_handlers(incident)
        bound = forms.get("checklist")
        blockers = workflow.closing_blockers(incident)
        ctx.update({
            "next_step": workflow.next_step(incident),
            "blockers": blockers,
            "transitions": workflow.forward_steps(incident, blockers),
            # Why a status step or closing failed: shown at the buttons.
            "step_error": step_error,
            "checklist": [
                (item, bound[1] if bound and bound[0] == item.code else ChecklistItemForm(
                    code=item.code, initial={"seen": workflow.item_stamp(item), "state": item.state,
                                             "done_on": item.done_on or timezone.localdate(),
                                             "reference": item.reference, "note": item.note}))
                for item in items],
            "actions": list(incident.actions.select_related("owner")),
            "action_form": forms.get("action") or ActionForm(owners=handlers),
            "assign_form": forms.get("assign") or AssignForm(
                handlers=handlers, initial={"version": incident.version, "handler": incident.assigned_to_id}),
            "close_form": forms.get("close") or CloseForm(initial={"version": incident.version}),
            "reopen_form": forms.get("reopen") or ReopenForm(initial={"version": incident.version}),
            "today": timezone.localdate(),
            # The support track (support/): its steps, offers and forms.
            **panel_context(incident, forms.get("support")),
        })
    return render(request, "casework/detail.html", ctx, status=status)


def _back(incident_pk, anchor=""):
    return redirect(reverse("casework:detail", args=[incident_pk]) + (f"#{anchor}" if anchor else ""))


def _failed(request, pk, error, quiet=False, at_step=False, **forms):
    """Show the case again with the user's input kept and the reason: at the
    top of the page, unless `quiet` (or no error: the form's own errors)
    because the form shows it where the user acted, or `at_step`: in the
    next-step box, at the status buttons and the closing form. After a
    conflict the kept forms carry the case's current version, so that
    saving again (having seen what changed) goes through."""
    if error is not None and not (quiet or at_step):
        messages.error(request, str(error))
    if at_step and error is not None:
        forms["step_error"] = str(error)
    conflict = isinstance(error, workflow.Conflict)
    if conflict:
        current = str(access.handleable_incidents(request.user).values_list("version", flat=True).get(pk=pk))
        for form in forms.values():
            if hasattr(form, "data") and "version" in getattr(form, "fields", {}):
                form.data = form.data.copy()
                form.data[form.add_prefix("version")] = current
        if "checklist" in forms:
            code, form = forms["checklist"]
            item = access.rows_of(ChecklistItem, access.handleable_incidents(request.user)).filter(
                incident_id=pk, code=code).first()
            form.data = form.data.copy()
            form.data[form.add_prefix("seen")] = workflow.item_stamp(item) if item else ""
    return incident_detail(request, pk, status=409 if conflict else 400, **forms)


@login_required
@require_POST
def change_status(request, pk):
    workflow.load_for_handling(request.user, pk)  # 404 before anything else outside scope
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _failed(request, pk, workflow.WorkflowError(_("Ogiltig begäran. Ladda om sidan och försök igen.")),
                       at_step=True)
    steps = {
        Incident.Status.ACKNOWLEDGED: (workflow.acknowledge, _("Rapporten är kvitterad som mottagen.")),
        Incident.Status.INVESTIGATING: (workflow.start_investigation, _("Ärendet är under utredning.")),
        Incident.Status.RESOLVED: (workflow.resolve, _("Ärendet är markerat som åtgärdat.")),
    }
    to = form.cleaned_data["to"]
    if to not in steps:
        return _failed(request, pk, workflow.WorkflowError(_("Använd avslutsformuläret för att avsluta ärendet.")),
                       at_step=True)
    step, done = steps[to]
    try:
        step(request.user, pk, form.cleaned_data["version"])
    except workflow.WorkflowError as error:
        return _failed(request, pk, error, at_step=True)
    messages.success(request, done)
    return _back(pk)


def _form_step(request, pk, name, form, step, done, invalid, at_step=False):
    """One handling step from a bound form: `step(cleaned_data)` runs the
    workflow function. The form's error (`invalid(form)`, None for errors
    the form shows at its field) or the step's refusal is shown on the case
    page with what the user typed kept."""
    if not form.is_valid():
        return _failed(request, pk, invalid(form), at_step=at_step, **{name: form})
    try:
        step(form.cleaned_data)
    except workflow.WorkflowError as error:
        return _failed(request, pk, error, at_step=at_step, **{name: form})
    messages.success(request, done)
    return _back(pk)


@login_required
@require_POST
def assign(request, pk):
    incident = workflow.load_for_handling(request.user, pk)
    return _form_step(
        request, pk, "assign", AssignForm(request.POST, handlers=workflow.possible_handlers(incident)),
        lambda data: workflow.assign(request.user, pk, data["version"], data["handler"]),
        _("Handläggaren är ändrad."),
        lambda form: workflow.WorkflowError(_("Välj en handläggare i listan.")))


@login_required
@require_POST
def checklist_item(request, pk, code):
    workflow.load_for_handling(request.user, pk)
    if code not in ChecklistItem.Code.values:
        return _failed(request, pk, workflow.WorkflowError(_("Okänd uppföljningspunkt.")))
    # The item's errors are shown in the item, at the fields, not at the top
    # of the page; the form posts to the item's anchor so the page opens there.
    form = ChecklistItemForm(request.POST, code=code)
    if not form.is_valid():
        return _failed(request, pk, None, checklist=(code, form))
    data = form.cleaned_data
    try:
        workflow.update_checklist_item(request.user, pk, code, state=data["state"], done_on=data["done_on"],
                                       reference=data.get("reference", ""), note=data["note"],
                                       # A page from before the lock existed sends no stamp: no check.
                                       seen=data["seen"] if form.add_prefix("seen") in request.POST else None)
    except workflow.ChecklistInvalid as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _failed(request, pk, None, checklist=(code, form))
    except workflow.WorkflowError as error:
        form.add_error(None, str(error))
        return _failed(request, pk, error, checklist=(code, form), quiet=True)
    messages.success(request, _("Uppföljningen är sparad."))
    return _back(pk, f"punkt-{code}")


@login_required
@require_POST
def add_action(request, pk):
    incident = workflow.load_for_handling(request.user, pk)
    owners = workflow.possible_handlers(incident)
    if request.user not in owners:
        owners.append(request.user)
    form = ActionForm(request.POST, owners=owners)
    if not form.is_valid():
        return _failed(request, pk, workflow.WorkflowError(_("Kontrollera uppgifterna om åtgärden.")), action=form)
    try:
        workflow.add_action(request.user, pk, **form.cleaned_data)
    except workflow.WorkflowError as error:
        return _failed(request, pk, error, action=form)
    messages.success(request, _("Åtgärden är tillagd."))
    return _back(pk, "atgarder")


@login_required
@require_POST
def action_status(request, action_pk):
    action = workflow.load_action(request.user, action_pk)
    form = ActionStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise workflow.WorkflowError(_("Okänd status."))
        workflow.set_action_status(request.user, action_pk, form.cleaned_data["status"])
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Åtgärden är uppdaterad."))
    return _back(action.incident_id, "atgarder")


@login_required
@require_POST
def close(request, pk):
    workflow.load_for_handling(request.user, pk)
    return _form_step(
        request, pk, "close", CloseForm(request.POST),
        lambda data: workflow.close(request.user, pk, data["version"], data["summary"]),
        _("Ärendet är avslutat. Rapportören har fått besked."),
        # A missing summary is told at the field; a broken form at the button.
        lambda form: None if "summary" in form.errors else workflow.WorkflowError(
            _("Ladda om sidan och försök igen.")),
        at_step=True)


@login_required
@require_POST
def reopen(request, pk):
    workflow.load_for_handling(request.user, pk)
    return _form_step(
        request, pk, "reopen", ReopenForm(request.POST),
        lambda data: workflow.reopen(request.user, pk, data["version"], data["reason"]),
        _("Ärendet är öppnat igen."),
        lambda form: workflow.WorkflowError(form.errors.get("reason", [_("Ladda om sidan och försök igen.")])[0]))


@login_required
@require_POST
def message_post(request, pk):
    """A handler's reply from the case page. The reporter writes from Mina rapporter."""
    incident = access.get_visible_incident(request.user, pk)
    if incident.reporter_id == request.user.pk:
        from reporting.views import mine_detail  # the reporter answers from Mina rapporter
        return mine_detail(request, pk)
    if not access.can_handle(request.user, incident):
        return render(request, "errors/403.html", status=403)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return incident_detail(request, pk, message_form=form)
    thread.post_message(incident, body=form.cleaned_data["body"], author=request.user, by_reporter=False)
    return redirect(reverse("casework:detail", args=[pk]) + "#meddelanden")

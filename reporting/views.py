"""Pages of the reporting flow: the report form (logged in, and a public
anonymous path), its receipt, drafts, "Mina rapporter" with the message
thread, the anonymous follow-up by receipt code, messages from the case page
and attachment downloads.

Every case is reached through incidents.access; a case outside the user's
reach answers 404. The anonymous paths store no IP address: their rate
limits (varn/ratelimits.py) key on a keyed hash of it held only in the cache.
"""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import ANONYMOUS_REPORTER, record, record_view
from incidents import access, routing
from incidents.classify import source_hint
from incidents.models import Incident, InfluenceForm, Source, ack_deadline
from organisation import catalogue
from reporting import attachments, drafts, receipts, services, thread
from reporting.forms import MessageForm, ReceiptCodeForm, ReportForm, hint_question
from support import services as support
from support.forms import AnswerForm
from support.panel import employee_context
from varn import ratelimits
from varn.ratelimits import rate_limited

# --- the report form -------------------------------------------------------------

@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    return _report(request, anonymous_only=False)


@never_cache
@require_http_methods(["GET", "POST"])
def report_anonymous(request):
    """The same form without logging in; always anonymous and rate-limited."""
    if request.method == "POST":
        blocked, wait = ratelimits.wait_for(request, ratelimits.ANONYMOUS_REPORTS)
        if blocked:
            return rate_limited(request, wait_seconds=wait)
    return _report(request, anonymous_only=True)


def _initial(request, anonymous_only):
    now = timezone.localtime()
    initial = {
        "occurred_date": now.date(),
        "occurred_time": now.time().replace(second=0, microsecond=0),
        "identity_mode": Incident.IdentityMode.ANONYMOUS if anonymous_only else Incident.IdentityMode.NAMED,
        "police_status": Incident.PoliceStatus.UNDECIDED,
        "token": uuid.uuid4(),
    }
    unit = None if anonymous_only else services.home_unit(request.user)
    if unit:
        initial["unit"] = unit.pk
        initial["operation_area"] = unit.operation_area_id
    draft = None if anonymous_only else drafts.draft_for(request.user)
    if draft:
        initial.update(draft.data)
    return initial, draft


IDENTITY_HINTS = {
    Incident.IdentityMode.NAMED: gettext_lazy(
        "Den som handlägger rapporten ser att det är du och kan ge dig stöd direkt."),
    Incident.IdentityMode.CONFIDENTIAL: gettext_lazy(
        "Bara förvaltningens säkerhetssamordnare och HR ser vem du är; chefer och andra ser ”konfidentiell”."),
    Incident.IdentityMode.ANONYMOUS: gettext_lazy(
        "Inget kopplar rapporten till dig och ingen IP-adress sparas. Du får en kod för att följa rapporten. Tänk på att detaljer i texten kan avslöja vem du är."),
}


def _report(request, *, anonymous_only):
    draft = None
    confirm_step = False
    if request.method == "POST":
        previous = services.existing_receipt(request.POST.get("token"))
        if previous:
            return _receipt_response(request, previous)
        form = ReportForm(request.POST, request.FILES, anonymous_only=anonymous_only)
        if form.is_valid():
            data = form.cleaned_data
            named = data["identity_mode"] != Incident.IdentityMode.ANONYMOUS and request.user.is_authenticated
            people = routing.candidates(data["unit"], request.user.pk if named else None)
            recipients = services.preview_routing(
                reporter=request.user, unit=data["unit"], identity_mode=data["identity_mode"],
                bypass=routing.decide_bypass(data["source"], data["manager_may_see"]), people=people)
            # Sent only to people the page showed: without the script (or
            # when the answers changed after the last preview) the server
            # shows who will receive it and asks for one more press.
            confirm_step = routing.signature(recipients) not in data["recipients_seen"].split()
            if not confirm_step:
                try:
                    result = services.create_report(
                        reporter=request.user, data=data,
                        files=data["attachments"], token=data["token"], people=people)
                except attachments.AttachmentError as exc:
                    form.add_error("attachments", str(exc))
                else:
                    if anonymous_only and result.created:
                        ratelimits.ANONYMOUS_REPORTS.count(request)
                    return _receipt_response(request, result)
        if request.FILES.getlist("attachments") and "attachments" not in form.errors:
            # A browser cannot refill a file input: say so where the files were.
            form.add_error("attachments", _("Välj filen igen: bifogade filer följer inte med när formuläret visas på nytt."))
    else:
        initial, draft = _initial(request, anonymous_only)
        form = ReportForm(initial=initial, anonymous_only=anonymous_only)
    context = _form_context(request, form, anonymous_only=anonymous_only, draft=draft)
    context["confirm_step"] = confirm_step and not form.errors
    return render(request, "reporting/form.html", context)


# --- who will receive the report ------------------------------------------------

def _answers(request, values, anonymous_only):
    """The answers that decide routing, read leniently from posted or
    initial values: (unit, source, manager_may_see, identity mode). A value
    that is not valid counts as not given."""
    def pk(name):
        value = values.get(name)
        value = getattr(value, "pk", value)
        return int(value) if str(value or "").isdigit() and len(str(value)) < 16 else None

    unit = services.reportable_units().filter(pk=pk("unit")).first() if pk("unit") else None
    source = Source.objects.filter(active=True, pk=pk("source")).first() if pk("source") else None
    may_see = values.get("manager_may_see") not in (None, "", False, "false", "0")
    identity = str(values.get("identity_mode") or Incident.IdentityMode.NAMED)
    if anonymous_only or not request.user.is_authenticated:
        identity = Incident.IdentityMode.ANONYMOUS
    elif identity not in Incident.IdentityMode.values:
        identity = Incident.IdentityMode.NAMED
    return unit, source, may_see, identity


def _recipients(request, values, anonymous_only, reporter=None) -> dict:
    """What the form shows under "Vem får rapporten?": the recipients of the
    answers given, or, before the routing question is answered, both
    possible sets; and the fingerprints of what it shows (recipients_seen).
    `reporter`: the employee a report is registered for (reporting.onbehalf),
    whose report it is; else the user."""
    unit, source, may_see, identity = _answers(request, values, anonymous_only)
    if unit is None:
        return {"seen": "", "source": source}
    reporter = reporter or request.user

    # Both previews below are of the same unit and reporter: read its people once.
    named = identity != Incident.IdentityMode.ANONYMOUS and reporter.is_authenticated
    people = routing.candidates(unit, reporter.pk if named else None)

    def preview(bypass):
        return services.preview_routing(reporter=reporter, unit=unit, bypass=bypass,
                                        identity_mode=identity, people=people)

    if source is None:
        normal, bypassed = preview(False), preview(True)
        if routing.signature(normal) != routing.signature(bypassed):
            return {"normal": routing.describe(normal), "bypassed": routing.describe(bypassed),
                    "seen": f"{routing.signature(normal)} {routing.signature(bypassed)}", "source": None}
        current = normal
    else:
        current = preview(routing.decide_bypass(source, may_see))
    return {"current": routing.describe(current), "seen": routing.signature(current), "source": source}


RECIPIENTS_RATE = "60/m"


def _recipients_key(group, request):
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return ratelimits.ip_key(group, request)


@never_cache
@require_POST
def recipients(request):
    """Who will receive the report being typed, for the form's script: the
    recipients line as HTML, the fingerprint to send with the form, and the
    question to ask when the description points to a manager, a colleague or
    an elected official. Works without logging in (the public anonymous
    form); nothing is stored or logged, and the text is posted so that it
    stays out of URLs and access logs."""
    # Counted in memory only: a shared-cache row keyed on the user would date
    # the anonymous report that follows (docs/disclosure.md).
    if ratelimits.counted_in_memory(request, "recipients", RECIPIENTS_RATE, _recipients_key):
        return JsonResponse({"error": _("För många förfrågningar. Vänta en stund.")}, status=429)
    anonymous_only = request.POST.get("anonymous_only") == "1"
    employee = None
    if "employee" in request.POST:   # the form registering a report for an employee
        value = request.POST["employee"]
        employee = access.on_behalf_people(request.user).filter(
            pk=int(value) if value.isdigit() and len(value) < 16 else None).first()
        if employee is None:
            raise Http404
    info = _recipients(request, request.POST, anonymous_only, reporter=employee)
    source, may_see = info["source"], request.POST.get("manager_may_see") not in (None, "")
    hint = None
    if source is None or not routing.decide_bypass(source, may_see):
        found = source_hint(request.POST.get("description", "")[:services.MAX_TEXT])
        if found is not None:
            target = Source.objects.filter(code=found.code, active=True).first()
            hint = {"text": hint_question(found, confirm=False), "pk": target.pk if target else None,
                    "confirm_text": _("Stämmer ditt svar, kryssa i rutan nedan.") if source is not None else "",
                    "button": _("Välj ”%(source)s”") % {"source": target.name} if target else "",
                    "confirm": source is not None}
    html = render_to_string("reporting/_recipients.html", {"recipients": info}, request=request)
    return JsonResponse({"html": html, "seen": info["seen"], "hint": hint})


def _values(value) -> set[str]:
    if value in (None, ""):
        return set()
    items = value if isinstance(value, (list, tuple)) else [value]
    return {str(getattr(v, "pk", v)) for v in items}


def _routing_values(form):
    """The answers the recipients shown are computed from. When the form asks
    whether the text's manager or colleague is the one who acted, both
    possible sets are shown, so that either answer can be sent at once."""
    values = (form.data if form.is_bound else form.initial).copy()
    if form.source_hint is not None:
        values.pop("source", None)
    return values


def _source_cards(form) -> list[dict]:
    """The answers to "Vem utövade påverkan?", "Vet inte / vill inte säga"
    last, each saying where it sends the report when that is not the unit's
    managers."""
    chosen = _values(form["source"].value())
    terms = sorted(Source.objects.filter(active=True), key=lambda t: t.code == routing.UNKNOWN_SOURCE)
    cards = []
    for term in terms:
        unknown = term.code == routing.UNKNOWN_SOURCE
        if unknown:
            label, hint = _("Vet inte / vill inte säga"), _("Rapporten går då inte till enhetens chefer, om du inte kryssar i att din chef får se den.")
        elif term.bypasses_management:
            label, hint = term.name, _("Rapporten går förbi enhetens chefer, till säkerhetssamordnare och HR.")
        else:
            label, hint = term.name, ""
        cards.append({"term": term, "label": label, "hint": hint, "unknown": unknown,
                      "bypass": term.bypasses_management, "checked": str(term.pk) in chosen})
    return cards


def _fixed_key(request, form, anonymous_only, draft) -> str:
    """The key under which the form's fixed parts (forms of influence, the
    routing and identity questions, the optional section) are kept rendered,
    or "" to render them: only a fresh form, whose answers are the defaults
    for everyone, is kept. The parts differ by language, by the public
    anonymous form and by login (help links need one); the optional section
    also by the pre-filled operation area (in the template). Everything they
    show is in organisation.catalogue's stamp."""
    if form.is_bound or draft is not None:
        return ""
    stamp = catalogue.stamp()
    if not stamp:
        return ""
    return ":".join([translation.get_language() or "", stamp,
                     "anonym" if anonymous_only else "", "in" if request.user.is_authenticated else ""])


def _form_context(request, form, *, anonymous_only, draft, reporter=None):
    selected = form["unit"].value()
    try:
        selected = int(selected) if selected not in (None, "") else None
    except (TypeError, ValueError):
        selected = None
    everything = anonymous_only or request.GET.get("alla-enheter") == "1"
    checked_forms = _values(form["forms"].value())
    identity = str(form["identity_mode"].value() or Incident.IdentityMode.NAMED)
    police = str(form["police_status"].value() or Incident.PoliceStatus.UNDECIDED)
    return {
        "form": form,
        "anonymous_only": anonymous_only,
        "fixed_key": "" if reporter else _fixed_key(request, form, anonymous_only, draft),
        "fragment_seconds": catalogue.FRAGMENT_SECONDS,
        "unit_groups": services.unit_groups(None if anonymous_only else reporter or request.user, selected, everything),
        "selected_unit": selected,
        "everything": everything,
        # The cards are read only when their part of the page is rendered
        # (the template calls them), not when it is kept (fixed_key).
        "form_cards": lambda: [{"term": term, "checked": str(term.pk) in checked_forms}
                               for term in InfluenceForm.objects.filter(active=True)],
        "identity_cards": lambda: [{"value": value, "label": label, "hint": IDENTITY_HINTS[value],
                                    "checked": value == identity}
                                   for value, label in Incident.IdentityMode.choices],
        "police_cards": lambda: [{"value": value, "label": label, "checked": value == police}
                                 for value, label in form.fields["police_status"].choices],
        "source_cards": lambda: _source_cards(form),
        "recipients": _recipients(request, _routing_values(form), anonymous_only, reporter),
        "draft": draft,
        # No draft of a report registered for someone else (reporting.onbehalf).
        "draft_key": "" if reporter else "varn-report:" + ("anonym" if anonymous_only else str(request.user.pk)),
        "max_text": services.MAX_TEXT,
    }


def _receipt_response(request, result):
    incident = result.incident
    if incident.identity_mode != Incident.IdentityMode.ANONYMOUS:
        if not (request.user.is_authenticated and incident.reporter_id == request.user.pk):
            raise Http404
        return redirect("reporting:receipt", pk=incident.pk)
    # The anonymous receipt is shown in answer to the submission itself: its
    # code exists nowhere else, so there is no page to redirect to.
    context = _receipt_context(incident, result.code)
    if request.user.is_authenticated:
        # A logged-in employee who chose anonymous drafted under their own key.
        context["draft_keys"].append(f"varn-report:{request.user.pk}")
    response = render(request, "reporting/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _receipt_context(incident, code=""):
    recipients = routing.route(incident)
    forms = {f.code for f in incident.forms.all()}
    return {
        "incident": incident,
        "code": code,
        "routing": recipients,
        "handler_roles": recipients.described(recipients.handlers),
        "deadline": ack_deadline(incident.reported_at),
        "contacts": routing.support_contacts(incident.unit),
        "police_reminder": bool(forms & {"hot", "vald"}) and incident.police_status != Incident.PoliceStatus.REPORTED,
        "draft_keys": ["varn-report:anonym"] + ([f"varn-report:{incident.reporter_id}"] if incident.reporter_id else []),
    }


@login_required
@never_cache
def receipt(request, pk):
    incident = _own_incident(request.user, pk)
    context = _receipt_context(incident)
    context["draft_keys"].append(f"varn-report:{request.user.pk}")
    return render(request, "reporting/receipt.html", context)


# --- drafts ----------------------------------------------------------------------

@login_required
@require_POST
def draft_save(request):
    """Autosave from the form's script. Answers 204; never stores an anonymous draft."""
    drafts.save_draft(request.user, request.POST)
    return HttpResponse(status=204)


@login_required
@require_POST
def draft_discard(request):
    drafts.discard_draft(request.user)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect("reporting:report")


# --- Mina rapporter --------------------------------------------------------------

def _own_incident(user, pk):
    """The user's own report, through the access module; 404 otherwise."""
    incident = access.get_visible_incident(user, pk)
    if incident.reporter_id != user.pk:
        raise Http404
    return incident


@login_required
def mine(request):
    incidents = (access.visible_incidents(request.user).filter(reporter=request.user)
                 .select_related("unit").prefetch_related("forms", "messages")
                 .order_by("-reported_at"))
    rows = []
    for incident in incidents:
        messages = list(incident.messages.all())
        last_reply = next((m for m in reversed(messages) if not m.by_reporter), None)
        rows.append({"incident": incident, "message_count": len(messages), "last_reply": last_reply})
    return render(request, "reporting/mine/list.html", {"rows": rows})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def mine_detail(request, pk):
    incident = _own_incident(request.user, pk)
    form = None
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            thread.post_message(incident, body=form.cleaned_data["body"], author=request.user,
                                   by_reporter=True)
            return redirect(reverse("reporting:mine_detail", args=[pk]) + "#meddelanden")
    else:
        record_view(request.user, incident)
    return _mine_page(request, incident, form=form)


def _mine_page(request, incident, *, form=None, support_form=None, status=200):
    context = {"incident": incident, **thread.thread_context(
        request.user, incident, form=form, viewer_is_reporter=True,
        action=reverse("reporting:mine_detail", args=[incident.pk])),
        **employee_context(incident, support_form),
        "support_action": reverse("reporting:support_answer", args=[incident.pk])}
    return render(request, "reporting/mine/detail.html", context, status=status)


def _answer_support(incident, reporter, form):
    """The employee's answer to "Fick du det stöd du behövde?" from a bound
    AnswerForm; False (with the reason on the form) when it was not saved."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        support.answer(incident, reporter=reporter, occasion=data["occasion"],
                       felt_supported=data["felt_supported"] == "ja", comment=data["comment"])
    except support.WorkflowError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
@require_POST
def support_answer(request, pk):
    """A named or confidential reporter answers from Mina rapporter."""
    incident = _own_incident(request.user, pk)
    form = AnswerForm(request.POST)
    if not _answer_support(incident, request.user, form):
        return _mine_page(request, incident, support_form=form, status=400)
    messages.success(request, _("Tack för ditt svar."))
    return redirect(reverse("reporting:mine_detail", args=[pk]) + "#stod")


# --- messages from the case page ----------------------------------------------

# --- the anonymous follow-up --------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def followup(request):
    """The anonymous reporter's way back to their case: the receipt code is
    typed, checked and posted with every reply; nothing is kept in a session
    so that no stored record ties a browser or an account to the report."""
    if request.method == "GET":
        return render(request, "reporting/mine/followup.html", {"code_form": ReceiptCodeForm()})
    # Every attempt counts towards a generous limit; failed codes towards a strict one.
    ratelimits.FOLLOWUP_ATTEMPTS.count(request)
    blocked, wait = ratelimits.wait_for(request, ratelimits.FOLLOWUP_ATTEMPTS, ratelimits.FOLLOWUP_FAILURES)
    if blocked:
        return rate_limited(request, wait_seconds=wait)
    code_form = ReceiptCodeForm(request.POST)
    incident = receipts.incident_for_code(request.POST.get("code", "")) if code_form.is_valid() else None
    if incident is None:
        if code_form.is_valid():
            ratelimits.FOLLOWUP_FAILURES.count(request)
            code_form.add_error("code", _("Koden öppnar ingen rapport. Kontrollera att du har skrivit av den rätt (16 tecken, till exempel ABCD-EFGH-JKMN-PQRS) och försök igen."))
        response = render(request, "reporting/mine/followup.html", {"code_form": code_form})
        response["Cache-Control"] = "no-store"
        return response
    code = receipts.normalise_code(request.POST["code"])
    form = support_form = None
    sent = answered = revealed = False
    status, reveal_step, reveal_error = 200, 0, ""
    if "body" in request.POST:
        form = MessageForm(request.POST)
        if form.is_valid():
            thread.post_message(incident, body=form.cleaned_data["body"], by_reporter=True)
            form, sent = None, True
    elif request.POST.get("reveal") in ("1", "2"):
        # Revealing one's identity: asked twice, the second time with a tick.
        reveal_step = 1
        if request.POST["reveal"] == "2":
            try:
                services.reveal_identity(incident, request.user, confirmed=request.POST.get("forstar") == "ja")
            except services.RevealRefused as error:
                reveal_error, status = str(error), 400
            else:
                revealed, reveal_step = True, 0
    elif "stod-occasion" in request.POST:
        support_form = AnswerForm(request.POST)
        answered = _answer_support(incident, None, support_form)
        if answered:
            support_form = None
        else:
            status = 400
    else:
        record_view(None, incident, actor_label=ANONYMOUS_REPORTER)
    context = {"incident": incident, "code": code, "sent": sent, "answered": answered, "revealed": revealed,
               "reveal_step": reveal_step, "reveal_error": reveal_error,
               "can_reveal": request.user.is_authenticated, **thread.thread_context(
        None, incident, form=form, viewer_is_reporter=True,
        action=reverse("reporting:followup"), code=code),
        **employee_context(incident, support_form), "support_action": reverse("reporting:followup")}
    response = render(request, "reporting/mine/followup_case.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


# --- attachments -----------------------------------------------------------------

@login_required
def attachment(request, pk, attachment_pk):
    incident = access.get_visible_incident(request.user, pk)
    try:
        item = incident.attachments.get(pk=attachment_pk)
    except (incident.attachments.model.DoesNotExist, ValueError):
        raise Http404 from None
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(request.user, "attachment.download", item, incident=incident)
    response = FileResponse(handle, as_attachment=True, filename=item.original_name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

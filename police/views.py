"""Pages of police cooperation: the local police areas the user's
organisation works with, each area's joint situation picture across
districts, and the administrator's import of the mapping.

Every figure comes from incidents.access through the situation picture's
own counting (police.picture); an area outside what the user may count
answers 404."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from audit.log import record
from incidents import access
from organisation.csvio import CsvImportError
from organisation.models import OrgUnit
from police import areas, cooperation, outcomes, picture
from police.forms import (
    AgreementForm,
    FollowUpForm,
    MappingImportForm,
    MeasureForm,
    MeetingForm,
    NotesForm,
    OutcomeForm,
)
from police.models import AreaMapping, Measure
from reporting.attachments import AttachmentError
from situation import pdf
from situation.forms import LensForm, load_terms
from situation.lens import DEFAULT_PERIOD, add_months
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
    may_see_figures = access.covered_nodes(user).exists()
    if not may_import and not may_see_figures:
        raise Http404
    return render(request, "police/overview.html", {
        "areas": [{"area": a, "units": mapped[a.pk]} for a in found], "may_import": may_import,
        "may_cooperate": cooperation.may_cooperate(user), "may_see_figures": may_see_figures})


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


# --- agreements, meetings and measures ------------------------------------------------

def _cooperation_errors(form, exc):
    for field, message in exc.errors.items():
        form.add_error(None if field == "__all__" else field, message)


@login_required
def agreements(request):
    """The districts' cooperation agreements with their police areas."""
    user = request.user
    if not cooperation.may_cooperate(user):
        raise Http404
    return render(request, "police/agreements.html", {
        "agreements": list(cooperation.agreements_for(user)), "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk=None):
    user = request.user
    nodes = cooperation.nodes_for(user)
    if not nodes.exists():
        raise Http404
    instance = cooperation.get_agreement(user, pk) if pk else None
    initial = {}
    if instance is None:
        first = nodes.filter(kind=OrgUnit.Kind.ADMINISTRATION).first() or nodes.first()
        area = areas.area_of(first)
        initial = {"node": first, "area": area, "city_party": first.name, "meeting_day": 15,
                   "police_party": _("Lokalpolisområde %(area)s, %(region)s") % {
                       "area": area.name, "region": area.region.name} if area else "",
                   "city_contact": _("Säkerhetssamordnare"), "police_contact": _("Kommunpolis"),
                   "rhythm": "tertial"}
    form = AgreementForm(request.POST or None, request.FILES or None, instance=instance, nodes=nodes,
                         initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = cooperation.save_agreement(user, form.save(commit=False), form.cleaned_data.get("document"))
        except cooperation.Invalid as exc:
            _cooperation_errors(form, exc)
        except AttachmentError as exc:
            form.add_error("document", str(exc))
        else:
            messages.success(request, _("Överenskommelsen är sparad. Mötena finns i årshjulet."))
            return redirect("police:agreement", saved.pk)
    return render(request, "police/agreement_form.html", {"form": form, "agreement": instance},
                  status=400 if request.method == "POST" else 200)


@login_required
def agreement(request, pk):
    user = request.user
    item = cooperation.get_agreement(user, pk)
    return render(request, "police/agreement.html", {
        "agreement": item, "meetings": list(item.meetings.all()),
        "measures": list(cooperation.open_measures(item)), "meeting_form": MeetingForm(initial=_meeting_initial()),
        "today": timezone.localdate(), "statuses": Measure.Status.choices})


def _meeting_initial():
    """Today's meeting, over the four whole months before this one."""
    today = timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    return {"held_on": today, "period_start": add_months(end.replace(day=1), -3), "period_end": end}


@login_required
def agreement_document(request, pk):
    item = cooperation.get_agreement(request.user, pk)
    if not item.document:
        raise Http404
    try:
        handle = item.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(request.user, "police.agreement.download", item)
    response = FileResponse(handle, as_attachment=True, filename=item.document_name,
                            content_type=item.document_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["POST"])
def meeting_create(request, pk):
    user = request.user
    item = cooperation.get_agreement(user, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = cooperation.create_meeting(user, item.pk, **form.cleaned_data)
        except cooperation.Invalid as exc:
            _cooperation_errors(form, exc)
        else:
            messages.success(request, _("Mötet är skapat. Här tar du fram underlaget."))
            return redirect("police:meeting", meeting.pk)
    return render(request, "police/agreement.html", {
        "agreement": item, "meetings": list(item.meetings.all()), "measures": list(cooperation.open_measures(item)),
        "meeting_form": form, "today": timezone.localdate(), "statuses": Measure.Status.choices}, status=400)


def _meeting_page(request, meeting, notes_form=None, measure_form=None, status=200):
    return render(request, "police/meeting.html", {
        "meeting": meeting, "agreement": meeting.agreement,
        "agreed": list(meeting.measures.all()),
        "open_measures": [m for m in cooperation.open_measures(meeting.agreement) if m.meeting_id != meeting.pk],
        "notes_form": notes_form or NotesForm(initial={"notes": meeting.notes}),
        "measure_form": measure_form or MeasureForm(), "statuses": Measure.Status.choices,
        "today": timezone.localdate()}, status=status)


@login_required
def meeting(request, pk):
    return _meeting_page(request, cooperation.get_meeting(request.user, pk))


@login_required
@require_http_methods(["POST"])
def meeting_notes(request, pk):
    item = cooperation.get_meeting(request.user, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        changed = cooperation.save_notes(request.user, item.pk, form.cleaned_data["notes"])
        messages.success(request, _("Anteckningarna är sparade.") if changed else _("Inget ändrades."))
        return redirect("police:meeting", item.pk)
    return _meeting_page(request, item, notes_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def measure_create(request, pk):
    item = cooperation.get_meeting(request.user, pk)
    form = MeasureForm(request.POST, meeting=item)
    if form.is_valid():
        try:
            cooperation.add_measure(request.user, item.pk, **form.cleaned_data)
        except cooperation.Invalid as exc:
            _cooperation_errors(form, exc)
        else:
            messages.success(request, _("Åtgärden är tillagd."))
            return redirect(reverse("police:meeting", args=[item.pk]) + "#atgarder")
    return _meeting_page(request, item, measure_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def measure_status(request, pk):
    measure = cooperation.get_measure(request.user, pk)
    try:
        changed = cooperation.set_measure_status(request.user, measure.pk, request.POST.get("status", ""))
    except cooperation.Invalid as exc:
        messages.error(request, exc.errors["status"])
    else:
        messages.success(request, _("Åtgärdens status är sparad.") if changed else _("Inget ändrades."))
    back = request.POST.get("tillbaka", "")
    if back.isdigit():
        return redirect(reverse("police:meeting", args=[int(back)]) + "#atgarder")
    return redirect(reverse("police:meeting", args=[measure.meeting_id]) + "#atgarder")


@login_required
def meeting_pack(request, pk):
    """The pack for the meeting as PDF: the joint situation picture of the
    police area for the period (suppressed) and the open measures."""
    user = request.user
    item = cooperation.get_meeting(user, pk)
    content = cooperation.pack(user, item)
    record(user, "police.meeting.pack", item, changes={"export": [None, "underlag.pdf"]})
    if content.area_picture is None:
        return render(request, "police/pack_empty.html", {"meeting": item}, status=200)
    data = pdf.render_pdf(request, content.area_picture.picture, {"mottagare": "polis"},
                          template="police/pack.html",
                          extra={"pack": content, "meeting": item, "agreement": item.agreement,
                                 "nodes": content.area_picture.nodes,
                                 "partial": len(content.area_picture.nodes) < len(areas.mapped_nodes(item.agreement.area))})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="samverkan-{item.held_on.isoformat()}.pdf"'
    return response

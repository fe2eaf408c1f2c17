"""The gallring pages: the schedule and what the next run removes (the
administrator), holds (the security coordinator and HR), the runs (the
auditor and the administrator), and the register extract (everyone for
themselves, HR for a person on request)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisation.models import Role
from retention import extract, schedule, thinning
from retention import holds as hold_service
from retention.forms import ExtractForm, HoldForm, RuleForm
from retention.models import RetentionRun


def _admin(request):
    if not hold_service.may_set_rules(request.user):
        raise Http404


@login_required
def overview(request):
    _admin(request)
    result = thinning.preview()
    rules = schedule.rules()
    years = result.years()
    rows = []
    for kind in schedule.KINDS:
        counts = result.drafts if kind.code == "drafts" else result.by_kind.get(kind.code, {})
        rule = rules[kind.code]
        rows.append({
            "kind": kind, "rule": rule,
            "period": (_("Bevaras för alltid") if rule.keep_forever else schedule.unit_label(kind, rule.period)),
            "counts": [counts.get(y, 0) for y in years], "total": sum(counts.values()),
        })
    return render(request, "retention/overview.html", {
        "rows": rows, "years": years, "preview": result,
        "runs": RetentionRun.objects.all()[:5],
    })


@login_required
def rule(request, kind):
    _admin(request)
    if kind not in schedule.BY_CODE:
        raise Http404
    spec = schedule.BY_CODE[kind]
    current = schedule.rules()[kind]
    unit = _("i år efter avslut") if spec.unit == schedule.YEARS else (
        _("i dagar efter avslut") if spec.case_data else _("i dagar efter att det sparades senast"))
    if spec.code == "audit":
        unit = _("i år efter ärendets avslut")
    if request.method == "POST":
        form = RuleForm(request.POST, unit_label=unit)
        if form.is_valid():
            try:
                hold_service.set_rule(request.user, kind, form.cleaned_data["period"],
                                      form.cleaned_data["keep_forever"], form.cleaned_data["reason"])
            except hold_service.RuleRefused as refused:
                for problem in refused.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, _("Regeln för %(kind)s är sparad.") % {"kind": spec.label})
                return redirect("retention:overview")
    else:
        form = RuleForm(initial={"period": current.period, "keep_forever": current.keep_forever,
                                 "reason": current.reason}, unit_label=unit)
    return render(request, "retention/rule.html", {"form": form, "kind": spec, "current": current,
                                                   "minimum": schedule.unit_label(spec, spec.minimum),
                                                   "default": schedule.unit_label(spec, spec.default)})


@login_required
def holds(request):
    if not hold_service.may_hold(request.user):
        raise Http404
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = hold_service.find_case(request.user, form.cleaned_data["case"])
        if incident is None:
            form.add_error("case", _("Det finns inget ärende med det numret som du kan bevara. "
                                     "Skriv numret som det står på ärendet, till exempel V-000123."))
        else:
            hold_service.place_hold(request.user, incident, form.cleaned_data["reason"])
            messages.success(request, _("%(case)s är bevarat: ingenting i ärendet gallras förrän bevarandet hävs.")
                             % {"case": incident.reference})
            return redirect("retention:holds")
    return render(request, "retention/holds.html", {"form": form, "holds": hold_service.holds_for(request.user)},
                  status=200)


@login_required
@require_POST
def lift(request, pk):
    if not hold_service.may_hold(request.user):
        raise Http404
    hold = hold_service.lift_hold(request.user, pk)
    messages.success(request, _("Bevarandet av %(case)s är hävt. Ärendet gallras enligt reglerna.")
                     % {"case": hold.incident.reference})
    return redirect("retention:holds")


@login_required
def runs(request):
    if not (request.user.has_role(Role.AUDITOR) or hold_service.may_set_rules(request.user)):
        raise Http404
    labels = {k.code: k.label for k in schedule.KINDS}
    rows = [{"run": r, "removed": [(labels.get(k, k), n) for k, n in sorted(r.removed.items())]}
            for r in RetentionRun.objects.all()[:200]]
    return render(request, "retention/runs.html", {"rows": rows})


def _download(data, name):
    response = HttpResponse(extract.as_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def my_extract(request):
    if request.method == "POST":
        data = extract.for_self(request.user)
        return _download(data, f"registerutdrag-{timezone.localdate():%Y-%m-%d}.json")
    return render(request, "retention/my_extract.html", {})


@login_required
def hr_extract(request):
    if not extract.may_produce(request.user):
        raise Http404
    form = ExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = extract.find_person(request.user, form.cleaned_data["person"])
        if person is None:
            # Unknown, or outside the user's subtree: the same 404 answer,
            # with the form and what was typed.
            form.add_error("person", _("Det finns ingen användare med det användarnamnet eller den e-postadressen "
                                       "i det område där du är HR."))
            return render(request, "retention/hr_extract.html", {"form": form}, status=404)
        else:
            data = extract.for_person(request.user, person)
            return _download(data, f"registerutdrag-{person.username}-{timezone.localdate():%Y-%m-%d}.json")
    return render(request, "retention/hr_extract.html", {"form": form})

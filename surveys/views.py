"""Pages of the surveys: the list, starting one, its results with the
reminder and close buttons, and the answer page that needs no account.
Each view parses its form and calls one function of surveys.services.
GET requests write nothing. The answer page touches no session and sends
no messages, so that nothing about the person who answers is kept."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from surveys import results, services, underreporting
from surveys.forms import AnswerForm, StartForm
from surveys.services import LinkState


def _require_viewer(user):
    if not services.may_view(user):
        raise PermissionDenied


@login_required
def survey_list(request):
    _require_viewer(request.user)
    surveys = list(services.visible_surveys(request.user))
    return render(request, "surveys/list.html", {
        "surveys": surveys, "may_run": services.may_run(request.user),
        "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def survey_start(request):
    if not services.may_run(request.user):
        raise PermissionDenied
    nodes = services.runnable_nodes(request.user).filter(active=True).order_by("path")
    form = StartForm(request.POST or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = services.start_survey(
                request.user, data["node"], title=data["title"], period_start=data["period_start"],
                period_end=data["period_end"], closes_on=data["closes_on"], min_answers=data["min_answers"],
                own_questions=form.own_questions())
        except ValidationError as error:
            form.add_error("node", error.messages[0])
        else:
            messages.success(request, ngettext(
                "Enkäten är startad och %(count)s inbjudan skickas.",
                "Enkäten är startad och %(count)s inbjudningar skickas.", started.invited)
                % {"count": started.invited})
            return redirect("surveys:detail", pk=started.survey.pk)
    return render(request, "surveys/start.html", {"form": form})


@login_required
def survey_detail(request, pk):
    _require_viewer(request.user)
    survey = services.get_survey(request.user, pk)
    built = results.build(survey)
    return render(request, "surveys/detail.html", {
        "survey": survey, "results": built,
        "underreporting": underreporting.build(request.user, survey, built),
        "may_run": services.can_run(request.user, survey),
        "open": survey.accepts_answers(timezone.localdate())})


@login_required
@require_POST
def survey_remind(request, pk):
    survey = services.get_survey(request.user, pk)
    try:
        count = services.send_reminder(request.user, survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if count:
            messages.success(request, ngettext("En påminnelse skickas till %(count)s person.",
                                               "En påminnelse skickas till %(count)s personer.", count)
                             % {"count": count})
        else:
            messages.info(request, _("Alla inbjudna har redan fått en påminnelse."))
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_POST
def survey_close(request, pk):
    survey = services.get_survey(request.user, pk)
    services.close_survey(request.user, survey)
    messages.success(request, _("Enkäten är stängd. Inga fler svar tas emot."))
    return redirect("surveys:detail", pk=survey.pk)


@require_http_methods(["GET", "POST"])
def answer(request):
    secret = (request.POST.get("n") if request.method == "POST" else request.GET.get("n")) or ""
    link = services.open_link(secret)
    if link.state != LinkState.OK:
        return render(request, "surveys/link_state.html", {"state": link.state, "survey": link.survey},
                      status=404 if link.state == LinkState.UNKNOWN else 410)
    survey = link.survey
    form = AnswerForm(request.POST or None, survey=survey, units=services.answer_units(survey))
    if request.method == "POST" and form.is_valid():
        stored = services.submit_answer(secret, form.answer())
        if stored.state != LinkState.OK:
            return render(request, "surveys/link_state.html", {"state": stored.state, "survey": survey},
                          status=410)
        return render(request, "surveys/thanks.html", {"survey": survey})
    return render(request, "surveys/answer.html", {"form": form, "survey": survey, "secret": secret},
                  status=400 if form.is_bound else 200)

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

from surveys import exit as exit_survey
from surveys import results, services, underreporting
from surveys.forms import (
    AnswerForm,
    ExitAnswerForm,
    ExitStartForm,
    InviteForm,
    ReviewForm,
    SharedLinkForm,
    StartForm,
)
from surveys.models import Answer
from surveys.services import LinkState

# Set on answering through a unit's shared link: this device has answered.
SHARED_COOKIE = "varn_enkat_%s"
SHARED_COOKIE_AGE = 400 * 24 * 3600


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
@require_http_methods(["GET", "POST"])
def exit_start(request):
    if not services.may_run(request.user):
        raise PermissionDenied
    nodes = services.runnable_nodes(request.user).filter(active=True).order_by("path")
    form = ExitStartForm(request.POST or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = exit_survey.start_exit_survey(request.user, data["node"], title=data["title"],
                                                   min_answers=data["min_answers"])
        except ValidationError as error:
            form.add_error("node", error.messages[0])
        else:
            messages.success(request, ngettext(
                "Avgångsenkäten är startad. %(count)s person som slutar inom kort får en inbjudan.",
                "Avgångsenkäten är startad. %(count)s personer som slutar inom kort får en inbjudan.",
                survey.invited) % {"count": survey.invited})
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/exit_start.html", {"form": form, "days": exit_survey.DAYS_BEFORE})


def _detail_context(request, survey):
    today = timezone.localdate()
    context = {"survey": survey, "may_run": services.can_run(request.user, survey),
               "open": survey.accepts_answers(today)}
    if survey.is_exit:
        context["exit"] = exit_survey.build(request.user, survey, today)
        if context["may_run"]:
            context["invite_form"] = InviteForm(people=exit_survey.leavers(survey, today))
            context["review_form"] = ReviewForm()
            context["review"] = exit_survey.review_occurrence(survey, today)
    else:
        built = results.build(survey)
        context["results"] = built
        context["underreporting"] = underreporting.build(request.user, survey, built)
        context["shared"] = Answer.objects.filter(survey=survey, shared=True).count()
        context["shared_units"] = [link.unit.name for link in survey.shared_links.select_related("unit")]
        if context["may_run"]:
            context["shared_form"] = SharedLinkForm(units=services.answer_units(survey))
    return context


@login_required
def survey_detail(request, pk):
    _require_viewer(request.user)
    survey = services.get_survey(request.user, pk)
    context = _detail_context(request, survey)
    return render(request, "surveys/exit_detail.html" if survey.is_exit else "surveys/detail.html", context)


@login_required
@require_POST
def exit_invite(request, pk):
    survey = services.get_survey(request.user, pk)
    if not exit_survey.runnable(request.user, survey):
        raise PermissionDenied
    form = InviteForm(request.POST, people=exit_survey.leavers(survey))
    if form.is_valid():
        try:
            count = exit_survey.invite(request.user, survey, list(form.cleaned_data["people"]))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, ngettext("En inbjudan skickas till %(count)s person.",
                                               "En inbjudan skickas till %(count)s personer.", count)
                             % {"count": count})
            return redirect("surveys:detail", pk=survey.pk)
    context = _detail_context(request, survey)
    context["invite_form"] = form
    return render(request, "surveys/exit_detail.html", context, status=400)


@login_required
@require_POST
def exit_print(request, pk):
    """A single-use link to print: shown on this page once, kept nowhere."""
    survey = services.get_survey(request.user, pk)
    if not exit_survey.runnable(request.user, survey):
        raise PermissionDenied
    try:
        secret = exit_survey.print_link(request.user, survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/printed_link.html", {"survey": survey, "url": services.answer_url(secret)})


@login_required
@require_POST
def exit_review(request, pk):
    survey = services.get_survey(request.user, pk)
    if not exit_survey.runnable(request.user, survey):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            exit_survey.record_review(request.user, survey, form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error("note", error.messages[0])
        else:
            messages.success(request, _("Genomgången är registrerad och årshjulets uppgift markerad som klar."))
            return redirect("surveys:detail", pk=survey.pk)
    context = _detail_context(request, survey)
    context["review_form"] = form
    return render(request, "surveys/exit_detail.html", context, status=400)


@login_required
@require_POST
def shared_link(request, pk):
    """A unit's shared link: shown on this page once, kept nowhere but as a digest."""
    survey = services.get_survey(request.user, pk)
    if not services.can_run(request.user, survey):
        raise PermissionDenied
    form = SharedLinkForm(request.POST, units=services.answer_units(survey) if not survey.is_exit else [])
    if form.is_valid():
        try:
            secret = services.create_shared_link(request.user, survey, form.chosen())
        except ValidationError as error:
            form.add_error("unit", error.messages[0])
        else:
            return render(request, "surveys/shared_link.html", {
                "survey": survey, "unit": form.chosen(), "url": services.answer_url(secret)})
    if survey.is_exit:
        raise PermissionDenied
    context = _detail_context(request, survey)
    context["shared_form"] = form
    return render(request, "surveys/detail.html", context, status=400)


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


def _link_state(request, state, survey, shared=None):
    return render(request, "surveys/link_state.html", {"state": state, "survey": survey, "shared": shared},
                  status=404 if state == LinkState.UNKNOWN else 410)


@require_http_methods(["GET", "POST"])
def answer(request):
    secret = (request.POST.get("n") if request.method == "POST" else request.GET.get("n")) or ""
    link = services.open_link(secret)
    if link.state != LinkState.OK:
        return _link_state(request, link.state, link.survey, link.shared)
    survey = link.survey
    if survey.is_exit:
        return _answer_exit(request, secret, survey)
    shared = link.shared
    cookie = SHARED_COOKIE % survey.pk
    if shared is not None and request.COOKIES.get(cookie):
        return _link_state(request, "device", survey, shared)
    units = [shared.unit] if shared is not None else services.answer_units(survey)
    data = request.POST or None
    if data is not None and shared is not None:
        data = data.copy()
        data["unit"] = str(shared.unit.pk)  # a shared link's answers concern its unit
    form = AnswerForm(data, survey=survey, units=units,
                      initial={"unit": str(shared.unit.pk)} if shared is not None else None)
    nonce = ""
    if shared is not None:
        nonce = (request.POST.get("k") or "") if request.method == "POST" else services.shared_nonce()
    if request.method == "POST" and form.is_valid():
        if shared is not None:
            stored = services.submit_shared_answer(secret, nonce, form.answer())
        else:
            stored = services.submit_answer(secret, form.answer())
        if stored.state != LinkState.OK:
            return _link_state(request, stored.state, survey, shared)
        response = render(request, "surveys/thanks.html", {"survey": survey, "shared": shared})
        if shared is not None:
            response.set_cookie(cookie, "1", max_age=SHARED_COOKIE_AGE, path=request.path, secure=request.is_secure(),
                                httponly=True, samesite="Lax")
        return response
    return render(request, "surveys/answer.html", {"form": form, "survey": survey, "secret": secret,
                                                   "shared": shared, "nonce": nonce},
                  status=400 if form.is_bound else 200)


def _answer_exit(request, secret, survey):
    form = ExitAnswerForm(request.POST or None, survey=survey, units=services.answer_units(survey))
    if request.method == "POST" and form.is_valid():
        stored = exit_survey.submit_exit_answer(secret, form.answer())
        if stored.state != LinkState.OK:
            return _link_state(request, stored.state, survey)
        return render(request, "surveys/thanks.html", {"survey": survey})
    return render(request, "surveys/exit_answer.html", {"form": form, "survey": survey, "secret": secret},
                  status=400 if form.is_bound else 200)

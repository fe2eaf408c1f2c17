"""Pages of the annual cycle: the year view, one occurrence (mark done), a
duty's settings, and the training log. Each view parses its form and calls
one function of cycle.services, which checks the permission, saves, audits
and raises Http404 or PermissionDenied (403). The views ask cycle.permissions
only to decide what to show (a form or none) and to refuse a form page the
user could not submit. GET requests write nothing."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cycle import permissions, services
from cycle.forms import DutyForm, OccurrenceDoneForm, TrainingForm, YearFilterForm
from organisation.models import OrgUnit
from organisation.tree import collation_key


def _default_node(user) -> OrgUnit:
    """The widest node the user covers: the city for city-wide roles."""
    nodes = sorted(permissions.viewable_nodes(user), key=lambda n: (n.depth, n.path))
    if not nodes:
        raise Http404
    return nodes[0]


def _node_from_request(request) -> OrgUnit:
    pk = request.GET.get("enhet")
    if pk in (None, ""):
        return _default_node(request.user)
    return permissions.get_viewable_node(request.user, pk)


def _node_choices(user, current: OrgUnit):
    """The nodes worth picking in the year view: the city and the districts
    the user covers, plus the node on screen."""
    nodes = [n for n in permissions.viewable_nodes(user)
             if n.kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.ADMINISTRATION) or n.pk == current.pk]
    return sorted(nodes, key=lambda n: (n.depth > 0, collation_key(n.name)))


def _year_url(node, year, show="alla") -> str:
    params = {"enhet": node.pk, "ar": year}
    if show != "alla":
        params["visa"] = show
    return f"{reverse('cycle:year')}?{urlencode(params)}"


@login_required
def year_view(request):
    node = _node_from_request(request)
    today = timezone.localdate()
    filter_form = YearFilterForm(request.GET, today=today)
    year = filter_form.year()
    if request.GET.get("ar") and not filter_form.is_valid():
        messages.error(request, _("Året måste vara mellan 2000 och %(max)s. Visar %(year)s.")
                       % {"max": filter_form.max_year(today), "year": year})
    overview = services.year_overview(node, year, request.user, today, show=request.GET.get("visa", "alla"))
    return render(request, "cycle/year.html", {
        "overview": overview,
        "node": node,
        "year": year,
        "today": today,
        "node_choices": _node_choices(request.user, node),
        "show_choices": [("alla", _("Alla")), ("ej-klara", _("Ej klara")), ("forsenade", _("Försenade"))],
        "prev_url": _year_url(node, year - 1, overview.shown) if year > 2000 else None,
        "next_url": _year_url(node, year + 1, overview.shown) if year < filter_form.max_year(today) else None,
        "can_add": permissions.can_edit_node(request.user, node),
        "training_url": f"{reverse('cycle:training')}?{urlencode({'enhet': node.pk, 'ar': year})}",
    })


@login_required
@require_POST
def seed_standard(request):
    """The year view's button: create the standard duties of the districts
    and city in view that have none yet (a new district)."""
    node = _node_from_request(request)
    created = services.seed_standard_duties(request.user, node)
    if created:
        messages.success(request, ngettext("%(n)s standarduppgift är tillagd i årshjulet.",
                                           "%(n)s standarduppgifter är tillagda i årshjulet.", created)
                         % {"n": created})
    return redirect(_year_url(node, timezone.localdate().year))


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_detail(request, pk):
    occurrence = permissions.get_visible_occurrence(request.user, pk)
    duty = occurrence.duty
    today = timezone.localdate()
    can_edit = permissions.can_edit_duty(request.user, duty)
    can_view_node = permissions.viewable_nodes(request.user).filter(pk=duty.node_id).exists()
    # An owner without a management role has no year view: send them back here.
    back_url = (_year_url(duty.node, occurrence.due_date.year) + f"#manad-{occurrence.due_date.month}"
                if can_view_node else reverse("home"))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied  # no form to show; services.mark_done refuses too
        form = OccurrenceDoneForm(request.POST, occurrence=occurrence, today=today)
        if form.is_valid():
            was_done = occurrence.is_done
            services.mark_done(request.user, occurrence.pk, **form.cleaned_data)
            messages.success(request, _("Ändringen är sparad.") if was_done
                             else _("”%(title)s” är markerad som klar.") % {"title": duty.title})
            return redirect(back_url if can_view_node else reverse("cycle:occurrence", args=[occurrence.pk]))
    else:
        initial = {"done_at": occurrence.done_at or today, "result_url": occurrence.result_url,
                   "result_note": occurrence.result_note}
        form = OccurrenceDoneForm(initial=initial, occurrence=occurrence, today=today)
    occurrence.current_state = occurrence.state(today)
    context = {
        "occurrence": occurrence,
        "duty": duty,
        "form": form if can_edit else None,
        "can_edit": can_edit,
        "state_text": services.state_text(occurrence, today),
        "back_url": back_url,
        "can_view_node": can_view_node,
    }
    # The picture of a tertial that has not begun would be empty.
    if occurrence.is_rereporting and occurrence.period_start <= today:
        context["lagesbild_url"] = services.lagesbild_url(duty.node, occurrence.period_start,
                                                          occurrence.period_end)
        number = occurrence.period_start.month // 4 + 1
        if duty.node.kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.ADMINISTRATION):
            context["tertial_url"] = reverse("tertial:index") + "?" + urlencode(
                {"enhet": duty.node.pk, "ar": occurrence.period_start.year, "tertial": number})
    return render(request, "cycle/occurrence.html", context)


@login_required
@require_POST
def occurrence_reopen(request, pk):
    if services.reopen(request.user, pk):
        messages.success(request, _("Uppgiften är öppnad igen."))
    return redirect("cycle:occurrence", pk=pk)


def _duty_form_page(request, form, node, duty=None):
    return render(request, "cycle/duty_form.html", {"form": form, "node": node, "duty": duty})


@login_required
@require_http_methods(["GET", "POST"])
def duty_create(request):
    node = _node_from_request(request)
    if not permissions.can_edit_node(request.user, node):
        raise PermissionDenied  # a form the user could not submit
    today = timezone.localdate()
    if request.method == "POST":
        form = DutyForm(request.POST, node=node, today=today)
        if form.is_valid():
            duty = services.create_duty(request.user, form.save(), today)
            messages.success(request, _("Uppgiften ”%(title)s” är tillagd i årshjulet.") % {"title": duty.title})
            return redirect(_year_url(node, today.year))
    else:
        form = DutyForm(node=node, today=today, initial={"starts_on": today, "active": True})
    return _duty_form_page(request, form, node)


@login_required
@require_http_methods(["GET", "POST"])
def duty_edit(request, pk):
    duty = permissions.get_editable_duty(request.user, pk)
    today = timezone.localdate()
    # An owner who does not manage the node edits the text, not when or whether
    # the duty is due: otherwise an overdue duty could be silenced by its owner.
    owner_only = not permissions.can_edit_node(request.user, duty.node)
    if request.method == "POST":
        form = DutyForm(request.POST, instance=duty, node=duty.node, today=today, owner_only=owner_only)
        if form.is_valid():
            changes = services.update_duty(request.user, duty.pk, form.duty_values(), today)
            messages.success(request, _("Ändringarna är sparade.") if changes else _("Inget ändrades."))
            return redirect(_year_url(duty.node, today.year))
    else:
        form = DutyForm(instance=duty, node=duty.node, today=today, owner_only=owner_only)
    return _duty_form_page(request, form, duty.node, duty)


@login_required
def training_list(request):
    node = _node_from_request(request)
    today = timezone.localdate()
    filter_form = YearFilterForm(request.GET, today=today)
    year = filter_form.year()
    if request.GET.get("ar") and not filter_form.is_valid():
        messages.error(request, _("Året måste vara mellan 2000 och %(max)s. Visar %(year)s.")
                       % {"max": filter_form.max_year(today), "year": year})
    base = reverse("cycle:training")
    return render(request, "cycle/training_list.html", {
        "node": node,
        "year": year,
        "training": services.training_overview(node, year),
        "node_choices": _node_choices(request.user, node),
        "can_add": permissions.editable_nodes(request.user).filter(pk=node.pk).exists(),
        "editable_ids": set(permissions.editable_nodes(request.user)
                            .filter(path__startswith=node.path).values_list("pk", flat=True)),
        "prev_url": f"{base}?{urlencode({'enhet': node.pk, 'ar': year - 1})}" if year > 2000 else None,
        "next_url": f"{base}?{urlencode({'enhet': node.pk, 'ar': year + 1})}" if year < today.year else None,
        "year_url": _year_url(node, year),
    })


def _training_list_url(node, day) -> str:
    return f"{reverse('cycle:training')}?{urlencode({'enhet': node.pk, 'ar': day.year})}"


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request):
    node = _node_from_request(request)
    if not permissions.can_edit_node(request.user, node):
        raise PermissionDenied  # a form the user could not submit
    today = timezone.localdate()
    if request.method == "POST":
        form = TrainingForm(request.POST, node=node, user=request.user, today=today)
        if form.is_valid():
            session = services.create_training(request.user, form.save(commit=False))
            messages.success(request, _("Utbildningstillfället den %(date)s på %(unit)s är registrerat.")
                             % {"date": date_format(session.date, "j F Y"), "unit": session.unit})
            return redirect(_training_list_url(node, session.date))
    else:
        initial = {"date": today}
        if request.GET.get("for", "").isdigit():
            initial["unit"] = request.GET["for"]
        form = TrainingForm(node=node, user=request.user, today=today, initial=initial)
    return render(request, "cycle/training_form.html", {"form": form, "node": node})


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request, pk):
    session = permissions.get_editable_training_session(request.user, pk)
    node = session.unit.administration() or session.unit
    if not permissions.viewable_nodes(request.user).filter(pk=node.pk).exists():
        node = session.unit
    today = timezone.localdate()
    if request.method == "POST":
        form = TrainingForm(request.POST, instance=session, node=node, user=request.user, today=today)
        if form.is_valid():
            changes = services.update_training(request.user, session.pk, form.training_values())
            messages.success(request, _("Ändringarna är sparade.") if changes else _("Inget ändrades."))
            return redirect(_training_list_url(node, session.date))
    else:
        form = TrainingForm(instance=session, node=node, user=request.user, today=today)
    return render(request, "cycle/training_form.html", {"form": form, "node": node, "session": session})


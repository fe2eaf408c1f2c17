"""Reminders and escalation of cases: which are due now.

notifications.reminders asks due_reminders(now) on every run of the timer
(`manage.py run_reminders`) and sends each once, by its key, with the digest
rule. E-mails say only that something needs attention and where; never what
the case is about.
"""
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import workflow
from incidents import access
from incidents.models import Action, ChecklistItem, Incident, Message
from incidents.routing import route
from notifications.reminders import Due
from organisation.models import Role, RoleAssignment
from organisation.tree import nearest_holders


def _case_path(incident) -> str:
    return reverse("casework:detail", args=[incident.pk])


def case_recipients(incident) -> list:
    """Who is reminded of what the case's handling owes (feedback, support
    steps): its handler, when one is assigned and may still handle it;
    otherwise everyone the case is routed to."""
    handler = incident.assigned_to
    if handler is not None and handler.is_active and access.can_handle(handler, incident):
        return [handler]
    return list(route(incident).handlers)


def escalation(incident) -> list:
    """Who hears when acknowledgement is overdue, beyond the handlers: the
    next manager above the unit's own managers, and the security
    coordinator(s). A case that bypasses management escalates past the
    district to the security coordinators above it."""
    unit = incident.unit
    people = []
    if incident.bypasses_management:
        district = unit.administration() or unit
        if district.parent_id:
            people += nearest_holders(district.parent, Role.SECURITY_COORDINATOR, incident.reporter_id)
        return people
    chain = [unit] + list(unit.ancestors().order_by("-path"))
    manager_nodes = set(RoleAssignment.objects.filter(
        role=Role.MANAGER, active=True, user__is_active=True, node__in=chain).values_list("node_id", flat=True))
    own = next((node for node in chain if node.pk in manager_nodes), None)
    if own is not None and own.parent_id:
        people += nearest_holders(own.parent, Role.MANAGER, incident.reporter_id)
    people += nearest_holders(unit, Role.SECURITY_COORDINATOR, incident.reporter_id)
    return people


def due_reminders(now) -> list[Due]:
    today = timezone.localdate(now)
    due: list[Due] = []

    # Unscoped: the reminder pass is the system itself; each reminder goes to
    # people whom routing (through access) lets reach the case, without content.
    for incident in Incident.unscoped.filter(status=Incident.Status.NEW, ack_due_at__lt=now).select_related("unit"):
        path = _case_path(incident)
        ref = incident.reference
        handlers = route(incident).handlers
        for user in handlers:
            due.append(Due(f"ack-overdue:{incident.pk}:{user.pk}", user,
                           _("Värn: en rapport väntar på kvittens"),
                           _("Rapport %(ref)s har inte kvitterats i tid.") % {"ref": ref}, path))
        for user in escalation(incident):
            if user in handlers:  # already reminded as a handler: one e-mail is enough
                continue
            due.append(Due(f"ack-escalated:{incident.pk}:{user.pk}", user,
                           _("Värn: en rapport har inte kvitterats (eskalering)"),
                           _("Rapport %(ref)s i ditt ansvarsområde har inte kvitterats i tid.") % {"ref": ref},
                           path))

    actions = (Action.unscoped.filter(status=Action.Status.OPEN, due_date__lte=today)  # system pass, as above
               .select_related("incident", "owner"))
    for action in actions:
        kind = "due" if action.due_date == today else "overdue"
        line = (_("En åtgärd i ärende %(ref)s ska vara klar i dag.") if kind == "due"
                else _("En åtgärd i ärende %(ref)s är försenad.")) % {"ref": action.incident.reference}
        due.append(Due(f"action-{kind}:{action.pk}:{action.due_date}:{action.owner_id}", action.owner,
                       _("Värn: en åtgärd behöver din uppmärksamhet"), line, _case_path(action.incident)))

    # The feedback clock: the reporter is to have heard from the case within
    # FEEDBACK_MONTHS of the report (the whistleblowing act's norm). Unscoped
    # as above; a case is told by a handler's message or by being closed.
    untold = (Incident.unscoped.filter(reported_at__lte=now - timedelta(days=28 * settings.FEEDBACK_MONTHS))
              .exclude(status=Incident.Status.CLOSED)
              .exclude(Exists(Message.unscoped.filter(incident=OuterRef("pk"), by_reporter=False)))
              .select_related("unit", "assigned_to"))
    for incident in untold:
        deadline = workflow.feedback_deadline(incident)
        if deadline > now:
            continue
        line = _("Rapportören i ärende %(ref)s har inte fått någon återkoppling, och det har gått %(months)s månader "
                 "sedan rapporten. Skriv till rapportören om hur ärendet går.") % {
            "ref": incident.reference, "months": settings.FEEDBACK_MONTHS}
        for user in case_recipients(incident):
            due.append(Due(f"feedback-due:{incident.pk}:{user.pk}", user,
                           _("Värn: rapportören väntar på återkoppling"), line,
                           _case_path(incident) + "#meddelanden"))

    # The 24-hour clock for possibly serious incidents (Arbetsmiljöverket).
    recent = (Incident.unscoped.filter(reported_at__range=(now - workflow.SERIOUS_CLOCK * 3, now))
              .exclude(status=Incident.Status.CLOSED)
              # One EXISTS over the same item: a filter across the relation would
              # exclude a case with any item done, not only this one.
              .exclude(Exists(ChecklistItem.unscoped.filter(
                  incident=OuterRef("pk"), code=ChecklistItem.Code.WORK_ENV_AUTHORITY,
                  state__in=[ChecklistItem.State.DONE, ChecklistItem.State.NOT_APPLICABLE])))
              .select_related("unit").prefetch_related("forms"))
    for incident in recent:
        if not workflow.possibly_serious(incident):
            continue
        deadline = workflow.serious_deadline(incident)
        kind = "running" if now < deadline else "late"
        line = (_("Rapport %(ref)s kan vara ett allvarligt tillbud. Ta ställning till anmälan till "
                  "Arbetsmiljöverket senast %(when)s.") if kind == "running"
                else _("Rapport %(ref)s kan vara ett allvarligt tillbud och 24-timmarsfristen för anmälan till "
                       "Arbetsmiljöverket har gått ut (%(when)s)."))
        line = line % {"ref": incident.reference, "when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
        for user in route(incident).handlers:
            due.append(Due(f"serious-{kind}:{incident.pk}:{user.pk}", user,
                           _("Värn: 24-timmarsfristen för ett möjligt allvarligt tillbud"), line,
                           _case_path(incident)))
    return due

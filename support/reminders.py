"""Reminders and escalation of support tracks: which are due now.

notifications.reminders asks due_reminders(now) on every run of the timer.
A planned step reminds its handlers on its day; once its day has passed it
reminds them again as overdue and escalates, like an overdue
acknowledgement (casework.reminders.escalation: the next manager up and the
security coordinator). Each is sent once per step and date: a step moved to
another day reminds again for that day. E-mails never say what the case or
the support is about, only that a support step needs attention and where.
"""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.reminders import case_recipients as recipients
from casework.reminders import escalation
from notifications.reminders import Due
from support.models import SupportStep, SupportTrack


def due_reminders(now) -> list[Due]:
    today = timezone.localdate(now)
    due: list[Due] = []
    # Unscoped: the reminder pass is the system itself; each reminder goes to
    # people whom routing (through access) lets reach the case, without content.
    steps = (SupportStep.unscoped.filter(state=SupportStep.State.PLANNED, due_on__lte=today,
                                         track__status=SupportTrack.Status.OPEN)
             .select_related("track__incident__unit", "track__incident__assigned_to"))
    for step in steps:
        incident = step.track.incident
        ref = incident.reference
        path = reverse("casework:detail", args=[incident.pk]) + "#stod"
        people = recipients(incident)
        label = step.get_kind_display().lower()
        if step.due_on == today:
            for user in people:
                due.append(Due(f"support-due:{step.pk}:{step.due_on}:{user.pk}", user,
                               _("Värn: ett stödsteg ska göras i dag"),
                               _("I ärende %(ref)s ska %(step)s göras i dag.") % {"ref": ref, "step": label},
                               path))
            continue
        for user in people:
            due.append(Due(f"support-overdue:{step.pk}:{step.due_on}:{user.pk}", user,
                           _("Värn: ett stödsteg är försenat"),
                           _("I ärende %(ref)s skulle %(step)s ha gjorts senast %(day)s.") % {
                               "ref": ref, "step": label, "day": step.due_on.isoformat()}, path))
        for user in escalation(incident):
            if user in people:
                continue
            due.append(Due(f"support-escalated:{step.pk}:{step.due_on}:{user.pk}", user,
                           _("Värn: ett stödsteg är försenat (eskalering)"),
                           _("I ärende %(ref)s i ditt ansvarsområde skulle %(step)s ha gjorts senast %(day)s.") % {
                               "ref": ref, "step": label, "day": step.due_on.isoformat()}, path))
    return due

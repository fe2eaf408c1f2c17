"""Review reminders of protective measures: which are due now.

notifications.reminders asks due_reminders(now) on every run of the timer.
An active measure whose review date has come reminds the case's recipients
(the unit's managers and the district's security coordinator, as
casework.reminders.case_recipients) on the day, and once more when the day
has passed, escalated like an overdue acknowledgement
(casework.reminders.escalation). Each once per measure and review date: a
new review date reminds again. The e-mail says only that a protective
measure is to be reviewed and where, never what it is or whom it is about.
"""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.reminders import case_recipients, escalation
from notifications.reminders import Due
from protection.models import ProtectiveMeasure


def due_reminders(now) -> list[Due]:
    today = timezone.localdate(now)
    due: list[Due] = []
    # Unscoped: the reminder pass is the system itself; each reminder goes to
    # people whom routing (through access) lets reach the case, without content.
    measures = (ProtectiveMeasure.unscoped.filter(status=ProtectiveMeasure.Status.ACTIVE, review_on__lte=today)
                .select_related("incident__unit", "incident__assigned_to"))
    for measure in measures:
        incident = measure.incident
        path = reverse("protection:detail", args=[measure.pk])
        people = case_recipients(incident)
        if measure.review_on == today:
            for user in people:
                due.append(Due(f"protection-review:{measure.pk}:{measure.review_on}:{user.pk}", user,
                               _("Värn: en skyddsåtgärd ska omprövas i dag"),
                               _("En skyddsåtgärd för kommande besök (ärende %(ref)s) ska omprövas i dag.") % {
                                   "ref": incident.reference}, path))
            continue
        for user in people:
            due.append(Due(f"protection-overdue:{measure.pk}:{measure.review_on}:{user.pk}", user,
                           _("Värn: en skyddsåtgärd skulle ha omprövats"),
                           _("En skyddsåtgärd för kommande besök (ärende %(ref)s) skulle ha omprövats senast %(day)s.") % {
                               "ref": incident.reference, "day": measure.review_on.isoformat()}, path))
        for user in escalation(incident):
            if user in people:
                continue
            due.append(Due(f"protection-escalated:{measure.pk}:{measure.review_on}:{user.pk}", user,
                           _("Värn: en skyddsåtgärd skulle ha omprövats (eskalering)"),
                           _("En skyddsåtgärd i ditt ansvarsområde (ärende %(ref)s) skulle ha omprövats senast %(day)s.") % {
                               "ref": incident.reference, "day": measure.review_on.isoformat()}, path))
    return due

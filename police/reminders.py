"""Reminders to ask what became of a police report.

A case with a K-number whose police report has not ended (no closing step,
judgment or withdrawal recorded) reminds its handler when
POLICE_FOLLOWUP_DAYS (VARN_POLICE_FOLLOWUP_DAYS, 60 by default) have passed
since the police report, or since the latest step recorded, with nothing
new; and again after each further such stretch. The handler is the case's
assigned handler when they may still handle it, otherwise everyone who may
(incidents.routing). The e-mail says only that a police report needs a
follow-up, and where; never what the case is about.

notifications.reminders sends each once, by its key (case, the day counted
from, the stretch, recipient): a newly recorded step starts the count again.
"""
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import access
from incidents.models import ChecklistItem, Incident
from incidents.routing import route
from notifications.reminders import Due
from police.models import FINAL_STEPS, PoliceOutcome


def recipients(incident) -> list:
    handler = incident.assigned_to
    if handler is not None and handler.is_active and access.can_handle(handler, incident):
        return [handler]
    return list(route(incident).handlers)


def due_reminders(now) -> list[Due]:
    today = timezone.localdate(now)
    every = timedelta(days=settings.POLICE_FOLLOWUP_DAYS)
    # Unscoped: the reminder pass is the system itself; each reminder goes to
    # people who may handle the case (access, routing), without content.
    cases = list(Incident.unscoped.exclude(police_reference="").select_related("unit", "assigned_to"))
    if not cases:
        return []
    ids = [c.pk for c in cases]
    reported_on = dict(ChecklistItem.unscoped.filter(
        incident_id__in=ids, code=ChecklistItem.Code.POLICE, done_on__isnull=False).values_list("incident_id",
                                                                                               "done_on"))
    latest: dict[int, tuple] = {}
    for incident_id, step, recorded_at in (PoliceOutcome.objects.filter(incident_id__in=ids)
                                           .order_by("incident_id", "on", "pk")
                                           .values_list("incident_id", "step", "recorded_at")):
        latest[incident_id] = (step, timezone.localtime(recorded_at).date())
    due = []
    for incident in cases:
        step = latest.get(incident.pk)
        if step is not None and step[0] in FINAL_STEPS:
            continue
        since = reported_on.get(incident.pk) or timezone.localtime(incident.occurred_at).date()
        if step is not None:
            since = max(since, step[1])
        stretches = (today - since) // every
        if stretches < 1:
            continue
        path = reverse("police:case", args=[incident.pk])
        line = _("Polisanmälan i ärende %(ref)s: inget nytt är registrerat sedan %(date)s. Fråga vad som har hänt "
                 "med anmälan och registrera det.") % {"ref": incident.reference, "date": since.isoformat()}
        for person in recipients(incident):
            due.append(Due(f"police-outcome:{incident.pk}:{since}:{stretches}:{person.pk}", person,
                           _("Värn: vad blev det av polisanmälan?"), line, path))
    return due

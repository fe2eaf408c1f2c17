"""Template helpers for case pages: readable names for timeline entries, the
tag of a report that bypassed the unit's managers."""
from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

EVENT_LABELS = {
    "incident.create": _("Rapporten kom in"),
    "incident.acknowledge": _("Kvitterad som mottagen"),
    "incident.investigate": _("Utredning påbörjad"),
    "incident.resolve": _("Markerad som åtgärdad"),
    "incident.close": _("Ärendet avslutades"),
    "incident.reopen": _("Ärendet öppnades igen"),
    "incident.reopen_reason": _("Skäl till att öppna igen"),
    "incident.assign": _("Handläggare ändrad"),
    "incident.actor": _("Aktörens identitet registrerad"),
    "incident.police": _("Polisanmälan ändrad i ärendet"),
    "incident.reveal": _("Rapportören valde att visa vem hen är"),
    "action.create": _("Åtgärd tillagd"),
    "action.change": _("Åtgärd ändrad"),
    "message.create": _("Meddelande"),
    "attachment.download": _("Bilaga öppnad"),
    "support.start": _("Stödspår startat"),
    "support.step.first_talk": _("Stöd: första stödsamtalet"),
    "support.step.week": _("Stöd: uppföljning efter en vecka"),
    "support.step.month": _("Stöd: uppföljning efter en månad"),
    "support.step.quarter": _("Stöd: uppföljning efter tre månader"),
    "support.offer": _("Stöd erbjudet"),
    "support.end": _("Stödspår avslutat i förtid"),
    "support.done": _("Stödspår klart"),
    "checklist.support_talk": _("Uppföljning: stödsamtal"),
    "checklist.health_support": _("Uppföljning: företagshälsovård eller krisstöd"),
    "checklist.risk_assessment": _("Uppföljning: riskbedömning"),
    "checklist.safety_rep": _("Uppföljning: skyddsombud"),
    "checklist.police": _("Uppföljning: polisanmälan"),
    "checklist.work_env_authority": _("Uppföljning: Arbetsmiljöverket"),
    "checklist.work_injury": _("Uppföljning: Försäkringskassan"),
    "protection.create": _("Ny skyddsåtgärd för kommande besök"),
    "protection.change": _("Ändrad skyddsåtgärd"),
}


@register.filter
def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)


@register.filter
def bypass_label(incident) -> str:
    """The tag of a report that went past the unit's managers, with why."""
    source = incident.source
    if source is not None and source.bypasses_management:
        return gettext("Förbi chef: rapporten gäller %(source)s") % {"source": source.name.lower()}
    return gettext("Förbi chef: enhetens chefer har inte fått rapporten")

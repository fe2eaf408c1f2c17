"""Holds are reminded once a year: on each anniversary of a hold still in
force, whoever placed it (or, when they cannot be reached, the nearest HR
and security coordinators of the case's unit) is asked whether the case
still has to be kept. The e-mail names the case's reference and the
reason's kind, nothing of its content. notifications.reminders sends each
once, by its key (hold, year of the hold, recipient)."""
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.reminders import Due
from organisation.models import Role
from organisation.tree import nearest_holders
from retention.models import Hold


def _reachable(user) -> bool:
    return bool(user and user.is_active and user.email)


def _years(since, now) -> int:
    years = now.year - since.year
    if (now.month, now.day) < (since.month, since.day):
        years -= 1
    return years


def due_reminders(now) -> list[Due]:
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for hold in Hold.objects.filter(lifted_at__isnull=True).select_related("placed_by", "incident__unit"):
            years = _years(timezone.localtime(hold.placed_at), timezone.localtime(now))
            if years < 1:
                continue
            people = [hold.placed_by] if _reachable(hold.placed_by) else [
                u for u in dict.fromkeys(nearest_holders(hold.incident.unit, Role.HR)
                                         + nearest_holders(hold.incident.unit, Role.SECURITY_COORDINATOR))
                if _reachable(u)]
            subject = _("Värn: se över bevarandet av %(case)s") % {"case": hold.incident.reference}
            line = _("Ärendet %(case)s har varit bevarat från gallring sedan %(since)s (%(reason)s). "
                     "Se över om det fortfarande ska bevaras.") % {
                "case": hold.incident.reference, "since": date_format(timezone.localtime(hold.placed_at), "j F Y"),
                "reason": hold.get_reason_display().lower()}
            for person in people:
                due.append(Due(f"retention-hold:{hold.pk}:{years}:{person.pk}", person, subject, line,
                               reverse("retention:holds"), about_a_case=False))
    return due

"""Protective measures for future visits: when the source of an event is a
client or a relative, the handler records what the unit does at its next
contacts with that household ("two staff on home visits", "meet only at the
office"), with a date to review it. A measure belongs to the unit and is
shown to its managers and coordinators (incidents.access.measures_in_scope);
it is tied to the case it came from, and through the case to the repeated
actor's keyed pseudonym when one is recorded (situation/actors.py), never to
the client's identity.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, ScopedManager


class ProtectiveMeasure(models.Model):
    class Kind(models.TextChoices):
        TWO_STAFF = "two_staff", _("Två personal vid hembesök")
        OFFICE_ONLY = "office_only", _("Möten bara på kontoret")
        GUARD = "guard", _("Väktare eller larm vid möten")
        WRITING_ONLY = "writing_only", _("Kontakt bara per telefon eller brev")
        OTHER_HANDLER = "other_handler", _("Annan handläggare tar kontakterna")
        OTHER = "other", _("Annan åtgärd")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Gäller")
        ENDED = "ended", _("Avslutad")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="protective_measures",
                                 verbose_name=_("ärende"))
    unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("enhet"))
    kind = models.CharField(_("åtgärd"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("beskrivning"), blank=True)
    review_on = models.DateField(_("omprövas senast"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    end_reason = models.TextField(_("skäl att avsluta"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("registrerad av"))
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("senast ändrad av"))
    updated_at = models.DateTimeField(_("senast ändrad"), null=True, blank=True)
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # Optimistic locking: a save from an older page is refused.
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only (reminders, gallring); see ScopedManager

    class Meta:
        ordering = ["review_on", "pk"]
        verbose_name = _("skyddsåtgärd")
        verbose_name_plural = _("skyddsåtgärder")

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def review_due(self, today=None) -> bool:
        return self.is_active and self.review_on <= (today or timezone.localdate())

    @property
    def actor(self) -> str:
        """The first characters of the case's actor pseudonym, as the case page shows it; "" without one."""
        return self.incident.actor_pseudonym[:8]

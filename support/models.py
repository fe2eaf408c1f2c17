"""The support track of a case: support to the exposed employee (AFS 2023:2).

A track starts when the reporter asks for support in the report, or when a
handler judges that the employee needs it. It has a first support
conversation within a deadline and check-ins after about a week, a month
and three months (SupportStep), and records the support offered and whether
it was accepted as coded choices (SupportOffer). It outlives the case: a
closed case keeps its track until the last check-in is done or skipped.

The rows hang off an incident: they are read through incidents.access (the
case the user may handle) and the track's own relations, never unscoped
except by the reminder pass.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, ScopedManager


class TrackScopedManager(ScopedManager):
    """As ScopedManager, and a track one holds reaches its own steps and offers."""

    def get_queryset(self):
        if isinstance(getattr(self, "instance", None), SupportTrack):
            return self._unscoped()
        return super().get_queryset()


class SupportTrack(models.Model):
    class Origin(models.TextChoices):
        REPORT = "report", _("Medarbetaren bad om stöd i rapporten")
        HANDLER = "handler", _("Handläggarens bedömning")

    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        DONE = "done", _("Avslutat")

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="support_track",
                                    verbose_name=_("ärende"))
    origin = models.CharField(_("startat genom"), max_length=20, choices=Origin.choices)
    started_at = models.DateTimeField(_("startat"), default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("startat av"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    ended_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    end_reason = models.TextField(_("skäl att avsluta i förtid"), blank=True)
    # Optimistic locking, as on the case: a save from an older page is refused.
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        verbose_name = _("stödspår")
        verbose_name_plural = _("stödspår")

    def __str__(self):
        return f"{self.incident.reference} {self.get_status_display()}"


class SupportStep(models.Model):
    """The first support conversation, or one check-in."""

    class Kind(models.TextChoices):
        FIRST_TALK = "first_talk", _("Första stödsamtalet")
        WEEK = "week", _("Uppföljning efter en vecka")
        MONTH = "month", _("Uppföljning efter en månad")
        QUARTER = "quarter", _("Uppföljning efter tre månader")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        DONE = "done", _("Genomförd")
        SKIPPED = "skipped", _("Hoppades över")

    track = models.ForeignKey(SupportTrack, on_delete=models.CASCADE, related_name="steps",
                              verbose_name=_("stödspår"))
    kind = models.CharField(_("steg"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("senast"), db_index=True)
    state = models.CharField(_("läge"), max_length=20, choices=State.choices, default=State.PLANNED,
                             db_index=True)
    done_on = models.DateField(_("genomförd"), null=True, blank=True)
    note = models.TextField(_("anteckning eller skäl"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = TrackScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["track", "kind"], name="support_step_unique")]
        verbose_name = _("stödsteg")
        verbose_name_plural = _("stödsteg")

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PLANNED

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class SupportOffer(models.Model):
    """Support offered to the employee, as a coded choice, and their answer."""

    class Code(models.TextChoices):
        SUPPORT_TALK = "stodsamtal", _("Stödsamtal")
        OCCUPATIONAL_HEALTH = "foretagshalsovard", _("Företagshälsovård")
        CRISIS = "krisstod", _("Krisstöd")
        CHANGED_DUTIES = "andrade_uppgifter", _("Ändrade arbetsuppgifter")
        COLLEAGUE_ON_VISITS = "kollega_vid_besok", _("En kollega med vid besök")
        HOME_SECURITY = "sakerhet_bostad", _("Säkerhetsgenomgång av bostaden")
        PROTECTED_DATA = "skyddade_personuppgifter", _("Ansökan om skyddade personuppgifter")
        INJURED_PARTY_COUNSEL = "malsagandebitrade", _("Hjälp med målsägandebiträde vid polisanmälan")
        OTHER = "annat", _("Annat")

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("Tackade ja")
        DECLINED = "declined", _("Tackade nej")
        PENDING = "pending", _("Inte besvarat än")

    track = models.ForeignKey(SupportTrack, on_delete=models.CASCADE, related_name="offers",
                              verbose_name=_("stödspår"))
    code = models.CharField(_("stöd"), max_length=30, choices=Code.choices)
    offered_on = models.DateField(_("erbjudet"))
    answer = models.CharField(_("svar"), max_length=20, choices=Answer.choices, default=Answer.PENDING)
    note = models.CharField(_("beskrivning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TrackScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["offered_on", "pk"]
        verbose_name = _("erbjudet stöd")
        verbose_name_plural = _("erbjudet stöd")

    def __str__(self):
        return self.get_code_display()



class SupportAnswer(models.Model):
    """The employee's answer to "Fick du det stöd du behövde?" after a step
    of their support track or at the case's closing. Linked to the case
    only: no user (the named reporter is the case's own; an anonymous one is
    nobody), and for an anonymous report the hour only, as for the report."""

    class Occasion(models.TextChoices):
        FIRST_TALK = "first_talk", _("Efter första stödsamtalet")
        WEEK = "week", _("Efter uppföljningen efter en vecka")
        MONTH = "month", _("Efter uppföljningen efter en månad")
        QUARTER = "quarter", _("Efter uppföljningen efter tre månader")
        CLOSING = "closing", _("När ärendet avslutades")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="support_answers",
                                 verbose_name=_("ärende"))
    occasion = models.CharField(_("tillfälle"), max_length=20, choices=Occasion.choices)
    felt_supported = models.BooleanField(_("fick det stöd som behövdes"))
    comment = models.TextField(_("kommentar"), blank=True)
    answered_at = models.DateTimeField(_("besvarad"), default=timezone.now)

    objects = ScopedManager()
    unscoped = models.Manager()  # system paths only; see ScopedManager

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "occasion"], name="support_answer_unique")]
        verbose_name = _("svar om stöd")
        verbose_name_plural = _("svar om stöd")

    def __str__(self):
        return f"{self.incident.reference} {self.get_occasion_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.incident.identity_mode == Incident.IdentityMode.ANONYMOUS:
            self.answered_at = self.answered_at.replace(minute=0, second=0, microsecond=0)
        super().save(*args, **kwargs)

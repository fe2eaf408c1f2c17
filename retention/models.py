"""Gallring (retention): the schedule the administrator sets, holds on
cases, the runs and the files a run still has to remove from disk.

What each kind of data is, its default period and its floor are in
retention.schedule; what a run does is retention.thinning.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """The administrator's period for one kind of data (retention.schedule.KINDS).
    A kind without a row follows its default. `keep_forever` needs a reason
    (the archive authority's decision to keep, say)."""

    kind = models.CharField(_("slag av uppgifter"), max_length=30, unique=True)
    period = models.PositiveIntegerField(_("tid"))  # in the kind's unit (years or days)
    keep_forever = models.BooleanField(_("bevaras för alltid"), default=False)
    reason = models.CharField(_("skäl"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("gallringsregel")
        verbose_name_plural = _("gallringsregler")


class Hold(models.Model):
    """Bevarande: nothing of a case on hold is removed until the hold is lifted."""

    class Reason(models.TextChoices):
        POLICE = "police", _("Polisutredning")
        LEGAL = "legal", _("Rättslig tvist")
        WORK_INJURY = "work_injury", _("Arbetsskadeärende")

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("skäl"), max_length=20, choices=Reason.choices)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bevarande")
        verbose_name_plural = _("bevaranden")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            # One hold in force per case at a time.
            models.UniqueConstraint(fields=["incident"], condition=Q(lifted_at__isnull=True),
                                    name="one_active_hold_per_incident"),
        ]

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class RetentionRun(models.Model):
    """One run of `manage.py gallra`: when, what it removed (counts by kind,
    never content). A run killed midway has no finished_at; what it thinned
    is thinned (each case in its own transaction) and the next run goes on."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    incidents = models.PositiveIntegerField(default=0)  # cases thinned
    removed = models.JSONField(default=dict)  # {kind: count}
    held = models.PositiveIntegerField(default=0)  # due cases left alone because on hold

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("gallringskörning")
        verbose_name_plural = _("gallringskörningar")


class FileRemoval(models.Model):
    """An attachment file to remove from disk: written in the transaction
    that thins its case, deleted once the file is gone. A run killed between
    its commit and the unlink leaves the row, and the next run removes the
    file (retention.thinning.remove_files)."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

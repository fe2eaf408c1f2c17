"""What has been sent, so that nothing is sent twice."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentReminder(models.Model):
    """One row per reminder that went out, keyed by what it was about and to
    whom (e.g. "ack-overdue:12:7", "cycle-overdue:31:4",
    "knowledge-review:5:2026-03-01"). The unique key is the claim: a second
    run, or a concurrent one, cannot send the same reminder again."""

    key = models.CharField(max_length=200, unique=True)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")

    def __str__(self):
        return self.key

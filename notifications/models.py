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


class QueuedMail(models.Model):
    """An e-mail waiting to be sent (notifications.outbox). Written in the
    same transaction as what it tells about, so a committed report always
    has its notices; deleted once the mail server has taken it. Holds an
    address and a notice without case content, nothing else.

    `then` names a function (dotted path) to call with `then_arg` and the
    number sent once this e-mail is sent (the safety representative's
    checklist item); blank for none."""

    to = models.EmailField(_("till"))
    subject = models.CharField(_("ämne"), max_length=300)
    body = models.TextField(_("text"))
    then = models.CharField(max_length=100, blank=True)
    then_arg = models.CharField(max_length=100, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    next_try_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("e-post i kö")
        verbose_name_plural = _("e-post i kö")

    def __str__(self):
        return f"{self.to}: {self.subject}"

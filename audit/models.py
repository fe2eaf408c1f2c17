"""The append-only audit log.

Every read of a case and every change (with old and new values) is one entry.
An entry is written with one INSERT and no lock, carrying the hash of its own
content. A sealer (audit.log.seal: after commits, now and then, and from the
timer) then chains the committed entries in the order it sees them: each
sealed entry gets the next sequence number and a hash over the hash of the
entry before it and its own content, and the chain's head moves on. Only the
sealer takes a lock, so requests never queue on the log.

`manage.py verify_audit` recomputes the chain and finds any sealed entry that
was altered, removed or inserted behind the application's back, and reports
an entry left unsealed for longer than the window (docs/audit.md). The model
and its queryset refuse updates and deletes; the sealer's one UPDATE per
entry fills the seal fields once.
"""
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("The audit log is append-only.")

    def delete(self):
        raise AuditLogImmutable("The audit log is append-only.")

    def bulk_update(self, *args, **kwargs):
        raise AuditLogImmutable("The audit log is append-only.")

    def bulk_create(self, *args, **kwargs):
        raise AuditLogImmutable("Audit entries are written through audit.log (record, record_many).")


GENESIS = "0" * 64


class AuditEntry(models.Model):
    at = models.DateTimeField(_("tid"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", verbose_name=_("vem"))
    # Kept for entries without a user account (anonymous reporter, system jobs).
    actor_label = models.CharField(_("vem (text)"), max_length=120, blank=True)
    action = models.CharField(_("händelse"), max_length=60, db_index=True)
    object_type = models.CharField(_("objekttyp"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=40, blank=True)
    incident = models.ForeignKey("incidents.Incident", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="audit_entries",
                                 verbose_name=_("ärende"))
    changes = models.JSONField(_("ändringar"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Written with the entry: sha256 of payload().
    content_hash = models.CharField(max_length=64, default="", editable=False)
    # Written once by the sealer: the place in the chain (1, 2, 3 … in the
    # order the sealer saw the entries committed), the hash of the entry
    # before it and this entry's chain hash. Empty until sealed.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    sealed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("granskningslogg")
        # The sealer's work list: only the entries not sealed yet, so that
        # finding them costs the same with ten years of history.
        indexes = [models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_unsealed")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def payload(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(timespec="microseconds"),
                "actor": self.actor_id,
                "actor_label": self.actor_label,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "incident": self.incident_id,
                "changes": self.changes,
            },
            sort_keys=True,
            ensure_ascii=False,
            cls=DjangoJSONEncoder,
        )

    def compute_content_hash(self) -> str:
        return hashlib.sha256(self.payload().encode()).hexdigest()

    def compute_hash(self) -> str:
        """The chain hash: over the previous entry's hash and this content
        (the formula of the original chain, so its entries stay valid)."""
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("The audit log is append-only.")


class ChainHead(models.Model):
    """A single row: the chain's last sequence number and hash. Only the
    sealer locks it (audit.log.seal), so that two sealers never fork the
    chain; writers of entries never touch it."""

    last_hash = models.CharField(max_length=64, default=GENESIS)
    last_seq = models.BigIntegerField(default=0)
    sealed_at = models.DateTimeField(null=True, blank=True)


class PendingAnonymousEntry(models.Model):
    """An audit entry of the anonymous reporter, held back until the hour it
    is dated to has ended (audit.log.release_anonymous, run by the timer's
    sealer). Then it is appended to the log in random order with the other
    held entries of that hour, so that its id does not sit beside the
    entries the same person wrote under their own name just before or after
    (docs/disclosure.md, "Anonymous reports"). `at` is the hour, never the
    exact time; `content_hash` is the final entry's, so an entry altered
    while waiting fails verify_audit once it is released."""

    at = models.DateTimeField()
    actor_label = models.CharField(max_length=120)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    incident = models.ForeignKey("incidents.Incident", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    content_hash = models.CharField(max_length=64)

"""The append-only audit log.

Every read of a case and every change (with old and new values) is one entry.
Entries form a hash chain: each entry's hash covers its content and the hash
of the entry before it, so `manage.py verify_audit` finds any entry that was
altered, removed or inserted behind the application's back. The model and its
queryset refuse updates and deletes.
"""
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
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
        raise AuditLogImmutable("Audit entries are written one by one through audit.log.")


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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("loggpost")
        verbose_name_plural = _("granskningslogg")

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

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("The audit log is append-only.")


class ChainHead(models.Model):
    """A single row holding the latest hash; locking it serialises writers so
    the chain never forks."""

    last_hash = models.CharField(max_length=64, default=GENESIS)

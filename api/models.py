"""Integration accounts and their API tokens.

An integration account is a user (organisation.User) that is a system, not a
person: the HR system, the city's BI tool, the document archive. It holds
role assignments at organisation nodes exactly like a person, so the API
reaches what a person with the same roles reaches on the pages. It has no
password and cannot log in to the pages; it calls the API with a token.

A token is shown once when it is issued; only its SHA-256 digest is stored
(the token is 256 random bits, so a plain digest cannot be reversed or
guessed). Every token has an expiry, records when it was last used and can be
revoked; an expired or revoked token, or one of a deactivated account, is
refused.
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import User

TOKEN_PREFIX = "varn_"


class IntegrationProfile(models.Model):
    """Marks a user as an integration account, with what it is for."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, primary_key=True,
                                related_name="integration", verbose_name=_("konto"))
    purpose = models.TextField(_("vad kontot används till"), blank=True)
    created_at = models.DateTimeField(_("skapat"), default=timezone.now)

    class Meta:
        verbose_name = _("integrationsprofil")
        verbose_name_plural = _("integrationsprofiler")

    def __str__(self):
        return str(self.user)


class IntegrationAccountManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(integration__isnull=False)


class IntegrationAccount(User):
    """The users that are integration accounts (a view of User for the admin)."""

    objects = IntegrationAccountManager()

    class Meta:
        proxy = True
        verbose_name = _("integrationskonto")
        verbose_name_plural = _("integrationskonton")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens",
                                verbose_name=_("integrationskonto"))
    name = models.CharField(_("namn"), max_length=60,
                            help_text=_("Vad token används till, till exempel ”Nattlig import från HR”. "
                                        "Namnet står i granskningsloggen vid allt token gör."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so that an administrator can tell
    # which token a system holds; too few to help anyone guess the rest.
    hint = models.CharField(_("början av token"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("utfärdad"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+",
                                   editable=False, verbose_name=_("utfärdad av"))
    expires_at = models.DateTimeField(_("gäller till"), default=default_expiry)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-token")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, account, name: str, expires_at, created_by=None) -> tuple["ApiToken", str]:
        """A new token for the account: the saved row and the token itself,
        which exists only in the caller's hands from here on."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(account=account, name=name, digest=digest(token),
                                 hint=token[:len(TOKEN_PREFIX) + 4], expires_at=expires_at,
                                 created_by=created_by)
        return row, token

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    def get_state_display(self) -> str:
        return {"revoked": _("Återkallad"), "expired": _("Har gått ut"), "active": _("Gäller")}[self.state]

"""Anonymous surveys: a prevalence survey (exponeringsenkät) for a node and
a period, its invitations and its answers.

Three tables keep a person and an answer apart (docs/surveys.md):

- `Invitation` says only that a person was invited and reminded. It holds
  nothing of the link that was sent.
- `Token` holds the SHA-256 digest of each link's secret and whether it was
  used, with no person, no time and a primary key that is the digest itself
  (so no insertion order). The rows of a survey are inserted in one shuffled
  batch before any e-mail leaves.
- `Answer` holds what was answered, the unit it concerns and the ISO week:
  a random key, no token, no time of day, no IP, no user agent.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import OperationArea, OrgUnit

DEFAULT_MIN_ANSWERS = 5
MAX_OWN_QUESTIONS = 5


def random_key() -> int:
    return secrets.randbits(62) + 1


class Survey(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Öppen")
        CLOSED = "closed", _("Stängd")

    class Kind(models.TextChoices):
        PREVALENCE = "prevalence", _("Exponeringsenkät")
        # A standing survey HR hands to people who leave (surveys/exit.py):
        # open until closed, no last day, answers kept per unit and year.
        EXIT = "exit", _("Avgångsenkät")

    kind = models.CharField(_("slag"), max_length=12, choices=Kind.choices, default=Kind.PREVALENCE)

    node = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="surveys",
                             verbose_name=_("gäller för"))
    title = models.CharField(_("rubrik"), max_length=200)
    period_start = models.DateField(_("perioden börjar"))
    period_end = models.DateField(_("perioden slutar"))
    # None for an exit survey: it stays open until it is closed.
    closes_on = models.DateField(_("sista svarsdag"), null=True, blank=True)
    min_answers = models.PositiveSmallIntegerField(_("minsta antal svar för att visa resultat"),
                                                   default=DEFAULT_MIN_ANSWERS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("startad av"))
    created_at = models.DateTimeField(_("startad"), auto_now_add=True)
    # Counted when the invitations went out; the response rate's denominator.
    invited = models.PositiveIntegerField(_("antal inbjudna"), default=0)
    invitations_sent_on = models.DateField(_("inbjudan skickad"), null=True, blank=True)
    reminded_on = models.DateField(_("påminnelse skickad"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exponeringsenkät")
        verbose_name_plural = _("exponeringsenkäter")

    def __str__(self):
        return self.title

    def accepts_answers(self, today) -> bool:
        return self.status == self.Status.OPEN and (self.closes_on is None or today <= self.closes_on)

    @property
    def is_exit(self) -> bool:
        return self.kind == self.Kind.EXIT


class OwnQuestion(models.Model):
    """A question the coordinator adds: answered yes/no or on a scale of 1–5.
    No free text, because free text can name a person."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Ja eller nej")
        SCALE = "scale", _("Skala 1–5")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="own_questions")
    text = models.CharField(_("fråga"), max_length=300)
    kind = models.CharField(_("svarstyp"), max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Invitation(models.Model):
    """That a person was invited (and reminded). Nothing about their link."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reminded = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_invitation_once")]


class Token(models.Model):
    """One single-use link: only the digest of its secret and whether it was
    used. No person, no timestamp; the digest is the key."""

    digest = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    used = models.BooleanField(default=False)


class Answer(models.Model):
    """One person's answer, at the level of unit and ISO week."""

    # A random key: the table's order on disk (SQLite keeps rows in key
    # order) says nothing about the order in which answers came in.
    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("enhet"))
    operation_area = models.ForeignKey(OperationArea, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("verksamhetsområde"))
    week = models.CharField(_("vecka"), max_length=8)  # "2026-W49"
    # {"hot": {"exposed": true, "times": "2-5", "reported": "some", "reasons": ["too_much_work"]}, …}
    exposure = models.JSONField(default=dict)
    # {"<own question pk>": "yes" | "no" | "1".."5"}
    own = models.JSONField(default=dict, blank=True)
    # Came through a unit's shared link (answered once per device, a weaker
    # guarantee than a personal link): counted apart on the results page.
    shared = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "unit"])]


class SharedLink(models.Model):
    """One shared link of a unit for staff without accounts: the digest of
    its secret, the unit its answers concern, and whether it still works.
    Answered once per device (a cookie set on answering), not once per
    person: docs/surveys.md says what that means."""

    digest = models.CharField(max_length=64, primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="shared_links")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet"))
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "unit"], name="survey_shared_link_per_unit")]


class ExitAnswer(models.Model):
    """One leaver's answer to an exit survey, at the level of unit and year:
    a leaver's week of answering is close to their last day, which the people
    register holds, so the week would point at the person."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="exit_answers")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("enhet"))
    year = models.PositiveSmallIntegerField(_("år"))
    # Codes of surveys.exit.REASONS, sorted.
    reasons = models.JSONField(default=list)
    # Codes of the forms of influence the leaver was exposed to; [] = none.
    exposed = models.JSONField(default=list)
    # Whether the influence mattered for leaving: "much" | "some" | "no" | "" (not exposed).
    mattered = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["survey", "year"])]

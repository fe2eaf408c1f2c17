"""The knowledge bank: articles in Swedish (with an English version where one
is written), their version history and the review reminders sent to owners.

Slugs are stable: the report form and the case checklist link to articles by
slug (see knowledge.links), so a slug never changes once created.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from knowledge.fields import SearchDocumentField


class Topic(models.TextChoices):
    FORMS = "former", _("Former av påverkan")
    REPORTING = "rapportera", _("Så rapporterar du")
    COMMON_LINE = "gemensam-linje", _("Stadens gemensamma linje")
    ACTION_PLAN = "handlingsplan", _("Handlingsplanen: före, under och efter")
    SUPPORT = "stod", _("Stöd")
    LAW = "lagar", _("Lagar och regler")
    CONTACTS = "kontakter", _("Kontakter")


# Paths under /kunskap/ that are pages of their own, not articles.
RESERVED_SLUGS = {"ny", "sok", "forslag", "forhandsgranska", "guide", "static", "admin"}

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Använd bara små bokstäverna a–z, siffror och bindestreck, t.ex. ”hot-pa-skamt”."),
)


def validate_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("Adressen ”%(slug)s” används redan av kunskapsbanken. Välj en annan."),
                              params={"slug": value})


class Article(models.Model):
    slug = models.SlugField(_("adress"), max_length=80, unique=True,
                            validators=[slug_validator, validate_not_reserved])
    topic = models.CharField(_("ämne"), max_length=30, choices=Topic.choices, db_index=True)
    title = models.CharField(_("rubrik"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    title_en = models.CharField(_("rubrik på engelska"), max_length=200, blank=True)
    body_en = models.TextField(_("text på engelska (Markdown)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordning inom ämnet"), default=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="owned_articles",
                              verbose_name=_("ansvarig"))
    next_review = models.DateField(_("nästa översyn"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("senast ändrad"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("senast ändrad av"))
    # PostgreSQL full-text document; see knowledge.fields and knowledge.search.
    search_document = SearchDocumentField(null=True, editable=False)

    class Meta:
        ordering = ["topic", "sort_order", "title"]
        verbose_name = _("artikel")
        verbose_name_plural = _("artiklar")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:article", args=[self.slug])

    @property
    def shows_english(self) -> bool:
        """English is shown only when the UI is English and a version is written."""
        return translation.get_language() == "en" and bool(self.body_en.strip())

    @property
    def display_title(self) -> str:
        return self.title_en if self.shows_english and self.title_en else self.title

    @property
    def display_body(self) -> str:
        return self.body_en if self.shows_english else self.body

    @property
    def display_lang(self) -> str:
        return "en" if self.shows_english else "sv"

    def review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.next_review is not None and self.next_review <= today


class ArticleVersion(models.Model):
    """One saved state of an article: who, when, the full text, and a readable
    diff against the state before. Rows are only ever added."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions",
                                verbose_name=_("artikel"))
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("sparad"), default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", verbose_name=_("av"))
    title = models.CharField(_("rubrik"), max_length=200)
    body = models.TextField(_("text"))
    title_en = models.CharField(_("rubrik på engelska"), max_length=200, blank=True)
    body_en = models.TextField(_("text på engelska"), blank=True)
    note = models.CharField(_("kommentar"), max_length=300, blank=True)
    # Unified diff (difflib) of title and text against the previous version.
    diff = models.TextField(_("ändringar"), blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"],
                                               name="article_version_unique")]
        verbose_name = _("artikelversion")
        verbose_name_plural = _("artikelversioner")

    def __str__(self):
        return f"{self.article.slug} v{self.number}"

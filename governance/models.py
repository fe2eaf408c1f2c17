"""The committee's instruments: the action plan (handlingsplan).

An ActionPlan belongs to one node, a district administration or the city. Its
PlanVersions are numbered; at most one is a draft (edited by HR and the
security coordinator), the others are approved, each with the date, the
approver and the decision text. The newest approved version is the plan in
force; earlier ones stay readable. A version's Measures are grouped in the
sections before, during and after an event.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import ChecklistItem
from organisation.models import Role

MAX_MEASURE_TEXT = 1000
MAX_DECISION_TEXT = 4000


class ActionPlan(models.Model):
    node = models.OneToOneField("organisation.OrgUnit", on_delete=models.PROTECT, related_name="action_plan",
                                verbose_name=_("gäller för"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("handlingsplan")
        verbose_name_plural = _("handlingsplaner")

    def __str__(self):
        return str(self.node)


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        APPROVED = "approved", _("Godkänd")

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("läge"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("rubrik"), max_length=200)
    introduction = models.TextField(_("inledning"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    # Optimistic lock of the draft: every change raises it by one.
    revision = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(_("godkänd"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("godkänd av"))
    decision = models.TextField(_("beslut"), max_length=MAX_DECISION_TEXT, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="plan_one_draft"),
        ]
        verbose_name = _("version av handlingsplanen")
        verbose_name_plural = _("versioner av handlingsplanen")

    def __str__(self):
        return f"{self.plan} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Measure(models.Model):
    class Section(models.TextChoices):
        BEFORE = "before", _("Före en händelse")
        DURING = "during", _("Under en händelse")
        AFTER = "after", _("Efter en händelse")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="measures")
    section = models.CharField(_("avsnitt"), max_length=10, choices=Section.choices)
    position = models.PositiveSmallIntegerField(_("ordning"), default=1)
    text = models.TextField(_("åtgärd"), max_length=MAX_MEASURE_TEXT)
    owner_role = models.CharField(_("ansvarig roll"), max_length=20, choices=Role.choices)
    article = models.ForeignKey("knowledge.Article", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("artikel i kunskapsbanken"))
    operation_areas = models.ManyToManyField("organisation.OperationArea", blank=True, related_name="+",
                                             verbose_name=_("gäller verksamhetsområden"))
    checklist_code = models.CharField(_("uppföljningspunkt på ärendet"), max_length=30, blank=True,
                                      choices=ChecklistItem.Code.choices)

    class Meta:
        ordering = ["version", "section", "position", "pk"]
        verbose_name = _("åtgärd i handlingsplanen")
        verbose_name_plural = _("åtgärder i handlingsplanen")

    def __str__(self):
        return self.text[:60]


# --- the risk and materiality analysis ------------------------------------------

SCALE = (1, 2, 3, 4)


class RiskRegister(models.Model):
    """A committee's (district's or city's) risk register for one year, the
    unlawful-influence part of its risk and materiality analysis."""
    node = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="risk_registers",
                             verbose_name=_("nämnd"))
    year = models.PositiveSmallIntegerField(_("år"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        ordering = ["node", "-year"]
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="risk_register_node_year")]
        verbose_name = _("riskregister")
        verbose_name_plural = _("riskregister")

    def __str__(self):
        return f"{self.node} {self.year}"


class Risk(models.Model):
    class Decision(models.TextChoices):
        UNDECIDED = "", _("Inte beslutat")
        ACCEPT = "accept", _("Acceptera")
        ACT = "act", _("Åtgärda")
        CONTROL = "control", _("Internkontrollplanen")

    register = models.ForeignKey(RiskRegister, on_delete=models.CASCADE, related_name="risks")
    standard_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("beskrivning"), max_length=2000, blank=True)
    likelihood = models.PositiveSmallIntegerField(_("sannolikhet"), null=True, blank=True)
    consequence = models.PositiveSmallIntegerField(_("konsekvens"), null=True, blank=True)
    reason = models.TextField(_("motivering"), max_length=2000, blank=True)
    controls = models.TextField(_("befintliga kontroller"), max_length=2000, blank=True)
    decision = models.CharField(_("beslut"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_note = models.TextField(_("kommentar till beslutet"), max_length=2000, blank=True)
    control_what = models.TextField(_("vad kontrolleras"), max_length=1000, blank=True)
    control_how = models.TextField(_("hur"), max_length=1000, blank=True)
    control_who = models.CharField(_("av vem"), max_length=200, blank=True)
    control_when = models.CharField(_("när"), max_length=200, blank=True)
    # Which reports are the evidence (codes of forms, sources, channels).
    filters = models.JSONField(default=dict, blank=True)
    # The figures from the situation picture, frozen when attached (always
    # suppressed: the register goes to the committee).
    evidence = models.JSONField(default=list, blank=True)
    evidence_period = models.CharField(max_length=80, blank=True)
    evidence_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["register", "position", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risker")

    def __str__(self):
        return self.title

    @property
    def score(self) -> int | None:
        return self.likelihood * self.consequence if self.likelihood and self.consequence else None

    @property
    def level(self) -> str:
        """"low", "medium", "high", "very_high", or "" when not scored."""
        score = self.score
        if score is None:
            return ""
        return "low" if score <= 3 else "medium" if score <= 6 else "high" if score <= 9 else "very_high"


class RiskAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        DONE = "done", _("Klar")
        CANCELLED = "cancelled", _("Struken")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("åtgärd"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("ansvarig"))
    due_date = models.DateField(_("klar senast"))
    status = models.CharField(_("läge"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("klar"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("åtgärd mot risk")
        verbose_name_plural = _("åtgärder mot risker")

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone
        return self.status == self.Status.OPEN and self.due_date < (today or timezone.localdate())


# --- the tertial report ---------------------------------------------------------------

class TertialReport(models.Model):
    """The re-reporting to the committee for one tertial, laid out like a
    tjänsteutlåtande. While a draft its figures are read live; when approved
    they are frozen in `frozen`, so a sent report does not change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        APPROVED = "approved", _("Godkänd")

    node = models.ForeignKey("organisation.OrgUnit", on_delete=models.PROTECT, related_name="tertial_reports",
                             verbose_name=_("förvaltning"))
    year = models.PositiveSmallIntegerField(_("år"))
    tertial = models.PositiveSmallIntegerField(_("tertial"))
    status = models.CharField(_("läge"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("rubrik"), max_length=200)
    reference = models.CharField(_("diarienummer"), max_length=60, blank=True)
    recipient = models.CharField(_("till"), max_length=200)
    analysis = models.TextField(_("analys"), max_length=8000, blank=True)
    proposed_decision = models.TextField(_("förslag till beslut"), max_length=2000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("handläggare"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(_("godkänd"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("godkänd av"))
    frozen = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["node", "-year", "-tertial"]
        constraints = [models.UniqueConstraint(fields=["node", "year", "tertial"], name="tertial_report_once")]
        verbose_name = _("tertialrapport")
        verbose_name_plural = _("tertialrapporter")

    def __str__(self):
        return f"{self.node} T{self.tertial} {self.year}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

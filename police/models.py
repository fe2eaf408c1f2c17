"""Police cooperation: the police regions and local police areas
(lokalpolisområden) and which part of the organisation each area covers.

A mapping sits at one organisation node and covers its whole subtree, like a
role assignment; a mapping further down (a unit served by another local
police area than its district) takes precedence there."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import OrgUnit


class PoliceRegion(models.Model):
    name = models.CharField(_("namn"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("polisregion")
        verbose_name_plural = _("polisregioner")

    def __str__(self):
        return self.name


class PoliceArea(models.Model):
    """A local police area (lokalpolisområde)."""
    name = models.CharField(_("namn"), max_length=120)
    region = models.ForeignKey(PoliceRegion, verbose_name=_("polisregion"), on_delete=models.PROTECT,
                               related_name="areas")

    class Meta:
        ordering = ["region__name", "name"]
        verbose_name = _("lokalpolisområde")
        verbose_name_plural = _("lokalpolisområden")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="police_area_unique_name")]

    def __str__(self):
        return self.name


class AreaMapping(models.Model):
    """The local police area that serves an organisation node and its subtree."""
    unit = models.OneToOneField(OrgUnit, verbose_name=_("organisatorisk enhet"), on_delete=models.PROTECT,
                                related_name="police_mapping")
    area = models.ForeignKey(PoliceArea, verbose_name=_("lokalpolisområde"), on_delete=models.PROTECT,
                             related_name="mappings")

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("koppling till lokalpolisområde")
        verbose_name_plural = _("kopplingar till lokalpolisområden")

    def __str__(self):
        return f"{self.unit.name} → {self.area.name}"


# --- what became of each police report -------------------------------------------------

class OutcomeStep(models.TextChoices):
    INVESTIGATION = "forundersokning", _("Förundersökning inledd")
    NO_CRIME = "nedlagd_inget_brott", _("Nedlagd: inget brott")
    NO_SUSPECT = "nedlagd_ingen_misstankt", _("Nedlagd: ingen misstänkt gärningsperson")
    INSUFFICIENT = "nedlagd_bevis", _("Nedlagd: otillräckliga bevis")
    PROSECUTION = "atal", _("Åtal väckt")
    JUDGMENT = "dom", _("Dom")
    WITHDRAWN = "aterkallad", _("Anmälan återkallad")


# Steps after which nothing more is expected from the police.
FINAL_STEPS = {OutcomeStep.NO_CRIME, OutcomeStep.NO_SUSPECT, OutcomeStep.INSUFFICIENT, OutcomeStep.JUDGMENT,
               OutcomeStep.WITHDRAWN}


class PoliceOutcome(models.Model):
    """One dated step in what became of a case's police report. Codes and
    dates only: nothing here names a person."""
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="police_outcomes")
    step = models.CharField(_("steg"), max_length=30, choices=OutcomeStep.choices)
    on = models.DateField(_("datum"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("registrerat"), auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("utfall av polisanmälan")
        verbose_name_plural = _("utfall av polisanmälningar")

    @property
    def final(self) -> bool:
        return self.step in FINAL_STEPS


class EmployeeRole(models.TextChoices):
    INJURED_PARTY = "malsagande", _("Målsägande")
    WITNESS = "vittne", _("Vittne")


class CourtSupport(models.TextChoices):
    YES = "ja", _("Ja")
    NO = "nej", _("Nej")
    NOT_APPLICABLE = "ej_aktuellt", _("Inte aktuellt (ingen rättegång)")


class PoliceFollowUp(models.Model):
    """The employee's part in the police case and whether the employer
    supported them in court."""
    incident = models.OneToOneField("incidents.Incident", on_delete=models.CASCADE, related_name="police_followup")
    employee_role = models.CharField(_("medarbetarens roll"), max_length=20, choices=EmployeeRole.choices,
                                     blank=True)
    court_support = models.CharField(_("stöd från arbetsgivaren i rätten"), max_length=20,
                                     choices=CourtSupport.choices, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("medarbetarens roll i polisärendet")
        verbose_name_plural = _("medarbetarnas roller i polisärenden")

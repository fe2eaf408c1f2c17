"""Police cooperation: the police regions and local police areas
(lokalpolisområden) and which part of the organisation each area covers.

A mapping sits at one organisation node and covers its whole subtree, like a
role assignment; a mapping further down (a unit served by another local
police area than its district) takes precedence there."""
import secrets

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


# --- the cooperation agreement, its meetings and measures ---------------------------------

def _document_path(instance, filename):
    # A random name with no part of the user's file name (as incidents' attachments).
    name = secrets.token_hex(16)
    return f"agreements/{name[:2]}/{name}"


class Rhythm(models.TextChoices):
    MONTHLY = "monthly", _("Varje månad")
    BIMONTHLY = "bimonthly", _("Varannan månad")
    QUARTERLY = "quarterly", _("Varje kvartal")
    TERTIAL = "tertial", _("Varje tertial")
    HALF_YEARLY = "half_yearly", _("Varje halvår")
    YEARLY = "yearly", _("En gång om året")


# The months a rhythm meets in.
RHYTHM_MONTHS = {
    Rhythm.MONTHLY: list(range(1, 13)),
    Rhythm.BIMONTHLY: [2, 4, 6, 8, 10, 12],
    Rhythm.QUARTERLY: [3, 6, 9, 12],
    Rhythm.TERTIAL: [4, 8, 12],
    Rhythm.HALF_YEARLY: [5, 11],
    Rhythm.YEARLY: [11],
}


class Agreement(models.Model):
    """A district's cooperation agreement (samverkansöverenskommelse) with
    its local police area. Its meeting rhythm is a duty in the annual cycle."""
    node = models.ForeignKey(OrgUnit, verbose_name=_("förvaltning"), on_delete=models.PROTECT,
                             related_name="police_agreements")
    area = models.ForeignKey(PoliceArea, verbose_name=_("lokalpolisområde"), on_delete=models.PROTECT,
                             related_name="agreements")
    city_party = models.CharField(_("stadens part"), max_length=200)
    police_party = models.CharField(_("polisens part"), max_length=200)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"))
    city_contact = models.CharField(_("kontaktroll hos staden"), max_length=200)
    police_contact = models.CharField(_("kontaktroll hos polisen"), max_length=200)
    rhythm = models.CharField(_("mötesrytm"), max_length=20, choices=Rhythm.choices)
    meeting_day = models.PositiveSmallIntegerField(_("mötesdag i månaden"), default=15)
    document = models.FileField(_("dokument"), upload_to=_document_path, max_length=200, blank=True)
    document_name = models.CharField(_("filnamn"), max_length=200, blank=True)
    document_type = models.CharField(_("filtyp"), max_length=60, blank=True)
    document_size = models.PositiveIntegerField(_("storlek (byte)"), null=True, blank=True)
    duty = models.OneToOneField("cycle.Duty", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="police_agreement")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node__path", "-valid_from"]
        verbose_name = _("samverkansöverenskommelse")
        verbose_name_plural = _("samverkansöverenskommelser")

    def __str__(self):
        return f"{self.city_party} – {self.police_party}"

    @property
    def meeting_days(self) -> list[str]:
        """The rhythm as the annual cycle's "MM-DD" days."""
        return [f"{month:02d}-{self.meeting_day:02d}" for month in RHYTHM_MONTHS[self.rhythm]]


class Meeting(models.Model):
    """A cooperation meeting under an agreement: the period its pack covers
    and the notes taken."""
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("mötesdatum"))
    period_start = models.DateField(_("lägesbilden från"))
    period_end = models.DateField(_("lägesbilden till"))
    notes = models.TextField(_("anteckningar"), blank=True, max_length=20000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("samverkansmöte")
        verbose_name_plural = _("samverkansmöten")


class Side(models.TextChoices):
    CITY = "city", _("Staden")
    POLICE = "police", _("Polisen")


class Measure(models.Model):
    """A measure agreed at a meeting, with its owner's side and function (as
    text, so that it can go to the police), a deadline and a follow-up
    status like a case's actions."""
    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        DONE = "done", _("Klar")
        CANCELLED = "cancelled", _("Struken")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="measures")
    title = models.CharField(_("åtgärd"), max_length=300)
    side = models.CharField(_("ansvarig part"), max_length=10, choices=Side.choices)
    owner = models.CharField(_("ansvarig funktion"), max_length=200)
    due_date = models.DateField(_("klar senast"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("klar datum"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("åtgärd från samverkan")
        verbose_name_plural = _("åtgärder från samverkan")

    def __str__(self):
        return self.title

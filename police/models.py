"""Police cooperation: the police regions and local police areas
(lokalpolisområden) and which part of the organisation each area covers.

A mapping sits at one organisation node and covers its whole subtree, like a
role assignment; a mapping further down (a unit served by another local
police area than its district) takes precedence there."""
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

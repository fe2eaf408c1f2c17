"""The administrator's pages for police regions, local police areas and
which area serves which part of the organisation. Nothing is deleted; every
change goes to the audit log (organisation.admin.AdminRoleMixin)."""
from django.contrib import admin

from organisation.admin import AdminRoleMixin
from police.models import AreaMapping, PoliceArea, PoliceRegion


@admin.register(PoliceRegion)
class PoliceRegionAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "region__name"]


@admin.register(AreaMapping)
class AreaMappingAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["unit", "area"]
    list_filter = ["area__region", "area"]
    search_fields = ["unit__name", "unit__code", "area__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "area"]

"""Admin for the taxonomies. Labels are editable; codes are fixed once created.
Incidents themselves are not in the admin: administrators see no case content."""
from django.contrib import admin

from incidents.models import Channel, InfluenceForm, Source
from organisation.admin import TaxonomyAdmin

admin.site.register(InfluenceForm, TaxonomyAdmin)
admin.site.register(Channel, TaxonomyAdmin)


@admin.register(Source)
class SourceAdmin(TaxonomyAdmin):
    list_display = TaxonomyAdmin.list_display + ["bypasses_management"]

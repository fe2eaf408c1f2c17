"""Admin for the taxonomies. Labels are editable; codes are fixed once created.
Incidents themselves are not in the admin: administrators see no case content."""
from django.contrib import admin

from incidents.models import Channel, InfluenceForm, OperationArea, Source
from organisation.admin import AdminRoleMixin


class TaxonomyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["label", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["label", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


admin.site.register(InfluenceForm, TaxonomyAdmin)
admin.site.register(Channel, TaxonomyAdmin)
admin.site.register(OperationArea, TaxonomyAdmin)


@admin.register(Source)
class SourceAdmin(TaxonomyAdmin):
    list_display = TaxonomyAdmin.list_display + ["bypasses_management"]

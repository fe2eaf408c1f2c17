"""Django admin (in Swedish) for the organisation tree, users and roles.

Only users with the administrator role reach the admin. Nothing is deleted:
users and organisation nodes are deactivated. Changes go to the audit log.
"""
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from audit.log import diff, record, snapshot
from organisation.models import Headcount, OperationArea, OrgUnit, Role, RoleAssignment, User


def _is_admin(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.has_role(Role.ADMIN))


# The admin is for administrators by role, not by Django's is_staff flag.
admin.site.has_permission = _is_admin


class AdminRoleMixin:
    """Administrators may add and change, never delete; every change is logged."""

    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request, *args):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def _audit_fields(self, obj):
        return [f.name for f in obj._meta.concrete_fields if f.name not in {"password", "last_login", "path"}]

    def save_model(self, request, obj, form, change):
        old = {}
        if change:
            old = snapshot(type(obj).objects.get(pk=obj.pk), self._audit_fields(obj))
        super().save_model(request, obj, form, change)
        new = snapshot(obj, self._audit_fields(obj))
        action = f"{obj._meta.model_name}.{'change' if change else 'create'}"
        changes = diff(old, new)
        if changes:
            record(request.user, action, obj, changes=changes)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form.has_changed():
                inline_form._audit_old = snapshot(
                    type(inline_form.instance).objects.get(pk=inline_form.instance.pk),
                    self._audit_fields(inline_form.instance),
                )
        instances = formset.save()
        for obj in instances:
            old = next((f._audit_old for f in formset.forms
                        if f.instance.pk == obj.pk and hasattr(f, "_audit_old")), {})
            changes = diff(old, snapshot(obj, self._audit_fields(obj)))
            if changes:
                record(request.user, f"{obj._meta.model_name}.{'change' if old else 'create'}",
                       obj, changes=changes)


class HeadcountInline(admin.TabularInline):
    model = Headcount
    extra = 1

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "operation_area", "active"]
    list_filter = ["kind", "active", "operation_area"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [HeadcountInline]
    actions = ["deactivate"]

    @admin.display(description=_("namn"), ordering="path")
    def indented_name(self, obj):
        return ("· " * obj.depth) + obj.name

    @admin.action(description=_("Inaktivera markerade enheter"))
    def deactivate(self, request, queryset):
        for node in queryset:
            if node.active:
                node.active = False
                node.save(update_fields=["active"])
                record(request.user, "orgunit.change", node, changes={"active": [True, False]})
        self.message_user(request, _("Enheterna är inaktiverade."), messages.SUCCESS)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 1
    autocomplete_fields = ["node"]
    fields = ["role", "node", "active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AdminRoleMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "assignments__role"]
    inlines = [RoleAssignmentInline]
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "phone", "gender")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    @admin.action(description=_("Inaktivera markerade användare"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            record(request.user, "user.change", user, changes={"is_active": [True, False]})
        self.message_user(request, _("Användarna är inaktiverade."), messages.SUCCESS)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["user", "role", "node", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "node__name"]
    autocomplete_fields = ["user", "node"]


class TaxonomyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["label", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["label", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


admin.site.register(OperationArea, TaxonomyAdmin)

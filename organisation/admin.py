"""Django admin (in Swedish) for the organisation tree, users and roles.

Only users with the administrator role reach the admin. Nothing is deleted:
users and organisation nodes are deactivated. Changes go to the audit log.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.log import diff, record, snapshot
from organisation.models import (
    GroupRoleMapping,
    Headcount,
    OperationArea,
    OrgUnit,
    Role,
    RoleAssignment,
    User,
)
from organisation.tree import tree_order


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


def _name_widget(field, name):
    """Give a form field's input an accessible name where the admin renders
    it without a <label> (list_editable columns, tabular inline rows). The
    admin wraps relation widgets; the name belongs on the input itself. The
    autocomplete boxes take it from there (varn/js/admin.js)."""
    widget = getattr(field.widget, "widget", field.widget)
    widget.attrs["aria-label"] = name


class AdminInline(admin.TabularInline):
    """A table of related rows in a change page. Its permissions follow the
    administrator role like the page around it (Django's defaults would ask
    for model permissions nobody has and hide the table), and every input is
    named by its column."""

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request, obj=None):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            _name_widget(field, capfirst(field.label))
        return field


class HeadcountInline(AdminInline):
    model = Headcount
    extra = 1


@admin.register(OrgUnit)
class OrgUnitAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "operation_area", "active"]
    list_filter = ["kind", "active", "operation_area"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [HeadcountInline]
    actions = ["deactivate"]

    def get_ordering(self, request):
        """The tree with siblings in alphabetical order (paths hold pks, so
        ordering by path gives the order of creation). Django uses this order
        for the boxes that pick a unit on other admin pages too."""
        rows = OrgUnit.objects.order_by().values_list("pk", "path", "name")
        ranks = [When(pk=pk, then=Value(rank)) for rank, (pk, _path, _name) in enumerate(
            tree_order(rows, path=lambda r: r[1], name=lambda r: r[2]))]
        if not ranks:
            return ["path"]
        return [Case(*ranks, default=Value(len(ranks)), output_field=IntegerField()).asc()]

    @admin.display(description=_("namn"))
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


class RoleAssignmentInline(AdminInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 1
    autocomplete_fields = ["node"]
    fields = ["role", "node", "active", "source"]
    readonly_fields = ["source"]


@admin.register(User)
class UserAdmin(AdminRoleMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "employee_number", "is_active"]
    list_filter = ["is_active", "assignments__role"]
    search_fields = ["username", "first_name", "last_name", "email", "employee_number"]
    autocomplete_fields = ["manager"]
    inlines = [RoleAssignmentInline]
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "phone", "gender")}),
        (_("Anställning"), {"fields": ("employee_number", "manager", "employment_end", "oidc_subject")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined", "oidc_subject"]

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
    readonly_fields = ["source"]


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(AdminRoleMixin, admin.ModelAdmin):
    """Which group at the identity provider gives which role where. A row
    made inactive takes the role away at each member's next sign-in."""
    list_display = ["group", "role", "node", "active"]
    list_filter = ["role", "active"]
    search_fields = ["group", "node__name", "node__code"]
    autocomplete_fields = ["node"]


class NamedRowForm(forms.ModelForm):
    """A row of a list with editable columns. The list has no <label>s, so
    each input is named by its column and its row: "Ordning för Hot"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _name_widget(field, gettext("%(field)s för %(row)s") % {
                "field": capfirst(field.label), "row": self.instance})


class TaxonomyAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["label", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    search_fields = ["label", "code"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, **{"form": NamedRowForm, **kwargs})

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


admin.site.register(OperationArea, TaxonomyAdmin)

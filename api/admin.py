"""The administrator's pages for integrations: integration accounts (users
that are systems, with role assignments like a person) and their API tokens.

A token is issued on its add page and shown once, on the page that answers
the form; only its digest is stored. Tokens are never edited or deleted:
they expire, or the administrator revokes them. Every change is audited.
"""
from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken, IntegrationAccount, IntegrationProfile
from audit.log import record
from organisation.admin import AdminInline, AdminRoleMixin, RoleAssignmentInline, _is_admin


class IntegrationAccountForm(forms.ModelForm):
    purpose = forms.CharField(label=_("Vad kontot används till"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = IntegrationAccount
        fields = ["username", "first_name", "email", "is_active"]
        labels = {"username": _("Kontonamn"), "first_name": _("Namn"), "email": _("Kontaktadress")}
        help_texts = {
            "username": _("Ett kort namn utan mellanslag, till exempel hr-systemet."),
            "first_name": _("Visas i granskningsloggen, till exempel ”HR-systemet”."),
            "email": _("Vart frågor om integrationen ska gå (frivilligt)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = getattr(self.instance, "integration", None) if self.instance.pk else None
        if profile is not None:
            self.fields["purpose"].initial = profile.purpose


class TokenInline(AdminInline):
    model = ApiToken
    fk_name = "account"
    extra = 0
    show_change_link = True  # each row links to its token's page (and the table can be scrolled by keyboard)
    fields = ["name", "state_label", "expires_at", "last_used_at"]
    readonly_fields = fields
    verbose_name_plural = _("API-token (utfärda nya under API-token)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("läge"))
    def state_label(self, obj):
        return obj.get_state_display()


@admin.register(IntegrationAccount)
class IntegrationAccountAdmin(AdminRoleMixin, admin.ModelAdmin):
    form = IntegrationAccountForm
    list_display = ["username", "first_name", "is_active"]
    search_fields = ["username", "first_name"]
    inlines = [RoleAssignmentInline, TokenInline]
    fieldsets = ((None, {"fields": ["username", "first_name", "email", "purpose", "is_active"]}),)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else [RoleAssignmentInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()  # a system calls the API with a token; it never logs in
        super().save_model(request, obj, form, change)
        profile, created = IntegrationProfile.objects.get_or_create(user=obj)
        if created or profile.purpose != form.cleaned_data["purpose"]:
            old = "" if created else profile.purpose
            profile.purpose = form.cleaned_data["purpose"]
            profile.save()
            record(request.user, "integration.purpose", obj, changes={"purpose": [old, profile.purpose]})


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["account", "name", "expires_at"]
        help_texts = {"expires_at": _("Token slutar gälla då. Utfärda en ny innan dess.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "account" in self.fields:  # the read-only page of an issued token has no inputs
            self.fields["account"].queryset = IntegrationAccount.objects.filter(is_active=True).order_by("username")

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Välj en tidpunkt i framtiden."))
        if value.year > timezone.now().year + 5:
            raise forms.ValidationError(_("En token får gälla högst fem år."))
        return value


class StateFilter(admin.SimpleListFilter):
    title = _("läge")
    parameter_name = "lage"

    def lookups(self, request, model_admin):
        return [("active", _("Gäller")), ("expired", _("Har gått ut")), ("revoked", _("Återkallad"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = TokenForm
    list_display = ["name", "account", "hint", "state_label", "expires_at", "last_used_at"]
    list_filter = [StateFilter]
    search_fields = ["name", "account__username", "account__first_name"]
    readonly_fields = ["account", "name", "hint", "state_label", "created_at", "created_by", "expires_at",
                       "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return _is_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request)

    def has_add_permission(self, request):
        return _is_admin(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is never edited: it expires or is revoked

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    @admin.display(description=_("läge"))
    def state_label(self, obj):
        return obj.get_state_display()

    def save_model(self, request, obj, form, change):
        row, token = ApiToken.issue(form.cleaned_data["account"], form.cleaned_data["name"],
                                    form.cleaned_data["expires_at"], created_by=request.user)
        obj.pk, obj.hint, obj.created_at = row.pk, row.hint, row.created_at
        obj._state.adding = False
        request._issued_token = token
        record(request.user, "api_token.create", row, changes={
            "account": [None, str(row.account_id)], "name": [None, row.name], "expires_at": [None, row.expires_at]})

    def response_add(self, request, obj, post_url_continue=None):
        """The one time the token is shown: on this page, never stored."""
        return TemplateResponse(request, "api/token_created.html", {
            **self.admin_site.each_context(request), "token": request._issued_token, "row": obj,
            "title": _("Token är utfärdad"), "opts": self.model._meta,
        })

    @admin.action(description=_("Återkalla markerade token"))
    def revoke(self, request, queryset):
        now = timezone.now()
        for row in queryset.filter(revoked_at__isnull=True):
            ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=now)
            record(request.user, "api_token.revoke", row, changes={"revoked_at": [None, now]})
        self.message_user(request, _("Token är återkallade. De fungerar inte längre."), messages.SUCCESS)

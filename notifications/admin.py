"""The administrators can see which reminders went out (keys say what they
were about: no case content); nothing can be added or changed here."""
from django.contrib import admin

from notifications.models import SentReminder
from organisation.admin import AdminRoleMixin


@admin.register(SentReminder)
class SentReminderAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["key", "recipient", "sent_at"]
    readonly_fields = ["key", "recipient", "sent_at"]
    search_fields = ["key", "recipient"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Administration of the knowledge bank: mainly for assigning owners and review
dates in bulk. Saves go through knowledge.services.save_article, so the
admin also leaves a version and an audit entry."""
from django.contrib import admin

from knowledge.models import Article, ArticleVersion
from knowledge.services import save_article
from organisation.admin import AdminRoleMixin


class ArticleVersionInline(AdminRoleMixin, admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "created_at", "author", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["title", "topic", "slug", "owner", "next_review", "updated_at"]
    list_filter = ["topic", "next_review"]
    search_fields = ["title", "slug", "body"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    inlines = [ArticleVersionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "updated_at", "updated_by"] if obj else ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        save_article(obj, request.user, note="Ändrad i administrationen")

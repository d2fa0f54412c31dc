"""Read-only admin views of the library: writes go through standards.services (import, publish)."""
from django.contrib import admin

from .models import Clause, ClauseRevision, Standard, StandardVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = StandardVersion
    fields = ["label", "effective_on", "status", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "unit", "current_version", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "title", "issuer"]
    list_select_related = ["unit", "current_version"]
    inlines = [VersionInline]


@admin.register(ClauseRevision)
class ClauseRevisionAdmin(ReadOnlyAdmin):
    list_display = ["clause", "heading", "version", "change"]
    list_filter = ["change"]
    search_fields = ["clause__code", "heading", "body"]
    list_select_related = ["clause", "version__standard"]


@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ["code", "standard", "created_at"]
    search_fields = ["code"]
    list_select_related = ["standard"]

"""Read-only admin views of the question bank: writes go through learning.services (the manager
pages, imports), which keep versions immutable and every answer pointing at its version."""
from django.contrib import admin

from .models import Answer, Bank, Question, QuestionVersion, Tag


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = QuestionVersion
    fields = ["number", "type", "stem", "answer", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bank)
class BankAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "unit", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["unit"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "bank", "status", "pool", "current", "updated_at"]
    list_filter = ["status", "pool", "bank"]
    search_fields = ["code", "current__stem"]
    list_select_related = ["bank", "current__question"]
    inlines = [VersionInline]


@admin.register(QuestionVersion)
class QuestionVersionAdmin(ReadOnlyAdmin):
    list_display = ["question", "number", "type", "difficulty", "red_line", "created_by", "created_at"]
    list_filter = ["type", "red_line", "difficulty"]
    search_fields = ["question__code", "stem"]
    list_select_related = ["question", "created_by"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    search_fields = ["name"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["staff", "question", "version", "mode", "is_correct", "answered_at"]
    list_filter = ["mode", "is_correct"]
    search_fields = ["staff__employee_no", "question__code"]
    list_select_related = ["staff", "question", "version__question"]
    date_hierarchy = "answered_at"

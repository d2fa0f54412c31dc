"""The kinds of outlet facility and their 配备标准 are configuration data: system administrators keep them
here. The outlets' own records are kept on the register pages (/manage/inspections/facilities/)."""
from django.contrib import admin

from .models import FacilityKind


@admin.register(FacilityKind)
class FacilityKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "measure", "required_grades", "sort_order", "is_active")
    list_editable = ("required_grades", "sort_order", "is_active")
    search_fields = ("code", "name")

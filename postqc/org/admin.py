from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Outlet, OutletGradeChange, Staff, StaffRole, Unit, Vehicle


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["depth"]

    def has_change_permission(self, request, obj=None):
        # The tree's closure rows are kept by org.services; edit structure on /manage/units/.
        return False

    def has_add_permission(self, request):
        return False


class GradeChangeInline(admin.TabularInline):
    model = OutletGradeChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_grade", "to_grade", "effective_on", "reason", "recorded_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "grade", "area_type", "operation", "status"]
    list_filter = ["grade", "area_type", "operation", "status"]
    search_fields = ["code", "name", "address"]
    list_select_related = ["unit"]
    readonly_fields = ["grade"]
    inlines = [GradeChangeInline]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    ordering = ["employee_no"]
    list_display = ["employee_no", "name", "unit", "outlet", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role_links__role"]
    search_fields = ["employee_no", "name", "phone"]
    list_select_related = ["unit", "outlet"]
    raw_id_fields = ["unit", "outlet"]
    inlines = [StaffRoleInline]
    fieldsets = [
        (None, {"fields": ["employee_no", "password"]}),
        ("资料", {"fields": ["name", "phone", "unit", "outlet"]}),
        ("状态", {"fields": ["is_active", "must_change_password", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["employee_no", "name", "unit", "password1", "password2"]})]
    filter_horizontal = []


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate_no", "ownership", "vehicle_type", "unit", "courier", "is_active"]
    list_filter = ["ownership", "vehicle_type", "is_active"]
    search_fields = ["plate_no", "courier__name"]
    list_select_related = ["unit", "courier"]
    raw_id_fields = ["unit", "courier"]

"""/manage/ URLs of units, outlets, staff and vehicles; records are addressed by their public codes."""
from django.urls import path

from .views.manage import outlets, staff, units, vehicles

urlpatterns = [
    path("units/", units.unit_list, name="unit_list"),
    path("units/new/", units.unit_create, name="unit_create"),
    path("units/<str:code>/", units.unit_detail, name="unit_detail"),
    path("units/<str:code>/edit/", units.unit_edit, name="unit_edit"),
    path("units/<str:code>/deactivate/", units.unit_deactivate, name="unit_deactivate"),
    path("units/<str:code>/reactivate/", units.unit_reactivate, name="unit_reactivate"),
    path("outlets/", outlets.outlet_list, name="outlet_list"),
    path("outlets/new/", outlets.outlet_create, name="outlet_create"),
    path("outlets/<str:code>/", outlets.outlet_detail, name="outlet_detail"),
    path("outlets/<str:code>/edit/", outlets.outlet_edit, name="outlet_edit"),
    path("outlets/<str:code>/grade/", outlets.outlet_grade_change, name="outlet_grade_change"),
    path("outlets/<str:code>/status/", outlets.outlet_status, name="outlet_status"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<str:employee_no>/", staff.staff_detail, name="staff_detail"),
    path("staff/<str:employee_no>/edit/", staff.staff_edit, name="staff_edit"),
    path("staff/<str:employee_no>/deactivate/", staff.staff_deactivate, name="staff_deactivate"),
    path("staff/<str:employee_no>/reactivate/", staff.staff_reactivate, name="staff_reactivate"),
    path("staff/<str:employee_no>/password/", staff.staff_reset_password, name="staff_reset_password"),
    path("vehicles/", vehicles.vehicle_list, name="vehicle_list"),
    path("vehicles/new/", vehicles.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:pk>/", vehicles.vehicle_edit, name="vehicle_edit"),
    path("vehicles/<int:pk>/deactivate/", vehicles.vehicle_deactivate, name="vehicle_deactivate"),
    path("vehicles/<int:pk>/reactivate/", vehicles.vehicle_reactivate, name="vehicle_reactivate"),
]

"""Reads of the organisation that span relations. Every one is scoped."""
from django.db.models import Count, Q

from postqc.core.access import scoped

from .models import Outlet, Staff, StaffRole, Unit, Vehicle
from .roles import Role


def org_overview(user) -> dict:
    """Counts for the management landing page: outlets by grade/area/status, staff by role."""
    outlets = scoped(Outlet.objects.all(), user)
    by_grade = dict(outlets.exclude(status=Outlet.Status.CLOSED).values_list("grade").annotate(n=Count("id")))
    by_area = dict(outlets.exclude(status=Outlet.Status.CLOSED).values_list("area_type").annotate(n=Count("id")))
    outlet_totals = outlets.aggregate(
        open=Count("id", filter=Q(status=Outlet.Status.OPEN)),
        suspended=Count("id", filter=Q(status=Outlet.Status.SUSPENDED)),
        closed=Count("id", filter=Q(status=Outlet.Status.CLOSED)),
    )
    staff = scoped(Staff.objects.filter(is_active=True), user)
    by_role = dict(
        scoped(StaffRole.objects.filter(staff__is_active=True), user).values_list("role").annotate(n=Count("id"))
    )
    return {
        "units": scoped(Unit.objects.filter(is_active=True), user).count(),
        "outlets": outlet_totals,
        "outlets_by_grade": [(label, by_grade.get(value, 0)) for value, label in Outlet.Grade.choices],
        "outlets_by_area": [(label, by_area.get(value, 0)) for value, label in Outlet.AreaType.choices],
        "staff": staff.count(),
        "staff_by_role": [(label, by_role.get(value, 0)) for value, label in Role.choices],
        "vehicles": scoped(Vehicle.objects.filter(is_active=True), user).count(),
    }

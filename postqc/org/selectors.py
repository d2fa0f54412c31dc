"""Reads of the organisation that span relations. Every one is scoped."""
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from postqc.core.access import scoped

from .models import Outlet, Staff, StaffRole, Unit, UnitClosure, Vehicle
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


# --- The /manage/ lists: one scoped queryset each, filters applied, ready to paginate ---------


def units_under(unit: Unit):
    """A subquery of the ids of `unit` and every unit below it."""
    return UnitClosure.objects.filter(ancestor=unit).values("descendant_id")


def _count_below(model, **filters):
    """Per unit row: how many `model` rows sit at the unit or below it."""
    rows = (model.objects.filter(unit__ancestor_links__ancestor_id=OuterRef("pk"), **filters)
            .order_by().values("unit__ancestor_links__ancestor_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows), 0)


def unit_list(user, *, q: str = "", kind: str = "", active: bool | None = None, under: Unit | None = None):
    """Units in the user's subtree with their parent and the open outlets and active staff below each."""
    qs = scoped(Unit.objects.select_related("parent"), user).annotate(
        outlet_count=_count_below(Outlet, status__in=[Outlet.Status.OPEN, Outlet.Status.SUSPENDED]),
        staff_count=_count_below(Staff, is_active=True),
    )
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q) | Q(phone__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    if under is not None:
        qs = qs.filter(pk__in=units_under(under))
    return qs


def outlet_list(user, *, q: str = "", unit: Unit | None = None, grade: str = "", area_type: str = "",
                operation: str = "", status: str = ""):
    """Outlets in the user's subtree, each with its unit and its number of active staff."""
    qs = scoped(Outlet.objects.select_related("unit"), user).annotate(
        staff_count=Count("staff", filter=Q(staff__is_active=True)),
    )
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(address__icontains=q) | Q(phone__icontains=q))
    if unit is not None:
        qs = qs.filter(unit__in=units_under(unit))
    for field, value in (("grade", grade), ("area_type", area_type), ("operation", operation), ("status", status)):
        if value:
            qs = qs.filter(**{field: value})
    return qs


def staff_list(user, *, q: str = "", unit: Unit | None = None, role: str = "", active: bool | None = None):
    """People in the user's subtree with unit, outlet and roles loaded (no query per row)."""
    qs = scoped(Staff.objects.select_related("unit", "outlet").prefetch_related("role_links"), user)
    if q:
        qs = qs.filter(Q(employee_no__icontains=q) | Q(name__icontains=q) | Q(phone__icontains=q))
    if unit is not None:
        qs = qs.filter(unit__in=units_under(unit))
    if role:
        qs = qs.filter(role_links__role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def vehicle_list(user, *, q: str = "", ownership: str = "", vehicle_type: str = "", unit: Unit | None = None,
                 active: bool | None = None):
    """Vehicles in the user's subtree with their unit and courier loaded."""
    qs = scoped(Vehicle.objects.select_related("unit", "courier"), user)
    if q:
        qs = qs.filter(Q(plate_no__icontains=q) | Q(courier__name__icontains=q) | Q(courier__employee_no__icontains=q))
    if ownership:
        qs = qs.filter(ownership=ownership)
    if vehicle_type:
        qs = qs.filter(vehicle_type=vehicle_type)
    if unit is not None:
        qs = qs.filter(unit__in=units_under(unit))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def in_tree_order(units) -> list[Unit]:
    """`units` depth-first (each parent before its children, siblings by sort order and code), each
    with `tree_level`: its depth below the shallowest unit given. One pass, no further queries."""
    units = list(units)
    by_id = {u.pk: u for u in units}
    keys: dict[int, tuple] = {}

    def key(u: Unit) -> tuple:
        if u.pk not in keys:
            parent = by_id.get(u.parent_id)
            keys[u.pk] = (key(parent) if parent else ()) + ((u.sort_order, u.code),)
        return keys[u.pk]

    ordered = sorted(units, key=key)
    for u in ordered:
        u.tree_level = len(keys[u.pk]) - 1
    return ordered


def unit_path(unit: Unit, user) -> list[Unit]:
    """The unit's ancestors inside the user's subtree, top first (the breadcrumb), excluding the unit."""
    ids = UnitClosure.objects.filter(descendant=unit, depth__gt=0).values("ancestor_id")
    return list(scoped(Unit.objects.filter(pk__in=ids), user).order_by("depth"))

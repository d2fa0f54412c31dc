"""/api/v1/ endpoints of the organisation: the signed-in person and the outlets of their subtree."""
from datetime import date
from typing import Annotated

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from postqc.api.pagination import Pages
from postqc.core.access import get_scoped_or_404, scoped

from .models import Outlet, UnitClosure

router = Router(tags=["org"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str


class MeOut(Schema):
    employee_no: str
    name: str
    phone: str
    unit: UnitOut
    outlet_code: str | None = Field(None, alias="outlet.code")
    roles: list[str]
    must_change_password: bool

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.roles)


class OutletOut(Schema):
    code: str
    name: str
    unit_code: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name")
    grade: str
    area_type: str
    operation: str
    address: str
    latitude: float | None
    longitude: float | None
    phone: str
    open_days_per_week: int
    services: list[str]
    status: str


class GradeChangeOut(Schema):
    from_grade: str
    to_grade: str
    effective_on: date
    reason: str


class OutletDetailOut(OutletOut):
    grade_history: list[GradeChangeOut] = Field(..., alias="grade_changes")

    @staticmethod
    def resolve_grade_history(obj):
        return list(obj.grade_changes.all())


class OutletFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["code__icontains", "name__icontains", "address__icontains"])] = Field(
        None, description="Search code, name or address")
    unit: str | None = Field(None, description="Unit code: only outlets at or under this unit")
    grade: Outlet.Grade | None = None
    area_type: Outlet.AreaType | None = None
    operation: Outlet.Operation | None = None
    status: Outlet.Status | None = None

    def filter_unit(self, code: str | None) -> Q:
        if not code:
            return Q()
        return Q(unit__in=UnitClosure.objects.filter(ancestor__code=code).values("descendant_id"))


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest):
    return request.user


@router.get("/outlets", response=list[OutletOut], summary="Outlets in my unit's subtree")
@paginate(Pages, page_size=50, max_page_size=200)
def list_outlets(request: HttpRequest, filters: Query[OutletFilter]):
    """Ordered by code, `page` / `page_size` (≤ 200); a unit outside your subtree simply matches nothing."""
    return filters.filter(scoped(Outlet.objects.select_related("unit"), request.user)).order_by("code")


@router.get("/outlets/{code}", response=OutletDetailOut, summary="One outlet with its grade history")
def get_outlet(request: HttpRequest, code: str):
    try:
        return get_scoped_or_404(
            Outlet.objects.select_related("unit").prefetch_related("grade_changes"), request.user, code=code
        )
    except Http404:
        raise Http404(f"No outlet {code!r} in your unit's subtree; list them with GET /api/v1/outlets.") from None

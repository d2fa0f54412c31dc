"""Excel export of units, outlets and staff in the import layout, so an export re-imports as is.

Every sheet reads through `core.access.scoped` (the user's subtree); `user=None`
is the system (the `export_org` command without --as) and exports everything.
Each sheet is one query (staff: two, for their roles) streamed into a
write-only workbook, however many rows there are.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.excel import SheetSpec, write_template, write_workbook

from .importers import ORG_SHEETS, OUTLET_SHEET, STAFF_SHEET, UNIT_SHEET, VEHICLE_SHEET
from .models import Outlet, Staff, StaffRole, Unit, Vehicle
from .roles import Role

EXPORTS = ("all", "units", "outlets", "staff", "vehicles")
CHUNK = 2000


def _visible(queryset: QuerySet, user: Staff | None) -> QuerySet:
    return queryset if user is None else scoped(queryset, user)


def _units(user: Staff | None) -> Iterator[dict]:
    rows = (_visible(Unit.objects.all(), user)
            .order_by("depth", "sort_order", "code")  # parents before children
            .values("code", "name", "kind", "parent__code", "sort_order", "address", "phone"))
    for row in rows.iterator(chunk_size=CHUNK):
        row["parent"] = row.pop("parent__code") or ""
        yield row


def _outlets(user: Staff | None) -> Iterator[dict]:
    fields = [c.field for c in OUTLET_SHEET.columns if c.field != "unit"]
    rows = _visible(Outlet.objects.all(), user).order_by("code").values(*fields, "unit__code")
    for row in rows.iterator(chunk_size=CHUNK):
        row["unit"] = row.pop("unit__code")
        yield row


def _vehicles(user: Staff | None) -> Iterator[dict]:
    rows = (_visible(Vehicle.objects.all(), user).order_by("plate_no")
            .values("plate_no", "ownership", "vehicle_type", "unit__code", "courier__employee_no", "acquired_on",
                    "is_active"))
    for row in rows.iterator(chunk_size=CHUNK):
        row["unit"], row["courier"] = row.pop("unit__code"), row.pop("courier__employee_no") or ""
        yield row


def _staff(user: Staff | None) -> Iterator[dict]:
    people = _visible(Staff.objects.all(), user)
    order = {role: i for i, role in enumerate(Role.values)}
    roles: dict[int, list[str]] = defaultdict(list)
    for staff_id, role in StaffRole.objects.filter(staff__in=people.values("pk")).values_list("staff_id", "role"):
        roles[staff_id].append(role)
    rows = people.order_by("employee_no").values("pk", "employee_no", "name", "phone", "unit__code",
                                                 "outlet__code", "is_active")
    for row in rows.iterator(chunk_size=CHUNK):
        yield {
            "employee_no": row["employee_no"], "name": row["name"], "phone": row["phone"],
            "unit": row["unit__code"], "outlet": row["outlet__code"] or "", "is_active": row["is_active"],
            "roles": sorted(roles.get(row["pk"], ()), key=order.__getitem__),
        }


def org_export(target: str | os.PathLike | IO[bytes], *, user: Staff | None, what: str = "all") -> None:
    """Write the units / outlets / staff / vehicles `user` may see (what = all|units|outlets|staff|vehicles)
    to `target`."""
    if what not in EXPORTS:
        raise ValueError(f"what must be one of {', '.join(EXPORTS)}")
    sheets: list[tuple[SheetSpec, Iterator[dict]]] = []
    if what in ("all", "units"):
        sheets.append((UNIT_SHEET, _units(user)))
    if what in ("all", "outlets"):
        sheets.append((OUTLET_SHEET, _outlets(user)))
    if what in ("all", "staff"):
        sheets.append((STAFF_SHEET, _staff(user)))
    if what in ("all", "vehicles"):
        sheets.append((VEHICLE_SHEET, _vehicles(user)))
    write_workbook(target, sheets)


def org_export_filename(user: Staff | None, what: str) -> str:
    label = {"all": _("组织机构"), "units": _("单位"), "outlets": _("网点"), "staff": _("员工"),
             "vehicles": _("车辆")}[what]
    where = user.unit.code if user is not None else _("全部")
    return f"{label}_{where}_{timezone.localdate():%Y%m%d}.xlsx"


def org_template(target: str | os.PathLike | IO[bytes]) -> None:
    """The blank import template with an example row per sheet and a 说明 sheet."""
    write_template(target, ORG_SHEETS, title=_("组织机构导入模板（单位、网点、员工、车辆）"))

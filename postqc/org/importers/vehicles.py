"""The 车辆 sheet: checking vehicle rows (a 自备公助 vehicle names its courier, an active 投递员 at or
under the vehicle's unit once the file's 员工 rows are in) and writing them through the services."""
from __future__ import annotations

from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, ParsedRow, ParsedSheet

from ..models import Vehicle
from ..roles import Capability, Role
from ..services import vehicle_create, vehicle_set_active, vehicle_update
from .base import _ImportBase, _Plan


class _VehicleSteps(_ImportBase):
    def check_vehicles(self, sheet: ParsedSheet) -> None:
        h = sheet.spec.header_of
        simple = ("ownership", "vehicle_type", "acquired_on", "is_active")
        for plan, existing, unit in self.scoped_rows(sheet, "plate_no", self.vehicles, _("车辆")):
            row = plan.row
            if existing is not None:
                self.update_plan(plan, existing, unit, simple)
                courier = existing.courier.employee_no if existing.courier_id else ""
                if "courier" in row.values and row.values["courier"] != courier:
                    plan.changes["courier"] = courier = row.values["courier"]
                ownership = plan.changes.get("ownership", existing.ownership)
                unit = unit or self.unit_code_of(existing.unit_id)
                courier_checked = bool({"courier", "unit"} & plan.changes.keys())
            else:
                plan.values = {f: sheet.get(row, f) for f in (*simple, "unit", "courier")}
                ownership, courier, courier_checked = plan.values["ownership"], plan.values["courier"] or "", True
            if not courier and ownership == Vehicle.Ownership.SUBSIDISED:
                row.error(h("courier"), _("自备公助车辆须填写使用投递员工号"))
            elif courier and courier_checked and unit:
                self.check_courier(row, h("courier"), courier, unit, plan)
            self.keep("车辆", plan, Capability.EDIT_STAFF, h("plate_no"), _("你的角色不能新建或修改车辆"))
        self.check_dependencies("车辆", {"单位": h("unit"), "员工": h("courier")})

    def check_courier(self, row: ParsedRow, header: str, code: str, unit: str, plan: _Plan) -> None:
        """The courier named must be, after this import, an active 投递员 at or under `unit`."""
        person = self.staff.get(code)
        if person is not None and person.unit_id not in self.units_by_id:
            row.error(header, self.out_of_scope(_("员工"), code))
            return
        if person is None and code in self.first_row["员工"]:
            plan.depends_on.append(("员工", code))  # a bad row there is reported by check_dependencies
            if not self.first_row["员工"][code].ok:
                return
        after = self.staff_after(code)
        if after is None:
            row.error(header, _("工号“%(code)s”不存在（系统中和本文件的员工表中都没有）") % {"code": code})
            return
        their_unit, roles, active = after
        if not active:
            row.error(header, _("%(code)s 已停用，不能分配车辆") % {"code": code})
        elif Role.COURIER not in roles:
            row.error(header, _("%(code)s 不是投递员") % {"code": code})
        elif not self.at_or_below(their_unit, unit):
            row.error(header, _("%(code)s 属于单位 %(theirs)s，不在车辆所属单位 %(unit)s 之下") % {
                "code": code, "theirs": their_unit, "unit": unit})

    def write_vehicles(self, report: ImportReport) -> None:
        counts = report.counts("车辆")
        plans = self.good("车辆")
        for plan in plans:
            if plan.existing is not None:
                continue
            v = plan.values
            vehicle = vehicle_create(plate_no=plan.code, ownership=v["ownership"], vehicle_type=v["vehicle_type"],
                                     unit=self.unit(v["unit"]), courier=self.person(v["courier"]),
                                     acquired_on=v["acquired_on"])
            if not v["is_active"]:
                vehicle_set_active(vehicle=vehicle, active=False)
            counts.created += 1
            self.step()
        self.write_changes(plans, counts, self.update_vehicle)

    def update_vehicle(self, plan: _Plan) -> None:
        changes = dict(plan.changes)
        active = changes.pop("is_active", None)
        if "unit" in changes:
            changes["unit"] = self.unit(changes["unit"])
        if "courier" in changes:
            changes["courier"] = self.person(changes["courier"])
        vehicle = plan.existing
        if changes:
            vehicle_update(vehicle=vehicle, **changes)
        if active is not None:
            vehicle_set_active(vehicle=vehicle, active=active)

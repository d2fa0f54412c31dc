"""The 网点 sheet: checking outlet rows (hours, closures, grades) and writing them."""
from __future__ import annotations

from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, ParsedSheet

from ..models import Outlet, OutletGradeChange
from ..roles import Capability
from ..services import outlet_change_grade, outlet_set_status, outlet_update
from .base import BATCH_SIZE, _changes, _ImportBase, _Plan


class _OutletSteps(_ImportBase):
    def check_outlets(self, sheet: ParsedSheet) -> None:
        h = sheet.spec.header_of
        simple = ("name", "area_type", "operation", "address", "latitude", "longitude", "phone",
                  "open_days_per_week", "opens_at", "closes_at", "services")
        for plan, existing, unit in self.scoped_rows(sheet, "code", self.outlets, _("网点")):
            row = plan.row
            if existing is not None:
                self.update_plan(plan, existing, unit, simple)
                plan.changes.update(_changes(row, existing, ("grade", "status", "status_note")))
                effective = {f: row.values.get(f, getattr(existing, f))
                             for f in ("opens_at", "closes_at", "status", "status_note")}
                status_touched = bool({"status", "status_note"} & plan.changes.keys())
            else:
                plan.values = {f: sheet.get(row, f) for f in (*simple, "unit", "grade", "status", "status_note")}
                plan.values["services"] = list(plan.values["services"])
                effective = plan.values
                status_touched = True
            if effective["opens_at"] and effective["closes_at"] and effective["opens_at"] >= effective["closes_at"]:
                row.error(h("closes_at"), _("关门时间应晚于开门时间"))
            if status_touched and effective["status"] == Outlet.Status.CLOSED and not effective["status_note"].strip():
                row.error(h("status_note"), _("撤并普服网点须经批准，请填写批准文号或说明"))
            self.keep("网点", plan, Capability.EDIT_OUTLETS, h("code"), _("你的角色不能新建或修改网点"))
        self.check_dependencies("网点", {"单位": h("unit")})

    def write_outlets(self, report: ImportReport) -> None:
        counts = report.counts("网点")
        plans = self.good("网点")
        created = []
        for plan in plans:
            if plan.existing is None:
                values = dict(plan.values)
                outlet = Outlet(code=plan.code, **{**values, "unit": self.unit(values["unit"])})
                self.outlets[plan.code] = outlet
                created.append(outlet)
        Outlet.objects.bulk_create(created, batch_size=BATCH_SIZE)
        OutletGradeChange.objects.bulk_create(
            (OutletGradeChange(outlet=o, from_grade="", to_grade=o.grade, effective_on=self.today,
                               reason=_("Excel 导入建档"), recorded_by=self.actor) for o in created),
            batch_size=BATCH_SIZE,
        )
        counts.created = len(created)
        self.step(len(created))
        self.write_changes(plans, counts, self.update_outlet)

    def update_outlet(self, plan: _Plan) -> None:
        changes = dict(plan.changes)
        outlet = plan.existing
        if "grade" in changes:
            outlet_change_grade(outlet=outlet, to_grade=changes.pop("grade"), effective_on=self.today,
                                reason=_("Excel 导入"), actor=self.actor)
        status, note = changes.pop("status", outlet.status), changes.pop("status_note", outlet.status_note)
        if "unit" in changes:
            changes["unit"] = self.unit(changes["unit"])
        if changes:
            outlet_update(outlet=outlet, actor=self.actor, **changes)
        if (status, note) != (outlet.status, outlet.status_note):
            outlet_set_status(outlet=outlet, status=status, note=note)

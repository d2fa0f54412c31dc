"""The 单位 sheet: checking unit rows (no moves, no loops) and writing them."""
from __future__ import annotations

from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, ParsedSheet

from ..models import Unit
from ..roles import Capability
from ..services import unit_update, units_bulk_create
from .base import _changes, _ImportBase, _Plan


class _UnitSteps(_ImportBase):
    def check_units(self, sheet: ParsedSheet) -> None:
        spec = sheet.spec
        self.mark_duplicates(sheet, "code")
        roots = 0
        for row in sheet.rows:
            self.step()
            code = row.values.get("code")
            if not code:
                continue
            plan = _Plan(row, code)
            parent = row.values.get("parent", "")
            existing = self.units.get(code)
            if existing is None and code in self.units_outside:
                row.error(spec.header_of("code"), self.out_of_scope(_("单位"), code))
                continue
            if existing is not None:
                plan.existing = existing
                current = self.unit_code_of(existing.parent_id)
                if parent and parent != current:
                    row.error(spec.header_of("parent"), _(
                        "导入不调整隶属关系：单位 %(code)s 现在的上级单位是 %(current)s；如需调整请在单位页面操作"
                    ) % {"code": code, "current": current or _("（无）")})
                plan.changes = _changes(row, existing, ("name", "kind", "sort_order", "address", "phone"))
                if plan.changes and not self.may(Capability.EDIT_UNITS):
                    row.error(spec.header_of("code"), _("你的角色不能修改单位信息"))
            else:
                plan.values = {f: sheet.get(row, f)
                               for f in ("name", "kind", "parent", "sort_order", "address", "phone")}
                if not self.may(Capability.EDIT_UNITS):
                    row.error(spec.header_of("code"), _("你的角色不能新建单位"))
                if parent:
                    self.resolve_unit(row, spec.header_of("parent"), parent, plan)
                elif self.actor is None and not self.any_unit and roots == 0:
                    roots += 1  # the first unit of an empty system is its root
                else:
                    row.error(spec.header_of("parent"), _("新建单位须填写上级单位编码"))
            self.plans["单位"][code] = plan
        self.check_unit_chains(sheet)

    def check_unit_chains(self, sheet: ParsedSheet) -> None:
        """A new unit under a bad new unit, or in a loop of new units, is bad too."""
        header = sheet.spec.header_of("parent")
        new = {code: plan for code, plan in self.plans["单位"].items() if plan.existing is None}
        creatable: dict[str, bool] = {}
        for start in new:
            path: list[str] = []
            code = start
            while code in new and code not in creatable and code not in path:
                path.append(code)
                code = new[code].values["parent"]
            if code in path:
                loop = path[path.index(code):]
                text = " → ".join([*loop, code])
                for member in loop:
                    new[member].row.error(header, _("上级单位关系形成循环：%(loop)s") % {"loop": text})
                    creatable[member] = False
                path = path[:path.index(code)]
            for member in reversed(path):
                plan = new[member]
                parent = plan.values["parent"]
                if parent in new and not creatable[parent] and plan.row.ok:
                    plan.row.error(header, self.bad_dependency("单位", parent))
                creatable[member] = plan.row.ok

    def write_units(self, report: ImportReport) -> None:
        counts = report.counts("单位")
        plans = self.good("单位")
        new = [p for p in plans if p.existing is None]

        def depth(plan: _Plan) -> int:
            n, code = 0, plan.values["parent"]
            while code in self.plans["单位"] and self.plans["单位"][code].existing is None:
                n, code = n + 1, self.plans["单位"][code].values["parent"]
            return n

        created = []
        for plan in sorted(new, key=depth):
            values = dict(plan.values)
            parent = values.pop("parent")
            unit = Unit(code=plan.code, parent=self.units[parent] if parent else None, **values)
            self.units[plan.code] = unit
            created.append(unit)
        if created:
            units_bulk_create(created)
        counts.created = len(created)
        self.step(len(created))
        self.write_changes(plans, counts, lambda plan: unit_update(unit=plan.existing, **plan.changes))

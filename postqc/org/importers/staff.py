"""The 员工 sheet: checking staff rows (outlet under unit, roles the actor may grant) and writing them."""
from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, ParsedRow, ParsedSheet

from ..models import Staff, StaffRole
from ..roles import PRIVILEGED_ROLES, Capability, Role
from ..services import check_privileged_account_change, check_role_assignment, staff_bulk_update
from .base import BATCH_SIZE, _changes, _ImportBase, _Plan


class _StaffSteps(_ImportBase):
    def check_staff(self, sheet: ParsedSheet) -> None:
        h = sheet.spec.header_of
        for plan, existing, unit in self.scoped_rows(sheet, "employee_no", self.staff, _("员工")):
            row = plan.row
            if "outlet" in row.values:
                outlet = row.values["outlet"]
            elif existing is not None and existing.outlet_id:
                outlet = existing.outlet.code
            else:
                outlet = ""
            if outlet and self.resolve_outlet(row, h("outlet"), outlet, plan) and unit:
                outlet_unit = self.outlet_unit_code(outlet)
                if outlet_unit and not self.at_or_below(outlet_unit, unit):
                    row.error(h("outlet"), _("网点 %(outlet)s 属于单位 %(ou)s，不在所属单位 %(unit)s 之下") % {
                        "outlet": outlet, "ou": outlet_unit, "unit": unit})
            roles = row.values.get("roles")
            if roles is not None and not roles:
                row.error(h("roles"), _("至少填写一个角色"))
            if existing is not None:
                plan.existing = existing
                self.staff_changes(plan, outlet, h)
            else:
                plan.values = {f: sheet.get(row, f) for f in ("name", "phone", "unit", "is_active")}
                plan.values.update(outlet=outlet, roles=roles or [])
                self.check_roles(row, h("roles"), roles or [])
            self.keep("员工", plan, Capability.EDIT_STAFF, h("employee_no"), _("你的角色不能新建或修改员工"))
        self.check_dependencies("员工", {"单位": h("unit"), "网点": h("outlet")})

    def staff_changes(self, plan: _Plan, outlet: str, h) -> None:
        row, existing = plan.row, plan.existing
        plan.changes = _changes(row, existing, ("name", "phone", "is_active"))
        if row.values.get("unit") and row.values["unit"] != self.unit_code_of(existing.unit_id):
            plan.changes["unit"] = row.values["unit"]
        if outlet != (existing.outlet.code if existing.outlet_id else ""):
            plan.changes["outlet"] = outlet
        roles = row.values.get("roles")
        if roles and set(roles) != existing.roles:
            plan.changes["roles"] = roles
            added, removed = set(roles) - existing.roles, existing.roles - set(roles)
            self.check_roles(row, h("roles"), added | (removed & PRIVILEGED_ROLES))
        if "is_active" in plan.changes and self.actor is not None:
            if existing.pk == self.actor.pk and not plan.changes["is_active"]:
                row.error(h("is_active"), _("不能停用自己的账号"))
            try:
                check_privileged_account_change(actor=self.actor, staff=existing)
            except PermissionDenied as exc:
                row.error(h("is_active"), str(exc))

    def check_roles(self, row: ParsedRow, header: str, roles: Iterable[str]) -> None:
        try:
            check_role_assignment(actor=self.actor, roles=roles)
        except PermissionDenied as exc:
            row.error(header, str(exc))

    def write_staff(self, report: ImportReport) -> None:
        counts = report.counts("员工")
        plans = self.good("员工")
        created, links = [], []
        now = timezone.now()
        for plan in plans:
            if plan.existing is not None:
                continue
            v = plan.values
            person = Staff(employee_no=plan.code, name=v["name"], phone=v["phone"], unit=self.unit(v["unit"]),
                           outlet=self.outlet(v["outlet"]), is_active=v["is_active"], must_change_password=True,
                           is_staff=Role.SYSADMIN in v["roles"], date_joined=now)
            person.set_unusable_password()
            created.append(person)
        Staff.objects.bulk_create(created, batch_size=BATCH_SIZE)
        self.staff.update((person.employee_no, person) for person in created)  # the 车辆 sheet's couriers
        for person, plan in zip(created, (p for p in plans if p.existing is None), strict=True):
            links.extend(StaffRole(staff=person, role=role) for role in plan.values["roles"])
        StaffRole.objects.bulk_create(links, batch_size=BATCH_SIZE)
        counts.created = len(created)
        self.step(len(created))
        updates = []
        for plan in plans:
            if plan.existing is None:
                continue
            if not plan.changes:
                counts.unchanged += 1
                continue
            changes = dict(plan.changes)
            if "unit" in changes:
                changes["unit"] = self.unit(changes["unit"])
            if "outlet" in changes:
                changes["outlet"] = self.outlet(changes["outlet"])
            updates.append((plan.existing, changes))
        staff_bulk_update(changes=updates, actor=self.actor)
        counts.updated = len(updates)
        self.step(counts.updated + counts.unchanged)

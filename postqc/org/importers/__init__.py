"""Excel import of the organisation: one workbook with sheets 单位 / 网点 / 员工 / 车辆 (any subset).

The rules `org_import` enforces:
- Codes (单位编码, 网点编码, 工号) are unique within their sheet; every row of a
  duplicate is an error. A code that already exists is updated (upsert).
- A referenced code (上级单位, 所属单位, 所在网点) must exist in the system or be
  created by the same file, in any order. A row that refers to a record another
  bad row would have created is bad too.
- The importer works only inside their own subtree: a unit, outlet or person
  outside it is "单位 X 不在你的管辖范围内". Without an actor (the `import_org`
  command run without --as) there is no such limit.
- Writing a row needs the capability the edit pages need: EDIT_UNITS for units
  (系统管理员 only, so a 质量管理员 re-importing an export passes as long as the
  unit rows are unchanged), EDIT_OUTLETS for outlets, EDIT_STAFF for staff and
  vehicles (they go with the people who ride them); and
  only a 系统管理员 may grant or take away privileged roles
  (services.check_role_assignment).
- The import does not move units: an existing unit's 上级单位编码 may be left
  empty or must name its current parent. Reorganising the tree stays a
  deliberate action on the unit page, not a side effect of a typo.
- A changed 网点等级 is recorded through outlet_change_grade, effective today,
  reason "Excel 导入"; a new outlet's first grade-history row says so too.
- A vehicle's 使用投递员 must be, once the file's 员工 rows are in, an active 投递员 at
  or under the vehicle's unit; a 自备公助 vehicle must name one (services.vehicle_create).
- Imported people get an unusable password and must change it at first login:
  a manager sets a temporary one (staff_reset_password). There is no 初始密码
  column on purpose: passwords in a spreadsheet travel by e-mail and chat, and
  hashing ten thousand of them would take minutes.
- All-or-nothing by default: every row is checked first; with any error nothing
  is written. skip_invalid=True writes the good rows and reports the rest.
  dry_run=True checks and reports what would happen, writing nothing.
- Everything is written in one transaction: new rows with bulk inserts, changed
  staff through services.staff_bulk_update (the rules of staff_update in a few
  queries for any number of people), changed units and outlets through their
  per-record services (they are few). An unchanged row is not touched at all.

Layout: `sheets` (the workbook's columns), `base` (the machinery the sheets share),
`units`, `outlets`, `staff`, `vehicles` (each sheet's checks and writes), `job` (`org_import`).
"""
from .job import org_import
from .sheets import ORG_SHEETS, OUTLET_SHEET, STAFF_SHEET, UNIT_SHEET, VEHICLE_SHEET

__all__ = ["ORG_SHEETS", "OUTLET_SHEET", "STAFF_SHEET", "UNIT_SHEET", "VEHICLE_SHEET", "org_import"]

"""Roles and what each may do. docs/roles.md is the human-readable copy of this table."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("营业员")
    COURIER = "courier", _("投递员")
    OFFICE = "office", _("机关人员")  # staff of a branch's departments (办公室, 人力资源部, …)
    BRANCH_HEAD = "branch_head", _("支局长")
    QUALITY = "quality", _("质量管理员")
    LEADER = "leader", _("领导")
    SYSADMIN = "sysadmin", _("系统管理员")


class Capability:
    """Named permissions. A view or service asks for one with `core.access.require`."""

    USE_STAFF_APP = "use_staff_app"  # /m/: learn, practise, compete
    VIEW_MANAGE = "view_manage"  # /manage/: read the unit's units, outlets, staff
    EDIT_OUTLETS = "edit_outlets"  # create / edit / deactivate outlets, record grade changes
    EDIT_STAFF = "edit_staff"  # create / edit / deactivate staff, reset passwords
    EDIT_UNITS = "edit_units"  # create / edit / deactivate org units
    IMPORT_ORG = "import_org"  # Excel import of units, outlets, staff
    EXPORT_ORG = "export_org"  # Excel export
    EDIT_CONTENT = "edit_content"  # standards (制度标准库) and question banks (题库): import, edit, publish, export
    ASSIGN_PRIVILEGED_ROLES = "assign_privileged_roles"  # grant 质量管理员 / 领导 / 系统管理员
    ADMIN_SITE = "admin_site"  # Django admin at /admin/
    MANAGE_SURVEYS = "manage_surveys"  # satisfaction surveys: questionnaire, weights, plan, review, import
    COLLECT_SURVEYS = "collect_surveys"  # interviewer mode on /m/: fill in a survey for a customer
    SET_TARGETS = "set_targets"  # the cockpit's targets (驾驶舱指标目标) of the units in one's subtree
    MANAGE_INSPECTIONS = "manage_inspections"  # 网点达标: checklists (检查表) and spot checks (抽查) of outlets
    SELF_INSPECT = "self_inspect"  # 自查: inspect the outlets of one's own subtree against their checklist
    MANAGE_ACCOUNTABILITY = "manage_accountability"  # 通报 (bulletins) and the 奖惩 ledger (rewards and penalties)
    MANAGE_DELIVERY = "manage_delivery"  # 投递质量: delivery segments, the frequency / depth / time-limit rules, record imports
    LOG_DELIVERY = "log_delivery"  # 投递质量: record one's delivery runs (投递记录) on the phone
    MANAGE_TRACKING = "manage_tracking"  # 给据邮件跟踪: ingest events, record non-delivery and returns, item queries
    MANAGE_STATIONS = "manage_stations"  # 邮驿站: stations, amenities, opening hours
    LOG_STATION_VISITS = "log_station_visits"  # 邮驿站: record visits (usage log) at a station of one's own subtree


ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.BRANCH_HEAD, Role.QUALITY, Role.LEADER, Role.SYSADMIN})

GRANTS: dict[str, frozenset[str]] = {
    Capability.USE_STAFF_APP: ALL_ROLES,
    Capability.VIEW_MANAGE: MANAGERS,
    Capability.EDIT_OUTLETS: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.EDIT_STAFF: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.EDIT_UNITS: frozenset({Role.SYSADMIN}),
    Capability.IMPORT_ORG: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.EXPORT_ORG: frozenset({Role.BRANCH_HEAD, Role.QUALITY, Role.LEADER, Role.SYSADMIN}),
    Capability.EDIT_CONTENT: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.ASSIGN_PRIVILEGED_ROLES: frozenset({Role.SYSADMIN}),
    Capability.ADMIN_SITE: frozenset({Role.SYSADMIN}),
    Capability.MANAGE_SURVEYS: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.COLLECT_SURVEYS: frozenset({Role.CLERK, Role.BRANCH_HEAD, Role.QUALITY, Role.SYSADMIN}),
    Capability.SET_TARGETS: frozenset({Role.QUALITY, Role.LEADER, Role.SYSADMIN}),
    Capability.MANAGE_INSPECTIONS: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.SELF_INSPECT: frozenset({Role.CLERK, Role.BRANCH_HEAD, Role.QUALITY, Role.SYSADMIN}),
    Capability.MANAGE_ACCOUNTABILITY: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.MANAGE_DELIVERY: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.LOG_DELIVERY: frozenset({Role.COURIER, Role.BRANCH_HEAD, Role.QUALITY, Role.SYSADMIN}),
    Capability.MANAGE_TRACKING: frozenset({Role.QUALITY, Role.SYSADMIN}),
    Capability.MANAGE_STATIONS: frozenset({Role.BRANCH_HEAD, Role.QUALITY, Role.SYSADMIN}),
    Capability.LOG_STATION_VISITS: frozenset({Role.CLERK, Role.COURIER, Role.BRANCH_HEAD, Role.QUALITY, Role.SYSADMIN}),
}

PRIVILEGED_ROLES = frozenset({Role.QUALITY, Role.LEADER, Role.SYSADMIN})


def roles_grant(roles, capability: str) -> bool:
    return bool(GRANTS[capability] & set(roles))

"""The org workbook's layout: the sheets 单位 / 网点 / 员工 / 车辆, their columns and examples."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _l

from postqc.core.excel import (
    Choice,
    Code,
    Column,
    Date,
    DecimalNumber,
    Integer,
    Mobile,
    MultiChoice,
    SheetSpec,
    Text,
    Time,
    zh_choices,
)

from ..models import Outlet, Staff, Unit, Vehicle
from ..roles import Role


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# --- The layout (headers and labels are the file format: fixed Chinese) ------------------------

UNIT_SHEET = SheetSpec(
    name="单位",
    help=_l("组织机构：省、市、区县分公司，支局/所，投递部，职能部门。上级单位须在本表或系统中存在，顺序不限。"),
    columns=(
        Column("单位编码", "code", Code(_max_length(Unit, "code")), required=True, aliases=("单位代码",),
               help=_l("唯一编码；系统中已有的编码会更新该单位"), width=16),
        Column("单位名称", "name", Text(_max_length(Unit, "name")), required=True, width=20),
        Column("层级类型", "kind", Choice(zh_choices(Unit.Kind.choices)), required=True, width=14),
        Column("上级单位编码", "parent", Code(_max_length(Unit, "code")), aliases=("上级单位代码",),
               help=_l("新建单位必填；已有单位可留空，填写时须是它现在的上级（调整隶属关系请在单位页面操作）"), width=16),
        Column("排序", "sort_order", Integer(0, 999999), default=0, help=_l("同级单位的显示顺序，小的在前"), width=8),
        Column("地址", "address", Text(_max_length(Unit, "address")), width=30),
        Column("电话", "phone", Text(_max_length(Unit, "phone")), width=16),
    ),
    example={"code": "CY-XSL", "name": "向阳街支局", "kind": Unit.Kind.BRANCH, "parent": "CY", "sort_order": 10,
             "address": "吉林市船营区向阳街 8 号", "phone": "0432-62000000"},
)

OUTLET_SHEET = SheetSpec(
    name="网点",
    help=_l("普服网点。等级变更按导入当天生效登记到等级变更记录。"),
    columns=(
        Column("网点编码", "code", Code(_max_length(Outlet, "code")), required=True, aliases=("网点代码",), width=16),
        Column("网点名称", "name", Text(_max_length(Outlet, "name")), required=True, width=20),
        Column("所属单位编码", "unit", Code(_max_length(Unit, "code")), required=True, width=16),
        Column("网点等级", "grade", Choice(zh_choices(Outlet.Grade.choices)), required=True, width=10),
        Column("区域类型", "area_type", Choice(zh_choices(Outlet.AreaType.choices)), required=True, width=10),
        Column("经营方式", "operation", Choice(zh_choices(Outlet.Operation.choices)), default=Outlet.Operation.SELF,
               help=_l("留空为自办"), width=10),
        Column("地址", "address", Text(_max_length(Outlet, "address")), required=True, width=30),
        Column("经度", "longitude", DecimalNumber(6, 73, 136), default=None, help=_l("中国境内经度，如 126.553"),
               width=12),
        Column("纬度", "latitude", DecimalNumber(6, 3, 54), default=None, help=_l("中国境内纬度，如 43.8378"), width=12),
        Column("电话", "phone", Text(_max_length(Outlet, "phone")), width=16),
        Column("每周营业天数", "open_days_per_week", Integer(1, 7), required=True, width=12),
        Column("开门时间", "opens_at", Time(), default=None, width=10),
        Column("关门时间", "closes_at", Time(), default=None, help=_l("须晚于开门时间"), width=10),
        Column("业务范围", "services", MultiChoice(zh_choices(Outlet.Service.choices)), default=(), width=36),
        Column("状态", "status", Choice(zh_choices(Outlet.Status.choices)), default=Outlet.Status.OPEN,
               help=_l("留空为营业"), width=10),
        Column("状态说明", "status_note", Text(_max_length(Outlet, "status_note")),
               help=_l("撤并网点须填写批准文号或说明"), width=24),
    ),
    example={"code": "O-CY-XSL", "name": "向阳街营业所", "unit": "CY-XSL", "grade": Outlet.Grade.SECOND,
             "area_type": Outlet.AreaType.CITY, "operation": Outlet.Operation.SELF, "address": "吉林市船营区向阳街 8 号",
             "open_days_per_week": 7, "opens_at": dt.time(8, 30), "closes_at": dt.time(17, 0),
             "services": ["letters", "printed", "parcels", "remittance"], "status": Outlet.Status.OPEN},
)

STAFF_ACTIVE = ((True, "在职"), (False, "停用"))

STAFF_SHEET = SheetSpec(
    name="员工",
    help=_l("员工账号。新账号没有可用密码，须由管理员重置临时密码，首次登录时修改。"),
    columns=(
        Column("工号", "employee_no", Code(_max_length(Staff, "employee_no")), required=True, aliases=("员工编号",),
               help=_l("登录账号，唯一；系统中已有的工号会更新该员工"), width=14),
        Column("姓名", "name", Text(_max_length(Staff, "name")), required=True, width=10),
        Column("手机号", "phone", Mobile(), width=14),
        Column("所属单位编码", "unit", Code(_max_length(Unit, "code")), required=True, width=16),
        Column("所在网点编码", "outlet", Code(_max_length(Outlet, "code")),
               help=_l("营业员所在网点，须属于所属单位或其下级"), width=16),
        Column("角色", "roles", MultiChoice(zh_choices(Role.choices)), required=True,
               help=_l("质量管理员、领导、系统管理员只有系统管理员可以授予"), width=20),
        Column("状态", "is_active", Choice(STAFF_ACTIVE), default=True, help=_l("留空为在职"), width=8),
    ),
    example={"employee_no": "22010001", "name": "张三", "phone": "13800000000", "unit": "CY-XSL",
             "outlet": "O-CY-XSL", "roles": [Role.CLERK], "is_active": True},
)

VEHICLE_ACTIVE = ((True, "在用"), (False, "停用"))


class PlateNo(Text):
    """A plate or fleet number, kept in capitals as vehicle_create keeps it (吉b·t1234 is 吉B·T1234)."""

    text_format = True

    def parse(self, raw) -> str:
        return super().parse(raw).upper()


VEHICLE_SHEET = SheetSpec(
    name="车辆",
    help=_l("投递车辆。自备公助车辆须填写使用投递员；投递员须是在职的投递员，属于车辆所属单位或其下级。"),
    columns=(
        Column("车牌/编号", "plate_no", PlateNo(_max_length(Vehicle, "plate_no")), required=True, aliases=("车牌号",),
               help=_l("唯一，字母按大写保存；系统中已有的车牌会更新该车辆"), width=14),
        Column("产权", "ownership", Choice(zh_choices(Vehicle.Ownership.choices)), required=True, width=10),
        Column("车型", "vehicle_type", Choice(zh_choices(Vehicle.Type.choices)), required=True, width=12),
        Column("所属单位编码", "unit", Code(_max_length(Unit, "code")), required=True, width=16),
        Column("使用投递员工号", "courier", Code(_max_length(Staff, "employee_no")),
               help=_l("自备公助车辆必填；公司车辆可留空"), width=14),
        Column("配备日期", "acquired_on", Date(), default=None, width=12),
        Column("状态", "is_active", Choice(VEHICLE_ACTIVE), default=True, help=_l("留空为在用"), width=8),
    ),
    example={"plate_no": "吉B·T1234", "ownership": Vehicle.Ownership.COMPANY, "vehicle_type": Vehicle.Type.VAN,
             "unit": "CY-XSL", "acquired_on": dt.date(2025, 3, 1), "is_active": True},
)

ORG_SHEETS = (UNIT_SHEET, OUTLET_SHEET, STAFF_SHEET, VEHICLE_SHEET)
ORG_SHEET_NAMES = tuple(s.name for s in ORG_SHEETS)

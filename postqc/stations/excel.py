"""邮驿站 in Excel: the station register (import, export, template) and the monthly usage report.

The register's layout is the import's: an export re-imports. Import is all or nothing: every row is
checked first (cells by the sheet spec, then the same rules as the form, by services.clean_station)
and any error, named by row and column, means nothing is written. A row whose 站点编码 exists updates
that station (inside the importer's subtree); a new code creates one. A change of 状态 is recorded in
the status history with 状态说明 as its reason.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postqc.core.access import require, scoped
from postqc.core.excel import (
    Choice,
    Code,
    Column,
    DecimalNumber,
    ImportReport,
    MultiChoice,
    RowError,
    SheetSpec,
    Text,
    read_sheet,
    zh_choices,
)
from postqc.org.models import Outlet, Unit
from postqc.org.roles import Capability

from . import hours as hours_mod
from . import services
from .models import Amenity, Group, Station
from .selectors import UsageReport

HOURS_HELP = gettext_lazy("如 08:00-17:30；多段用逗号分隔，如 08:00-11:30,13:00-17:00；不开放写“休息”；全天开放写“全天”")

STATION_SHEET = SheetSpec("邮驿站", (
    Column("站点编码", "code", Code(32), required=True, help=gettext_lazy("唯一，如 YZ-PS-01；已有编码的行更新该站点")),
    Column("站点名称", "name", Text(64), required=True),
    Column("所属单位编码", "unit", Code(32), help=gettext_lazy("填了依托网点可留空（取网点所属单位）")),
    Column("依托网点编码", "outlet", Code(32), help=gettext_lazy("不依托网点的站点留空")),
    Column("地址", "address", Text(200), help=gettext_lazy("留空取依托网点的地址")),
    Column("纬度", "latitude", DecimalNumber(6, 3, 54), help=gettext_lazy("十进制度，如 42.950000；留空取依托网点的坐标")),
    Column("经度", "longitude", DecimalNumber(6, 73, 136), help=gettext_lazy("十进制度，如 126.068000")),
    Column("联系电话", "phone", Text(32), width=16),
    *(Column(label, f"hours_{day}", Text(60), help=HOURS_HELP, width=18)
      for day, label in zip(hours_mod.WEEKDAYS, hours_mod.WEEKDAY_HEADERS, strict=True)),
    Column("服务设施", "amenities", MultiChoice(zh_choices(Amenity.choices)), width=40),
    Column("其他设施说明", "amenity_note", Text(200), help=gettext_lazy("服务设施选了“其他”时必填")),
    Column("服务人群", "groups", MultiChoice(zh_choices(Group.choices)), required=True, width=40),
    Column("状态", "status", Choice(zh_choices(Station.Status.choices)), default=Station.Status.OPEN),
    Column("状态说明", "status_reason", Text(200), help=gettext_lazy("暂停开放或撤销时必填")),
), example={"code": "YZ-PS-01", "name": "东宁街邮驿站", "unit": "", "outlet": "JLS-PS-W01",
            "address": "磐石市东宁街88号", "latitude": "42.950000", "longitude": "126.068000", "phone": "0432-65221234",
            **{f"hours_{d}": "08:00-17:30" for d in "12345"}, "hours_6": "09:00-16:00", "hours_7": "休息",
            "amenities": ["hot_water", "charging", "seating", "climate"], "amenity_note": "",
            "groups": ["sanitation", "rider", "public"], "status": Station.Status.OPEN, "status_reason": ""},
    help=gettext_lazy("每行一个邮驿站。"))

# Error keys of services.clean_station → the column that holds the value.
_COLUMN_OF = {"code": "站点编码", "name": "站点名称", "unit": "所属单位编码", "outlet": "依托网点编码", "address": "地址",
              "latitude": "纬度", "longitude": "经度", "phone": "联系电话", "amenities": "服务设施",
              "amenity_note": "其他设施说明", "groups": "服务人群", "hours": "周一", "status": "状态",
              "reason": "状态说明",
              **{f"hours_{d}": h for d, h in zip(hours_mod.WEEKDAYS, hours_mod.WEEKDAY_HEADERS, strict=True)}}


def station_record(s: Station) -> dict:
    return {"code": s.code, "name": s.name, "unit": s.unit.code, "outlet": s.outlet.code if s.outlet else "",
            "address": s.address, "latitude": s.latitude, "longitude": s.longitude, "phone": s.phone,
            **{f"hours_{d}": hours_mod.day_text(s.hours.get(d)) or "休息" for d in hours_mod.WEEKDAYS},
            "amenities": s.amenities, "amenity_note": s.amenity_note, "groups": s.groups, "status": s.status,
            "status_reason": s.status_reason}


def stations_import(*, source, actor) -> ImportReport:
    """Create or update stations from a workbook in STATION_SHEET's layout; all or nothing."""
    require(actor, Capability.MANAGE_STATIONS)
    report = ImportReport()
    sheet = STATION_SHEET.name
    parsed = read_sheet(source, STATION_SHEET, report)
    if parsed is None:
        return report
    rows = [(row, {f: parsed.get(row, f) for f in (c.field for c in STATION_SHEET.columns)}) for row in parsed.rows]
    for row, _values in rows:
        report.errors += row.errors
    units = {u.code: u for u in scoped(Unit.objects.filter(code__in={v["unit"] for _r, v in rows if v["unit"]}), actor)}
    outlets = {o.code: o for o in scoped(Outlet.objects.select_related("unit")
                                         .filter(code__in={v["outlet"] for _r, v in rows if v["outlet"]}), actor)}
    existing = {s.code: s for s in Station.objects.select_related("unit").filter(code__in={v["code"] for _r, v in rows})}
    visible = set(scoped(Station.objects.filter(code__in=existing), actor).values_list("code", flat=True))
    seen: dict[str, int] = {}
    plan = []
    reported = {(e.row, e.column) for e in report.errors}

    def fail(number: int, key: str, message: str) -> None:
        column = _COLUMN_OF.get(key, "")
        if (number, column) not in reported:
            reported.add((number, column))
            report.errors.append(RowError(sheet, number, column, message))

    for row, v in rows:
        n = row.number
        code = v["code"] or ""
        if code in seen:
            fail(n, "code", _("与第 %(n)d 行重复：%(c)s。") % {"n": seen[code], "c": code})
            continue
        seen[code] = n
        instance = existing.get(code)
        if instance is not None and code not in visible:
            fail(n, "code", _("站点 %(c)s 不在您的管理范围内。") % {"c": code})
            continue
        if instance is not None and instance.status == Station.Status.CLOSED:
            fail(n, "code", _("站点 %(c)s 已撤销，不能再修改。") % {"c": code})
            continue
        if v["unit"] and v["unit"] not in units:
            fail(n, "unit", _("您的管理范围内没有单位 %(c)s。") % {"c": v["unit"]})
        if v["outlet"] and v["outlet"] not in outlets:
            fail(n, "outlet", _("您的管理范围内没有网点 %(c)s。") % {"c": v["outlet"]})
        week_text = {d: v.get(f"hours_{d}") or "" for d in hours_mod.WEEKDAYS}
        try:
            week = hours_mod.parse_week(week_text)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                fail(n, key, " ".join(messages))
            week = None
        data = {"code": code, "name": v["name"], "unit": units.get(v["unit"]), "outlet": outlets.get(v["outlet"]),
                "address": v["address"], "latitude": v["latitude"], "longitude": v["longitude"], "phone": v["phone"],
                "hours": week or {}, "amenities": v["amenities"] or [], "amenity_note": v["amenity_note"],
                "groups": v["groups"] or []}
        try:
            services.clean_station(data, actor=actor, instance=instance)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key == "hours" and week is None:
                    continue  # the day's own error is already there
                if key in ("unit", "outlet") and (v["unit"] and v["unit"] not in units
                                                  or v["outlet"] and v["outlet"] not in outlets):
                    continue
                fail(n, key, " ".join(messages))
        status = v["status"] or Station.Status.OPEN
        reason = (v["status_reason"] or "").strip()
        current = instance.status if instance else Station.Status.OPEN
        if status != current:
            if current == Station.Status.CLOSED:
                fail(n, "status", _("已撤销的站点不能重新开放，请新建站点。"))
            elif status != Station.Status.OPEN and not reason:
                fail(n, "reason", _("暂停或撤销请写明原因。"))
        plan.append((instance, data, status, reason))
    if not rows and not report.errors:
        report.errors.append(RowError(sheet, None, "", _("没有要导入的站点。")))
    if report.errors:
        return report
    with transaction.atomic():
        counts = report.counts(sheet)
        for instance, data, status, reason in plan:
            if instance is None:
                station = services.station_create(actor=actor, **data)
                counts.created += 1
            else:
                station = services.station_update(station=instance, actor=actor, **data)
                counts.updated += 1
            if status != station.status:
                services.station_set_status(station=station, status=status, reason=reason, actor=actor)
    report.written = True
    return report


def usage_sheet() -> SheetSpec:
    """The monthly usage report's layout: a station a row, a column per group."""
    return SheetSpec("服务台账月报", (
        Column("所属单位", "unit", Text(64), width=20),
        Column("站点编码", "code", Text(32), width=14),
        Column("站点名称", "name", Text(64), width=24),
        Column("状态", "status", Text(8), width=10),
        *(Column(label, f"g_{value}", DecimalNumber(0, 0, 10**9), width=12)
          for value, label in zh_choices(Group.choices)),
        Column("合计人次", "people", DecimalNumber(0, 0, 10**9), width=10),
        Column("登记条数", "entries", DecimalNumber(0, 0, 10**9), width=10),
    ))


def usage_records(report: UsageReport) -> list[dict]:
    status = dict(zh_choices(Station.Status.choices))
    records = [{"unit": s.unit.name, "code": s.code, "name": s.name, "status": status[s.status],
                **{f"g_{g}": u.by_group.get(g, 0) for g in Group.values}, "people": u.people, "entries": u.entries}
               for s, u in report.stations]
    records.append({"unit": report.unit.name, "code": "", "name": "合计", "status": "",
                    **{f"g_{g}": report.total.by_group.get(g, 0) for g in Group.values},
                    "people": report.total.people, "entries": report.total.entries})
    return records

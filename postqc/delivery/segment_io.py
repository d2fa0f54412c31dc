"""Excel import and export of segments (投递段道): the template, the list as a workbook, and the
import (create by code, or update an existing one of my subtree; all or nothing unless asked)."""
from __future__ import annotations

import datetime as dt
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import scoped
from postqc.core.excel import (Choice, Code, Column, ImportReport, Integer, RowError, SheetSpec, Text, read_sheet,
                               zh_choices)
from postqc.org.models import Staff
from postqc.org.roles import Capability

from .ingest import DateCell
from .models import AreaType, HandoverPoint, Segment
from .services import segment_check, segment_refs, segment_resolve, segment_save

SHEET = "投递段道"


STATUS = (("1", "在用"), ("0", "停用"))

SEGMENT_SHEET = SheetSpec(SHEET, (
    Column("段道编码", "code", Code(32), required=True, width=14),
    Column("段道名称", "name", Text(64), required=True, width=22),
    Column("所属单位编码", "unit", Code(32), required=True, width=16, help=_l("投递部或支局的单位编码")),
    Column("区域类型", "area_type", Choice(zh_choices(AreaType.choices)), required=True, width=10),
    Column("投递员工号", "courier", Code(32), width=12),
    Column("车辆编号", "vehicle", Text(20), width=14, help=_l("车牌或自备公助车辆编号")),
    Column("交接方式", "handover_point", Choice(zh_choices(HandoverPoint.choices)), required=True, width=22),
    Column("每周计划投递次数", "planned_per_week", Integer(1, 42), required=True, width=10),
    Column("服务户数/投递点数", "households", Integer(0, 1_000_000), required=True, width=12),
    Column("启用日期", "in_service_from", DateCell(), width=12, help=_l("空：新段道为今天，已有段道不变")),
    Column("状态", "is_active", Choice(STATUS), width=8, default="1"),
    Column("变更说明", "note", Text(200), width=24, help=_l("选填：为什么新建或修改，记入段道的变更记录")),
), example={"code": "CY-TD-001", "name": "北京路一段", "unit": "JLS-CY-TD", "area_type": AreaType.CITY,
            "courier": "22020002", "vehicle": "ZB-CY-0001", "handover_point": HandoverPoint.MAILBOX,
            "planned_per_week": 14, "households": 1800, "in_service_from": dt.date(2024, 1, 1), "is_active": "1"},
   help=_l("每行一条段道；段道编码已存在时更新该段道。"))


def segment_records(segments) -> list[dict]:
    return [{"code": s.code, "name": s.name, "unit": s.unit.code, "area_type": s.area_type,
             "courier": s.courier.employee_no if s.courier else "", "vehicle": s.vehicle.plate_no if s.vehicle else "",
             "handover_point": s.handover_point, "planned_per_week": s.planned_per_week, "households": s.households,
             "in_service_from": s.in_service_from, "is_active": "1" if s.is_active else "0", "note": ""}
            for s in segments]


def _unchanged(segment: Segment, values: dict) -> bool:
    return (segment.name == values["name"].strip() and segment.unit_id == values["unit"].pk
            and segment.courier_id == (values["courier"].pk if values["courier"] else None)
            and segment.vehicle_id == (values["vehicle"].pk if values["vehicle"] else None)
            and all(getattr(segment, f) == values[f] for f in ("area_type", "handover_point", "planned_per_week",
                                                                "households", "in_service_from", "is_active")))


def segments_import(source: bytes | IO[bytes], *, actor: Staff, skip_invalid: bool = False,
                    dry_run: bool = False) -> ImportReport:
    """Create or update segments from the workbook, as `actor` (manage_delivery, their subtree).
    Errors by row and column; all or nothing unless `skip_invalid`; `dry_run` writes nothing."""
    if not actor.can(Capability.MANAGE_DELIVERY):
        raise PermissionDenied(_("你的角色不能导入段道。"))
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    sheet = read_sheet(source, SEGMENT_SHEET, report)
    if sheet is None:
        return report
    rows = sheet.rows
    get = sheet.get
    refs = segment_refs(actor, units={r.values.get("unit") for r in rows},
                        couriers={r.values.get("courier") for r in rows},
                        vehicles={r.values.get("vehicle") for r in rows})
    existing = {s.code: s for s in scoped(Segment.objects.filter(code__in={r.values.get("code") for r in rows}), actor)}
    taken = set(Segment.objects.filter(code__in={r.values.get("code") for r in rows}).exclude(
        pk__in=[s.pk for s in existing.values()]).values_list("code", flat=True))
    plans: list[tuple[dict, Segment | None, str]] = []
    unchanged = 0
    seen: dict[str, int] = {}
    header = {c.field: c.header for c in SEGMENT_SHEET.columns}

    for row in rows:
        code = row.values.get("code")
        if code is None:
            continue
        if code in seen:
            row.error(header["code"], _("与第 %(r)d 行的段道编码重复") % {"r": seen[code]})
            continue
        seen[code] = row.number
        if code in taken:
            row.error(header["code"], _("段道 %(c)s 属于您管辖范围以外的单位，不能修改") % {"c": code})
            continue
        current = existing.get(code)
        raw = {"code": code, "name": row.values.get("name"), "area_type": row.values.get("area_type"),
               "handover_point": row.values.get("handover_point"),
               "planned_per_week": row.values.get("planned_per_week"), "households": row.values.get("households"),
               "unit": row.values.get("unit") or "", "courier": get(row, "courier") or "",
               "vehicle": get(row, "vehicle") or "",
               "in_service_from": get(row, "in_service_from") or (current.in_service_from if current
                                                                  else timezone.localdate()),
               "is_active": get(row, "is_active") != "0"}
        values, missing = segment_resolve(raw, refs)
        for field, messages in missing.items():
            for message in messages:
                row.error(header[field], message)
        if row.ok:
            for field, messages in segment_check(actor=actor, values=values, existing=current).items():
                for message in messages:
                    row.error(header.get(field, field), message)
        if row.ok and not (current is not None and _unchanged(current, values)):
            plans.append((values, current, get(row, "note") or ""))
        elif row.ok:
            unchanged += 1
    for row in rows:
        report.errors.extend(row.errors)
    counts = report.counts(SHEET)
    if report.errors and not skip_invalid:
        return report
    counts.skipped = sum(1 for r in rows if not r.ok)
    counts.created = sum(1 for _v, cur, _n in plans if cur is None)
    counts.updated = sum(1 for _v, cur, _n in plans if cur is not None)
    counts.unchanged = unchanged
    if dry_run:
        return report
    try:
        with transaction.atomic():
            for values, current, note in plans:
                segment_save(actor=actor, values=values, existing=current, note=note)
    except (IntegrityError, ValidationError, PermissionDenied) as exc:
        report.sheets.clear()
        report.errors.append(RowError("", None, "", _("写入时数据库拒绝了修改（%(e)s），未写入任何数据。") % {"e": exc}))
        return report
    report.written = True
    return report

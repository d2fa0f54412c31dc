"""Bulk import of delivery records (投递记录) from the scanning system: CSV or Excel, one row per run.

    records_import(source, filename=…, actor=…, skip_invalid=False, dry_run=False) → ImportReport

Every row is checked before anything is written; errors name the row (as the file numbers it) and
the column. All or nothing unless `skip_invalid`. The write is the bulk path: on PostgreSQL a
`COPY … FROM STDIN` (psycopg 3) straight into the table, elsewhere bulk_create in batches, both in
one transaction. Files of a hundred thousand rows are normal (a city's runs of a month), so the
rows are parsed by a tight loop of this module rather than a cell-type object per cell.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import scoped
from postqc.core.excel import (CellError, Choice, Code, Column, ImportReport, Integer, RowError, SheetSpec, Text,
                               looks_like_workbook, zh_choices)
from postqc.org.models import Staff
from postqc.org.roles import Capability

from .models import DeliveryRecord, HandoverPoint, Segment
from .selectors import monday
from .services import MAX_ITEMS, NOTE_MAX

SHEET = "投递记录"
HEADER_SEARCH_ROWS = 10
BATCH = 5000
Progress = Callable[[int, int], None]


class DateCell(Text):
    """A date: an Excel date cell, or text 2026-11-29 / 2026/11/29 / 20261129."""

    def __init__(self):
        super().__init__(10)

    def parse(self, raw: Any) -> dt.date:
        try:
            return _date(raw)
        except ValueError:
            raise CellError(_("“%(v)s”不是有效日期，格式应为 年-月-日") % {"v": _text(raw)}) from None

    def format(self, value) -> str:
        return f"{value:%Y-%m-%d}" if value else ""

    def describe(self) -> str:
        return _("年-月-日，如 2026-11-29")


RECORD_SHEET = SheetSpec(SHEET, (
    Column("段道编码", "segment", Code(32), required=True, aliases=("segment",), width=14),
    Column("投递日期", "delivered_on", DateCell(), required=True, aliases=("date",), width=12),
    Column("频次", "run_no", Integer(1, 6), required=True, aliases=("run", "趟次"), width=8,
           help=_("当日第几趟，1–6")),
    Column("投递员工号", "courier", Code(32), aliases=("courier",), width=12, help=_("空：段道的投递员")),
    Column("平常邮件", "ordinary", Integer(0, MAX_ITEMS), required=True, aliases=("ordinary",), width=10),
    Column("给据邮件", "tracked", Integer(0, MAX_ITEMS), required=True, aliases=("tracked",), width=10),
    Column("妥投", "delivered", Integer(0, MAX_ITEMS), required=True, aliases=("delivered",), width=8),
    Column("时限内妥投", "on_time", Integer(0, MAX_ITEMS), required=True, aliases=("on_time",), width=10),
    Column("交接方式", "handover_point", Choice(zh_choices(HandoverPoint.choices)), aliases=("handover",), width=20,
           help=_("空：段道登记的交接方式")),
    Column("异常说明", "note", Text(NOTE_MAX), aliases=("note",), width=30),
), example={"segment": "CY-TD-001", "delivered_on": dt.date(2026, 11, 2), "run_no": 1, "courier": "22020002",
            "ordinary": 120, "tracked": 35, "delivered": 152, "on_time": 150,
            "handover_point": HandoverPoint.MAILBOX, "note": "3 件收件人不在，已留通知单"},
   help=_("每行一趟投递：段道、日期、当日第几趟、交投件数、妥投与时限内妥投件数。"))

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_REQUIRED_MARK = re.compile(r"[*＊]\s*$")


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValueError
    return int(str(raw).strip())


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    match = _DATE.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not match:
        raise ValueError
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


# --- Reading ---------------------------------------------------------------------------------------


def _rows_of(data: bytes, filename: str) -> list[list]:
    """The file's rows as lists of raw cells: a workbook's first sheet named 投递记录 (else its first
    sheet), or CSV (UTF-8, with or without BOM, else GB18030 as Excel in China saves it)."""
    if looks_like_workbook(data[:8]):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            names = [n for n in workbook.sheet_names if n.strip() == SHEET] or workbook.sheet_names[:1]
            return workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError, IndexError):
            raise ValueError(_("不是有效的 Excel 文件，请上传 .xlsx 或 .csv 文件。")) from None
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")):
        raise ValueError(_("不是有效的 Excel 文件，请上传 .xlsx 或 .csv 文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV 文件。"))
    return list(csv.reader(io.StringIO(text)))


def _header(rows: list[list]) -> tuple[int, dict[str, int], list[RowError]] | None:
    """(header index, field → position, errors) of the first of the first rows naming a known column."""
    by_name = {}
    for col in RECORD_SHEET.columns:
        for name in (col.header, *col.aliases):
            by_name[name] = col
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_REQUIRED_MARK.sub("", _text(c)).strip() for c in row]
        if not any(n in by_name for n in names):
            continue
        positions: dict[str, int] = {}
        errors = []
        for position, name in enumerate(names):
            col = by_name.get(name)
            if col is None:
                continue
            if col.field in positions:
                errors.append(RowError(SHEET, index + 1, col.header, _("列“%(h)s”出现了两次") % {"h": col.header}))
            positions[col.field] = position
        errors += [RowError(SHEET, index + 1, c.header, _("缺少必填列“%(h)s”") % {"h": c.header})
                   for c in RECORD_SHEET.columns if c.required and c.field not in positions]
        return index, positions, errors
    return None


class _Plan:
    """The rows that will be written, as tuples in the table's column order."""

    COLUMNS = ("segment_id", "unit_id", "delivered_on", "week_of", "run_no", "courier_id", "ordinary", "tracked",
               "delivered", "on_time", "handover_point", "note", "source", "recorded_by_id", "recorded_at")

    def __init__(self):
        self.rows: list[tuple] = []


def records_import(source: bytes | IO[bytes], *, filename: str = "", actor: Staff | None,
                   skip_invalid: bool = False, dry_run: bool = False, progress: Progress | None = None
                   ) -> ImportReport:
    """Import delivery runs as `actor` (their subtree's segments only; None: the system, unscoped).
    Returns the report; bad input never raises. PermissionDenied if the actor may not import."""
    if actor is not None and not actor.can(Capability.MANAGE_DELIVERY):
        raise PermissionDenied(_("你的角色不能导入投递记录。"))
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    data = source if isinstance(source, bytes) else source.read()
    if not data:
        report.errors.append(RowError("", None, "", _("文件是空的（0 字节）。")))
        return report
    try:
        rows = _rows_of(data, filename)
    except ValueError as exc:
        report.errors.append(RowError("", None, "", str(exc)))
        return report
    found = _header(rows)
    if found is None:
        report.errors.append(RowError(SHEET, None, "", _("前 %(n)d 行中找不到表头（应包含：%(cols)s）") % {
            "n": HEADER_SEARCH_ROWS, "cols": "、".join(c.header for c in RECORD_SHEET.columns if c.required)}))
        return report
    header_index, positions, header_errors = found
    if header_errors:
        report.errors.extend(header_errors)
        return report
    plan, bad_rows = _check(rows, header_index, positions, actor, report, progress)
    counts = report.counts(SHEET)
    if not plan.rows and not bad_rows:
        report.errors.append(RowError(SHEET, None, "", _("文件中没有数据行（只有表头或是空表）。")))
        return report
    if report.errors and not skip_invalid:
        return report
    counts.skipped = bad_rows
    counts.created = len(plan.rows)
    if dry_run or not plan.rows:
        report.written = not dry_run
        return report
    try:
        with transaction.atomic():
            write_rows(plan.rows)
    except DatabaseError as exc:  # the checks mirror the constraints, so someone logged the same runs meanwhile
        report.sheets.clear()
        report.errors.append(RowError("", None, "", _("写入时数据库拒绝了修改（%(e)s），未写入任何数据。"
                                                      "可能有人同时登记了相同的趟次，请重新导入。") % {"e": exc}))
        return report
    if progress:
        progress(len(rows), len(rows))
    report.written = True
    return report


def _check(rows: list[list], header_index: int, positions: dict[str, int], actor, report: ImportReport,
           progress: Progress | None) -> tuple[_Plan, int]:
    """Parse and check every row; the good ones go into the plan, the bad ones' errors into the report."""
    header = {c.field: c.header for c in RECORD_SHEET.columns}
    point_by_label = {label: value for value, label in zh_choices(HandoverPoint.choices)}
    point_by_label.update({value: value for value in HandoverPoint.values})
    get = {f: p for f, p in positions.items()}
    parsed: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    bad: set[int] = set()
    width = max(positions.values()) + 1
    for offset, raw in enumerate(rows[header_index + 1:]):
        number = header_index + offset + 2
        if len(raw) < width:
            raw = list(raw) + [""] * (width - len(raw))
        if all(c is None or _text(c) == "" for c in raw):
            continue
        values: dict[str, Any] = {}
        row_errors = []

        def err(field: str, message: str) -> None:
            row_errors.append(RowError(SHEET, number, header[field], message))

        for field in ("segment", "courier"):
            if field in get:
                values[field] = _text(raw[get[field]])
        if not values["segment"]:
            err("segment", _("必填项不能为空"))
        cell = raw[get["delivered_on"]]
        if cell is None or _text(cell) == "":
            err("delivered_on", _("必填项不能为空"))
        else:
            try:
                values["delivered_on"] = _date(cell)
            except ValueError:
                err("delivered_on", _("“%(v)s”不是有效日期，格式应为 年-月-日") % {"v": _text(cell)})
        for field, low, high in (("run_no", 1, 6), ("ordinary", 0, MAX_ITEMS), ("tracked", 0, MAX_ITEMS),
                                 ("delivered", 0, MAX_ITEMS), ("on_time", 0, MAX_ITEMS)):
            cell = raw[get[field]]
            if cell is None or _text(cell) == "":
                err(field, _("必填项不能为空"))
                continue
            try:
                value = _int(cell)
            except ValueError:
                err(field, _("“%(v)s”不是整数") % {"v": _text(cell)})
                continue
            if not low <= value <= high:
                err(field, _("%(v)d 超出范围，应为 %(a)d–%(b)d") % {"v": value, "a": low, "b": high})
                continue
            values[field] = value
        if "handover_point" in get:
            label = _text(raw[get["handover_point"]])
            if label and label not in point_by_label:
                err("handover_point", _("“%(v)s”不是有效值，可选：%(ok)s") % {
                    "v": label, "ok": "、".join(lbl for _v, lbl in zh_choices(HandoverPoint.choices))})
            values["handover_point"] = point_by_label.get(label, "")
        values["note"] = _text(raw[get["note"]]) if "note" in get else ""
        if len(values["note"]) > NOTE_MAX:
            err("note", _("不能超过 %(n)d 个字符") % {"n": NOTE_MAX})
        if {"ordinary", "tracked", "delivered"} <= values.keys() and \
                values["delivered"] > values["ordinary"] + values["tracked"]:
            err("delivered", _("妥投件数（%(d)d）不能多于平常与给据邮件之和（%(n)d）") % {
                "d": values["delivered"], "n": values["ordinary"] + values["tracked"]})
        elif {"delivered", "on_time"} <= values.keys() and values["on_time"] > values["delivered"]:
            err("on_time", _("时限内妥投（%(t)d）不能多于妥投件数（%(d)d）") % {"t": values["on_time"],
                                                                     "d": values["delivered"]})
        if row_errors:
            errors.extend(row_errors)
            bad.add(number)
        parsed.append((number, values))
    if progress:
        progress(len(parsed) // 2, len(parsed))

    codes = {v["segment"] for _n, v in parsed if v.get("segment")}
    segments_qs = Segment.objects.filter(code__in=codes)
    if actor is not None:
        segments_qs = scoped(segments_qs, actor)
    segments = {row[0]: row[1:] for row in segments_qs.values_list(  # (pk, unit, courier, since, active, point)
        "code", "pk", "unit_id", "courier_id", "in_service_from", "is_active", "handover_point")}
    numbers = {v["courier"] for _n, v in parsed if v.get("courier")}
    couriers = dict(Staff.objects.filter(employee_no__in=numbers).values_list("employee_no", "pk")) if numbers else {}
    dates = [v["delivered_on"] for _n, v in parsed if "delivered_on" in v]
    existing: set[tuple[int, dt.date, int]] = set()
    if dates and segments:
        existing = set(DeliveryRecord.objects.filter(
            segment_id__in=[s[0] for s in segments.values()], delivered_on__gte=min(dates),
            delivered_on__lte=max(dates)).values_list("segment_id", "delivered_on", "run_no"))
    seen: dict[tuple[int, dt.date, int], int] = {}
    today = timezone.localdate()
    now = timezone.now()
    recorder = actor.pk if actor is not None else None
    plan = _Plan()
    for number, values in parsed:
        row_errors = []

        def err(field: str, message: str) -> None:
            row_errors.append(RowError(SHEET, number, header[field], message))

        segment = segments.get(values.get("segment"))
        if values.get("segment") and segment is None:
            err("segment", _("段道 %(c)s 不存在或不在您的管辖范围内") % {"c": values["segment"]})
        elif segment is not None and not segment[4]:
            err("segment", _("段道 %(c)s 已停用") % {"c": values["segment"]})
        courier_id = segment[2] if segment else None
        if values.get("courier"):
            courier_id = couriers.get(values["courier"])
            if courier_id is None:
                err("courier", _("没有工号为 %(n)s 的员工") % {"n": values["courier"]})
        on = values.get("delivered_on")
        if on is not None:
            if on > today:
                err("delivered_on", _("投递日期 %(d)s 晚于今天") % {"d": on})
            elif segment is not None and on < segment[3]:
                err("delivered_on", _("段道 %(d)s 才启用") % {"d": segment[3]})
        if segment is not None and on is not None and "run_no" in values:
            key = (segment[0], on, values["run_no"])
            if key in existing:
                err("run_no", _("%(d)s 第 %(n)d 趟已有记录") % {"d": on, "n": values["run_no"]})
            elif key in seen:
                err("run_no", _("与第 %(r)d 行重复（同一段道、日期和趟次）") % {"r": seen[key]})
            else:
                seen[key] = number
        if row_errors:
            errors.extend(row_errors)
            bad.add(number)
        if number in bad:
            continue
        plan.rows.append((segment[0], segment[1], on, monday(on), values["run_no"], courier_id, values["ordinary"],
                          values["tracked"], values["delivered"], values["on_time"],
                          values.get("handover_point") or segment[5], values["note"],
                          DeliveryRecord.Source.IMPORT, recorder, now))
    errors.sort(key=lambda e: e.row or 0)
    report.errors.extend(errors)
    return plan, len(bad)


# --- Writing ---------------------------------------------------------------------------------------


def write_rows(rows: Sequence[tuple]) -> None:
    """Insert checked rows (tuples in _Plan.COLUMNS order) the fastest way the database offers."""
    if connection.vendor == "postgresql":
        _copy(rows)
        return
    fields = _Plan.COLUMNS
    for start in range(0, len(rows), BATCH):
        DeliveryRecord.objects.bulk_create(
            [DeliveryRecord(**dict(zip(fields, row))) for row in rows[start:start + BATCH]], batch_size=BATCH)


def _escape(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def copy_text(rows: Iterable[tuple]) -> Iterable[str]:
    """The rows in COPY's text format, in chunks."""
    chunk = []
    for row in rows:
        chunk.append("\t".join(_escape(v) for v in row))
        if len(chunk) == BATCH:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _copy(rows: Sequence[tuple]) -> None:
    table = DeliveryRecord._meta.db_table
    statement = f"COPY {table} ({', '.join(_Plan.COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for text in copy_text(rows):
                copy.write(text)

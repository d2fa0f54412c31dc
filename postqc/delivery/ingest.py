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

from postqc.core.copytext import COPY_NULL, copy_escape
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
_HEADERS = {c.field: c.header for c in RECORD_SHEET.columns}


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


def _parse_row(raw: list, number: int, get: dict[str, int], point_by_label: dict[str, str]
               ) -> tuple[dict, list[RowError]]:
    """One row, cell by cell: its clean values and an error for every bad cell, named by column."""
    header = _HEADERS
    values: dict[str, Any] = {}
    row_errors: list[RowError] = []

    def err(field: str, message: str) -> None:
        row_errors.append(RowError(SHEET, number, header[field], message))

    for field in ("segment", "courier"):
        values[field] = _text(raw[get[field]]) if field in get else ""
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
    label = _text(raw[get["handover_point"]]) if "handover_point" in get else ""
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
    return values, row_errors


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
    """Parse and check every row; the good ones go into the plan, the bad ones' errors into the report.

    A row of text cells (CSV) that is right takes the fast path: a handful of str and int calls and
    cached dates. Anything else — a number or date cell from Excel, any mistake — takes the careful
    path (`_parse_row`), which names every error by column."""
    point_by_label = {label: value for value, label in zh_choices(HandoverPoint.choices)}
    point_by_label.update({value: value for value in HandoverPoint.values})
    parsed: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    bad: set[int] = set()
    width = max(positions.values()) + 1
    p_seg, p_date, p_run = positions["segment"], positions["delivered_on"], positions["run_no"]
    p_ord, p_trk, p_del, p_ot = (positions[f] for f in ("ordinary", "tracked", "delivered", "on_time"))
    p_cour, p_point, p_note = positions.get("courier"), positions.get("handover_point"), positions.get("note")
    dates: dict[str, dt.date] = {}
    for offset, raw in enumerate(rows[header_index + 1:]):
        number = header_index + offset + 2
        try:
            segment = raw[p_seg].strip()
            day = dates.get(raw[p_date])
            if day is None:
                day = dates[raw[p_date]] = _date(raw[p_date])
            run_no, ordinary, tracked = int(raw[p_run]), int(raw[p_ord]), int(raw[p_trk])
            delivered, on_time = int(raw[p_del]), int(raw[p_ot])
            label = raw[p_point].strip() if p_point is not None else ""
            point = point_by_label[label] if label else ""
            note = raw[p_note].strip() if p_note is not None else ""
            courier = raw[p_cour].strip() if p_cour is not None else ""
            if not (segment and 1 <= run_no <= 6 and 0 <= on_time <= delivered <= ordinary + tracked
                    and ordinary <= MAX_ITEMS and tracked <= MAX_ITEMS and len(note) <= NOTE_MAX):
                raise ValueError
            parsed.append((number, {"segment": segment, "courier": courier, "delivered_on": day, "run_no": run_no,
                                    "ordinary": ordinary, "tracked": tracked, "delivered": delivered,
                                    "on_time": on_time, "handover_point": point, "note": note}))
            continue
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            pass
        if len(raw) < width:
            raw = list(raw) + [""] * (width - len(raw))
        if all(c is None or _text(c) == "" for c in raw):
            continue
        values, row_errors = _parse_row(raw, number, positions, point_by_label)
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
        existing = set(DeliveryRecord.current.filter(
            segment_id__in=[s[0] for s in segments.values()], delivered_on__gte=min(dates),
            delivered_on__lte=max(dates)).values_list("segment_id", "delivered_on", "run_no"))
    seen: dict[tuple[int, dt.date, int], int] = {}
    today = timezone.localdate()
    now = timezone.now()
    recorder = actor.pk if actor is not None else None
    source = DeliveryRecord.Source.IMPORT.value
    mondays: dict[dt.date, dt.date] = {}
    plan = _Plan()
    append = plan.rows.append
    for number, values in parsed:
        code, on, run_no = values.get("segment"), values.get("delivered_on"), values.get("run_no")
        segment = segments.get(code)
        courier_id = couriers.get(values["courier"]) if values["courier"] else (segment[2] if segment else None)
        key = (segment[0], on, run_no) if segment is not None and on is not None and run_no is not None else None
        if (number not in bad and segment is not None and segment[4] and on is not None and on <= today
                and on >= segment[3] and (courier_id is not None or not values["courier"])
                and key not in existing and key not in seen):
            seen[key] = number  # the fast path: a good row
            week = mondays.get(on)
            if week is None:
                week = mondays[on] = monday(on)
            append((segment[0], segment[1], on, week, run_no, courier_id, values["ordinary"], values["tracked"],
                    values["delivered"], values["on_time"], values["handover_point"] or segment[5],
                    values["note"], source, recorder, now))
            continue
        row_errors = []
        if code and segment is None:
            row_errors.append(RowError(SHEET, number, _HEADERS["segment"],
                                       _("段道 %(c)s 不存在或不在您的管辖范围内") % {"c": code}))
        elif segment is not None and not segment[4]:
            row_errors.append(RowError(SHEET, number, _HEADERS["segment"], _("段道 %(c)s 已停用") % {"c": code}))
        if values["courier"] and courier_id is None:
            row_errors.append(RowError(SHEET, number, _HEADERS["courier"],
                                       _("没有工号为 %(n)s 的员工") % {"n": values["courier"]}))
        if on is not None:
            if on > today:
                row_errors.append(RowError(SHEET, number, _HEADERS["delivered_on"],
                                           _("投递日期 %(d)s 晚于今天") % {"d": on}))
            elif segment is not None and on < segment[3]:
                row_errors.append(RowError(SHEET, number, _HEADERS["delivered_on"],
                                           _("段道 %(d)s 才启用") % {"d": segment[3]}))
        if key is not None:
            if key in existing:
                row_errors.append(RowError(SHEET, number, _HEADERS["run_no"],
                                           _("%(d)s 第 %(n)d 趟已有记录") % {"d": on, "n": run_no}))
            elif key in seen:
                row_errors.append(RowError(SHEET, number, _HEADERS["run_no"],
                                           _("与第 %(r)d 行重复（同一段道、日期和趟次）") % {"r": seen[key]}))
            else:
                seen[key] = number
        errors.extend(row_errors)
        bad.add(number)
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





def copy_text(rows: Iterable[tuple]) -> Iterable[str]:
    """The rows (in _Plan.COLUMNS order) in COPY's text format, in chunks. The columns' types are
    known, so each line is one f-string; dates and timestamps repeat and are formatted once."""
    days: dict[dt.date, str] = {}
    stamps: dict[dt.datetime, str] = {}
    chunk = []
    for (segment, unit, on, week, run_no, courier, ordinary, tracked, delivered, on_time, point, note, source,
         recorder, at) in rows:
        d = days.get(on) or days.setdefault(on, on.isoformat())
        w = days.get(week) or days.setdefault(week, week.isoformat())
        t = stamps.get(at) or stamps.setdefault(at, at.isoformat())
        chunk.append(f"{segment}\t{unit}\t{d}\t{w}\t{run_no}\t{COPY_NULL if courier is None else courier}\t"
                     f"{ordinary}\t{tracked}\t{delivered}\t{on_time}\t{point}\t{copy_escape(note) if note else ''}\t"
                     f"{source}\t{COPY_NULL if recorder is None else recorder}\t{t}\t\t")  # both reasons: ""
        if len(chunk) == BATCH:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _copy(rows: Sequence[tuple]) -> None:
    table = DeliveryRecord._meta.db_table
    statement = f"COPY {table} ({', '.join(_Plan.COLUMNS)}, correction_reason, withdrawal_reason) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement) as copy:
            for text in copy_text(rows):
                copy.write(text)

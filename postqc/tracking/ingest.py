"""Bulk ingest of tracking events: the scanners' or the national system's export, CSV or Excel.

One row per event. Columns (headers in Chinese, the template marks the required ones with *):
邮件号*, 事件代码*, 时间*, 机构*, 地点, 原因, 处理, and on an item's posting event (EMA) its
attributes: 邮件类别, 寄达范围, 资费, 收寄网点, 投递单位. Rules:

- every error names the row (as the file shows it), the column and the reason; all or nothing by
  default — one bad row and nothing is written; `skip_invalid` writes the good rows and lists the
  rest; `dry_run` checks and counts, writes nothing;
- an event already recorded (same item, code and time) is counted as unchanged, not doubled;
- 机构 is an office code: an org unit's code links the event to that unit, any other code (a
  Beijing sorting centre) is kept as reported;
- a new item's delivering unit (its scope) is 投递单位, else the unit of its first delivery-side
  event (EMG…EMI) in our org, else the posting unit; a person ingesting may only touch items of
  their own subtree;
- on PostgreSQL the rows go in with COPY (psycopg 3 `cursor.copy`) and the items' state of new
  items is computed here from their events; items that already had events are refreshed set-based
  (services.items_refresh). Elsewhere the same rows go through bulk_create.
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import itemgetter
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.copytext import COPY_NULL, copy_escape, copy_lines
from postqc.core.access import visible_unit_ids
from postqc.core.excel import CellType, Column, ImportReport, RowError, SheetSpec, WorkbookError, read_workbook
from postqc.delivery.models import MailClass, Route
from postqc.delivery.rules import TimeLimits, due_date
from postqc.org.models import Outlet, Unit

from . import s10
from .models import DELIVERY_SIDE, Action, EventCode, Reason, TrackedItem, TrackingEvent

LOCAL = ZoneInfo("Asia/Shanghai")
SHEET = "跟踪事件"
CHUNK = 5000
FUTURE_SLACK = dt.timedelta(minutes=10)


class _Raw(CellType):
    """Cells are read as they are; ingest checks them itself (fast, and with its own wording)."""

    def parse(self, raw: Any) -> Any:
        return raw

    def format(self, value: Any) -> Any:
        return "" if value is None else value

    def describe(self) -> str:
        return ""


_R = _Raw()
EVENT_SHEET = SheetSpec(SHEET, (
    Column("邮件号", "number", _R, required=True, width=16, help=_("国际标准 S10 邮件号（如 RR123456785CN）或国内邮件号")),
    Column("事件代码", "code", _R, required=True, width=10, help=_("UPU 事件代码：EMA 收寄 … EMH 投递未成功、EMI 妥投")),
    Column("时间", "time", _R, required=True, width=18, help=_("北京时间，年-月-日 时:分[:秒]")),
    Column("机构", "office", _R, required=True, width=14, help=_("处理机构代码；本市单位填单位编码")),
    Column("地点", "location", _R, width=20, help=_("处理地点（如 北京市邮区中心局）")),
    Column("原因", "reason", _R, width=14, help=_("EMH 必填：查无此人、原址查无此单位、迁移新址不明、地址不详、拒收、逾期未领、收件人已故、地址字迹不清、收件人不在")),
    Column("处理", "action", _R, width=16, help=_("EMH 必填：再次投递、留局待领，已留投递通知、退回寄件人、按新址改寄、无法退回，按无着邮件处理")),
    Column("邮件类别", "mail_class", _R, width=10, help=_("EMA 填写：信函、印刷品、包裹、特快专递；空则按业务代码推定")),
    Column("寄达范围", "route", _R, width=10, help=_("EMA 填写：同城、省内、跨省")),
    Column("资费", "postage", _R, width=8, help=_("EMA 填写：元，用于丢失赔偿（挂号信函按资费 3 倍赔偿）")),
    Column("收寄网点", "outlet", _R, width=12, help=_("EMA 填写：网点编码")),
    Column("投递单位", "delivery_unit", _R, width=14, help=_("寄达本市的邮件：负责投递的单位编码")),
    Column("寄件人", "sender", _R, width=12, help=_("EMA 填写（仅内部可见）")),
    Column("收件人", "addressee", _R, width=16, help=_("EMA 填写（仅内部可见）")),
    Column("投递员工号", "courier", _R, width=12, help=_("EDG、EMH、EMI：投递员的员工号")),
), example={"number": "RR123456785CN", "code": "EMA", "time": "2026-11-20 09:30", "office": "JLS-CY",
            "location": "吉林市船营区", "mail_class": "信函", "route": "跨省", "postage": "5.00"},
   help=_("每行一个跟踪事件；同一邮件的收寄事件（EMA）上填写邮件类别、寄达范围、资费、收寄网点。"))

HEADERS = {c.header: c.field for c in EVENT_SHEET.columns}
FIELD_HEADER = {c.field: c.header for c in EVENT_SHEET.columns}
CODES = frozenset(EventCode.values)
REASONS = {**{str(label): value for value, label in Reason.choices}, **{v: v for v in Reason.values}}
ACTIONS = {**{str(label): value for value, label in Action.choices}, **{v: v for v in Action.values},
           "再投": Action.RETRY, "留局待领": Action.HOLD, "退回": Action.RETURN, "改寄": Action.REDIRECT,
           "无法退回": Action.UNRETURNABLE}
CLASSES = {**{str(label): value for value, label in MailClass.choices}, **{v: v for v in MailClass.values},
           "挂号信函": MailClass.LETTER, "信件": MailClass.LETTER, "EMS": MailClass.EXPRESS}
ROUTES = {**{str(label): value for value, label in Route.choices}, **{v: v for v in Route.values}}


@dataclass(slots=True)
class EventRow:
    row: int
    number: str
    code: str
    at: dt.datetime
    unit_id: int | None
    office: str
    location: str
    reason: str
    action: str
    courier_id: int | None = None


@dataclass
class ItemPlan:
    """What the file says about an item at its posting (EMA) and which unit delivers it."""

    parsed: s10.Number
    first_row: int
    mail_class: str = ""
    route: str = ""
    postage: Decimal | None = None
    outlet_id: int | None = None
    posting_unit_id: int | None = None
    delivery_unit_id: int | None = None
    sender: str = ""
    addressee: str = ""
    posted_at: dt.datetime | None = None
    events: list[EventRow] = field(default_factory=list)
    keys: set[tuple[dt.datetime, str]] = field(default_factory=set)  # (time, code) of its events in the file


# --- Reading -------------------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    if raw.__class__ is str:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _clean(values: dict) -> dict:
    """A row's cells as stripped text (the time as Excel gave it when it is a date or time), so that
    checking reads each cell with a plain dict lookup."""
    return {k: v.strip() if v.__class__ is str else v if k == "time" and isinstance(v, dt.date) else _text(v)
            for k, v in values.items()}


def read_table(source: bytes | str | os.PathLike | IO[bytes], filename: str) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """(row number, field → cell) for every non-empty data row, cleaned as _clean() does, and errors
    about the file."""
    if not isinstance(source, bytes):
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as fh:
                source = fh.read()
        else:
            source = source.read()
    if filename.lower().endswith((".csv", ".txt")):
        return _read_csv(source)
    try:
        sheets = read_workbook(source, [EVENT_SHEET])
    except WorkbookError as exc:
        return [], [RowError("", None, "", str(exc))]
    sheet = sheets[SHEET]
    if sheet.errors:
        return [], list(sheet.errors)
    return [(r.number, _clean(r.values)) for r in sheet.rows], []


def _read_csv(data: bytes) -> tuple[list[tuple[int, dict]], list[RowError]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [RowError("", None, "", _("CSV 文件编码无法识别，请另存为 UTF-8 编码。"))]
    if '"' in text:
        reader = csv.reader(io.StringIO(text))
    else:  # nothing quoted anywhere: each line is its cells between the commas (5× faster than csv)
        reader = (line.split(",") for line in text.split("\n"))  # a "\r" left at the end is stripped
    header = next(reader, None)
    if not header:
        return [], [RowError("", None, "", _("文件是空的。"))]
    names = [h.strip().rstrip("*＊").strip() for h in header]
    positions = {HEADERS[n]: i for i, n in enumerate(names) if n in HEADERS}
    missing = [c.header for c in EVENT_SHEET.columns if c.required and c.field not in positions]
    if missing:
        return [], [RowError(SHEET, 1, h, _("缺少必填列“%(h)s”") % {"h": h}) for h in missing]
    width = len(names)
    fields, pick = tuple(positions), itemgetter(*positions.values())
    rows = []
    for number, cells in enumerate(reader, start=2):
        text = "".join(cells)
        if not text or text.isspace():
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        picked = pick(cells)
        rows.append((number, dict(zip(fields, map(str.strip, picked if len(fields) > 1 else (picked,))))))
    if not rows:
        return [], [RowError("", None, "", _("文件中没有数据行（只有表头或是空表）。"))]
    return rows, []


# --- Checking ------------------------------------------------------------------------------------------


def _when(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        raise ValueError
    else:
        text = _text(raw).replace("/", "-")
        if not text:
            raise ValueError
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:  # e.g. "2026-11-20 8:05": a single-digit hour, as some exports write it
            for form in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
                try:
                    value = dt.datetime.strptime(text, form)
                    break
                except ValueError:
                    continue
            else:
                raise
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    return value


class _Checker:
    """Checks rows one by one against the org (units, outlets) and what is already recorded."""

    def __init__(self, *, actor=None, now: dt.datetime | None = None):
        self.units = dict(Unit.objects.values_list("code", "id"))
        self.outlets = dict(Outlet.objects.values_list("code", "id"))
        self.outlet_unit = dict(Outlet.objects.values_list("id", "unit_id"))
        self.couriers: dict[str, int] = {}  # employee number → staff id, read by prepare()
        self.visible = set(visible_unit_ids(actor).values_list("descendant_id", flat=True)) if actor else None
        self.latest = (now or timezone.now()) + FUTURE_SLACK
        self.numbers: dict[str, s10.Number | str] = {}  # raw → parsed, or the error message
        self.times: dict[str, dt.datetime] = {}  # raw → parsed (scanners write a minute or second many times)
        self.errors: list[RowError] = []
        self.plans: dict[str, ItemPlan] = {}
        self.bad_rows: set[int] = set()
        self.repeated = 0  # rows repeating an earlier row's event (same item, time and code)

    def _error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(SHEET, row, FIELD_HEADER[column], message))
        self.bad_rows.add(row)

    def _parse(self, raw: Any) -> s10.Number | str:
        """The number in a cell, parsed once per distinct cell: a Number, or the error message."""
        key = raw if raw.__class__ is str else _text(raw)
        parsed = self.numbers.get(key)
        if parsed is None:
            try:
                parsed = s10.parse(key)
            except s10.NumberError as exc:
                parsed = str(exc)
            self.numbers[key] = parsed
        return parsed

    def prepare(self, rows: list[tuple[int, dict]]) -> list[str]:
        """A first pass over `rows`: reads the couriers they name (check() asks no query, so that it can run
        while a COPY holds the connection) and returns the valid item numbers they name, so that what
        exists is known before checking."""
        from postqc.org.models import Staff

        couriers = {values.get("courier", "") for _row, values in rows} - {""}
        self.couriers = dict(Staff.objects.filter(employee_no__in=couriers).values_list("employee_no", "pk")
                             ) if couriers else {}
        return list({p.number for p in map(self._parse, (values.get("number", "") for _row, values in rows))
                     if not isinstance(p, str)})

    def check(self, row: int, values: dict) -> EventRow | None:
        """Check one row; its event when the row is good and not a repeat of an earlier row's event. Asks
        no query (see prepare()): on PostgreSQL it runs while the COPY holds the connection."""
        parsed = self._parse(values.get("number", ""))  # from prepare()'s parse
        ok = True
        if isinstance(parsed, str):
            self._error(row, "number", parsed)
            ok = False
        code = values.get("code", "").upper()
        if code not in CODES:
            self._error(row, "code", _("事件代码“%(c)s”无效，应为 UPU 事件代码之一：%(all)s") % {
                "c": code, "all": " ".join(EventCode.values)} if code else _("必填项不能为空"))
            ok = False
        raw_time = values.get("time", "")
        at = self.times.get(raw_time) if raw_time.__class__ is str else None
        try:
            if at is None:
                at = _when(raw_time)
                if raw_time.__class__ is str:
                    self.times[raw_time] = at
        except (ValueError, TypeError):
            self._error(row, "time", _("时间“%(t)s”无法识别，应为 年-月-日 时:分（如 2026-11-20 09:30）") % {
                "t": _text(raw_time)})
            ok, at = False, None
        if at is not None and at > self.latest:
            self._error(row, "time", _("时间 %(t)s 晚于当前时间。") % {"t": f"{at.astimezone(LOCAL):%Y-%m-%d %H:%M}"})
            ok = False
        office = values.get("office", "")
        if not office:
            self._error(row, "office", _("必填项不能为空"))
            ok = False
        elif len(office) > 32:
            self._error(row, "office", _("机构代码不超过 32 个字符。"))
            ok = False
        location = values.get("location", "")
        if len(location) > 64:
            self._error(row, "location", _("地点不超过 64 个字。"))
            ok = False
        reason_raw, action_raw = values.get("reason", ""), values.get("action", "")
        reason, action = REASONS.get(reason_raw, ""), ACTIONS.get(action_raw, "")
        if code == "EMH":
            if not reason_raw:
                self._error(row, "reason", _("投递未成功（EMH）必须填写原因。"))
                ok = False
            elif not reason:
                self._error(row, "reason", _("原因“%(r)s”无效，应为：%(all)s") % {
                    "r": reason_raw, "all": "、".join(str(label) for label in Reason.labels)})
                ok = False
            if not action_raw:
                self._error(row, "action", _("投递未成功（EMH）必须填写处理情况。"))
                ok = False
            elif not action:
                self._error(row, "action", _("处理“%(a)s”无效，应为：%(all)s") % {
                    "a": action_raw, "all": "、".join(str(label) for label in Action.labels)})
                ok = False
        elif code and (reason_raw or action_raw):
            self._error(row, "reason" if reason_raw else "action",
                        _("只有投递未成功（EMH）事件填写原因和处理。"))
            ok = False
        attrs = self._attributes(row, values, code) if code == "EMA" else None
        if attrs is False:
            ok = False
        courier_no, courier_id = values.get("courier", ""), None
        if courier_no:
            courier_id = self.couriers.get(courier_no)
            if courier_id is None:
                self._error(row, "courier", _("员工号 %(n)s 不存在。") % {"n": courier_no})
                ok = False
        if not ok:
            return None
        unit_id = self.units.get(office)
        plan = self.plans.get(parsed.number)
        if plan is None:
            plan = self.plans[parsed.number] = ItemPlan(parsed=parsed, first_row=row)
        if attrs:
            for name, value in attrs.items():
                setattr(plan, name, value)
            plan.posted_at = at
            plan.posting_unit_id = unit_id or (self.outlet_unit.get(plan.outlet_id) if plan.outlet_id else None)
        if (at, code) in plan.keys:
            self.repeated += 1
            return None
        plan.keys.add((at, code))
        event = EventRow(row, parsed.number, code, at, unit_id, office, location, reason, action, courier_id)
        plan.events.append(event)
        return event

    def _attributes(self, row: int, values: dict, code: str) -> dict | bool:
        out: dict[str, Any] = {}
        ok = True
        for name, table, label in (("mail_class", CLASSES, MailClass), ("route", ROUTES, Route)):
            raw = values.get(name, "")
            if raw:
                if raw not in table:
                    self._error(row, name, _("“%(v)s”无效，应为：%(all)s") % {
                        "v": raw, "all": "、".join(str(x) for x in label.labels)})
                    ok = False
                else:
                    out[name] = table[raw]
        raw = values.get("postage", "")
        if raw:
            try:
                postage = Decimal(raw)
                if not (0 <= postage < 100000):
                    raise InvalidOperation
                out["postage"] = postage.quantize(Decimal("0.01"))
            except InvalidOperation:
                self._error(row, "postage", _("资费“%(v)s”应为 0–99999 的金额（元）。") % {"v": raw})
                ok = False
        raw = values.get("outlet", "")
        if raw:
            if raw not in self.outlets:
                self._error(row, "outlet", _("网点编码 %(c)s 不存在。") % {"c": raw})
                ok = False
            else:
                out["outlet_id"] = self.outlets[raw]
        raw = values.get("delivery_unit", "")
        if raw:
            if raw not in self.units:
                self._error(row, "delivery_unit", _("单位编码 %(c)s 不存在。") % {"c": raw})
                ok = False
            else:
                out["delivery_unit_id"] = self.units[raw]
        for name in ("sender", "addressee"):
            raw = values.get(name, "")
            if len(raw) > 64:
                self._error(row, name, _("不超过 64 个字。"))
                ok = False
            elif raw:
                out[name] = raw
        return out if ok else False

    def check_items(self, existing: dict[str, tuple[int, int]]) -> None:
        """Per item: a unit to scope it by, inside the actor's subtree."""
        for number, plan in list(self.plans.items()):
            if number in existing:
                unit_id = existing[number][1]
            else:
                unit_id = item_unit(plan)
                if unit_id is None:
                    self._error(plan.first_row, "delivery_unit", _(
                        "无法确定邮件 %(n)s 的所属单位：它的事件都不在本市单位，请在收寄事件上填写投递单位。") % {"n": number})
                    del self.plans[number]
                    continue
            if self.visible is not None and unit_id not in self.visible:
                self._error(plan.first_row, "number", _("邮件 %(n)s 不属于本单位及下级单位，不能导入其事件。") % {"n": number})
                del self.plans[number]


def item_unit(plan: ItemPlan) -> int | None:
    if plan.delivery_unit_id:
        return plan.delivery_unit_id
    for event in sorted(plan.events, key=lambda e: e.at):
        if event.code in DELIVERY_SIDE and event.unit_id:
            return event.unit_id
    return plan.posting_unit_id


# --- Deriving an item's state from its events (the same rules as services.items_refresh) ------------


def derive(events: Iterable[EventRow], due_on: dt.date | None, unit_id: int) -> dict:
    """An item's state from its events, in one pass over them in time order."""
    last = None
    attempts = 0
    return_at = None
    unreturnable = False
    first_delivery = last_delivery = None
    side = None
    for e in sorted(events, key=lambda e: (e.at, e.row)):
        last = e
        if e.code == "EMH":
            attempts += 1
            if e.action == Action.RETURN and return_at is None:
                return_at = e.at
            elif e.action == Action.UNRETURNABLE:
                unreturnable = True
        elif e.code == "EMI":
            first_delivery = first_delivery or e.at
            last_delivery = e.at
        if e.unit_id and e.code in DELIVERY_SIDE:
            side = e.unit_id
    delivered_at = first_delivery if return_at is None else None
    if unreturnable:
        status = TrackedItem.Status.UNRETURNABLE
    elif return_at is not None:
        back = last_delivery is not None and last_delivery > return_at
        status = TrackedItem.Status.RETURNED if back else TrackedItem.Status.RETURNING
    elif delivered_at is not None:
        status = TrackedItem.Status.DELIVERED
    else:
        status = STATUS_BY_CODE.get(last.code, TrackedItem.Status.IN_TRANSIT) if last else TrackedItem.Status.POSTED
    on_time = None
    if delivered_at is not None and due_on is not None:
        on_time = delivered_at.astimezone(LOCAL).date() <= due_on
    return {"status": status, "last_code": last.code if last else "", "last_action": last.action if last else "",
            "last_event_at": last.at if last else None, "attempts": attempts, "returned": return_at is not None,
            "delivered_at": delivered_at, "on_time": on_time, "unit_id": side or unit_id}


STATUS_BY_CODE = {"EMA": TrackedItem.Status.POSTED, "EMG": TrackedItem.Status.AT_OFFICE,
                  "EDF": TrackedItem.Status.AT_OFFICE, "EDG": TrackedItem.Status.OUT,
                  "EDH": TrackedItem.Status.AWAITING, "EMH": TrackedItem.Status.FAILED}


class _Due:
    """D+N per (unit, posting day): delivery.rules.TimeLimits. The limits in force only change on a
    rule's effective date, so they are read once per unit and span between two such dates; a due date
    is worked out once per unit, posting day, mail class and route."""

    def __init__(self):
        from postqc.delivery.models import TimeLimitRule

        self._limits: dict[tuple[int, dt.date | None], TimeLimits] = {}
        self._due: dict[tuple[int, dt.date, str, str], dt.date | None] = {}
        self._units = Unit.objects.in_bulk()
        self._boundaries = sorted(set(TimeLimitRule.objects.values_list("effective_from", flat=True)))

    def __call__(self, unit_id: int, posted_at: dt.datetime | None, mail_class: str, route: str) -> dt.date | None:
        if posted_at is None or not mail_class or not route:
            return None
        on = posted_at.astimezone(LOCAL).date()
        key = (unit_id, on, mail_class, route)
        if key not in self._due:
            self._due[key] = self._compute(unit_id, on, mail_class, route)
        return self._due[key]

    def _compute(self, unit_id: int, on: dt.date, mail_class: str, route: str) -> dt.date | None:
        at = bisect.bisect_right(self._boundaries, on)
        key = (unit_id, self._boundaries[at - 1] if at else None)
        if key not in self._limits:
            self._limits[key] = TimeLimits(self._units.get(unit_id), on)
        days = self._limits[key].days(mail_class, route)
        return due_date(on, days) if days is not None else None


# --- Writing -------------------------------------------------------------------------------------------


def _existing_items(numbers: list[str]) -> dict[str, tuple[int, int]]:
    if connection.vendor == "postgresql":  # one array parameter instead of thousands
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, id, unit_id FROM {TrackedItem._meta.db_table} WHERE number = ANY(%s)",
                           [numbers])
            return {n: (pk, unit) for n, pk, unit in cursor.fetchall()}
    found: dict[str, tuple[int, int]] = {}
    for i in range(0, len(numbers), CHUNK):
        found.update((n, (pk, unit)) for n, pk, unit in TrackedItem.objects.filter(number__in=numbers[i:i + CHUNK])
                     .values_list("number", "pk", "unit_id"))
    return found


def _existing_keys(item_ids: list[int]) -> set[tuple[int, dt.datetime, str]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT item_id, occurred_at, code FROM {TrackingEvent._meta.db_table} "
                           "WHERE item_id = ANY(%s)", [item_ids])
            return set(cursor.fetchall())
    keys = set()
    for i in range(0, len(item_ids), CHUNK):
        keys.update(TrackingEvent.objects.filter(item_id__in=item_ids[i:i + CHUNK])
                    .values_list("item_id", "occurred_at", "code"))
    return keys


ITEM_COLUMNS = ("created_at", "updated_at", "number", "indicator", "country", "mail_class", "route", "posted_at",
                "sender", "addressee",
                "posting_outlet_id", "posting_unit_id", "unit_id", "postage", "due_on", "status", "last_code",
                "last_action", "last_event_at", "attempts", "returned", "delivered_at", "on_time")
EVENT_COLUMNS = ("item_id", "code", "occurred_at", "unit_id", "office", "location", "reason", "action", "courier_id",
                 "source", "recorded_at")


COPY_BATCH = 5000



def event_copy_text(rows: Iterable[tuple]) -> Iterable[str]:
    """Event rows (EVENT_COLUMNS order) in COPY's text format, in chunks. The columns' types are known,
    so each line is one f-string (a generic per-value dumper costs several times more); timestamps
    repeat and are formatted once; the free-text columns are escaped."""
    stamps: dict[dt.datetime, str] = {}
    chunk: list[str] = []
    for item_id, code, at, unit_id, office, location, reason, action, courier_id, source, recorded in rows:
        t = stamps.get(at) or stamps.setdefault(at, at.isoformat())
        r = stamps.get(recorded) or stamps.setdefault(recorded, recorded.isoformat())
        chunk.append(f"{item_id}\t{code}\t{t}\t{COPY_NULL if unit_id is None else unit_id}\t{copy_escape(office)}\t"
                     f"{copy_escape(location) if location else ''}\t{reason}\t{action}\t"
                     f"{COPY_NULL if courier_id is None else courier_id}\t{source}\t{r}")
        if len(chunk) == COPY_BATCH:
            yield "\n".join(chunk) + "\n"
            chunk = []
    if chunk:
        yield "\n".join(chunk) + "\n"


def _copy_events(rows: Iterable[tuple]) -> None:
    """COPY the events (PostgreSQL, psycopg 3) as preformatted text: the bulk path of the ingest."""
    sql = f"COPY {TrackingEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for text in event_copy_text(rows):
                copy.write(text)


def _new_items(plans: dict[str, ItemPlan], existing: dict[str, tuple[int, int]], due: _Due,
               now: dt.datetime) -> list[dict]:
    """The items the file brings that are not recorded yet (ITEM_COLUMNS), their state derived from
    their events."""
    rows = []
    for number, plan in plans.items():
        if number in existing:
            continue
        unit_id = item_unit(plan)
        mail_class = plan.mail_class or plan.parsed.mail_class
        due_on = due(unit_id, plan.posted_at, mail_class, plan.route)
        rows.append({
            "created_at": now, "updated_at": now, "number": number, "indicator": plan.parsed.indicator,
            "country": plan.parsed.country, "mail_class": mail_class, "route": plan.route,
            "posted_at": plan.posted_at, "sender": plan.sender, "addressee": plan.addressee,
            "posting_outlet_id": plan.outlet_id, "posting_unit_id": plan.posting_unit_id, "postage": plan.postage,
            "due_on": due_on, **derive(plan.events, due_on, unit_id)})
    return rows


def _allocate_ids(count: int) -> list[int]:
    """`count` ids from the items' sequence (PostgreSQL), so that new items need not be read back."""
    if not count:
        return []
    table = TrackedItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
        return [pk for (pk,) in cursor.fetchall()]


def _copy_items(rows: list[dict]) -> None:
    """COPY new items (PostgreSQL, psycopg 3) as preformatted text lines."""
    columns = ("id", *ITEM_COLUMNS)
    sql = f"COPY {TrackedItem._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            lines = copy_lines([row[c] for c in columns] for row in rows)
            while chunk := "".join(islice(lines, COPY_BATCH)):
                copy.write(chunk)


def _event_row(pk: int, e: EventRow, source: str, now: dt.datetime) -> tuple:
    return (pk, e.code, e.at, e.unit_id, e.office, e.location, e.reason, e.action, e.courier_id, source, now)


def _returning(new_items: list[dict]) -> list[int]:
    """The new items that need a 退回 record: only items sent back do."""
    return [row["id"] for row in new_items if row["returned"] or row["status"] == "unreturnable"]


def _touched(plans: dict[str, ItemPlan], existing: dict[str, tuple[int, int]]) -> list[int]:
    return sorted({existing[n][0] for n in plans if n in existing})


class _Refused(Exception):
    """A row or an item was refused while streaming: leaving the transaction rolls the COPY back."""


def _stream(rows: list[tuple[int, dict]], checker: _Checker, numbers: list[str],
            existing: dict[str, tuple[int, int]], *, source: str,
            progress: Callable[[int, int], None] | None) -> tuple[int, list[int], list[int]]:
    """The bulk path on PostgreSQL, all or nothing: each row is checked and its event goes into the
    COPY at once, so PostgreSQL writes while Python checks (one after the other took 1.6× as long).
    The new items' ids are drawn from the sequence first; the items follow the events in the same
    transaction (the events' foreign key is checked at commit). Must run inside a transaction; raises
    _Refused when a row or an item is refused. Returns (events written, existing items touched, new
    items that need a 退回 record)."""
    now = timezone.now()
    fresh = [n for n in numbers if n not in existing]
    item_id = {n: pk for n, (pk, _u) in existing.items()}
    item_id.update(zip(fresh, _allocate_ids(len(fresh))))
    known = _existing_keys(sorted(pk for pk, _u in existing.values())) if existing else set()
    written = 0
    total = len(rows)

    def checked() -> Iterable[tuple]:
        # Runs while the COPY holds the connection: no query in here, not even the job's progress.
        nonlocal written
        for row, values in rows:
            event = checker.check(row, values)
            if event is None or checker.errors:  # after the first error, only check (nothing will be kept)
                continue
            pk = item_id[event.number]
            if known and (pk, event.at, event.code) in known:
                continue
            written += 1
            yield _event_row(pk, event, source, now)

    _copy_events(checked())
    if progress:
        progress(total * 9 // 10, total)
    checker.check_items(existing)
    if checker.errors:
        raise _Refused
    due = _Due()
    new_items = _new_items(checker.plans, existing, due, now)
    for row in new_items:
        row["id"] = item_id[row["number"]]
    if new_items:
        _copy_items(new_items)
    _posting_update(checker.plans, existing, due)
    return written, _touched(checker.plans, existing), _returning(new_items)


def _write(plans: dict[str, ItemPlan], existing: dict[str, tuple[int, int]], *, source: str,
           progress: Callable[[int], None] | None) -> tuple[int, list[int], list[int]]:
    """The path after checking every row (SQLite; --skip-invalid on PostgreSQL): the new items, then
    the events not recorded yet. Returns what _stream returns."""
    now = timezone.now()
    due = _Due()
    postgres = connection.vendor == "postgresql"
    new_items = _new_items(plans, existing, due, now)
    if postgres:
        for row, pk in zip(new_items, _allocate_ids(len(new_items))):
            row["id"] = pk
        if new_items:
            _copy_items(new_items)
    else:
        TrackedItem.objects.bulk_create([TrackedItem(**row) for row in new_items], batch_size=500)
        created = _existing_items([row["number"] for row in new_items])
        for row in new_items:
            row["id"] = created[row["number"]][0]
    item_id = {n: pk for n, (pk, _u) in existing.items()}
    item_id.update((row["number"], row["id"]) for row in new_items)
    touched = _touched(plans, existing)
    known = _existing_keys(touched) if touched else set()
    rows = [_event_row(item_id[number], e, source, now) for number, plan in plans.items() for e in plan.events
            if not known or (item_id[number], e.at, e.code) not in known]
    if postgres:
        _copy_events(rows)
    else:
        for i in range(0, len(rows), CHUNK):
            TrackingEvent.objects.bulk_create(
                [TrackingEvent(**dict(zip(EVENT_COLUMNS, r))) for r in rows[i:i + CHUNK]], batch_size=500)
            if progress:
                progress(i + len(rows[i:i + CHUNK]))
    _posting_update(plans, existing, due)
    return len(rows), touched, _returning(new_items)


def _posting_update(plans: dict[str, ItemPlan], existing: dict[str, tuple[int, int]], due: _Due) -> None:
    """An existing item whose posting event arrives late gets its posting attributes now."""
    late = [(existing[n][0], p) for n, p in plans.items() if n in existing and p.posted_at is not None]
    if not late:
        return
    items = TrackedItem.objects.in_bulk([pk for pk, _p in late])
    for pk, plan in late:
        item = items[pk]
        if item.posted_at is not None:
            continue
        item.posted_at, item.posting_outlet_id, item.posting_unit_id = plan.posted_at, plan.outlet_id, plan.posting_unit_id
        item.mail_class = plan.mail_class or item.mail_class or plan.parsed.mail_class
        item.route = plan.route or item.route
        item.postage = plan.postage if plan.postage is not None else item.postage
        item.due_on = due(item.unit_id, item.posted_at, item.mail_class, item.route)
        item.save(update_fields=["posted_at", "posting_outlet", "posting_unit", "mail_class", "route", "postage",
                                 "due_on", "updated_at"])


def ingest_rows(rows: list[tuple[int, dict]], *, actor=None, skip_invalid: bool = False, dry_run: bool = False,
                source: str = TrackingEvent.Source.INGEST, progress: Callable[[int, int], None] | None = None,
                report: ImportReport | None = None) -> ImportReport:
    """Check `rows` (row number, field → raw cell) and, unless an error stops it, write them."""
    return _ingest([(row, _clean(values)) for row, values in rows], actor=actor, skip_invalid=skip_invalid,
                   dry_run=dry_run, source=source, progress=progress, report=report)


def _ingest(rows: list[tuple[int, dict]], *, actor, skip_invalid: bool, dry_run: bool, source: str,
            progress: Callable[[int, int], None] | None, report: ImportReport | None) -> ImportReport:
    """ingest_rows() on rows cleaned already (read_table's)."""
    from .services import items_refresh, returns_sync

    report = report or ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    counts = report.counts(SHEET)
    checker = _Checker(actor=actor)
    numbers = checker.prepare(rows)
    existing = _existing_items(numbers)
    total = len(rows)

    def record_errors() -> ImportReport:
        report.errors.extend(sorted(checker.errors, key=lambda e: (e.row or 0, e.column)))
        counts.skipped = len(checker.bad_rows)
        return report

    if connection.vendor == "postgresql" and not (skip_invalid or dry_run):
        try:
            with transaction.atomic():
                written, touched, returning = _stream(rows, checker, numbers, existing, source=source,
                                                      progress=progress)
                if touched:
                    items_refresh(touched)
                returns_sync(returning + touched)
        except _Refused:
            return record_errors()
    else:
        for n, (row, values) in enumerate(rows, start=1):
            checker.check(row, values)
            if progress and n % 20000 == 0:
                progress(n // 2, total)
        checker.check_items(existing)
        record_errors()
        if checker.errors and not skip_invalid:
            return report
        if dry_run:
            known = _existing_keys(sorted(pk for pk, _u in existing.values()))
            for number, plan in checker.plans.items():
                pk = existing.get(number, (None,))[0]
                old = sum((pk, e.at, e.code) in known for e in plan.events) if pk else 0
                counts.created += len(plan.events) - old
                counts.unchanged += old
            counts.unchanged += checker.repeated
            return report
        with transaction.atomic():
            written, touched, returning = _write(
                checker.plans, existing, source=source,
                progress=(lambda done: progress(total // 2 + done // 2, total)) if progress else None)
            if touched:
                items_refresh(touched)
            returns_sync(returning + touched)
    counts.created = written
    counts.unchanged = sum(len(plan.events) for plan in checker.plans.values()) + checker.repeated - written
    report.written = bool(written)
    if progress:
        progress(total, total)
    return report


def ingest_events(source, *, filename: str, actor=None, skip_invalid: bool = False, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Ingest a CSV or Excel file of events: the command, the upload page's job and the bench call this."""
    rows, errors = read_table(source, filename)
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    if errors:
        report.errors.extend(errors)
        return report
    return _ingest(rows, actor=actor, skip_invalid=skip_invalid, dry_run=dry_run, source=TrackingEvent.Source.INGEST,
                   progress=progress, report=report)

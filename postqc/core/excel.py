"""Tabular Excel import and export that every module reuses (org, question bank, surveys, tracking).

A module describes each worksheet as a `SheetSpec`: a list of `Column`s, each with
its Chinese header, the field name it fills, whether it is required and a cell
type (`Text`, `Code`, `Integer`, `DecimalNumber`, `Choice`, `MultiChoice`, `Time`,
`Mobile`) that turns a raw cell into a clean value or raises `CellError` with the
reason. From those specs this module:

- reads a workbook with python-calamine (`read_workbook`) into `ParsedSheet`s whose
  rows carry clean values and per-cell `RowError`s (sheet, row number as Excel
  shows it, column header, reason);
- writes data (`write_workbook`) and the downloadable template (`write_template`)
  with openpyxl in write-only mode, in the same layout, so an export re-imports.

Decisions, the same for every importer:
- The header row is the first of the sheet's first ten rows that names at least
  one known column, so a title row above it ("吉林市分公司员工名册") is fine.
  Headers match after trimming spaces and a trailing "*" (the template marks
  required columns with it); a column's `aliases` match too.
- A missing required column is one error naming it, and that sheet's rows are
  not read. A missing optional column is not an error: its field is absent from
  `ParsedRow.values`, so an importer updating existing records leaves it alone.
- Unknown extra columns (序号, 备注, …) are ignored and listed as a warning, because
  Chinese registers commonly carry them; a header that appears twice is an error.
- Empty rows are skipped; a row equal to the template's example row is skipped
  with a warning, so a filled-in template may keep it.
- A file that is not a workbook is `WorkbookError("不是有效的 Excel 文件")`; a
  workbook with none of the expected sheets, or with no data rows, is a
  `WorkbookError` too. Importers turn it into a report with one error.
- Header texts and choice labels are the file format, fixed in Chinese whatever
  the reader's language (an export made in English must re-import); messages are
  translated as usual.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Bytes every .xlsx/.xlsm file starts with (it is a ZIP archive); .xls starts with OLE2's signature.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH_ROWS = 10
_REQUIRED_MARK = re.compile(r"[*＊]\s*$")


class CellError(ValueError):
    """A cell type's complaint about one cell; the message is shown to the person importing."""


class WorkbookError(ValueError):
    """The file as a whole cannot be imported (not a workbook, no expected sheet, no data)."""


# --- Cell types ------------------------------------------------------------------------


def _as_text(raw: Any) -> str:
    """A cell as text: integral numbers without ".0" (工号 typed as a number), dates as ISO."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw).strip()


class CellType(ABC):
    """Turns a non-empty raw cell into a clean value (`parse`) and back into a cell (`format`)."""

    choices: tuple[str, ...] = ()  # allowed labels, offered as a dropdown in the template
    text_format = False  # the template formats the column as text (codes keep leading zeros)

    @abstractmethod
    def parse(self, raw: Any) -> Any:
        """The clean value of a non-empty cell; raises ValueError with the reason otherwise."""

    def format(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        """Allowed values or format, for the template's 说明 sheet."""
        return ""


class Text(CellType):
    def __init__(self, max_length: int):
        self.max_length = max_length

    def parse(self, raw: Any) -> str:
        value = _as_text(raw)
        if len(value) > self.max_length:
            raise CellError(_("不能超过 %(n)d 个字符（现有 %(len)d 个）") % {"n": self.max_length, "len": len(value)})
        return value

    def format(self, value: Any) -> str:
        return value or ""

    def describe(self) -> str:
        return _("最多 %(n)d 个字符") % {"n": self.max_length}


class Code(Text):
    """A public code (单位编码, 工号): letters, digits, '.', '_', '-'; a number cell reads as its digits."""

    text_format = True
    PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

    def parse(self, raw: Any) -> str:
        value = super().parse(raw)
        if not self.PATTERN.fullmatch(value):
            raise CellError(_("“%(v)s”不是有效编码：只能包含字母、数字、点、下划线和连字符") % {"v": value})
        return value

    def describe(self) -> str:
        return _("字母、数字、点、下划线、连字符，最长 %(n)d 位") % {"n": self.max_length}


class Integer(CellType):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return _("%(a)d–%(b)d 的整数") % {"a": self.minimum, "b": self.maximum}
        if self.minimum is not None:
            return _("不小于 %(a)d 的整数") % {"a": self.minimum}
        return _("整数")

    def parse(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError(_("应为整数"))
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        else:
            text = _as_text(raw)
            if not re.fullmatch(r"[+-]?\d+", text):
                raise CellError(_("“%(v)s”不是整数") % {"v": text})
            value = int(text)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise CellError(_("%(v)d 超出范围，应为 %(range)s") % {"v": value, "range": self.describe()})
        return value


class DecimalNumber(CellType):
    def __init__(self, places: int, minimum: Decimal | int, maximum: Decimal | int):
        self.quantum = Decimal(1).scaleb(-places)
        self.minimum, self.maximum = Decimal(minimum), Decimal(maximum)

    def describe(self) -> str:
        return _("%(a)s–%(b)s 之间的数") % {"a": self.minimum, "b": self.maximum}

    def parse(self, raw: Any) -> Decimal:
        text = repr(raw) if isinstance(raw, float) else _as_text(raw)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(v)s”不是数字") % {"v": text}) from None
        if not value.is_finite() or not self.minimum <= value <= self.maximum:
            raise CellError(_("%(v)s 超出范围，应在 %(a)s–%(b)s 之间") % {"v": text, "a": self.minimum, "b": self.maximum})
        return value.quantize(self.quantum)


def zh_choices(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str]]:
    """(value, Chinese label) pairs of a TextChoices' `.choices`, whatever the active language."""
    with translation.override("zh-hans"):
        return [(value, str(label)) for value, label in choices]


class Choice(CellType):
    """One of a fixed set of labels (一级/二级/三级); the stored value may differ from the label."""

    def __init__(self, options: Sequence[tuple[Any, str]]):
        self.by_label = {label: value for value, label in options}
        self.label_of = {value: label for value, label in options}
        self.choices = tuple(label for _value, label in options)

    def parse(self, raw: Any) -> Any:
        text = _as_text(raw)
        if text not in self.by_label:
            raise CellError(_("“%(v)s”不是有效值，可选：%(ok)s") % {"v": text, "ok": "、".join(self.choices)})
        return self.by_label[text]

    def format(self, value: Any) -> str:
        return self.label_of.get(value, "" if value is None else str(value))

    def describe(self) -> str:
        return "、".join(self.by_label)


class MultiChoice(Choice):
    """Several labels in one cell, separated by 、 (also accepted: ， , ； ; and line breaks)."""

    SEPARATORS = re.compile(r"[、，,；;\n]+")

    def __init__(self, options: Sequence[tuple[Any, str]]):
        super().__init__(options)
        self.choices = ()  # a dropdown can offer only one value

    def parse(self, raw: Any) -> list:
        labels = [part.strip() for part in self.SEPARATORS.split(_as_text(raw)) if part.strip()]
        unknown = [label for label in labels if label not in self.by_label]
        if unknown:
            raise CellError(_("“%(v)s”不是有效值，可选：%(ok)s") % {
                "v": "、".join(unknown), "ok": "、".join(self.by_label)})
        return list(dict.fromkeys(self.by_label[label] for label in labels))

    def format(self, value: Iterable) -> str:
        return "、".join(self.label_of.get(v, str(v)) for v in value or ())

    def describe(self) -> str:
        return _("可多选，用“、”分隔：%(ok)s") % {"ok": "、".join(self.by_label)}


class Time(CellType):
    """A time of day, written HH:MM; a time-formatted Excel cell works too."""

    def parse(self, raw: Any) -> dt.time:
        if isinstance(raw, dt.datetime):
            return raw.time().replace(second=0, microsecond=0)
        if isinstance(raw, dt.time):
            return raw.replace(second=0, microsecond=0)
        if isinstance(raw, float) and 0 <= raw < 1:  # Excel stores times as a fraction of a day
            minutes = round(raw * 24 * 60)
            return dt.time(minutes // 60 % 24, minutes % 60)
        text = _as_text(raw).replace("：", ":")
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise CellError(_("“%(v)s”不是有效时间，格式应为 HH:MM，如 08:30") % {"v": text})
        return dt.time(int(match[1]), int(match[2]))

    def format(self, value: dt.time | None) -> str:
        return value.strftime("%H:%M") if value else ""

    def describe(self) -> str:
        return _("HH:MM，如 08:30")


class Mobile(CellType):
    """A mainland China mobile number: 11 digits starting 1[3-9]; spaces, dashes and +86 are dropped."""

    text_format = True

    def parse(self, raw: Any) -> str:
        text = re.sub(r"[\s-]", "", _as_text(raw))
        text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
        if not re.fullmatch(r"1[3-9]\d{9}", text):
            raise CellError(_("“%(v)s”不是有效的手机号（应为 1 开头的 11 位数字）") % {"v": _as_text(raw)})
        return text

    def format(self, value: str) -> str:
        return value or ""

    def describe(self) -> str:
        return _("11 位手机号，如 13800000000")


# --- Specs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `header` is the Chinese header as the file shows it (without "*")."""

    header: str
    field: str
    type: CellType
    required: bool = False
    default: Any = ""  # the value of an empty optional cell
    help: str = ""  # what the column means, for the 说明 sheet (may be a lazy translation)
    aliases: tuple[str, ...] = ()
    width: int = 14

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    example: Mapping[str, Any] = field(default_factory=dict)  # field → clean value, one example row
    help: str = ""  # what the sheet holds, for the 说明 sheet (may be a lazy translation)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def header_of(self, field_name: str) -> str:
        return self.column(field_name).header


# --- Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # as Excel shows it; None for an error about the file or a whole sheet
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = " ".join(p for p in (self.sheet, _("第 %(n)d 行") % {"n": self.row} if self.row else "",
                                      self.column) if p)
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParsedRow:
    sheet: str
    number: int
    values: dict[str, Any]  # field → clean value, for the columns present and readable
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.sheet, self.number, column, message))

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedSheet:
    spec: SheetSpec
    header_row: int
    present: frozenset[str]  # fields whose column is in the file
    rows: list[ParsedRow]
    errors: list[RowError] = field(default_factory=list)  # about the sheet as a whole
    warnings: list[str] = field(default_factory=list)

    def get(self, row: ParsedRow, field_name: str) -> Any:
        """The row's value, or the column's default when the column is absent or the cell empty."""
        return row.values.get(field_name, self.spec.column(field_name).default)


def _normalise_header(text: Any) -> str:
    return _REQUIRED_MARK.sub("", _as_text(text).replace("\u3000", " ")).strip()


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip().replace("\u3000", ""))


def _open_workbook(source: str | os.PathLike | bytes | IO[bytes]):
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    data = source if isinstance(source, bytes) else None
    if data is None and isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            data = fh.read()
    elif data is None:
        data = source.read()
    if not data:
        raise WorkbookError(_("文件是空的（0 字节），不是有效的 Excel 文件。"))
    if not data.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
        raise WorkbookError(_("不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"))
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise WorkbookError(_("工作簿设置了打开密码，请取消密码后再导入。")) from None
    except (CalamineError, ValueError, OSError):
        raise WorkbookError(_("不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。")) from None


def looks_like_workbook(head: bytes) -> bool:
    """Cheap first check on an upload's first bytes before it is stored."""
    return head.startswith((_ZIP_MAGIC, _OLE2_MAGIC))


def _find_header(spec: SheetSpec, rows: list[list]) -> tuple[int, dict[int, Column], list[str], list[RowError]] | None:
    """(header row index, position → column, unknown headers, duplicate-header errors), or None."""
    by_header: dict[str, Column] = {}
    for col in spec.columns:
        for name in (col.header, *col.aliases):
            by_header[name] = col
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [_normalise_header(cell) for cell in row]
        if not any(h in by_header for h in headers):
            continue
        mapping: dict[int, Column] = {}
        unknown: list[str] = []
        errors: list[RowError] = []
        seen: dict[str, int] = {}
        for position, header in enumerate(headers):
            if not header:
                continue
            col = by_header.get(header)
            if col is None:
                unknown.append(header)
            elif col.field in seen:
                errors.append(RowError(spec.name, index + 1, header, _("列“%(h)s”出现了两次") % {"h": col.header}))
            else:
                seen[col.field] = position
                mapping[position] = col
        return index, mapping, unknown, errors
    return None


def _parse_sheet(spec: SheetSpec, rows: list[list]) -> ParsedSheet:
    if all(_is_empty(cell) for row in rows for cell in row):
        return ParsedSheet(spec, 0, frozenset(), [])
    found = _find_header(spec, rows)
    if found is None:
        expected = "、".join(c.header for c in spec.columns if c.required)
        message = _("前 %(n)d 行中找不到表头（应包含：%(cols)s）") % {"n": HEADER_SEARCH_ROWS, "cols": expected}
        return ParsedSheet(spec, 0, frozenset(), [], errors=[RowError(spec.name, None, "", message)])
    header_index, mapping, unknown, errors = found
    header_row = header_index + 1
    present = frozenset(col.field for col in mapping.values())
    errors += [
        RowError(spec.name, header_row, col.header, _("缺少必填列“%(h)s”") % {"h": col.header})
        for col in spec.columns if col.required and col.field not in present
    ]
    sheet = ParsedSheet(spec, header_row, present, [], errors=errors)
    if unknown:
        sheet.warnings.append(_("工作表“%(s)s”：已忽略无法识别的列：%(cols)s") % {"s": spec.name, "cols": "、".join(unknown)})
    if errors:
        return sheet
    example = {f: spec.column(f).type.format(v) for f, v in spec.example.items() if f in present}
    columns = sorted(mapping.items())
    for offset, raw_row in enumerate(rows[header_index + 1:]):
        number = header_row + offset + 1
        cells = [(col, raw_row[pos] if pos < len(raw_row) else "") for pos, col in columns]
        if all(_is_empty(raw) for _col, raw in cells):
            continue
        if example and all(_as_text(raw) == _as_text(example.get(col.field, "")) for col, raw in cells):
            sheet.warnings.append(_("工作表“%(s)s”第 %(n)d 行是模板示例行，已忽略") % {"s": spec.name, "n": number})
            continue
        row = ParsedRow(spec.name, number, {})
        for col, raw in cells:
            if _is_empty(raw):
                if col.required:
                    row.error(col.header, _("必填项不能为空"))
                else:
                    row.values[col.field] = col.default
                continue
            try:
                row.values[col.field] = col.type.parse(raw)
            except CellError as exc:
                row.error(col.header, str(exc))
        sheet.rows.append(row)
    return sheet


def read_workbook(source: str | os.PathLike | bytes | IO[bytes], specs: Sequence[SheetSpec]) -> dict[str, ParsedSheet]:
    """Read the sheets named in `specs` (any subset may be present), in the order of `specs`.

    Raises WorkbookError when the file is not a workbook, has none of the sheets,
    or has no data row in any of them."""
    workbook = _open_workbook(source)
    names = {name.strip(): name for name in workbook.sheet_names}
    found = [spec for spec in specs if spec.name in names]
    if not found:
        raise WorkbookError(_("工作簿中没有可导入的工作表，工作表名应为：%(names)s") % {
            "names": "、".join(s.name for s in specs)})
    from python_calamine import CalamineError

    sheets = {}
    for spec in found:
        try:
            data = workbook.get_sheet_by_name(names[spec.name]).to_python(skip_empty_area=False)
        except CalamineError:
            raise WorkbookError(_("工作表“%(s)s”已损坏，无法读取。") % {"s": spec.name}) from None
        sheets[spec.name] = _parse_sheet(spec, data)
    if not any(s.rows or s.errors for s in sheets.values()):
        raise WorkbookError(_("文件中没有数据行（只有表头或是空表）。"))
    return sheets


def read_rows(spec: SheetSpec, rows: Sequence[Sequence[Any]]) -> ParsedSheet:
    """Parse rows read from elsewhere (a CSV file) by the same rules as a worksheet of `spec`."""
    return _parse_sheet(spec, [list(row) for row in rows])


# --- The report -----------------------------------------------------------------------------


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows with errors left out by a skip-invalid import

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a failed all-or-nothing import, would have done)."""

    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    skip_invalid: bool = False

    def counts(self, sheet: str) -> SheetCounts:
        return self.sheets.setdefault(sheet, SheetCounts())

    def _total(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.sheets.values())

    @property
    def created(self) -> int:
        return self._total("created")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    @property
    def skipped(self) -> int:
        return self._total("skipped")

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        """Did the import write any row? (A skip-invalid import whose rows were all bad did not.)"""
        return self.written and self.created + self.updated > 0

    @property
    def bad_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors if e.row is not None})

    def sort_errors(self, sheet_order: Sequence[str]) -> None:
        order = {name: i for i, name in enumerate(sheet_order)}
        self.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row or 0))

    def _counts_text(self) -> str:
        parts = []
        for name, c in self.sheets.items():
            bits = [_("新增 %(n)d") % {"n": c.created}, _("更新 %(n)d") % {"n": c.updated},
                    _("未变化 %(n)d") % {"n": c.unchanged}]
            if c.skipped:
                bits.append(_("跳过 %(n)d") % {"n": c.skipped})
            parts.append(f"{name}：{'，'.join(bits)}")
        return "；".join(parts)

    def summary(self) -> str:
        errors = ngettext("发现 %(n)d 处错误", "发现 %(n)d 处错误", len(self.errors)) % {"n": len(self.errors)}
        if self.dry_run:
            head = _("仅校验，未写入。") + (errors + "。" if self.errors else _("校验通过。"))
            text = head + (_("如导入将：") + self._counts_text() if self.sheets else "")
        elif self.written:
            text = _("导入完成。") + self._counts_text()
            if self.errors:
                text += "。" + _("%(errors)s，涉及 %(rows)d 行，这些行未导入。") % {"errors": errors, "rows": self.bad_rows}
        elif self.bad_rows:
            text = _("%(errors)s，未写入任何数据。请按错误明细修改文件后重新导入，或选择跳过错误行。") % {"errors": errors}
        else:
            text = _("%(errors)s，未写入任何数据。") % {"errors": errors}
        if self.warnings:
            text += " " + " ".join(self.warnings)
        return text

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "errors": [e.as_dict() for e in self.errors],
            "warnings": list(self.warnings),
            "counts": {name: c.as_dict() for name, c in self.sheets.items()},
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
            "written": self.written, "changed": self.changed, "dry_run": self.dry_run,
        }


# --- Writing ----------------------------------------------------------------------------------


_HEADER_FILL = "FFF2CC"
_REQUIRED_FILL = "FCE4D6"
_DATA_ROWS = 1048576


def _new_sheet(workbook, spec: SheetSpec, *, template: bool):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = workbook.create_sheet(spec.name)
    for index, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = col.width
        if col.type.text_format:
            ws.column_dimensions[letter].number_format = "@"
        if template and col.type.choices:
            dv = DataValidation(type="list", formula1='"{}"'.format(",".join(col.type.choices)), allow_blank=True,
                                showErrorMessage=True, error=_("请从下拉列表中选择"))
            dv.add(f"{letter}2:{letter}{_DATA_ROWS}")
            ws.data_validations.append(dv)
    ws.freeze_panes = "A2"
    header = []
    for col in spec.columns:
        cell = WriteOnlyCell(ws, value=col.title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL)
        header.append(cell)
    ws.append(header)
    return ws


def _cells(spec: SheetSpec, record: Mapping[str, Any]) -> list:
    return [col.type.format(record.get(col.field, col.default)) for col in spec.columns]


def write_workbook(target: str | os.PathLike | IO[bytes],
                   sheets: Iterable[tuple[SheetSpec, Iterable[Mapping[str, Any]]]]) -> None:
    """Write each (spec, records) as a sheet in the import layout; records map field → clean value.

    Write-only: rows stream to the file, so memory stays flat however many there are."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for spec, records in sheets:
        ws = _new_sheet(workbook, spec, template=False)
        for record in records:
            ws.append(_cells(spec, record))
    workbook.save(target)


def write_template(target: str | os.PathLike | IO[bytes], specs: Sequence[SheetSpec], *, title: str) -> None:
    """The downloadable template: per sheet its header, one example row and dropdowns for
    single-choice columns, then a 说明 sheet describing every column."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for spec in specs:
        ws = _new_sheet(workbook, spec, template=True)
        if spec.example:
            ws.append(_cells(spec, spec.example))
    notes = workbook.create_sheet(_("说明"))
    for letter, width in zip("ABCDE", (10, 16, 8, 48, 48), strict=True):
        notes.column_dimensions[letter].width = width
    heading = WriteOnlyCell(notes, value=title)
    heading.font = Font(bold=True, size=14)
    notes.append([heading])
    notes.append([_("带 * 的列必填；第 2 行是示例，可删除或覆盖（原样保留时导入会忽略它）。"
                    "各工作表可只保留需要的几张；列的顺序不限，多余的列会被忽略。")])
    notes.append([])
    header = [WriteOnlyCell(notes, value=v) for v in (_("工作表"), _("列名"), _("必填"), _("说明"), _("可选值/格式"))]
    for cell in header:
        cell.font = Font(bold=True)
    notes.append(header)
    for spec in specs:
        if spec.help:
            notes.append([spec.name, "", "", str(spec.help)])
        for col in spec.columns:
            notes.append([spec.name, col.header, _("是") if col.required else "", str(col.help), col.type.describe()])
    workbook.save(target)



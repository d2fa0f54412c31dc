"""Reading: a workbook (python-calamine, `read_workbook`) or rows from elsewhere (`read_rows`)
into `ParsedSheet`s whose rows carry clean values and per-cell `RowError`s."""
from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from .cells import CellError, Column, SheetSpec, _as_text
from .report import ImportReport, RowError

# Bytes every .xlsx/.xlsm file starts with (it is a ZIP archive); .xls starts with OLE2's signature.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH_ROWS = 10
_REQUIRED_MARK = re.compile(r"[*＊]\s*$")


class WorkbookError(ValueError):
    """The file as a whole cannot be imported (not a workbook, no expected sheet, no data)."""


# --- Reading ------------------------------------------------------------------------------


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


def read_sheet(source: str | os.PathLike | bytes | IO[bytes], spec: SheetSpec,
               report: ImportReport) -> ParsedSheet | None:
    """An import's one sheet: `spec`'s sheet of the workbook `source`, its errors and warnings added to
    `report`; None, with the reason as `report`'s error, when the file cannot be read at all."""
    try:
        sheet = read_workbook(source, [spec])[spec.name]
    except WorkbookError as exc:
        report.errors.append(RowError("", None, "", str(exc)))
        return None
    report.errors += sheet.errors
    report.warnings += sheet.warnings
    return sheet


def read_rows(spec: SheetSpec, rows: Sequence[Sequence[Any]]) -> ParsedSheet:
    """Parse rows read from elsewhere (a CSV file) by the same rules as a worksheet of `spec`."""
    return _parse_sheet(spec, [list(row) for row in rows])

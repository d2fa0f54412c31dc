"""Writing: data (`write_workbook`) and the downloadable template (`write_template`) with
openpyxl in write-only mode, in the import layout, so an export re-imports."""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from django.utils.translation import gettext as _

from .cells import SheetSpec


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

"""Tabular Excel import and export that every module reuses (org, question bank, surveys, tracking).

A module describes each worksheet as a `SheetSpec`: a list of `Column`s, each with
its Chinese header, the field name it fills, whether it is required and a cell
type (`Text`, `Code`, `Integer`, `DecimalNumber`, `Choice`, `MultiChoice`, `Time`, `Date`,
`Mobile`) that turns a raw cell into a clean value or raises `CellError` with the
reason. From those specs this package:

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

The package, one concern a module:
- `cells`: `CellError`, the cell types, `zh_choices`, and the specs (`Column`, `SheetSpec`);
- `reading`: `WorkbookError`, `ParsedRow`/`ParsedSheet`, `read_workbook`, `read_sheet` (an import's one
  sheet, its errors into the report), `read_rows`, `looks_like_workbook`;
- `report`: `RowError` and `ImportReport` (with its per-sheet `SheetCounts`);
- `writing`: `write_workbook` and `write_template`.
Import from `postqc.core.excel` itself; the names below are its public interface.
"""
from .cells import (
    CellError,
    CellType,
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
from .reading import (ParsedRow, ParsedSheet, WorkbookError, looks_like_workbook, read_rows, read_sheet,
                      read_workbook)
from .report import ImportReport, RowError
from .writing import write_template, write_workbook

__all__ = [
    "CellError",
    "CellType",
    "Choice",
    "Code",
    "Column",
    "Date",
    "DecimalNumber",
    "ImportReport",
    "Integer",
    "Mobile",
    "MultiChoice",
    "ParsedRow",
    "ParsedSheet",
    "RowError",
    "SheetSpec",
    "Text",
    "Time",
    "WorkbookError",
    "looks_like_workbook",
    "read_rows",
    "read_sheet",
    "read_workbook",
    "write_template",
    "write_workbook",
    "zh_choices",
]

"""What management pages share for their figures: the year or day asked for, and Excel downloads.

An Excel download is written to a temporary file (openpyxl in write-only mode streams its rows
there) and sent from it, so a large export does not sit in memory.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone

from postqc.core.excel import SheetSpec, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS = (2000, 2100)


def year_param(request: HttpRequest, name: str = "year") -> int:
    """The year in the query string or the form (2000–2100), else this year (local time)."""
    try:
        year = int(request.GET.get(name) or request.POST.get(name) or 0)
    except ValueError:
        year = 0
    return year if YEARS[0] <= year <= YEARS[1] else timezone.localdate().year


def day_param(text: str | None) -> dt.date | None:
    """A day asked for in a query string (YYYY-MM-DD) in the years of year_param, else None. Years
    further out are refused here: a period around 0001-01-01 or 9999-12-31 cannot be turned into
    the aware datetimes the queries need (a 500, "date value out of range")."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if YEARS[0] <= day.year <= YEARS[1] else None


def xlsx_response(write: Callable[[IO[bytes]], None], filename: str) -> FileResponse:
    """A download of the workbook `write(file)` writes."""
    spool = tempfile.TemporaryFile()
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def sheet_response(spec: SheetSpec, records: Iterable[Mapping[str, Any]], filename: str) -> FileResponse:
    """A download of one sheet in the import layout of `spec`."""
    return xlsx_response(lambda target: write_workbook(target, [(spec, records)]), filename)

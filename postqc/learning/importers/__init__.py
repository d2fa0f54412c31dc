"""Question imports: Excel and CSV in the Chinese layout, Moodle GIFT, Aiken.

`import_questions` is the one entry point: the management command, the upload
page's background job and the demo all call it. See common.py for the
all-or-nothing rules and each format's module for what it reads.
"""
from __future__ import annotations

import os
import re
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.excel import ImportReport, RowError, looks_like_workbook

from ..models import Bank
from .aiken import parse_aiken
from .common import SHEET, Parsed, Progress, decode_text, run_import
from .excel import SPEC, parse_csv, parse_excel
from .gift import parse_gift

FORMATS = {
    "excel": _l("Excel（.xlsx）"),
    "csv": _l("CSV（列与 Excel 相同）"),
    "gift": _l("Moodle GIFT"),
    "aiken": _l("Aiken"),
}

__all__ = ["FORMATS", "SHEET", "SPEC", "UnknownFormat", "detect_format", "import_questions"]


class UnknownFormat(ValueError):
    pass


def detect_format(filename: str, data: bytes) -> str:
    """The format by the file name's extension, else by its content."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls")) or looks_like_workbook(data[:8]):
        return "excel"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".gift"):
        return "gift"
    text = decode_text(data[:65536])
    if re.search(r"^\s*(ANSWER|答案)\s*[:：]", text, re.M | re.I):
        return "aiken"
    if "{" in text and "}" in text:
        return "gift"
    head = "\n".join(text.splitlines()[:10])
    if "题型" in head and "," in head:
        return "csv"
    raise UnknownFormat(_("无法识别文件格式：请上传 .xlsx、.csv、GIFT 或 Aiken 文件，或指定格式。"))


def _read(source: bytes | str | os.PathLike | IO[bytes]) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read()
    return source.read()


def parse_file(data: bytes, *, format: str, default_explanation: str = "") -> Parsed:
    if format == "excel":
        return parse_excel(data)
    if format == "csv":
        return parse_csv(data)
    if format == "gift":
        return parse_gift(data, default_explanation=default_explanation)
    if format == "aiken":
        return parse_aiken(data, default_explanation=default_explanation)
    raise UnknownFormat(_("未知的格式：%(f)s") % {"f": format})


def import_questions(source: bytes | str | os.PathLike | IO[bytes], *, bank: Bank, filename: str = "",
                     format: str = "auto", actor=None, skip_invalid: bool = False, dry_run: bool = False,
                     default_explanation: str = "", progress: Progress | None = None) -> ImportReport:
    """Import the questions of one file into `bank` and report what happened.

    `format` is "excel", "csv", "gift", "aiken" or "auto" (by file name, then content).
    `default_explanation` fills the 解析 of GIFT/Aiken questions that carry none.
    All or nothing unless `skip_invalid`; `dry_run` writes nothing."""
    data = _read(source)
    if not filename and isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
    try:
        if format == "auto":
            format = detect_format(filename, data)
        parsed = parse_file(data, format=format, default_explanation=default_explanation.strip())
    except UnknownFormat as exc:
        report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
        report.errors.append(RowError("", None, "", str(exc)))
        return report
    if not parsed.candidates and not parsed.errors:
        parsed.errors.append(RowError(parsed.sheet, None, "", _("文件中没有试题。")))
    return run_import(parsed, bank=bank, actor=actor, skip_invalid=skip_invalid, dry_run=dry_run, progress=progress)

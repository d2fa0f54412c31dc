"""What every question import shares, whatever the file format.

A format's parser turns the file into `Candidate`s, one per question found, each
with the row (Excel, CSV) or question number (GIFT, Aiken) it came from and the
errors met while reading it. `run_import` then applies the bank's rules to all of
them at once (services.questions_validate), and writes the good ones with
services.questions_bulk_create:

- all or nothing by default: one error anywhere and nothing is written;
- `skip_invalid`: the good questions are written, the bad ones reported and skipped;
- `dry_run`: everything is checked and reported, nothing is written;
- an error about the file as a whole (not a workbook, a missing required column)
  writes nothing even with `skip_invalid`.

Every error is a `RowError` (where, column or field, reason). For GIFT and Aiken
files the "row" is the question's number in the file and the error is a
`QuestionIssue`, which reads "第 N 题 …".
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from postqc.core.excel import ImportReport, RowError

from ..models import Bank
from ..services import QuestionData, questions_bulk_create, questions_validate

SHEET = "试题"  # the report counts every format's questions under this name
Progress = Callable[[int, int], None]  # (done, total)

# The Excel/CSV column (or GIFT/Aiken field) that holds each QuestionData attribute.
FIELD_COLUMNS = {
    "type": "题型", "stem": "题干", "options": "选项", "answer": "答案", "explanation": "解析", "difficulty": "难度",
    "tags": "标签", "clause_codes": "条款", "roles": "适用岗位", "red_line": "必知必会", "pool": "题池",
}


def column_of(field_name: str) -> str:
    if field_name.startswith("option_"):
        return "选项" + field_name.removeprefix("option_")
    return FIELD_COLUMNS.get(field_name, field_name)


@dataclass(frozen=True)
class QuestionIssue(RowError):
    """An error in a GIFT or Aiken file; `row` is the question's number in the file."""

    def __str__(self) -> str:
        where = _("第 %(n)d 题") % {"n": self.row} if self.row else self.sheet
        return f"{where} {self.column}：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class Candidate:
    """One question as read from the file: its data, or the reasons it could not be read."""

    number: int
    data: QuestionData | None
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Parsed:
    """What a format's parser found: the questions, errors about the whole file, and warnings."""

    sheet: str  # the sheet name (Excel), or the format name (CSV, GIFT, Aiken) the errors carry
    candidates: list[Candidate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    numbered: bool = False  # True: `number` counts questions (GIFT, Aiken), not rows

    def error(self, number: int | None, column: str, message: str) -> RowError:
        cls = QuestionIssue if self.numbered else RowError
        return cls(self.sheet, number, column, message)

    def label(self, number: int) -> str:
        return (_("第 %(n)d 题") if self.numbered else _("第 %(n)d 行")) % {"n": number}


def run_import(parsed: Parsed, *, bank: Bank, actor=None, skip_invalid: bool = False, dry_run: bool = False,
               progress: Progress | None = None) -> ImportReport:
    """Validate every candidate against the bank, then write (or not) as the module docstring says."""
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid, warnings=list(parsed.warnings))
    report.errors.extend(parsed.errors)
    counts = report.counts(SHEET)
    readable = [c for c in parsed.candidates if c.data is not None and not c.errors]
    items, problems = questions_validate(bank=bank, items=[c.data for c in readable],
                                         labels=[parsed.label(c.number) for c in readable])
    good: list[QuestionData] = []
    bad_numbers: set[int] = set()
    for candidate, data, found in zip(readable, items, problems, strict=True):
        for field_name, message in found:
            candidate.errors.append(parsed.error(candidate.number, column_of(field_name), message))
        if not found:
            good.append(data)
    for candidate in parsed.candidates:
        if candidate.errors:
            bad_numbers.add(candidate.number)
            report.errors.extend(candidate.errors)
    report.errors.sort(key=lambda e: e.row or 0)
    if progress:
        progress(0, len(good))
    if parsed.errors or (report.errors and not skip_invalid):
        return report
    counts.created = len(good)
    counts.skipped = len(bad_numbers) if skip_invalid else 0
    if dry_run or not good:
        return report
    questions_bulk_create(bank=bank, items=good, actor=actor,
                          progress=(lambda done: progress(done, len(good))) if progress else None)
    report.written = True
    return report


def decode_text(data: bytes) -> str:
    """A text file as Chinese offices save them: UTF-8 (with or without BOM), else GB18030 (GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")

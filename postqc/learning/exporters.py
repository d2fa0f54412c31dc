"""Export of a question bank to Excel, in the import layout (importers/excel.py), so an
exported file imports again unchanged; and the import template."""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.excel import write_template, write_workbook

from .importers.excel import SPEC
from .models import Bank, Question, QuestionVersion

Type = QuestionVersion.Type


def answer_text(version: QuestionVersion) -> str:
    """The 答案 cell: letters for 单选/多选, 对/错 for 判断, variants joined by | for 填空."""
    if version.type == Type.TRUE_FALSE:
        return "对" if version.answer == ["T"] else "错"
    if version.type == Type.FILL:
        return "|".join(version.answer)
    return "".join(version.answer)


def question_record(question: Question) -> dict:
    version = question.current
    record = {
        "type": version.type, "stem": version.stem, "answer": answer_text(version),
        "explanation": version.explanation, "difficulty": version.difficulty,
        "tags": "、".join(t.name for t in version.tags.all()),
        "clause_codes": "、".join(c.code for c in version.clauses.all()),
        "roles": list(version.roles), "red_line": version.red_line, "pool": question.pool,
    }
    for key, text in version.option_pairs():
        record[f"option_{key}"] = text
    return record


def _records(bank: Bank, *, include_retired: bool) -> Iterator[dict]:
    qs = Question.objects.filter(bank=bank, current__isnull=False)
    if not include_retired:
        qs = qs.exclude(status=Question.Status.RETIRED)
    qs = qs.select_related("current").prefetch_related("current__tags", "current__clauses").order_by("sort_order", "pk")
    for question in qs.iterator(chunk_size=1000):
        yield question_record(question)


def bank_export(target: str | os.PathLike | IO[bytes], *, bank: Bank, include_retired: bool = False) -> None:
    """Write the bank's questions (current versions, in bank order; retired ones only on request)."""
    write_workbook(target, [(SPEC, _records(bank, include_retired=include_retired))])


def bank_export_filename(bank: Bank) -> str:
    return f"{bank.code}-{bank.name}-{timezone.localdate():%Y%m%d}.xlsx"


def question_template(target: str | os.PathLike | IO[bytes]) -> None:
    write_template(target, [SPEC], title=_("试题导入模板"))

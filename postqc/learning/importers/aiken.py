"""Moodle Aiken files: single-choice questions in plain text.

    按照《邮政法》，邮政普遍服务范围内的包裹，单件重量不超过多少千克？
    A. 5
    B. 10
    C. 20
    D. 30
    ANSWER: B

The stem is the text before the first option (normally one line); options are
`A.` or `A)` (also `A．`, `A、`), in order from A; `ANSWER: X` ends the question.
Blank lines between questions are optional.

Extensions, because plain Aiken has no 解析 and every question here needs one: after the
ANSWER line, `解析：…` (or `EXPLANATION: …`), `条款：YZF-3.15` (or `CLAUSES:`), `标签：…`
(`TAGS:`) and `难度：1-5` (`DIFFICULTY:`) lines fill those fields. `ANSWER: AC` with
several letters reads as 多选. A question without 解析 is reported unless the import is
given a default explanation. `答案：` is read like `ANSWER:`.
"""
from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from ..models import OPTION_KEYS, QuestionVersion
from ..services import QuestionData
from .common import Candidate, Parsed, decode_text

Type = QuestionVersion.Type
_OPTION = re.compile(r"([A-Z])\s*[.)．）、]\s*(.*)", re.S)
_ANSWER = re.compile(r"(?:ANSWER|答案)\s*[:：]\s*(.*)", re.I | re.S)
_META = re.compile(r"(解析|EXPLANATION|条款|CLAUSES?|标签|TAGS?|难度|DIFFICULTY)\s*[:：]\s*(.*)", re.I | re.S)
_META_FIELD = {"解析": "explanation", "EXPLANATION": "explanation", "条款": "clause_codes", "CLAUSE": "clause_codes",
               "CLAUSES": "clause_codes", "标签": "tags", "TAG": "tags", "TAGS": "tags", "难度": "difficulty",
               "DIFFICULTY": "difficulty"}
_LIST = re.compile(r"[、，,；;\s]+")


class _Open:
    """The question being read."""

    def __init__(self, number: int, stem: str):
        self.number = number
        self.stem = [stem]
        self.options: list[str] = []
        self.answer: str | None = None
        self.meta: dict[str, str] = {}
        self.errors: list[tuple[str, str]] = []


def parse_aiken(data: bytes, *, default_explanation: str = "") -> Parsed:
    parsed = Parsed("Aiken", numbered=True)
    current: _Open | None = None
    number = 0

    def close(q: _Open) -> None:
        parsed.candidates.append(_candidate(parsed, q, default_explanation))

    for raw in decode_text(data).splitlines():
        line = raw.strip()
        if not line:
            continue
        option, answer, meta = _OPTION.fullmatch(line), _ANSWER.fullmatch(line), _META.fullmatch(line)
        if current is not None and (current.options or current.answer is not None) and meta:
            current.meta[_META_FIELD[meta[1].upper() if meta[1].isascii() else meta[1]]] = meta[2].strip()
        elif current is not None and current.answer is None and answer:
            current.answer = answer[1].strip()
        elif current is not None and current.answer is None and option:
            expected = OPTION_KEYS[len(current.options)] if len(current.options) < len(OPTION_KEYS) else None
            if option[1] != expected:
                current.errors.append(("选项", _("选项字母应按 A、B、C… 的顺序，这里应为 %(e)s，却是 %(k)s") % {
                    "e": expected or "—", "k": option[1]}))
            current.options.append(option[2].strip())
        elif current is not None and current.answer is None and not current.options:
            current.stem.append(line)
        else:
            if current is not None:
                close(current)
            number += 1
            current = _Open(number, line)
    if current is not None:
        close(current)
    if not parsed.candidates:
        parsed.errors.append(parsed.error(None, "", _("文件中没有 Aiken 试题。")))
    return parsed


def _letters(answer: str) -> str:
    return re.sub(r"[\s,，、;；]+", "", unicodedata.normalize("NFKC", answer)).upper()


def _candidate(parsed: Parsed, q: _Open, default_explanation: str) -> Candidate:
    errors = [parsed.error(q.number, column, message) for column, message in q.errors]
    if not q.options:
        errors.append(parsed.error(q.number, "选项", _("没有选项（应为 A. B. … 开头的行）")))
    if q.answer is None:
        errors.append(parsed.error(q.number, "答案", _("缺少 ANSWER 行（如 ANSWER: B）")))
    elif not re.fullmatch(r"[A-Z]+", _letters(q.answer)):
        errors.append(parsed.error(q.number, "答案", _("“%(v)s”不是选项字母") % {"v": q.answer}))
    difficulty = unicodedata.normalize("NFKC", q.meta.get("difficulty", "3"))
    if not difficulty.isdigit():
        errors.append(parsed.error(q.number, "难度", _("难度应为 1–5 的整数")))
    if errors:
        return Candidate(q.number, None, errors)
    keys = list(_letters(q.answer))
    return Candidate(q.number, QuestionData(
        type=Type.MULTIPLE if len(set(keys)) > 1 else Type.SINGLE, stem="".join(q.stem), options=q.options,
        answer=keys, explanation=q.meta.get("explanation") or default_explanation, difficulty=int(difficulty),
        tags=[t for t in _LIST.split(q.meta.get("tags", "")) if t],
        clause_codes=[c for c in _LIST.split(q.meta.get("clause_codes", "")) if c],
    ))

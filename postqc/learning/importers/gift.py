"""Moodle GIFT files.

Read:
- multiple choice `{=right ~wrong ~wrong}` → 单选;
- multiple answers with weights `{~%50%A ~%50%B ~%-100%C}` → 多选 whose answer is every
  option with a positive weight (a `=` option counts as correct too);
- true/false `{T}` `{F}` `{TRUE}` `{FALSE}` → 判断;
- short answer `{=a =b}` (only `=` answers) → 填空 accepting every full-credit variant
  (partial-credit variants such as `=%50%a` are left out, with a warning);
- answers in the middle of the text ("missing word") put a （） where the braces were; a
  short answer at the end gets （） appended unless the stem already shows a blank.
- `// comments`, `::title::`, `[html]`/`[moodle]`/`[plain]`/`[markdown]` markers, and the
  escapes \\: \\= \\~ \\# \\{ \\} \\\\ and \\n. `$CATEGORY:` lines are skipped: the bank is
  chosen when importing.

解析 (every question needs one): the general feedback `####…` if present; otherwise the
feedback of the correct answer(s) (`=right#because…`), or for 判断 the feedback given in
the braces. A question with neither is reported as missing its 解析 — unless the
importer is given a default explanation, which then fills only those gaps. (Silently
importing questions without 解析 would break the rule that every question has one.)

A title that starts with clause codes (`::YZF-3.15 YZF-3.16 特殊服务范围::`) links the question
to those clauses; the rest of the title is the question's name in Moodle and is not kept.

Anything else — matching (`->`), numerical (`{#…}`), essay (`{}`), a description without
braces — is reported per question ("第 N 题：不支持的 GIFT 题型（匹配题）"), never dropped
silently. N counts the questions in the file from 1.
"""
from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from ..models import QuestionVersion
from ..services import BLANK_MARKER, QuestionData
from .common import Candidate, Parsed, decode_text

Type = QuestionVersion.Type
# Escaped characters become private-use placeholders while the structure is parsed.
_ESCAPED = {"\\": "\ue000", ":": "\ue001", "=": "\ue002", "~": "\ue003", "#": "\ue004", "{": "\ue005", "}": "\ue006"}
_RESTORE = str.maketrans({v: k for k, v in _ESCAPED.items()})
_ESCAPE = re.compile(r"\\([\\:=~#{}n])")
_TITLE = re.compile(r"^\s*::(.*?)::", re.S)
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_TRUE_FALSE = re.compile(r"(T|F|TRUE|FALSE)\s*(#.*)?", re.I | re.S)
_ANSWER = re.compile(r"([=~])\s*(?:%(-?\d+(?:\.\d+)?)%)?([^=~]*)", re.S)
CLAUSE_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+(?:\.\d+)*")


def _encode(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\n" if m[1] == "n" else _ESCAPED[m[1]], text)


def _decode(text: str, *, is_html: bool = False) -> str:
    text = text.translate(_RESTORE)
    if is_html:
        text = html.unescape(re.sub(r"<br\s*/?>", "\n", re.sub(r"</?(p|div)[^>]*>", "", text), flags=re.I))
        text = re.sub(r"<[^>]+>", "", text)
    return text.strip()


def _chunks(text: str):
    """(first line number, text) of each blank-line-separated block, comments left out."""
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield start, "\n".join(lines)
            lines = []
    if lines:
        yield start, "\n".join(lines)


def parse_gift(data: bytes, *, default_explanation: str = "") -> Parsed:
    parsed = Parsed("GIFT", numbered=True)
    number = 0
    missing_explanation = False
    for _line, chunk in _chunks(decode_text(data)):
        if chunk.lstrip().startswith("$CATEGORY:"):
            chunk = chunk.lstrip().partition("\n")[2]  # a question may follow on the next line
            if not chunk.strip():
                continue
        number += 1
        candidate = _question(parsed, number, _encode(chunk), default_explanation)
        if candidate.data is not None and not candidate.data.explanation:
            missing_explanation = True
        parsed.candidates.append(candidate)
    if not parsed.candidates:
        parsed.errors.append(parsed.error(None, "", _("文件中没有 GIFT 试题。")))
    if missing_explanation:
        parsed.warnings.append(_("GIFT 试题的解析取自 #### 后的总体反馈或正确答案后的 # 反馈；"
                                 "没有反馈的题目可在导入时填写“缺省解析”。"))
    return parsed


def _unsupported(parsed: Parsed, number: int, kind: str) -> Candidate:
    return Candidate(number, None, [parsed.error(number, "题型", _("不支持的 GIFT 题型（%(kind)s）") % {"kind": kind})])


def _question(parsed: Parsed, number: int, text: str, default_explanation: str) -> Candidate:
    clause_codes: list[str] = []
    title = _TITLE.match(text)
    if title:
        for token in _decode(title[1]).replace("、", " ").replace(",", " ").split():
            if not CLAUSE_CODE.fullmatch(token):
                break
            clause_codes.append(token)
        text = text[title.end():]
    marker = _FORMAT.match(text)
    is_html = bool(marker) and marker[1].lower() == "html"
    if marker:
        text = text[marker.end():]
    opening = text.find("{")
    if opening < 0:
        return _unsupported(parsed, number, _("说明文字，没有答案"))
    closing = text.find("}", opening)
    if closing < 0:
        return Candidate(number, None, [parsed.error(number, "答案", _("答案缺少右花括号“}”"))])
    before = _decode(text[:opening], is_html=is_html)
    after = _decode(text[closing + 1:], is_html=is_html)
    block, _sep, general = text[opening + 1:closing].partition("####")
    block = block.strip()
    general = _decode(general, is_html=is_html)
    if not block:
        return _unsupported(parsed, number, _("问答题"))
    if block.startswith("#"):
        return _unsupported(parsed, number, _("数值题"))

    def data(type, options, answer, feedback, stem):
        return QuestionData(type=type, stem=stem, options=options, answer=answer,
                            explanation=general or feedback or default_explanation, clause_codes=clause_codes)

    tf = _TRUE_FALSE.fullmatch(block)
    if tf:
        answer = ["T"] if tf[1].upper().startswith("T") else ["F"]
        feedback = "\n".join(p for p in (_decode(f, is_html=is_html) for f in (tf[2] or "").split("#")) if p)
        return Candidate(number, data(Type.TRUE_FALSE, [], answer, feedback, f"{before}{after}"))
    if block[0] not in "=~":
        return Candidate(number, None, [parsed.error(number, "答案", _("无法识别的答案写法：%(b)s") % {
            "b": _decode(block)[:40]})])
    answers = []
    for mark, weight, body in _ANSWER.findall(block):
        body, _hash, feedback = body.partition("#")
        answers.append((mark, float(weight) if weight else None, _decode(body, is_html=is_html),
                        _decode(feedback, is_html=is_html)))
    if any("->" in body for _m, _w, body, _f in answers):
        return _unsupported(parsed, number, _("匹配题"))
    if all(mark == "=" for mark, *_rest in answers):
        variants = [body for _m, weight, body, _f in answers if weight is None or weight >= 100]
        if len(variants) < len(answers):
            parsed.warnings.append(_("第 %(n)d 题：部分得分的填空答案未导入，只保留满分答案。") % {"n": number})
        feedback = "\n".join(f for _m, weight, _b, f in answers if f and (weight is None or weight >= 100))
        stem = before + "（）" + after if after or not BLANK_MARKER.search(before) else before
        return Candidate(number, data(Type.FILL, [], variants, feedback, stem))
    weighted = any(weight is not None for _m, weight, _b, _f in answers)
    correct = [i for i, (mark, weight, _b, _f) in enumerate(answers)
               if mark == "=" or (weighted and weight is not None and weight > 0)]
    if not correct:
        return Candidate(number, None, [parsed.error(number, "答案", _("没有正确答案：用 = 标出正确选项，多选题用正的百分比权重标出正确选项"))])
    options = [body for _m, _w, body, _f in answers]
    keys = [chr(ord("A") + i) for i in correct]
    feedback = "\n".join(answers[i][3] for i in correct if answers[i][3])
    stem = f"{before}（）{after}" if after else before
    return Candidate(number, data(Type.MULTIPLE if len(correct) > 1 else Type.SINGLE, options, keys, feedback, stem))

"""Reading a standard from a file: Markdown with a front matter, or an Excel sheet of clauses.

Both readers produce a `StandardIn` (the standard's particulars and its clauses in
reading order) or raise `StandardImportError` listing every problem with the line
(Markdown) or row (Excel) it is on. They read only; `services` writes.

The Markdown format (see data/*.md)::

    ---
    code: YZF
    title: 中华人民共和国邮政法
    kind: law
    issuer: 全国人民代表大会常务委员会
    version: "2015"
    effective_on: 2015-04-24
    source: 主席令第二十五号
    ---
    # 第一章 总则 {#YZF-1}
    ## 第一条 {#YZF-1.1}
    The clause's body: every line up to the next heading.

A heading is a clause; its `{#CODE}` anchor is the clause's stable code, `#` depth
is its depth in the tree (one level deeper at a time), and its parent is the
nearest heading above it with fewer `#`. `kind` is a code (law, industry_standard,
company_rule, operating_procedure) or its Chinese label (法律法规, 行业标准, 企业制度,
操作规范); issuer, source and notes (修订说明) are optional; a front-matter line
starting with `#` is a comment.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from postqc.core.excel import Code, Column, SheetSpec, Text, WorkbookError, read_workbook, zh_choices

from .models import Clause, ClauseRevision, Standard, StandardVersion

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_HEADING_RE = re.compile(r"^(#{1,6})(?!#)[ \t]*(.*?)[ \t]*$")
_ANCHOR_RE = re.compile(r"[ \t]*\{#([^}]*)\}$")
_FRONT_LINE_RE = re.compile(r"^([A-Za-z_]+)[ \t]*:[ \t]*(.*?)[ \t]*$")
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

FRONT_KEYS = ("code", "title", "kind", "issuer", "version", "effective_on", "source", "notes")
REQUIRED_FRONT_KEYS = ("code", "title", "kind", "version", "effective_on")

CODE_MAX = Standard._meta.get_field("code").max_length
CLAUSE_CODE_MAX = Clause._meta.get_field("code").max_length
HEADING_MAX = ClauseRevision._meta.get_field("heading").max_length
_LIMITS = {
    "code": CODE_MAX,
    "title": Standard._meta.get_field("title").max_length,
    "issuer": Standard._meta.get_field("issuer").max_length,
    "version": StandardVersion._meta.get_field("label").max_length,
    "source": StandardVersion._meta.get_field("source").max_length,
}


PARTICULAR_LABELS = {"code": _lazy("标准编码"), "title": _lazy("名称"), "kind": _lazy("类别"), "issuer": _lazy("发布机关"),
                     "version": _lazy("版本"), "effective_on": _lazy("生效日期"), "source": _lazy("来源/文号")}


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, where it is: a line (Markdown) or row (Excel) and column."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (_("第 %(n)d 行") % {"n": self.line} if self.line else "", self.column) if p)
        return f"{where}：{self.message}" if where else self.message


class StandardImportError(ValidationError):
    """The file cannot be imported; `problems` lists every reason with its place. Nothing was written."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems])


@dataclass
class ClauseIn:
    code: str
    heading: str
    body: str
    parent_code: str | None
    line: int  # where the clause starts in the file (heading line or Excel row)
    depth: int = 0


@dataclass
class StandardIn:
    code: str
    title: str
    kind: str
    label: str
    effective_on: dt.date
    issuer: str = ""
    source: str = ""
    notes: str = ""
    clauses: list[ClauseIn] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # particular → where it is, for later errors


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def normalise_text(text: str) -> str:
    """The text a hash compares: NFC; spaces next to Chinese characters or punctuation dropped and other
    runs of spaces as one (retyping 按 保价额 for 按保价额 is not a revision); lines trimmed; runs of
    blank lines as one paragraph break."""
    paragraphs, current = [], []
    for line in unicodedata.normalize("NFC", text).splitlines():
        line = " ".join(_SPACE_BY_CJK.sub("", line).split())
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def clause_hash(heading: str, body: str) -> str:
    """sha256 of the normalised heading and body: equal hashes mean the clause did not change."""
    return hashlib.sha256(f"{normalise_text(heading)}\n\n{normalise_text(body)}".encode()).hexdigest()


def kind_from_text(text: str) -> str | None:
    """A standard kind from its code (law) or its Chinese label (法律法规); None when neither."""
    labels = {label: value for value, label in zh_choices(Standard.Kind.choices)}
    if text in Standard.Kind.values:
        return text
    return labels.get(text)


def kinds_described() -> str:
    return "、".join(f"{value}（{label}）" for value, label in zh_choices(Standard.Kind.choices))


def parse_date(text: str) -> dt.date | None:
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def check_particulars(values: dict[str, Any], lines: dict[str, int], columns: dict[str, str]) -> list[Problem]:
    """Check a standard's particulars (code, title, kind, version, effective_on, …) in place.

    `kind` and `effective_on` may come as text and are converted. `lines`/`columns` say
    where each particular is in the file, so a problem can point at it."""
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(lines.get(key), str(columns.get(key, "")), message))

    for key in REQUIRED_FRONT_KEYS:
        if not str(values.get(key) or "").strip():
            problem(key, _("缺少必填项 %(key)s") % {"key": key})
    for key, limit in _LIMITS.items():
        value = str(values.get(key) or "")
        if len(value) > limit:
            problem(key, _("不能超过 %(n)d 个字符（现有 %(len)d 个）") % {"n": limit, "len": len(value)})
    code = str(values.get("code") or "")
    if code and not CODE_RE.fullmatch(code):
        problem("code", _("标准编码“%(v)s”无效：只能包含字母、数字、点、下划线和连字符") % {"v": code})
    label = str(values.get("version") or "")
    if label and re.search(r"[/?#%\\\s]", label):
        problem("version", _("版本号“%(v)s”不能包含空格或 / ? # %% \\ 字符") % {"v": label})
    kind = values.get("kind")
    if kind:
        values["kind"] = kind_from_text(str(kind).strip())
        if values["kind"] is None:
            problem("kind", _("类别“%(v)s”无效，可选：%(ok)s") % {"v": kind, "ok": kinds_described()})
    effective_on = values.get("effective_on")
    if effective_on and not isinstance(effective_on, dt.date):
        values["effective_on"] = parse_date(str(effective_on))
        if values["effective_on"] is None:
            problem("effective_on", _("日期“%(v)s”无效，应为 YYYY-MM-DD，如 2015-04-24") % {"v": effective_on})
    elif isinstance(effective_on, dt.datetime):
        values["effective_on"] = effective_on.date()
    return problems


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _body(lines: list[str]) -> str:
    """A clause body from its raw lines: trailing blanks trimmed, blank runs collapsed, ends stripped."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _front_matter(lines: list[str], problems: list[Problem]) -> tuple[dict[str, Any], dict[str, int], int | None]:
    """The front matter's values, the line of each key, and the index of the first line after it
    (None when there is no well-formed front matter to read past)."""
    values: dict[str, Any] = {}
    where: dict[str, int] = {}
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != "---":
        problems.append(Problem(start + 1 if start is not None else 1, "",
                                _("文件应以 --- 包围的文件头开始（code、title、kind、version、effective_on）")))
        return values, where, None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(start + 1, "", _("文件头缺少结束的 --- 行")))
        return values, where, None
    for index in range(start + 1, end):
        text = lines[index].strip()
        if not text or text.startswith("#"):
            continue
        match = _FRONT_LINE_RE.match(text)
        number = index + 1
        if not match:
            problems.append(Problem(number, "", _("文件头的行应为“字段: 值”的形式")))
            continue
        key, value = match[1], _unquote(match[2])
        if key not in FRONT_KEYS:
            problems.append(Problem(number, "", _("未知的文件头字段“%(k)s”，可用：%(ok)s") % {
                "k": key, "ok": "、".join(FRONT_KEYS)}))
        elif key in values:
            problems.append(Problem(number, "", _("文件头字段“%(k)s”与第 %(n)d 行重复") % {"k": key, "n": where[key]}))
        else:
            values[key], where[key] = value.strip(), number
    for key in REQUIRED_FRONT_KEYS:
        where.setdefault(key, start + 1)
    return values, where, end + 1


def parse_markdown(text: str) -> StandardIn:
    """Read a standard from the Markdown format above; raise StandardImportError naming every bad line."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise StandardImportError([Problem(1, "", _("文件是空的"))])
    lines = text.splitlines()
    problems: list[Problem] = []
    values, where, first = _front_matter(lines, problems)
    if first is None:
        raise StandardImportError(problems)
    problems += check_particulars(values, where, {})

    clauses: list[ClauseIn] = []
    seen: dict[str, int] = {}
    stack: list[tuple[int, ClauseIn]] = []  # (heading level, clause) of the open ancestors
    body: list[str] = []
    preamble = None
    for index in range(first, len(lines)):
        line, number = lines[index], index + 1
        match = _HEADING_RE.match(line)
        if not match:
            if clauses:
                body.append(line)
            elif line.strip() and preamble is None:
                preamble = number
            continue
        if clauses:
            clauses[-1].body = _body(body)
        body = []
        level, heading = len(match[1]), (match[2] or "")
        anchor = _ANCHOR_RE.search(heading)
        code = anchor[1].strip() if anchor else ""
        heading = heading[: anchor.start()].strip() if anchor else heading.strip()
        if not anchor or not code:
            problems.append(Problem(number, "", _("标题缺少条款编码锚点，应写成“%(h)s {#条款编码}”") % {
                "h": f"{match[1]} {heading or _('标题')}"}))
        elif not CODE_RE.fullmatch(code) or len(code) > CLAUSE_CODE_MAX:
            problems.append(Problem(number, "", _("条款编码“%(c)s”无效：只能包含字母、数字、点、下划线和连字符，"
                                                  "最长 %(n)d 位") % {"c": code, "n": CLAUSE_CODE_MAX}))
        elif code in seen:
            problems.append(Problem(number, "", _("条款编码“%(c)s”与第 %(n)d 行重复") % {"c": code, "n": seen[code]}))
        else:
            seen[code] = number
        if not heading:
            problems.append(Problem(number, "", _("标题不能为空")))
        elif len(heading) > HEADING_MAX:
            problems.append(Problem(number, "", _("标题不能超过 %(n)d 个字符") % {"n": HEADING_MAX}))
        while stack and stack[-1][0] >= level:
            stack.pop()
        expected = stack[-1][0] + 1 if stack else 1
        if level > expected:
            problems.append(Problem(number, "", _("标题层级跳级：此处应为 %(ok)s 而不是 %(got)s") % {
                "ok": "#" * expected, "got": match[1]}))
        clause = ClauseIn(code=code, heading=heading, body="", line=number,
                          parent_code=stack[-1][1].code if stack else None, depth=len(stack))
        clauses.append(clause)
        stack.append((level, clause))
    if clauses:
        clauses[-1].body = _body(body)
    if preamble is not None:
        problems.append(Problem(preamble, "", _("第一个条款标题之前不能有正文")))
    if not clauses:
        problems.append(Problem(min(first + 1, len(lines)), "", _("文件中没有条款：每个条款以“# 标题 {#条款编码}”开始")))
    if problems:
        raise StandardImportError(sorted(problems, key=lambda p: p.line or 0))
    return StandardIn(code=values["code"], title=values["title"], kind=values["kind"], label=values["version"],
                      effective_on=values["effective_on"], issuer=values.get("issuer", ""),
                      source=values.get("source", ""), notes=values.get("notes", ""), clauses=clauses, lines=where)


# --- Excel -------------------------------------------------------------------------------------

CLAUSE_SHEET = SheetSpec(
    name="条款",
    columns=(
        Column("条款编码", "code", Code(CLAUSE_CODE_MAX), required=True, width=18,
               help="条款的稳定编码，如 YZT0129-5.2.1；试题、检查项靠它关联条款，修订时保持不变"),
        Column("上级条款编码", "parent_code", Code(CLAUSE_CODE_MAX), default=None, width=18,
               help="上级条款的编码，须出现在本行之前；章（顶层条款）留空"),
        Column("标题", "heading", Text(HEADING_MAX), required=True, width=30, help="如“第一章 总则”“第二条”"),
        Column("正文", "body", Text(20000), width=80, help="条款正文，可在单元格内换行；章标题可留空"),
    ),
    example={"code": "YZT0129-5.2.1", "parent_code": "YZT0129-5.2", "heading": "5.2.1 营业时间",
             "body": "营业场所应在醒目位置公示营业时间。"},
    help="每行一个条款，按阅读顺序排列；上级条款须在下级条款之前。",
)


def _workbook_specs(data: bytes) -> list[SheetSpec]:
    """The clause sheet spec, named after the workbook's first sheet when none is called 条款."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    except (CalamineError, ValueError, OSError):
        return [CLAUSE_SHEET]  # read_workbook reports the file as not a workbook
    if names and CLAUSE_SHEET.name not in [n.strip() for n in names]:
        return [dataclasses.replace(CLAUSE_SHEET, name=names[0].strip())]
    return [CLAUSE_SHEET]


def parse_excel(file: bytes | IO[bytes], particulars: dict[str, Any]) -> StandardIn:
    """Read clauses from the 条款 sheet (or the first sheet) of a workbook; the standard's particulars
    (code, title, kind, version, effective_on, issuer, source, notes) come from the form or command."""
    data = file if isinstance(file, bytes) else file.read()
    values = dict(particulars)
    problems = check_particulars(values, {}, PARTICULAR_LABELS)
    try:
        specs = _workbook_specs(data)
        sheet = read_workbook(data, specs)[specs[0].name]
    except WorkbookError as exc:
        raise StandardImportError([*problems, Problem(None, "", str(exc))]) from None
    problems += [Problem(e.row, e.column, e.message) for e in sheet.errors]
    header = {c.field: c.header for c in CLAUSE_SHEET.columns}
    by_code: dict[str, ClauseIn] = {}
    rows: list[ClauseIn] = []
    for row in sheet.rows:
        problems += [Problem(e.row, e.column, e.message) for e in row.errors]
        if not row.ok:
            continue
        code = row.values["code"]
        parent_code = sheet.get(row, "parent_code") or None
        if code in by_code:
            problems.append(Problem(row.number, header["code"], _("条款编码“%(c)s”与第 %(n)d 行重复") % {
                "c": code, "n": by_code[code].line}))
            continue
        parent = by_code.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            problems.append(Problem(row.number, header["parent_code"],
                                    _("上级条款“%(c)s”不在本行之前的行中") % {"c": parent_code}))
            continue
        clause = ClauseIn(code=code, heading=row.values["heading"], body=_body(
            str(sheet.get(row, "body") or "").splitlines()), parent_code=parent_code, line=row.number,
            depth=parent.depth + 1 if parent else 0)
        by_code[code] = clause
        rows.append(clause)
    if problems:
        raise StandardImportError(sorted(problems, key=lambda p: p.line or 0))
    return StandardIn(code=values["code"], title=values["title"], kind=values["kind"], label=values["version"],
                      effective_on=values["effective_on"], issuer=values.get("issuer") or "",
                      source=values.get("source") or "", notes=values.get("notes") or "",
                      clauses=_reading_order(rows))


def _reading_order(clauses: list[ClauseIn]) -> list[ClauseIn]:
    """Pre-order: each clause followed by its subtree, siblings in the order of the file."""
    children: dict[str | None, list[ClauseIn]] = {}
    for clause in clauses:
        children.setdefault(clause.parent_code, []).append(clause)
    ordered: list[ClauseIn] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        clause = pending.pop()
        ordered.append(clause)
        pending.extend(reversed(children.get(clause.code, [])))
    return ordered

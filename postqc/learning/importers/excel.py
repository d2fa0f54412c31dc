"""Questions in the usual Chinese spreadsheet layout, as Excel (.xlsx) or CSV.

Columns (any order; a title row above the header is fine; "*" = required):
    题型*  单选 / 多选 / 判断 / 填空 ("单选题" … read too)
    题干*  for 填空 the blank is shown as ＿＿ or （）
    选项A … 选项H  单选/多选 only, 2–8 options without gaps
    答案*  单选 `B`; 多选 `ACD` (also `A,C,D`, `A、C、D`); 判断 `对`/`错` (also 正确/错误, √/×, T/F);
           填空 every accepted variant, separated by `|`
    解析*  every question has one
    难度   1–5, default 3
    标签   separated by 、 , or |
    条款   clause codes of the standards library, e.g. `YZF-3.15`, separated by 、 , or |
    适用岗位  营业员、投递员 … (staff role names); 全部 or empty = every role
    必知必会  是 / 否 (default 否)
    题池   练习 / 竞赛专用 (default 练习)

A 判断 row whose options are just 对/错 (or 正确/错误), as some templates have it, is read
with its answer letter mapped (A = 对, B = 错) and the options dropped.

The sheet is the one named 试题 (the template's); a workbook without it is read from its
first sheet, since most exports call theirs Sheet1. A CSV file has the same columns,
in UTF-8 or GBK.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.excel import (
    CellError,
    CellType,
    Choice,
    Column,
    Integer,
    MultiChoice,
    ParsedRow,
    ParsedSheet,
    RowError,
    SheetSpec,
    Text,
    WorkbookError,
    looks_like_workbook,
    read_rows,
    read_workbook,
    zh_choices,
)
from postqc.org.roles import Role

from ..models import OPTION_KEYS, Question, QuestionVersion
from ..services import EXPLANATION_MAX, OPTION_MAX, STEM_MAX, QuestionData
from .common import Candidate, Parsed, decode_text

Type = QuestionVersion.Type
TRUE_WORDS = {"对", "正确", "√", "✓", "T", "TRUE"}
FALSE_WORDS = {"错", "错误", "×", "✗", "X", "F", "FALSE"}
TF_OPTION_PAIRS = (["对", "错"], ["正确", "错误"])
LIST_SEPARATORS = re.compile(r"[、，,；;|｜\n]+")
CLAUSE_SEPARATORS = re.compile(r"[、，,；;|｜\s]+")
ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/]+")
VARIANT_SEPARATOR = re.compile(r"[|｜]")


class QuestionType(Choice):
    """单选/多选/判断/填空; the longer 单选题 … forms are read too."""

    def parse(self, raw: Any) -> str:
        return super().parse(str(raw).strip().removesuffix("题"))


class YesNo(CellType):
    choices = ("是", "否")
    YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓"}
    NO = {"否", "N", "NO", "FALSE", "0", "×", "✗"}

    def parse(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().upper()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise CellError(_("“%(v)s”不是有效值，应为“是”或“否”") % {"v": str(raw).strip()})

    def format(self, value: Any) -> str:
        return "是" if value else "否"

    def describe(self) -> str:
        return _("是 / 否，默认否")


class Roles(MultiChoice):
    """Staff role names separated by 、; 全部 (or an empty cell) means every role."""

    EVERYONE = "全部"
    ALIASES = {"全部", "所有岗位", "全部岗位", "全员"}

    def parse(self, raw: Any) -> list:
        return [] if str(raw).strip() in self.ALIASES else super().parse(str(raw).replace("|", "、"))

    def format(self, value) -> str:
        return super().format(value) if value else self.EVERYONE

    def describe(self) -> str:
        return _("用“、”分隔，如 营业员、投递员；“全部”或不填表示所有岗位")


class PoolChoice(Choice):
    ALIASES = {"练习题": "练习", "竞赛": "竞赛专用", "竞赛题": "竞赛专用"}

    def parse(self, raw: Any) -> str:
        text = str(raw).strip()
        return super().parse(self.ALIASES.get(text, text))

    def describe(self) -> str:
        return _("练习 / 竞赛专用，默认练习；竞赛专用的题不出现在练习中")


POOL_LABELS = [(Question.Pool.PRACTICE.value, "练习"), (Question.Pool.RESERVED.value, "竞赛专用")]

COLUMNS = (
    Column("题型", "type", QuestionType(zh_choices(Type.choices)), required=True, width=8,
           help=_l("单选、多选、判断或填空")),
    Column("题干", "stem", Text(STEM_MAX), required=True, width=48,
           help=_l("填空题用“＿＿”或“（）”标出填空位置")),
    *(Column(f"选项{key}", f"option_{key}", Text(OPTION_MAX), width=18,
             help=_l("单选、多选题填写，至少 2 个，中间不留空") if key == "A" else "")
      for key in OPTION_KEYS),
    Column("答案", "answer", Text(1000), required=True, width=10,
           help=_l("单选填一个字母如 B；多选填多个字母如 ACD；判断填“对”或“错”；填空填标准答案，多个可接受的答案用 | 分隔")),
    Column("解析", "explanation", Text(EXPLANATION_MAX), required=True, width=48, help=_l("每道题都要有解析")),
    Column("难度", "difficulty", Integer(1, 5), default=3, width=6, help=_l("1 最易，5 最难，默认 3")),
    Column("标签", "tags", Text(300), width=16, help=_l("多个标签用“、”分隔")),
    Column("条款", "clause_codes", Text(500), width=16,
           help=_l("制度标准库中的条款编码，如 YZF-3.15；多个用“、”分隔")),
    Column("适用岗位", "roles", Roles(zh_choices(Role.choices)), default=(), width=16,
           help=_l("题目面向的岗位")),
    Column("必知必会", "red_line", YesNo(), default=False, width=10,
           help=_l("“是”的题目按更高的记忆保持率安排复习")),
    Column("题池", "pool", PoolChoice(POOL_LABELS), default=Question.Pool.PRACTICE.value, width=10),
)

EXAMPLE = {
    "type": Type.SINGLE.value,
    "stem": "按照《邮政法》，邮政普遍服务范围内的包裹，单件重量不超过多少千克？",
    "option_A": "5", "option_B": "10", "option_C": "20", "option_D": "30",
    "answer": "B",
    "explanation": "《邮政法》第十五条：邮政企业应当对信件、单件重量不超过五千克的印刷品、单件重量不超过十千克的包裹的"
                   "寄递以及邮政汇兑提供邮政普遍服务。",
    "difficulty": 2, "tags": "普遍服务范围", "clause_codes": "YZF-3.15", "roles": [Role.CLERK.value],
    "red_line": True, "pool": Question.Pool.PRACTICE.value,
}

SPEC = SheetSpec("试题", COLUMNS, example=EXAMPLE,
                 help=_l("每行一道题。题型、题干、答案、解析必填；选项只用于单选和多选题。"))


# --- Answers ----------------------------------------------------------------------------------


def parse_answer(type: str, text: str, options: list[str]) -> tuple[list[str], list[str]]:
    """The 答案 cell as QuestionVersion.answer, and the options to keep. Raises CellError."""
    text = unicodedata.normalize("NFKC", text).strip()
    if type in (Type.SINGLE, Type.MULTIPLE):
        letters = ANSWER_SEPARATORS.sub("", text).upper()
        if not re.fullmatch(r"[A-Z]+", letters):
            raise CellError(_("“%(v)s”不是选项字母，答案应为如 B 或 ACD") % {"v": text})
        return list(letters), options
    if type == Type.TRUE_FALSE:
        word = text.upper()
        filled = [o.strip() for o in options if o.strip()]
        if filled in TF_OPTION_PAIRS and word in ("A", "B"):
            return (["T"] if word == "A" else ["F"]), []
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return (["T"] if word in TRUE_WORDS else ["F"]), ([] if filled in TF_OPTION_PAIRS else options)
        raise CellError(_("判断题的答案应为“对”或“错”（现为“%(v)s”）") % {"v": text})
    return [v.strip() for v in VARIANT_SEPARATOR.split(text) if v.strip()], options


def _split(text: str, pattern: re.Pattern) -> list[str]:
    return [part.strip() for part in pattern.split(text or "") if part.strip()]


DEFAULTS = {column.field: column.default for column in COLUMNS}
OPTION_FIELDS = [f"option_{key}" for key in OPTION_KEYS]


def _candidate(row: ParsedRow) -> Candidate:
    if row.errors:
        return Candidate(row.number, None, list(row.errors))
    values = {**DEFAULTS, **row.values}  # an absent optional column reads as its default
    options = [values[name] or "" for name in OPTION_FIELDS]
    try:
        answer, options = parse_answer(values["type"], values["answer"], options)
    except CellError as exc:
        return Candidate(row.number, None, [RowError(row.sheet, row.number, "答案", str(exc))])
    data = QuestionData(
        type=values["type"], stem=values["stem"], options=options, answer=answer,
        explanation=values["explanation"], difficulty=values["difficulty"],
        tags=_split(values["tags"], LIST_SEPARATORS), clause_codes=_split(values["clause_codes"], CLAUSE_SEPARATORS),
        roles=list(values["roles"]), red_line=values["red_line"], pool=values["pool"],
    )
    return Candidate(row.number, data)


def _parsed(sheet: ParsedSheet) -> Parsed:
    parsed = Parsed(sheet.spec.name, errors=list(sheet.errors), warnings=list(sheet.warnings))
    parsed.candidates = [_candidate(row) for row in sheet.rows]
    return parsed


# --- Reading ------------------------------------------------------------------------------------


def _spec_for(data: bytes) -> SheetSpec:
    """The 试题 sheet, or else the workbook's first sheet."""
    if not looks_like_workbook(data[:8]):
        return SPEC
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    except (CalamineError, ValueError, OSError):
        return SPEC  # read_workbook says what is wrong with the file
    if not names or SPEC.name in {n.strip() for n in names}:
        return SPEC
    return replace(SPEC, name=names[0].strip())


def parse_excel(data: bytes) -> Parsed:
    spec = _spec_for(data)
    try:
        sheets = read_workbook(data, [spec])
    except WorkbookError as exc:
        return Parsed(spec.name, errors=[RowError(spec.name, None, "", str(exc))])
    return _parsed(sheets[spec.name])


def parse_csv(data: bytes) -> Parsed:
    spec = replace(SPEC, name="CSV")
    if not data.strip():
        return Parsed(spec.name, errors=[RowError(spec.name, None, "", _("文件是空的，没有试题。"))])
    try:
        rows = list(csv.reader(io.StringIO(decode_text(data))))
    except csv.Error as exc:
        return Parsed(spec.name, errors=[RowError(spec.name, None, "", _("不是有效的 CSV 文件：%(e)s") % {"e": exc})])
    return _parsed(read_rows(spec, rows))

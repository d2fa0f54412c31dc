"""Excel exports of the survey pages.

- Responses: the paper-import layout (importers.sheet_spec: 网点编码, 访问日期, 渠道, an item
  column per item code, a column per profile question, 意见建议) with what a manager needs
  around it (提交时间, 网点名称, 单位, 访员, 用时, 质控标记, 状态, 审核意见). The import ignores
  the extra columns, so the file reads back in the same layout.
- The index: every table of the report page, a sheet each, each figure with n and its 95%
  interval.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.excel import Column, DecimalNumber, Integer, SheetSpec, Text, write_workbook

from .. import importers
from ..forms import FLAG_LABELS
from ..models import Rating, Response, Survey

CHUNK = 1000


def _response_spec(survey: Survey) -> SheetSpec:
    base = importers.sheet_spec(survey)
    before = (
        Column("提交时间", "submitted", Text(19), width=19),
        Column("网点名称", "outlet_name", Text(64), width=16),
        Column("单位", "stratum", Text(64), width=12),
    )
    after = (
        Column("访员", "interviewer", Text(64), width=10),
        Column("用时（秒）", "duration", Integer(minimum=0), width=10),
        Column("质控标记", "flags", Text(200), width=16),
        Column("状态", "status", Text(16), width=8),
        Column("审核意见", "review_reason", Text(200), width=20),
    )
    return SheetSpec(name=base.name, columns=before + base.columns + after)


def _response_records(survey: Survey, responses) -> Iterator[dict]:
    items = list(survey.items.order_by("position", "pk"))
    questions = list(survey.profile_questions.order_by("position", "pk"))
    statuses = dict(Response.Status.choices)
    qs = responses.select_related("outlet", "stratum", "interviewer").prefetch_related(
        Prefetch("ratings", queryset=Rating.objects.only("response_id", "item_id", "value")))
    for r in qs.iterator(chunk_size=CHUNK):
        given = {rt.item_id: rt.value for rt in r.ratings.all()}
        local = timezone.localtime(r.submitted_at)
        record = {
            "submitted": local.strftime("%Y-%m-%d %H:%M:%S"), "outlet_name": r.outlet.name,
            "stratum": r.stratum.name, "outlet": r.outlet.code, "date": local.date(), "channel": r.channel,
            "number": "", "comment": r.comment,
            "interviewer": r.interviewer.name if r.interviewer else "", "duration": r.duration_seconds,
            "flags": "、".join(str(FLAG_LABELS.get(f, f)) for f in r.flags),
            "status": str(statuses.get(r.status, r.status)), "review_reason": r.review_reason,
        }
        for item in items:
            # An unanswered item (absent) stays empty; 不适用 (None) reads 不适用.
            record[f"item:{item.code}"] = given[item.pk] if item.pk in given else ""
        for q in questions:
            value = r.profile.get(q.code)
            record[f"profile:{q.code}"] = value if value is not None else ([] if q.multiple else "")
        yield record


def responses_export(target: str | IO[bytes], *, survey: Survey, responses) -> None:
    """Write the given responses (a Response queryset, already scoped and filtered)."""
    spec = _response_spec(survey)
    write_workbook(target, [(spec, _response_records(survey, responses))])


# --- The index tables ---------------------------------------------------------------------------

SCORE = DecimalNumber(2, 0, 100)


def _num(value, places: int = 2):
    from decimal import Decimal

    return None if value is None else Decimal(str(round(value, places)))


def _estimate_columns(prefix: str, label: str) -> tuple[Column, ...]:
    return (
        Column(label, f"{prefix}", SCORE, width=10),
        Column(f"{label} 95%下限", f"{prefix}_low", SCORE, width=10),
        Column(f"{label} 95%上限", f"{prefix}_high", SCORE, width=10),
        Column(f"{label} n", f"{prefix}_n", Integer(minimum=0), width=8),
    )


def _estimate_values(prefix: str, e) -> dict:
    return {prefix: _num(e.value), f"{prefix}_low": _num(e.low), f"{prefix}_high": _num(e.high), f"{prefix}_n": e.n}


def _table_sheet(name: str, key_header: str, table, *, ranked: bool) -> tuple[SheetSpec, list[dict]]:
    columns = [Column(key_header, "label", Text(200), width=18)]
    if ranked:
        columns += [Column("排名", "rank", Text(8), width=6)]
    columns += [Column("样本量", "n", Integer(minimum=0), width=8), *_estimate_columns("overall", "满意度指数")]
    for code, dim_name, _weight in table.dimensions:
        columns += _estimate_columns(f"d_{code}", dim_name)
    records = []
    for row in table.rows:
        record = {"label": row.label, "n": row.n, **_estimate_values("overall", row.overall)}
        if ranked:
            record["rank"] = str(row.rank) if row.rank else _("不排名")
        for code, _dim_name, _weight in table.dimensions:
            record.update(_estimate_values(f"d_{code}", row.dims.get(code)))
        records.append(record)
    return SheetSpec(name=sheet_name(name), columns=tuple(columns)), records


def sheet_name(text: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of : \\ / ? * [ ]."""
    return re.sub(r"[:\\/?*\[\]]", "、", str(text))[:31]


def index_export(target: str | IO[bytes], *, survey: Survey, data: dict, extra, scope) -> None:
    """The report's tables: 总体与维度, 按年度, 按单位, 同比, 四分图, 按网点 and every other breakdown."""
    whole, units = data["whole"], data["units"]
    sheets = []

    dim_spec = SheetSpec(name="总体与维度", columns=(
        Column("范围", "scope", Text(64), width=14), Column("项目", "label", Text(64), width=16),
        Column("权重", "weight", DecimalNumber(4, 0, 1), width=8), *_estimate_columns("score", "得分"),
        Column("规划目标", "target", SCORE, width=10), Column("距目标", "gap", DecimalNumber(2, -100, 100), width=10),
        Column("达标概率", "probability", DecimalNumber(4, 0, 1), width=10),
    ))
    goal = float(survey.target_index) if survey.target_index is not None else None
    dim_records = [{"scope": scope.name, "label": "满意度指数", **_estimate_values("score", whole.overall),
                    "target": _num(goal), "gap": _num(data["gap"]), "probability": _num(data["probability"], 4)}]
    for code, name, weight in units.dimensions:
        dim_records.append({"scope": scope.name, "label": name, "weight": _num(weight, 4),
                            **_estimate_values("score", whole.dims.get(code))})
    sheets.append((dim_spec, dim_records))

    year_spec = SheetSpec(name="按年度", columns=(
        Column("年度", "year", Integer(), width=8), Column("调查", "title", Text(120), width=28),
        *_estimate_columns("score", "满意度指数"), Column("规划目标", "target", SCORE, width=10)))
    sheets.append((year_spec, [{"year": y["survey"].year, "title": y["survey"].title,
                                **_estimate_values("score", y["overall"]),
                                "target": _num(float(y["survey"].target_index))
                                if y["survey"].target_index is not None else None} for y in data["years"]]))

    sheets.append(_table_sheet("按单位", "单位", units, ranked=True))

    if data["changes"]:
        change_spec = SheetSpec(name="同比", columns=(
            Column("项目", "label", Text(64), width=16), *_estimate_columns("now", "本期"),
            *_estimate_columns("before", "上期"),
            Column("变化", "diff", DecimalNumber(2, -100, 100), width=8),
            Column("变化 95%下限", "diff_low", DecimalNumber(2, -100, 100), width=10),
            Column("变化 95%上限", "diff_high", DecimalNumber(2, -100, 100), width=10),
            Column("显著", "significant", Text(4), width=6)))
        sheets.append((change_spec, [{
            "label": c.name, **_estimate_values("now", c.current), **_estimate_values("before", c.previous),
            "diff": _num(c.diff.value), "diff_low": _num(c.diff.low), "diff_high": _num(c.diff.high),
            "significant": "是" if c.significant else "否"} for c in data["changes"]]))

    quad_spec = SheetSpec(name="四分图", columns=(
        Column("维度", "label", Text(64), width=16), Column("重要性（推导）", "importance", DecimalNumber(4, -100, 100),
                                                        width=14),
        Column("表现（得分）", "performance", SCORE, width=12)))
    sheets.append((quad_spec, [{"label": p.name, "importance": _num(p.importance, 4),
                                "performance": _num(p.performance)} for p in data["quadrant"]]))

    sheets.append(_table_sheet("按网点", "网点", data["breakdown"], ranked=True))
    for _key, label, table in extra:
        sheets.append(_table_sheet(f"按{label}", str(label), table, ranked=False))
    write_workbook(target, sheets)

"""Excel import of paper questionnaires (纸质问卷录入), in the project's shared layout (core.excel).

One sheet 问卷, one row per questionnaire. Columns: 网点编码*, 访问日期*, 渠道 (default 纸质录入),
问卷编号 (optional: the number printed on the paper form), one column per rated item headed by
its code (SF01 … and OV01/EX01) holding the score or 不适用, one column per profile question
headed by its text (性别, 年龄段, …) holding the choice labels, and 意见建议.

The rules:
- All-or-nothing by default: every row is checked first and, with any error, nothing is
  written; skip_invalid=True writes the good rows and reports the rest; dry_run=True writes
  nothing. Errors name the row and the column.
- The importer needs MANAGE_SURVEYS and the survey offered to them (their unit's, or one above
  it: a district imports its own paper forms into the city's survey). An outlet must exist, be
  inside the survey's unit and inside the importer's subtree.
- An item that does not allow 不适用 must be scored; an empty cell of one that does is 不适用.
- 问卷编号 makes re-importing the same file harmless: a number already imported for the survey
  is counted as unchanged, not imported twice (it becomes the response's client id).
- The survey must be collecting. Paper responses get the quality checks that apply without a
  time of day (straight-lining); unflagged rows are approved, flagged rows wait for review.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import visible_unit_ids
from postqc.core.excel import (
    CellError,
    CellType,
    Choice,
    Code,
    Column,
    Date,
    ImportReport,
    MultiChoice,
    ParsedSheet,
    RowError,
    SheetSpec,
    Text,
    read_sheet,
    write_template,
    zh_choices,
)
from postqc.org.models import Outlet, UnitClosure
from postqc.org.roles import Capability

from . import qc, selectors
from .models import Item, Rating, Response, Survey
from .services import COMMENT_MAX, stratum_for

SHEET = "问卷"
NA_LABELS = ("不适用", "NA", "N/A", "na", "n/a")
PAPER_TIME = dt.time(12, 0)  # a paper form has a date, not a time: it is filed at noon
CLIENT_NAMESPACE = uuid.UUID("5b0f1c1e-8a53-4c43-9f57-3c1d2a7e5a10")


class Score(CellType):
    """A score on the item's scale, or 不适用 when the item allows it (an empty cell too)."""

    def __init__(self, item: Item):
        self.item = item

    def parse(self, raw: Any) -> int | None:
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        if text in NA_LABELS:
            if self.item.allow_na:
                return None
            raise CellError(_("此题不允许“不适用”"))
        if not re.fullmatch(r"\d+", text) or not self.item.scale_min <= int(text) <= self.item.scale_max:
            raise CellError(_("评分须在 %(lo)d–%(hi)d 之间") % {"lo": self.item.scale_min, "hi": self.item.scale_max})
        return int(text)

    def format(self, value: int | None) -> Any:
        return "不适用" if value is None else value

    def describe(self) -> str:
        text = _("%(lo)d–%(hi)d 的整数") % {"lo": self.item.scale_min, "hi": self.item.scale_max}
        if self.item.scale_labels:
            text += "（" + "，".join(f"{k}={v}" for k, v in sorted(self.item.scale_labels.items())) + "）"
        return text + (_("；可填“不适用”或留空") if self.item.allow_na else "")


def _items(survey: Survey) -> list[Item]:
    return list(survey.items.order_by("position", "pk"))


def sheet_spec(survey: Survey) -> SheetSpec:
    """The layout of the survey's questionnaire sheet."""
    items = _items(survey)
    questions = list(survey.profile_questions.order_by("position", "pk"))
    columns = [
        Column("网点编码", "outlet", Code(Outlet._meta.get_field("code").max_length), required=True, width=14),
        Column("访问日期", "date", Date(), required=True, width=12),
        Column("渠道", "channel", Choice(zh_choices(Response.Channel.choices)), default=Response.Channel.PAPER,
               help=_l("留空为“纸质录入”"), width=10),
        Column("问卷编号", "number", Text(32), help=_l("纸质问卷上的编号；同一编号重复导入时不会重复计数"), width=12),
    ]
    columns += [Column(i.code, f"item:{i.code}", Score(i), required=not i.allow_na, default=None,
                       help=i.text, width=8) for i in items]
    columns += [Column(q.text, f"profile:{q.code}",
                       (MultiChoice if q.multiple else Choice)([(str(c), str(label)) for c, label in q.choices]),
                       required=q.required, default=[] if q.multiple else "", width=16) for q in questions]
    columns.append(Column("意见建议", "comment", Text(COMMENT_MAX), width=40))
    example = {"outlet": "O-CY-1", "date": dt.date(survey.year, 5, 6), "channel": Response.Channel.PAPER,
               "number": "0001", "comment": "希望延长周末营业时间"}
    for n, i in enumerate(items):
        example[f"item:{i.code}"] = i.scale_max - (n % 2)
    for q in questions:
        if q.choices:
            first = str(q.choices[0][0])
            example[f"profile:{q.code}"] = [first] if q.multiple else first
    return SheetSpec(name=SHEET, columns=tuple(columns), example=example,
                     help=_l("每行一份问卷。题目列以题目编码为列名，填 1–5 分或“不适用”。"))


def write_responses_template(target: str | IO[bytes], survey: Survey) -> None:
    """The blank import template of the survey: header, an example row, a 说明 sheet."""
    write_template(target, [sheet_spec(survey)], title=_("%(title)s 纸质问卷导入模板") % {"title": survey.title})


def _client_id(survey: Survey, number: str) -> uuid.UUID:
    return uuid.uuid5(CLIENT_NAMESPACE, f"{survey.code}:paper:{number}")


def _check_rows(survey: Survey, sheet: ParsedSheet, actor) -> list[dict]:
    """Check every row; returns the plan of the good ones (errors land on the rows)."""
    spec = sheet.spec
    items = _items(survey)
    questions = list(survey.profile_questions.all())
    codes = {sheet.get(r, "outlet") for r in sheet.rows if "outlet" in r.values}
    outlets = {o.code: o for o in Outlet.objects.filter(code__in=codes)}
    inside = set(UnitClosure.objects.filter(ancestor_id=survey.unit_id).values_list("descendant_id", flat=True))
    mine = set(visible_unit_ids(actor).values_list("descendant_id", flat=True)) if actor is not None else None
    numbers = [sheet.get(r, "number") for r in sheet.rows if sheet.get(r, "number")]
    known = set(Response.objects.filter(survey=survey, client_id__in=[_client_id(survey, n) for n in numbers])
                .values_list("client_id", flat=True))
    seen: dict[str, int] = {}
    today = timezone.localdate()
    plans = []
    for row in sheet.rows:
        code = row.values.get("outlet")
        outlet = outlets.get(code) if code else None
        if code and outlet is None:
            row.error(spec.header_of("outlet"), _("网点“%(c)s”不存在") % {"c": code})
        elif outlet is not None and outlet.unit_id not in inside:
            row.error(spec.header_of("outlet"), _("网点“%(c)s”不在本调查的范围内") % {"c": code})
        elif outlet is not None and mine is not None and outlet.unit_id not in mine:
            row.error(spec.header_of("outlet"), _("网点“%(c)s”不在你的管辖范围内") % {"c": code})
        date = row.values.get("date")
        if date is not None and date > today:
            row.error(spec.header_of("date"), _("访问日期不能晚于今天"))
        number = sheet.get(row, "number")
        if number:
            if number in seen:
                row.error(spec.header_of("number"), _("问卷编号“%(n)s”与第 %(r)d 行重复") % {"n": number, "r": seen[number]})
            seen.setdefault(number, row.number)
        if not row.ok:
            continue
        client_id = _client_id(survey, number) if number else None
        ratings = {i.pk: sheet.get(row, f"item:{i.code}") for i in items if f"item:{i.code}" in sheet.present
                   or not i.allow_na}
        profile = {}
        for q in questions:
            value = sheet.get(row, f"profile:{q.code}")
            if value not in ("", [], None):
                profile[q.code] = value
        rated = [ratings.get(i.pk) for i in items if i.dimension_id and not i.is_overall]
        plans.append({"row": row, "outlet": outlet, "date": date, "channel": sheet.get(row, "channel"),
                      "client_id": client_id, "replay": client_id in known, "ratings": ratings,
                      "profile": profile, "comment": sheet.get(row, "comment") or "",
                      "flags": [qc.STRAIGHTLINE] if qc.is_straightline(rated) else []})
    return plans


def _write(survey: Survey, plans: list[dict], report: ImportReport) -> None:
    counts = report.counts(SHEET)
    fresh = [p for p in plans if not p["replay"]]
    counts.unchanged = len(plans) - len(fresh)
    strata = {}
    responses = []
    for p in fresh:
        outlet = p["outlet"]
        if outlet.pk not in strata:
            strata[outlet.pk] = stratum_for(outlet)
        moment = timezone.make_aware(dt.datetime.combine(p["date"], PAPER_TIME))
        responses.append(Response(
            survey=survey, outlet=outlet, stratum_id=strata[outlet.pk], channel=p["channel"],
            client_id=p["client_id"], submitted_at=moment, profile=p["profile"], comment=p["comment"],
            flags=p["flags"], status=Response.Status.PENDING if p["flags"] else Response.Status.APPROVED,
        ))
    Response.objects.bulk_create(responses, batch_size=500)
    ids = dict(Response.objects.filter(code__in=[r.code for r in responses]).values_list("code", "pk"))
    Rating.objects.bulk_create(
        (Rating(response_id=ids[r.code], item_id=item_id, value=value)
         for r, p in zip(responses, fresh, strict=True) for item_id, value in p["ratings"].items()),
        batch_size=2000,
    )
    counts.created = len(responses)


def import_responses(*, survey: Survey, source: str | bytes | IO[bytes], actor, skip_invalid: bool = False,
                     dry_run: bool = False) -> ImportReport:
    """Import paper questionnaires into `survey` as `actor` (None: the system, unscoped).
    Returns the report; bad input never raises. Raises PermissionDenied if the actor may not."""
    if actor is not None and (not actor.can(Capability.MANAGE_SURVEYS)
                              or not selectors.surveys_for(actor).filter(pk=survey.pk).exists()):
        raise PermissionDenied(_("你的角色不能导入该调查的问卷。"))
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    if survey.status != Survey.Status.COLLECTING:
        report.errors.append(RowError("", None, "", _("调查不在采集期内，不能导入问卷。")))
        return report
    spec = sheet_spec(survey)
    sheet = read_sheet(source, spec, report)
    if sheet is None or sheet.errors:
        return report
    plans = _check_rows(survey, sheet, actor)
    for row in sheet.rows:
        report.errors.extend(row.errors)
    report.sort_errors([SHEET])
    if report.errors and not skip_invalid:
        return report
    counts = report.counts(SHEET)
    counts.skipped = sum(1 for row in sheet.rows if not row.ok)
    if dry_run:
        counts.created = sum(1 for p in plans if not p["replay"])
        counts.unchanged = len(plans) - counts.created
        return report
    try:
        with transaction.atomic():
            _write(survey, plans, report)
    except IntegrityError as exc:
        report.sheets.clear()
        report.errors.append(RowError("", None, "", _("写入时数据库拒绝了修改（%(e)s），未写入任何数据。"
                                                      "可能有人同时导入了相同的问卷，请重新导入。") % {"e": exc}))
        return report
    report.written = True
    return report

"""Writes of the surveys app: questionnaires, the sample plan, collection and review.

The rules they keep (docs/surveys.md has the method):

- A survey's structure — parts, dimensions and their weights, items, scales — is frozen when
  collection starts (`survey_start_collection`); after that every structural edit is a
  ValidationError. Title, dates, target and intro stay editable.
- A new year's survey is a copy of the last one (`survey_copy`) with every item code kept.
- Dimension weights are non-negative and sum to 1 (± WEIGHT_TOLERANCE).
- `response_submit` is idempotent on the client's id: a resend of the same submission returns
  the first response (replayed=True) and writes nothing. In QR mode a device may answer once per
  outlet per day (Asia/Shanghai calendar day); the device is the hash of a cookie the page sets
  and the outlet (`device_hash_for`). An interviewer without a device hash counts as one device
  per outlet, so the burst check (qc.py) sees an interviewer filing five forms in ten minutes.
- Every submitted response gets its quality-control flags (qc.py). An unflagged response is
  approved at once; a flagged one waits as pending for a reviewer (`response_review`), because a
  flag is a reason to look, not proof of a bad response. Only approved responses count.
- A response's stratum is the district / county-level unit above its outlet (the sample plan's
  unit); an outlet not under such a unit is its own unit's stratum.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope
from postqc.org.models import Outlet, Unit, UnitClosure
from postqc.org.roles import Capability

from . import qc, template
from .models import Dimension, Item, OutletLink, ProfileQuestion, Quota, Rating, Response, Survey, SurveyPart

WEIGHT_TOLERANCE = Decimal("0.001")
STRATUM_KINDS = (Unit.Kind.DISTRICT, Unit.Kind.COUNTY)
# The precedent's sample plan: 250 valid responses per district, 200 per county-level unit.
PLAN_PER_KIND = {Unit.Kind.DISTRICT: 250, Unit.Kind.COUNTY: 200}
SURVEY_FIELDS = frozenset({"title", "period", "opens_on", "closes_on", "target_index", "intro"})
STRUCTURE_FIELDS = frozenset({"code", "year"})
ITEM_FIELDS = frozenset({"text", "scale_labels", "allow_na", "weight", "dimension", "clause", "position"})
COMMENT_MAX = 2000
TOKEN_BYTES = 18  # 24 URL-safe characters


# --- Who may do what ------------------------------------------------------------------------------


def _require_manager(actor, survey_or_unit) -> None:
    """Managing a survey needs MANAGE_SURVEYS and the survey's unit inside the actor's subtree.
    No actor (commands, the demo) means no limit."""
    if actor is None:
        return
    unit_id = survey_or_unit.unit_id if isinstance(survey_or_unit, Survey) else survey_or_unit.pk
    if not actor.can(Capability.MANAGE_SURVEYS):
        raise PermissionDenied(_("你的角色不能管理满意度调查。"))
    if not is_in_scope(actor, unit_id):
        raise PermissionDenied(_("该调查不在你的管辖范围内。"))


def _sync(original: Survey, fresh: Survey) -> Survey:
    """Copy a locked, updated row's state onto the caller's instance, so it is not stale."""
    for f in ("status", "frozen_at", "opens_on", "closes_on", "updated_at"):
        setattr(original, f, getattr(fresh, f))
    return original


def _require_not_frozen(survey: Survey) -> None:
    if survey.is_frozen:
        raise ValidationError(_("调查已开始采集，问卷结构和权重已冻结，不能再修改。"))


# --- Questionnaires -----------------------------------------------------------------------------


def _clause_ids(codes) -> dict[str, int]:
    from postqc.standards.models import Clause

    return dict(Clause.objects.filter(code__in=set(codes)).values_list("code", "pk"))


def _check_new_survey(code: str, title: str, year: int) -> None:
    errors = {}
    if not code or len(code) > Survey._meta.get_field("code").max_length:
        errors["code"] = _("请填写调查编码（不超过 32 个字符）。")
    elif Survey.objects.filter(code=code).exists():
        errors["code"] = _("调查编码“%(code)s”已存在。") % {"code": code}
    if not title or len(title) > Survey._meta.get_field("title").max_length:
        errors["title"] = _("请填写名称（不超过 120 个字符）。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度须在 2000–2100 之间。")
    if errors:
        raise ValidationError(errors)


def _clean_target(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        target = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"target_index": _("规划目标须是 0–100 之间的数。")}) from None
    if not Decimal(0) <= target <= Decimal(100):
        raise ValidationError({"target_index": _("规划目标须是 0–100 之间的数。")})
    return target


@transaction.atomic
def survey_create_from_template(*, code: str, title: str, year: int, unit: Unit, target_index=None,
                                actor=None) -> Survey:
    """A new draft survey with the shipped questionnaire (template.py: 3 parts, 7 dimensions,
    21 rated items plus the overall and expectation items, 5 profile questions). Items link to
    their standards clause when the clause exists."""
    _require_manager(actor, unit)
    _check_new_survey(code, title, year)
    survey = Survey.objects.create(code=code, title=title, year=year, unit=unit,
                                   target_index=_clean_target(target_index))
    parts = {c: SurveyPart.objects.create(survey=survey, code=c, title=t, position=i)
             for i, (c, t) in enumerate(template.PARTS)}
    dims = {c: Dimension.objects.create(survey=survey, code=c, name=n, weight=w, position=i)
            for i, (c, n, w) in enumerate(template.DIMENSIONS)}
    clauses = _clause_ids(c for *_rest, c in template.SERVICE_ITEMS)
    items = [
        Item(survey=survey, part=parts["P1"], code=c, text=t, scale_labels=labels, allow_na=False,
             is_overall=overall, position=i)
        for i, (c, t, labels, overall) in enumerate(template.OVERALL_ITEMS)
    ]
    items += [
        Item(survey=survey, part=parts["P2"], dimension=dims[d], code=c, text=t,
             scale_labels=template.SATISFACTION_LABELS, allow_na=na, clause_id=clauses.get(clause),
             position=len(template.OVERALL_ITEMS) + i)
        for i, (c, d, t, na, clause) in enumerate(template.SERVICE_ITEMS)
    ]
    Item.objects.bulk_create(items)
    ProfileQuestion.objects.bulk_create(
        ProfileQuestion(survey=survey, code=c, text=t, choices=choices, multiple=multiple, position=i)
        for i, (c, t, choices, multiple) in enumerate(template.PROFILE_QUESTIONS)
    )
    return survey


@transaction.atomic
def survey_copy(*, source: Survey, code: str, year: int, title: str | None = None, actor=None) -> Survey:
    """A new draft survey with `source`'s questionnaire: same parts, dimensions and weights,
    items with the same codes (so years compare item by item), profile questions, intro and
    target. Quotas are copied too, as a starting plan."""
    _require_manager(actor, source)
    title = title or f"{year}{_('年度邮政普遍服务满意度调查')}"
    _check_new_survey(code, title, year)
    survey = Survey.objects.create(code=code, title=title, year=year, period=source.period, unit=source.unit,
                                   target_index=source.target_index, intro=source.intro, copied_from=source)
    parts = {}
    for p in source.parts.all():
        parts[p.pk] = SurveyPart.objects.create(survey=survey, code=p.code, title=p.title, position=p.position)
    dims = {}
    for d in source.dimensions.all():
        dims[d.pk] = Dimension.objects.create(survey=survey, code=d.code, name=d.name, weight=d.weight,
                                              position=d.position)
    Item.objects.bulk_create(
        Item(survey=survey, part=parts[i.part_id], dimension=dims.get(i.dimension_id), code=i.code, text=i.text,
             scale_min=i.scale_min, scale_max=i.scale_max, scale_labels=i.scale_labels, allow_na=i.allow_na,
             weight=i.weight, is_overall=i.is_overall, clause_id=i.clause_id, position=i.position)
        for i in source.items.all()
    )
    ProfileQuestion.objects.bulk_create(
        ProfileQuestion(survey=survey, code=q.code, text=q.text, choices=q.choices, multiple=q.multiple,
                        required=q.required, position=q.position)
        for q in source.profile_questions.all()
    )
    Quota.objects.bulk_create(
        Quota(survey=survey, unit_id=q.unit_id, channel=q.channel, quarter=q.quarter, target=q.target)
        for q in source.quotas.all()
    )
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, actor=None, **fields) -> Survey:
    """Edit a survey's title, period, dates, target and intro at any time; its code and year
    only while it is a draft that has not been frozen."""
    _require_manager(actor, survey)
    unknown = set(fields) - SURVEY_FIELDS - STRUCTURE_FIELDS
    if unknown:
        raise ValidationError({name: _("不能修改此项。") for name in sorted(unknown)})
    if STRUCTURE_FIELDS & set(fields):
        _require_not_frozen(survey)
    if "target_index" in fields:
        fields["target_index"] = _clean_target(fields["target_index"])
    if "code" in fields and Survey.objects.filter(code=fields["code"]).exclude(pk=survey.pk).exists():
        raise ValidationError({"code": _("调查编码“%(code)s”已存在。") % {"code": fields["code"]}})
    for name, value in fields.items():
        setattr(survey, name, value)
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise ValidationError({"closes_on": _("结束日期不能早于开始日期。")})
    survey.full_clean(exclude=["unit", "copied_from"])
    survey.save()
    return survey


@transaction.atomic
def item_update(*, item: Item, actor=None, **fields) -> Item:
    """Edit an item (text, labels, 不适用, weight, dimension, clause, position) while its survey
    is not frozen. Its code never changes: it is what links the years."""
    survey = item.survey
    _require_manager(actor, survey)
    _require_not_frozen(survey)
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ValidationError({name: _("不能修改此项。") for name in sorted(unknown)})
    dimension = fields.get("dimension")
    if dimension is not None and dimension.survey_id != survey.pk:
        raise ValidationError({"dimension": _("维度不属于本调查。")})
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean(exclude=["survey", "part", "dimension", "clause"])
    item.save()
    return item


def _parse_weights(survey: Survey, weights: dict) -> dict[str, Decimal]:
    codes = set(survey.dimensions.values_list("code", flat=True))
    errors: dict[str, str] = {}
    clean: dict[str, Decimal] = {}
    for code, raw in weights.items():
        if code not in codes:
            errors[code] = _("本调查没有维度“%(code)s”。") % {"code": code}
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[code] = _("权重须是数字。")
            continue
        if not value.is_finite() or value < 0 or value > 1:
            errors[code] = _("权重须在 0–1 之间。")
        elif value != value.quantize(Decimal("0.0001")):
            errors[code] = _("权重最多 4 位小数。")
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _check_weight_sum(weights: dict[str, Decimal]) -> None:
    total = sum(weights.values(), Decimal(0))
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise ValidationError({"weights": _("各维度权重之和须为 1（现为 %(total)s）。") % {"total": total}})


@transaction.atomic
def dimension_set_weights(*, survey: Survey, weights: dict[str, Decimal], actor=None) -> None:
    """Set dimension weights by dimension code (dimensions not named keep theirs). Each weight is
    between 0 and 1 with at most 4 decimals and, together, they sum to 1. Refused once frozen."""
    _require_manager(actor, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_not_frozen(survey)
    clean = _parse_weights(survey, weights)
    current = dict(survey.dimensions.values_list("code", "weight"))
    current.update(clean)
    _check_weight_sum(current)
    for dim in survey.dimensions.filter(code__in=clean):
        dim.weight = clean[dim.code]
        dim.save(update_fields=["weight"])


@transaction.atomic
def survey_start_collection(*, survey: Survey, actor=None) -> Survey:
    """Open a draft survey for collection: checks the questionnaire (weights sum to 1, every
    weighted dimension has a weighted item, every item a valid scale), then freezes it."""
    _require_manager(actor, survey)
    original, survey = survey, Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("只有草稿状态的调查可以开始采集。"))
    dims = list(survey.dimensions.all())
    if not dims:
        raise ValidationError({"weights": _("问卷没有任何维度。")})
    _check_weight_sum({d.code: d.weight for d in dims})
    items = list(survey.items.all())
    errors = {}
    for item in items:
        if item.scale_max <= item.scale_min:
            errors[item.code] = _("量表最大值须大于最小值。")
    weighted = {i.dimension_id for i in items if i.dimension_id and i.weight > 0}
    for d in dims:
        if d.weight > 0 and d.pk not in weighted:
            errors[d.code] = _("维度“%(name)s”有权重但没有计分题目。") % {"name": d.name}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    survey.frozen_at = now
    survey.status = Survey.Status.COLLECTING
    survey.opens_on = survey.opens_on or timezone.localdate(now)
    survey.save(update_fields=["frozen_at", "status", "opens_on", "updated_at"])
    return _sync(original, survey)


@transaction.atomic
def survey_close(*, survey: Survey, actor=None) -> Survey:
    """End collection. A closed survey takes no more responses; its index is final."""
    _require_manager(actor, survey)
    original, survey = survey, Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != Survey.Status.COLLECTING:
        raise ValidationError(_("只有采集中的调查可以结束。"))
    survey.status = Survey.Status.CLOSED
    survey.closes_on = survey.closes_on or timezone.localdate()
    survey.save(update_fields=["status", "closes_on", "updated_at"])
    return _sync(original, survey)


# --- The sample plan ----------------------------------------------------------------------------


@transaction.atomic
def quota_set(*, survey: Survey, unit: Unit, target: int, channel: str = "", quarter: int | None = None,
              actor=None) -> Quota | None:
    """Set how many valid responses `unit` must collect (per channel / quarter when given).
    A target of 0 removes the quota. The unit must be inside the survey's unit."""
    _require_manager(actor, survey)
    errors = {}
    if not isinstance(target, int) or target < 0:
        errors["target"] = _("样本量须是不小于 0 的整数。")
    if channel and channel not in Response.Channel.values:
        errors["channel"] = _("渠道无效。")
    if quarter is not None and quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("季度须为 1–4。")
    if not UnitClosure.objects.filter(ancestor_id=survey.unit_id, descendant_id=unit.pk).exists():
        errors["unit"] = _("单位不在本调查的范围内。")
    if errors:
        raise ValidationError(errors)
    lookup = {"survey": survey, "unit": unit, "channel": channel, "quarter": quarter}
    if target == 0:
        Quota.objects.filter(**lookup).delete()
        return None
    quota, _created = Quota.objects.update_or_create(**lookup, defaults={"target": target})
    return quota


@transaction.atomic
def quota_plan_default(*, survey: Survey, actor=None) -> list[Quota]:
    """The precedent's plan: 250 per district and 200 per county-level unit under the survey's
    unit (existing quotas of those units are replaced)."""
    _require_manager(actor, survey)
    units = Unit.objects.filter(kind__in=PLAN_PER_KIND, is_active=True,
                                ancestor_links__ancestor_id=survey.unit_id).order_by("sort_order", "code")
    return [quota_set(survey=survey, unit=u, target=PLAN_PER_KIND[u.kind]) for u in units]


# --- Outlet QR links ----------------------------------------------------------------------------


def outlet_link_for(*, outlet: Outlet) -> OutletLink:
    """The outlet's QR token (created on first use; it never changes, so a printed poster
    keeps working year after year)."""
    link = OutletLink.objects.filter(outlet=outlet).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return OutletLink.objects.create(outlet=outlet, token=secrets.token_urlsafe(TOKEN_BYTES))
    except IntegrityError:
        return OutletLink.objects.get(outlet=outlet)


def current_survey_for(outlet: Outlet) -> Survey | None:
    """The survey an outlet's QR code opens: the latest collecting survey whose unit is the
    outlet's unit or above it."""
    return (Survey.objects.filter(status=Survey.Status.COLLECTING,
                                  unit__descendant_links__descendant_id=outlet.unit_id)
            .order_by("-year", "-opens_on", "-pk").first())


# --- Collection ---------------------------------------------------------------------------------

PUBLIC_RATE_LIMIT = 10  # anonymous submissions per client IP …
PUBLIC_RATE_WINDOW = 600  # … in this many seconds


def public_rate_exceeded(*, ip: str) -> bool:
    """Count one anonymous submission from `ip` in the cache; True when it is one too many
    (more than PUBLIC_RATE_LIMIT in PUBLIC_RATE_WINDOW seconds). The QR page and the public API
    share the count."""
    key = f"surveys:qr-rate:{ip or 'unknown'}"
    cache.add(key, 0, timeout=PUBLIC_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=PUBLIC_RATE_WINDOW)
        count = 1
    return count > PUBLIC_RATE_LIMIT



def device_hash_for(device_cookie: str, outlet: Outlet) -> str:
    """The device identity of QR mode: SHA-256 of the page's device cookie and the outlet."""
    return hashlib.sha256(f"{device_cookie}:{outlet.pk}".encode()).hexdigest()


def stratum_for(outlet: Outlet) -> int:
    """The id of the district / county-level unit above the outlet (its own unit if none)."""
    found = (UnitClosure.objects.filter(descendant_id=outlet.unit_id, ancestor__kind__in=STRATUM_KINDS)
             .order_by("depth").values_list("ancestor_id", flat=True).first())
    return found or outlet.unit_id


def _clean_ratings(items: list[Item], ratings: dict[str, Any]) -> dict[int, int | None]:
    errors: dict[str, str] = {}
    by_code = {i.code: i for i in items}
    for code in ratings:
        if code not in by_code:
            errors[code] = _("本问卷没有题目“%(code)s”。") % {"code": code}
    values: dict[int, int | None] = {}
    for item in items:
        raw = ratings.get(item.code)
        if raw in (None, ""):
            if item.allow_na and item.code in ratings:
                values[item.pk] = None
            else:
                errors[item.code] = _("请作答此题。") if not item.allow_na else _("请作答此题或选择“不适用”。")
            continue
        if isinstance(raw, bool):
            raw = None
        try:
            value = int(raw)
            if str(raw).strip() != str(value):
                raise ValueError
        except (TypeError, ValueError):
            value = None
        if value is None or not item.scale_min <= value <= item.scale_max:
            errors[item.code] = _("评分须在 %(lo)d–%(hi)d 之间") % {"lo": item.scale_min, "hi": item.scale_max}
            continue
        values[item.pk] = value
    if errors:
        raise ValidationError(errors)
    return values


def _clean_profile(questions: list[ProfileQuestion], profile: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    by_code = {q.code: q for q in questions}
    clean: dict[str, Any] = {}
    for code in profile:
        if code not in by_code:
            errors[code] = _("本问卷没有受访者信息项“%(code)s”。") % {"code": code}
    for q in questions:
        raw = profile.get(q.code)
        allowed = {str(c[0]) for c in q.choices}
        if q.multiple:
            chosen = [raw] if isinstance(raw, str) else list(raw or [])
            chosen = [c for c in chosen if c not in (None, "")]
            bad = [c for c in chosen if str(c) not in allowed]
            if bad:
                errors[q.code] = _("选项“%(v)s”无效。") % {"v": "、".join(map(str, bad))}
            elif chosen:
                clean[q.code] = sorted({str(c) for c in chosen}, key=[str(c[0]) for c in q.choices].index)
            elif q.required:
                errors[q.code] = _("请选择。")
        elif raw in (None, ""):
            if q.required:
                errors[q.code] = _("请选择。")
        elif str(raw) not in allowed:
            errors[q.code] = _("选项“%(v)s”无效。") % {"v": raw}
        else:
            clean[q.code] = str(raw)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_outlet(survey: Survey, outlet: Outlet, channel: str, interviewer) -> None:
    if survey.status != Survey.Status.COLLECTING:
        raise ValidationError(_("本次调查不在采集期内。"))
    if channel not in Response.Channel.values:
        raise ValidationError({"channel": _("渠道无效。")})
    if not UnitClosure.objects.filter(ancestor_id=survey.unit_id, descendant_id=outlet.unit_id).exists():
        raise ValidationError({"outlet": _("网点不在本调查的范围内。")})
    if channel == Response.Channel.QR and outlet.status != Outlet.Status.OPEN:
        raise ValidationError({"outlet": _("该网点目前不营业。")})
    if channel == Response.Channel.INTERVIEWER:
        if interviewer is None:
            raise ValidationError({"interviewer": _("访员代填须有访员。")})
        if not interviewer.can(Capability.COLLECT_SURVEYS):
            raise PermissionDenied(_("你的角色不能代客户填写问卷。"))
        if not is_in_scope(interviewer, outlet.unit_id):
            raise PermissionDenied(_("该网点不在你的管辖范围内。"))


def _local_day_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    day = timezone.localtime(moment).date()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _existing(survey: Survey, client_id) -> Response | None:
    if client_id is None:
        return None
    return Response.objects.filter(survey=survey, client_id=client_id).first()


def response_submit(*, survey: Survey, outlet: Outlet, channel: str, ratings: dict[str, int | None],
                    profile: dict, comment: str = "", client_id: uuid.UUID | None = None, interviewer=None,
                    device_hash: str = "", started_at: dt.datetime | None = None,
                    submitted_at: dt.datetime | None = None) -> tuple[Response, bool]:
    """Store one questionnaire. Returns (response, replayed).

    - A client_id already stored for this survey returns that response with replayed=True and
      writes nothing (the resend of a submission whose answer was lost).
    - Every rated item must be answered with a value on its scale, or 不适用 (None) where the
      item allows it; errors name the item code ({"SF05": "评分须在 1–5 之间"}).
    - QR mode: one response per device per outlet per Asia/Shanghai calendar day.
    - The response is flagged by qc.flags_for; unflagged → approved, flagged → pending."""
    try:
        client_id = uuid.UUID(str(client_id)) if client_id not in (None, "") else None
    except ValueError:
        raise ValidationError({"client_id": _("提交编号无效。")}) from None
    found = _existing(survey, client_id)
    if found is not None:
        return found, True
    _check_outlet(survey, outlet, channel, interviewer)
    items = list(survey.items.select_related("dimension").all())
    values = _clean_ratings(items, ratings)
    clean_profile = _clean_profile(list(survey.profile_questions.all()), profile or {})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("意见建议不超过 %(n)d 字。") % {"n": COMMENT_MAX}})
    submitted_at = submitted_at or timezone.now()
    if started_at is not None and started_at > submitted_at:
        started_at = None
    if channel == Response.Channel.QR:
        if not device_hash:
            raise ValidationError({"device": _("无法识别设备，请允许浏览器保存 Cookie 后重试。")})
        start, end = _local_day_bounds(submitted_at)
        if Response.objects.filter(survey=survey, outlet=outlet, device_hash=device_hash, channel=channel,
                                   submitted_at__gte=start, submitted_at__lt=end).exists():
            raise ValidationError({"device": _("您今天已经评价过这个网点，感谢您的参与！")})
    if channel == Response.Channel.INTERVIEWER and not device_hash:
        # An interviewer is their own device: five interviews in ten minutes is a burst (qc.py).
        device_hash = device_hash_for(f"staff-{interviewer.pk}", outlet)
    duration = int((submitted_at - started_at).total_seconds()) if started_at else None
    response = Response(
        survey=survey, outlet=outlet, stratum_id=stratum_for(outlet), channel=channel, interviewer=interviewer,
        client_id=client_id, device_hash=device_hash, started_at=started_at, submitted_at=submitted_at,
        duration_seconds=duration, profile=clean_profile, comment=comment,
    )
    rated = {i.pk for i in items if not i.is_overall and i.dimension_id is not None}
    response.flags = qc.flags_for(response, [v for pk, v in values.items() if pk in rated])
    response.status = Response.Status.PENDING if response.flags else Response.Status.APPROVED
    try:
        with transaction.atomic():
            response.save()
            Rating.objects.bulk_create(Rating(response=response, item_id=pk, value=v) for pk, v in values.items())
            if qc.BURST in response.flags:
                qc.burst_mark_others(response)
    except IntegrityError:
        found = _existing(survey, client_id)
        if found is None:
            raise
        return found, True
    return response, False


@transaction.atomic
def response_review(*, response: Response, approve: bool, reason: str = "", actor) -> Response:
    """Approve a response, or reject it with a reason. Only approved responses count. A reviewer
    needs MANAGE_SURVEYS and the response's outlet in their subtree (a district reviews its own
    responses to the city's survey)."""
    if actor is None or not actor.can(Capability.MANAGE_SURVEYS):
        raise PermissionDenied(_("你的角色不能审核问卷。"))
    if not is_in_scope(actor, response.outlet.unit_id):
        raise PermissionDenied(_("该问卷不在你的管辖范围内。"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("请填写判为无效的原因。")})
    if len(reason) > Response._meta.get_field("review_reason").max_length:
        raise ValidationError({"reason": _("原因不超过 200 字。")})
    response.status = Response.Status.APPROVED if approve else Response.Status.REJECTED
    response.review_reason = reason
    response.reviewed_by = actor
    response.reviewed_at = timezone.now()
    response.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at"])
    return response


def responses_import(*, survey: Survey, file, actor, skip_invalid: bool = False, dry_run: bool = False):
    """Import paper questionnaires from Excel (importers.py; all-or-nothing by default).
    Returns the core.excel ImportReport."""
    from .importers import import_responses

    return import_responses(survey=survey, source=file, actor=actor, skip_invalid=skip_invalid, dry_run=dry_run)

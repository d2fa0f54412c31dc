"""The demo surveys: the precedent's story replayed so that it ends now. The two years before the
current survey's (closed, 2,000 approved responses each on the precedent's 250/200 plan) reach the
published figures of 2017 and 2018, and the current year's survey (copied from the last, opened
COLLECTING_DAYS ago, about half collected, with flagged responses of every kind waiting for
review) is collecting. Loaded in late 2026 that is SQ2024, SQ2025 and SQ2026; the years follow the
day the demo is loaded, like every other demo module's history.

Answers come from a simple latent model, all from random.Random(seed): each respondent has a
general satisfaction θ, each dimension a year effect (投递服务 and 邮件赔偿 lowest — the precedent's
main complaints were 寄送速度, 投递到户 and 赔偿服务), each district / county-level unit an
effect, and each answer some noise; a latent value is rounded to the 1–5 scale. A single
offset per year is found by bisection so the overall index lands on the published figures:
84.0 in the first year and 86.2 in the second (+2.2; the precedent's 2017 and 2018). The figures are
then recomputed with the index engine and printed. Responses and ratings are written with bulk
inserts, so the demo loads in seconds.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Outlet, Staff, StaffRole, Unit, UnitClosure
from postqc.org.roles import Role

from . import index, qc, services
from .models import Item, OutletLink, Rating, Response, Survey

CITY_CODE = "JLS"
ROOT_CODE = "JL"

COLLECTING_DAYS = 40  # the current survey opened this many days before yesterday


@dataclass(frozen=True)
class Plan:
    """One demo survey: `stage` 0 and 1 are the closed years, 2 the one collecting."""

    stage: int
    code: str
    year: int
    target: Decimal
    opens: dt.date
    closes: dt.date | None  # None: still collecting
    overall: float | None  # the index to reach (None: not calibrated)


def plans(today: dt.date) -> tuple[Plan, Plan, Plan]:
    """The three demo surveys for a demo loaded on `today`: the current one opened COLLECTING_DAYS
    before yesterday and is named for that day's year; the two before it ran June to August."""
    opens = today - dt.timedelta(days=COLLECTING_DAYS + 1)
    year = opens.year
    return (
        Plan(0, f"SQ{year - 2}", year - 2, Decimal("83.00"), dt.date(year - 2, 6, 1), dt.date(year - 2, 8, 31), 84.0),
        Plan(1, f"SQ{year - 1}", year - 1, Decimal("85.00"), dt.date(year - 1, 6, 1), dt.date(year - 1, 8, 31), 86.2),
        Plan(2, f"SQ{year}", year, Decimal("87.00"), opens, None, None),
    )


TITLE = "%(year)d年度邮政普遍服务满意度调查"
INTRO = ("尊敬的用户：为了解您对邮政普遍服务的评价，持续改进服务质量，我们开展本次满意度调查。"
         "问卷匿名填写，约需 5 分钟，感谢您的支持！")
COLLECTED_SHARE = 0.5  # of the current survey's plan

# Latent effects (on the 1–5 scale) of each dimension, by stage: delivery and compensation lag.
_FIRST = {"FAC": 0.10, "CTR": 0.18, "DLV": -0.30, "QRY": 0.02, "LOSS": 0.12, "COMP": -0.40, "CMPL": -0.12}
_SECOND = {"FAC": 0.12, "CTR": 0.16, "DLV": -0.18, "QRY": 0.04, "LOSS": 0.12, "COMP": -0.30, "CMPL": -0.08}
DIMENSION_EFFECT = (_FIRST, _SECOND, {k: v + (0.04 if k in ("DLV", "COMP") else 0.0) for k, v in _SECOND.items()})
# 寄送速度 and 投递到户 are the delivery items customers complain about most.
ITEM_EFFECT = {"SF08": -0.15, "SF09": -0.12, "SF05": -0.08, "SF18": -0.06}
# By the unit code's last part: the districts a little above the counties, 舒兰 and 蛟河 lowest.
UNIT_EFFECT = {"CY": 0.10, "CHY": 0.05, "LT": -0.02, "FM": 0.07, "YJ": -0.04, "JH": -0.13, "PS": 0.02,
               "SL": -0.16, "HD": -0.05}
# This year's 投递服务 in 桦甸 and 蛟河, whose village segments missed their rounds in the snowstorm
# (the delivery demo): it drops against last year, and 抽查优先 raises their outlets (docs/inspections.md).
UNIT_DIMENSION_SHOCK = {2: {"HD": {"DLV": -0.6}, "JH": {"DLV": -0.6}}}
THETA_SD, DIM_SD, NOISE_SD = 0.55, 0.30, 0.50
# Importance of each dimension's own variation in the overall-satisfaction answer.
OVERALL_LOADING = {"FAC": 0.10, "CTR": 0.30, "DLV": 0.35, "QRY": 0.05, "LOSS": 0.15, "COMP": 0.05, "CMPL": 0.10}
# Share of respondents for whom a dimension does not apply (never queried, never claimed, …).
NA_SHARE = {"QRY": 0.35, "COMP": 0.72, "CMPL": 0.70}
ITEM_NA_SHARE = {"SF03": 0.15, "SF11": 0.30}
CHANNEL_MIX = (((Response.Channel.INTERVIEWER, 0.7), (Response.Channel.PAPER, 0.3)),  # by stage: QR codes come in
               ((Response.Channel.INTERVIEWER, 0.5), (Response.Channel.QR, 0.3), (Response.Channel.PAPER, 0.2)),
               ((Response.Channel.INTERVIEWER, 0.4), (Response.Channel.QR, 0.45), (Response.Channel.PAPER, 0.15)))
PROFILE_WEIGHTS = {
    "sex": (("m", 48), ("f", 52)),
    "age": (("u20", 5), ("20_29", 17), ("30_39", 21), ("40_49", 22), ("50_59", 19), ("60p", 16)),
    "education": (("primary", 10), ("junior", 27), ("senior", 28), ("college", 18), ("bachelor", 17)),
    "occupation": (("official", 12), ("employee", 28), ("business", 16), ("farmer", 17), ("student", 6),
                   ("retired", 15), ("other", 6)),
}
AGE_EFFECT = {"u20": -0.08, "20_29": -0.05, "60p": 0.08}
SERVICE_SHARE = {"letters": 0.35, "parcels": 0.7, "printed": 0.1, "remittance": 0.2, "newspapers": 0.25,
                 "express": 0.55}
COMMENTS_LOW = ("寄送速度太慢，希望能快一些", "希望包裹能送到家门口", "赔偿手续太麻烦，等了很久", "周末营业时间太短",
                "排队时间长，窗口开得太少", "投诉后没有人回电话", "快递到了不通知，只能自己去取")
COMMENTS_HIGH = ("营业员态度很好", "服务越来越好了", "投递员很负责", "希望增加自助设备", "营业厅很干净")
GRADE_TRAFFIC = {Outlet.Grade.FIRST: 3.0, Outlet.Grade.SECOND: 2.0, Outlet.Grade.THIRD: 1.0}


def is_loaded() -> bool:
    """Any survey of the demo city: its surveys were loaded (perhaps in an earlier year)."""
    return Survey.objects.filter(unit__code=CITY_CODE).exists()


# --- Generation ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    outlet: Outlet
    stratum_id: int
    channel: str
    submitted_at: dt.datetime
    duration: int | None
    profile: dict
    device_hash: str
    interviewer_id: int | None
    latent: dict[str, float]  # item code → latent value without the year's offset
    answered: dict[str, bool]
    comment: str = ""
    straight: int | None = None  # a straight-liner's one answer to every rated item
    values: dict[str, int | None] = field(default_factory=dict)


def _draw(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _scale(latent: float, offset: float) -> int:
    return min(5, max(1, int(math.floor(latent + offset + 0.5))))


class _Year:
    def __init__(self, rng: random.Random, survey: Survey, stage: int, strata: dict[int, list[Outlet]],
                 interviewers: dict[int, list[int]]):
        self.rng, self.survey, self.stage, self.strata, self.interviewers = rng, survey, stage, strata, interviewers
        self.items = list(survey.items.select_related("dimension").order_by("position"))
        self.weights = {d.code: float(d.weight) for d in survey.dimensions.all()}
        self.unit_code = dict(Unit.objects.filter(pk__in=strata).values_list("pk", "code"))

    def moment(self, outlet: Outlet, channel: str, first: dt.date, last: dt.date) -> dt.datetime:
        rng = self.rng
        closed_days = {6} if outlet.open_days_per_week == 6 else {5, 6} if outlet.open_days_per_week < 6 else set()
        while True:
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            if day.weekday() not in closed_days:
                break
        if channel == Response.Channel.PAPER:
            return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
        opens = outlet.opens_at or dt.time(8, 30)
        closes = outlet.closes_at or dt.time(16, 30)
        start = opens.hour * 60 + opens.minute + 10
        end = closes.hour * 60 + closes.minute - 15
        minute = rng.randrange(start, max(start + 1, end))
        return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60))))

    def draft(self, stratum_id: int, first: dt.date, last: dt.date) -> _Draft:
        rng = self.rng
        stage = self.stage
        outlets = self.strata[stratum_id]
        outlet = rng.choices(outlets, [GRADE_TRAFFIC[o.grade] for o in outlets])[0]
        channel = _draw(rng, CHANNEL_MIX[stage])
        profile = {code: _draw(rng, weights) for code, weights in PROFILE_WEIGHTS.items()}
        used = [s for s, share in SERVICE_SHARE.items() if rng.random() < share] or ["parcels"]
        profile["services"] = [s for s in SERVICE_SHARE if s in used]
        interviewer = None
        if channel == Response.Channel.INTERVIEWER:
            interviewer = rng.choice(self.interviewers.get(stratum_id) or [None])
            if interviewer is None:
                channel = Response.Channel.PAPER
        submitted = self.moment(outlet, channel, first, last)
        duration = None
        if channel != Response.Channel.PAPER:
            duration = int(rng.lognormvariate(math.log(300 if channel == Response.Channel.INTERVIEWER else 210), 0.3))
        if channel == Response.Channel.QR:
            device = services.device_hash_for(secrets.token_urlsafe(12), outlet)
        elif channel == Response.Channel.INTERVIEWER:
            device = services.device_hash_for(f"staff-{interviewer}", outlet)
        else:
            device = ""
        unit_key = self.unit_code[stratum_id].rsplit("-", 1)[-1]
        unit_effect = UNIT_EFFECT.get(unit_key, 0.0)
        shock = UNIT_DIMENSION_SHOCK.get(stage, {}).get(unit_key, {})
        theta = rng.gauss(0, THETA_SD) + AGE_EFFECT.get(profile["age"], 0.0)
        dim_own = {code: rng.gauss(0, DIM_SD) for code in self.weights}
        skipped = {code: rng.random() < NA_SHARE.get(code, 0.0) for code in self.weights}
        latent, answered = {}, {}
        base = 4.0 + unit_effect + theta
        for item in self.items:
            if item.dimension_id is None:
                continue
            code = item.dimension.code
            latent[item.code] = (base + DIMENSION_EFFECT[stage][code] + ITEM_EFFECT.get(item.code, 0.0)
                                 + shock.get(code, 0.0) + dim_own[code] + rng.gauss(0, NOISE_SD))
            answered[item.code] = not (item.allow_na and (skipped[code] or rng.random() < ITEM_NA_SHARE.get(item.code, 0)))
        overall = base + sum(OVERALL_LOADING[c] * (dim_own[c] + DIMENSION_EFFECT[stage][c]) for c in self.weights)
        latent["OV01"] = overall + rng.gauss(0, 0.35)
        latent["EX01"] = 3.6 + 0.4 * theta + rng.gauss(0, 0.6)
        answered["OV01"] = answered["EX01"] = True
        return _Draft(outlet, stratum_id, channel, submitted, duration, profile, device, interviewer, latent, answered)

    def apply(self, drafts: list[_Draft], offset: float) -> None:
        for d in drafts:
            d.values = {code: (_scale(v, offset if code != "EX01" else 0.0) if d.answered[code] else None)
                        for code, v in d.latent.items()}
            if d.straight is not None:
                d.values.update({c: d.straight for c, v in d.values.items() if c.startswith("SF") and v is not None})

    def overall_mean(self, drafts: list[_Draft]) -> float:
        """The index of the drafts by the method (a direct calculation, used only to calibrate)."""
        dims: dict[str, list[str]] = {}
        for item in self.items:
            if item.dimension_id is not None:
                dims.setdefault(item.dimension.code, []).append(item.code)
        total = 0.0
        for d in drafts:
            num = den = 0.0
            for code, codes in dims.items():
                values = [d.values[c] for c in codes if d.values[c] is not None]
                if values:
                    num += self.weights[code] * sum((v - 1) * 25.0 for v in values) / len(values)
                    den += self.weights[code]
            total += num / den
        return total / len(drafts)

    def calibrate(self, drafts: list[_Draft], target: float) -> float:
        low, high = -2.0, 2.0
        for _step in range(18):  # to within 4 / 2¹⁸ of the offset: far below a rating's step
            mid = (low + high) / 2
            self.apply(drafts, mid)
            if self.overall_mean(drafts) < target:
                low = mid
            else:
                high = mid
        self.apply(drafts, high)
        return high

    def comment(self, d: _Draft) -> str:
        rated = [v for c, v in d.values.items() if c.startswith("SF") and v is not None]
        mean = sum(rated) / len(rated)
        if self.rng.random() < (0.35 if mean < 3.6 else 0.06):
            return self.rng.choice(COMMENTS_LOW if mean < 4.2 else COMMENTS_HIGH)
        return ""


def _save(survey: Survey, drafts: list[_Draft], *, status: str = Response.Status.APPROVED) -> list[Response]:
    items = dict(Item.objects.filter(survey=survey).values_list("code", "pk"))
    responses = [
        Response(survey=survey, outlet=d.outlet, stratum_id=d.stratum_id, channel=d.channel,
                 interviewer_id=d.interviewer_id, device_hash=d.device_hash,
                 started_at=d.submitted_at - dt.timedelta(seconds=d.duration) if d.duration else None,
                 submitted_at=d.submitted_at, duration_seconds=d.duration, profile=d.profile, comment=d.comment,
                 status=status)
        for d in drafts
    ]
    Response.objects.bulk_create(responses, batch_size=1000)
    Rating.objects.bulk_create(
        (Rating(response_id=r.pk, item_id=items[code], value=value)
         for r, d in zip(responses, drafts, strict=True) for code, value in d.values.items()),
        batch_size=5000,
    )
    return responses


def _approve_reviewed(survey: Survey, reviewer: Staff | None, at: dt.datetime) -> int:
    """The flagged responses of a closed year were looked at and kept."""
    return Response.objects.filter(survey=survey, status=Response.Status.PENDING).update(
        status=Response.Status.APPROVED, reviewed_by=reviewer, reviewed_at=at)


# --- Loading ------------------------------------------------------------------------------------


def _strata(city: Unit) -> tuple[dict[int, list[Outlet]], dict[int, list[int]]]:
    units = {u.pk: u for u in Unit.objects.filter(ancestor_links__ancestor=city, kind__in=services.STRATUM_KINDS)}
    stratum_of = dict(UnitClosure.objects.filter(ancestor_id__in=units).values_list("descendant_id", "ancestor_id"))
    strata: dict[int, list[Outlet]] = {pk: [] for pk in units}
    for outlet in Outlet.objects.filter(unit_id__in=stratum_of, status=Outlet.Status.OPEN).order_by("code"):
        strata[stratum_of[outlet.unit_id]].append(outlet)
    interviewers: dict[int, list[int]] = {pk: [] for pk in units}
    rows = (StaffRole.objects.filter(role__in=(Role.CLERK, Role.BRANCH_HEAD), staff__is_active=True,
                                     staff__unit_id__in=stratum_of)
            .order_by("staff_id").values_list("staff_id", "staff__unit_id").distinct())
    for staff_id, unit_id in rows:
        interviewers[stratum_of[unit_id]].append(staff_id)
    return {k: v for k, v in strata.items() if v}, interviewers


def _create(code: str, year: int, target: Decimal, city: Unit, source: Survey | None) -> Survey:
    title = _(TITLE) % {"year": year}
    if source is None:
        survey = services.survey_create_from_template(code=code, title=title, year=year, unit=city,
                                                      target_index=target)
        services.survey_update(survey=survey, intro=INTRO)
    else:
        survey = services.survey_copy(source=source, code=code, year=year, title=title)
        services.survey_update(survey=survey, target_index=target)
    if not survey.quotas.exists():
        services.quota_plan_default(survey=survey)
    return survey


def _flagged(year: _Year, survey: Survey, first: dt.date, last: dt.date) -> list[_Draft]:
    """Responses of every flagged kind: speeders, straight-liners, a burst, off-hours."""
    rng = year.rng
    strata = sorted(year.strata)
    made = []
    for _n in range(6):  # speeders: a fraction of the usual five minutes
        d = year.draft(rng.choice(strata), first, last)
        d.duration = rng.randint(35, 60)
        made.append(d)
    for value in (5, 5, 4, 5, 3):  # straight-liners
        d = year.draft(rng.choice(strata), first, last)
        d.straight = value
        made.append(d)
    stratum = strata[0]
    outlet = year.strata[stratum][0]
    staff = rng.choice(year.interviewers[stratum])
    start = year.moment(outlet, Response.Channel.INTERVIEWER, first, last)
    for n in range(6):  # one interviewer, one outlet, six forms in eight minutes
        d = year.draft(stratum, first, last)
        d.outlet, d.channel, d.interviewer_id = outlet, Response.Channel.INTERVIEWER, staff
        d.device_hash = services.device_hash_for(f"staff-{staff}", outlet)
        d.submitted_at = start + dt.timedelta(seconds=95 * n)
        d.duration = rng.randint(80, 95)
        made.append(d)
    for _n in range(5):  # customers scanning the poster late in the evening
        d = year.draft(rng.choice(strata), first, last)
        d.channel, d.interviewer_id = Response.Channel.QR, None
        d.device_hash = services.device_hash_for(secrets.token_urlsafe(12), d.outlet)
        local = timezone.localtime(d.submitted_at)
        d.submitted_at = timezone.make_aware(dt.datetime.combine(local.date(), dt.time(21, rng.randrange(60))))
        d.duration = rng.randint(180, 300)
        made.append(d)
    return made


def load(*, stdout, seed: int) -> None:
    """Create the demo surveys (plans(): the current year's and the two before) unless the demo
    city has surveys."""
    if is_loaded():
        first = Survey.objects.filter(unit__code=CITY_CODE).order_by("year", "pk").first()
        stdout.write(_("满意度调查：演示数据已存在（%(code)s），未重复加载。") % {"code": first.code} + "\n")
        return
    city = Unit.objects.filter(code=CITY_CODE).first()
    if city is None:
        raise RuntimeError(f"The surveys demo needs the org demo (unit {CITY_CODE}).")
    rng = random.Random(seed * 7 + 2017)
    strata, interviewers = _strata(city)
    reviewer = Staff.objects.filter(unit=city, role_links__role=Role.QUALITY).order_by("employee_no").first()
    source = None
    offset = 0.0
    for plan in plans(timezone.localdate()):
        first, last = plan.opens, plan.closes
        survey = _create(plan.code, plan.year, plan.target, city, source)
        services.survey_start_collection(survey=survey)
        frozen = timezone.make_aware(dt.datetime.combine(first, dt.time(9, 0)))
        Survey.objects.filter(pk=survey.pk).update(frozen_at=frozen, opens_on=first, created_at=frozen)
        generator = _Year(rng, survey, plan.stage, strata, interviewers)
        quota = {q.unit_id: q.target for q in survey.quotas.all()}
        share = 1.0 if last is not None else COLLECTED_SHARE
        end = last or first + dt.timedelta(days=COLLECTING_DAYS)
        drafts = [generator.draft(stratum, first, end) for stratum in sorted(strata)
                  for _n in range(round(quota.get(stratum, 0) * share))]
        if plan.overall is not None:
            offset = generator.calibrate(drafts, plan.overall)
        else:
            drafts += _flagged(generator, survey, first, end)
            generator.apply(drafts, offset + 0.03)
        for d in drafts:
            d.comment = generator.comment(d)
        _save(survey, drafts)
        qc.survey_recheck(survey)
        if last is not None:
            closed = timezone.make_aware(dt.datetime.combine(last, dt.time(18, 0)))
            _approve_reviewed(survey, reviewer, closed)
            Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED, closes_on=last)
        else:
            _review_some(survey, reviewer, end - dt.timedelta(days=10))
        source = survey
        _report(stdout, survey)
    _links()


def _review_some(survey: Survey, reviewer: Staff | None, last: dt.date) -> None:
    """A reviewer has gone through the older part of the queue: the straight-liners (customers
    who gave every item the same mark) before `last` kept, two speeders judged invalid. The
    newer flagged responses, of every kind, still wait."""
    older = timezone.make_aware(dt.datetime.combine(last, dt.time.min))
    pending = Response.objects.filter(survey=survey, status=Response.Status.PENDING)
    next_day = F("submitted_at") + dt.timedelta(days=1)
    pending.filter(flags=[qc.STRAIGHTLINE], submitted_at__lt=older).update(
        status=Response.Status.APPROVED, reviewed_by=reviewer, reviewed_at=next_day)
    speeders = list(pending.filter(flags__icontains=f'"{qc.SPEEDER}"').order_by("pk").values_list("pk", flat=True)[:2])
    Response.objects.filter(pk__in=speeders).update(
        status=Response.Status.REJECTED, reviewed_by=reviewer, reviewed_at=next_day,
        review_reason=_("答题时间过短，判为无效"))


def _links() -> None:
    """A QR token for every demo outlet, so the posters can be printed."""
    have = set(OutletLink.objects.values_list("outlet_id", flat=True))
    units = UnitClosure.objects.filter(ancestor__code=CITY_CODE).values("descendant_id")
    OutletLink.objects.bulk_create(
        OutletLink(outlet_id=pk, token=secrets.token_urlsafe(services.TOKEN_BYTES))
        for pk in Outlet.objects.filter(unit_id__in=units).exclude(pk__in=have).values_list("pk", flat=True)
    )


def _report(stdout, survey: Survey) -> None:
    whole = index.city(survey)
    counts = {s: survey.responses.filter(status=s).count() for s in Response.Status.values}
    dims = "，".join(f"{name} {whole.dims[c].value:.1f}" for c, name, _w in index.compute(survey, by="city").dimensions
                    if whole.dims[c].value is not None)
    stdout.write(
        _("满意度调查 %(code)s：有效 %(a)d 份，待审核 %(p)d 份，无效 %(r)d 份；满意度指数 %(v).2f（95%% 区间 %(lo).2f–%(hi).2f）；%(dims)s。")
        % {"code": survey.code, "a": counts["approved"], "p": counts["pending"], "r": counts["rejected"],
           "v": whole.overall.value, "lo": whole.overall.low, "hi": whole.overall.high, "dims": dims} + "\n")


def reset(*, stdout) -> None:
    """Delete the surveys of the demo city with their responses (before the org goes)."""
    units = UnitClosure.objects.filter(ancestor__code=ROOT_CODE).values("descendant_id")
    surveys = Survey.objects.filter(unit_id__in=units)
    Rating.objects.filter(response__survey__in=surveys).delete()
    Response.objects.filter(survey__in=surveys).delete()
    Survey.objects.filter(pk__in=list(surveys.values_list("pk", flat=True))).update(copied_from=None)
    surveys.delete()
    OutletLink.objects.filter(outlet__unit_id__in=units).delete()
    stdout.write(_("满意度调查：已删除演示数据。") + "\n")

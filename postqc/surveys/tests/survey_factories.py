"""Builders for the engine and service tests: a tiny questionnaire whose index can be worked out
by hand, and responses written straight into the tables."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from postqc.surveys import services
from postqc.surveys.models import Dimension, Item, ProfileQuestion, Rating, Response, Survey, SurveyPart

WEEKDAY_MORNING = dt.datetime(2026, 11, 25, 10, 0)  # a Wednesday, inside every outlet's hours


def at(day_offset: int = 0, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(WEEKDAY_MORNING.replace(hour=hour, minute=minute) + dt.timedelta(days=day_offset))


def tiny_survey(unit, *, code: str = "T1", year: int = 2019, weights=("0.6", "0.4"), target=None) -> Survey:
    """Dimensions A (weight 0.6: items A1 weight 1 and A2 weight 2) and B (0.4: item B1, 不适用
    allowed); the overall item OV; one profile question (sex) and a multiple one (services).
    Every scale is 1–5, so a score x rescales to (x − 1) × 25."""
    survey = Survey.objects.create(code=code, title=f"测试调查 {code}", year=year, unit=unit,
                                   status=Survey.Status.COLLECTING, frozen_at=timezone.now(),
                                   target_index=Decimal(target) if target is not None else None)
    p1 = SurveyPart.objects.create(survey=survey, code="P1", title="一、总体评价", position=0)
    p2 = SurveyPart.objects.create(survey=survey, code="P2", title="二、服务评价", position=1)
    a = Dimension.objects.create(survey=survey, code="A", name="维度甲", weight=Decimal(weights[0]), position=0)
    b = Dimension.objects.create(survey=survey, code="B", name="维度乙", weight=Decimal(weights[1]), position=1)
    Item.objects.create(survey=survey, part=p1, code="OV", text="总体满意度", is_overall=True, allow_na=False, position=0)
    Item.objects.create(survey=survey, part=p2, dimension=a, code="A1", text="甲一", allow_na=False, position=1)
    Item.objects.create(survey=survey, part=p2, dimension=a, code="A2", text="甲二", allow_na=False,
                        weight=Decimal(2), position=2)
    Item.objects.create(survey=survey, part=p2, dimension=b, code="B1", text="乙一", allow_na=True, position=3)
    ProfileQuestion.objects.create(survey=survey, code="sex", text="性别", choices=[["m", "男"], ["f", "女"]], position=0)
    ProfileQuestion.objects.create(survey=survey, code="services", text="使用过的业务", multiple=True, position=1,
                                   choices=[["letters", "信件"], ["parcels", "包裹"]])
    return survey


def put(survey: Survey, outlet, values: dict[str, int | None], *, status: str = Response.Status.APPROVED,
        channel: str = Response.Channel.PAPER, profile: dict | None = None, when: dt.datetime | None = None,
        duration: int | None = None, device_hash: str = "") -> Response:
    """One response written directly (no checks, no flags): the engine's input."""
    response = Response.objects.create(
        survey=survey, outlet=outlet, stratum_id=services.stratum_for(outlet), channel=channel,
        submitted_at=when or at(), status=status, profile=profile or {}, duration_seconds=duration,
        device_hash=device_hash)
    items = dict(survey.items.values_list("code", "pk"))
    Rating.objects.bulk_create(Rating(response=response, item_id=items[c], value=v) for c, v in values.items())
    return response


@pytest.fixture
def survey(org) -> Survey:
    """The shipped questionnaire for the city, collecting, with the 250/200 plan."""
    made = services.survey_create_from_template(code="SQ2019", title="2019年度调查", year=2019, unit=org.jls,
                                                target_index="85", actor=org.sam)
    services.quota_plan_default(survey=made)
    return services.survey_start_collection(survey=made, actor=org.sam)


def answers(survey: Survey, base: int = 4, **overrides) -> dict:
    """Every item answered, values 3–5 in turn (never a straight line), with overrides."""
    values = {code: [base, base + 1, base - 1][n % 3] if base < 5 else [5, 4, 3][n % 3]
              for n, code in enumerate(survey.items.order_by("position").values_list("code", flat=True))}
    values.update(overrides)
    return values


def submit(survey, outlet, **kwargs):
    kwargs.setdefault("channel", Response.Channel.PAPER)
    kwargs.setdefault("ratings", answers(survey))
    kwargs.setdefault("profile", {"sex": "f", "services": ["letters"]})
    kwargs.setdefault("submitted_at", at())
    return services.response_submit(survey=survey, outlet=outlet, **kwargs)

"""Fixtures of the survey page tests: the city's survey on the personas' tree (conftest `org`),
collecting, with the precedent's plan, and a way to fill it in like a person would."""
from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid

import pytest
from django.utils import timezone

from postqc.surveys import services
from postqc.surveys.forms import sign_started
from postqc.surveys.models import Rating, Response, Survey


def start(survey: Survey) -> Survey:
    services.quota_plan_default(survey=survey)
    return services.survey_start_collection(survey=survey)


@pytest.fixture(name="survey")
def collecting_survey(org) -> Survey:
    """吉林市分公司's 2019 survey, collecting, target 86, plan 船营 250 / 蛟河 200."""
    return start(services.survey_create_from_template(code="JLS-2019", title="2019年度邮政普遍服务满意度调查",
                                                      year=2019, unit=org.jls, target_index=86))


def ratings(survey: Survey, *, base: int = 4, rng: random.Random | None = None) -> dict[str, int]:
    """A believable set of answers: every item rated, around `base`, not all alike; with `rng`,
    answers that vary from person to person (so the 四分图's regression has something to fit)."""
    bumps = itertools.cycle([0, 1, 0, -1, 0, 1])
    items = list(survey.items.order_by("position"))
    out = {}
    for item in items:
        step = rng.choice([-1, 0, 0, 1]) if rng else next(bumps)
        out[item.code] = max(item.scale_min, min(item.scale_max, base + step))
    if rng:
        scored = [v for i, v in zip(items, out.values(), strict=True) if i.dimension_id]
        overall = next(i for i in items if i.is_overall)
        out[overall.code] = max(1, min(5, round(sum(scored) / len(scored) + rng.choice([-0.5, 0, 0.5]))))
    return out


def form_data(survey: Survey, *, base: int = 4, client_id: uuid.UUID | None = None, **extra) -> dict:
    """The POST of the questionnaire page: r_<code> per item, the profile, the hidden fields."""
    data = {f"r_{code}": str(v) for code, v in ratings(survey, base=base).items()}
    data.update({"p_sex": "f", "p_age": "30_39", "p_services": ["letters", "parcels"], "comment": "服务很好",
                 "client_id": str(client_id or uuid.uuid4()),
                 "started": sign_started(timezone.now() - dt.timedelta(minutes=3))})
    data.update(extra)
    return data


def submit(survey: Survey, outlet, *, base: int = 4, channel: str = Response.Channel.PAPER, when=None,
           **kwargs) -> Response:
    """Store one response through the service, as the import would (no time of day checks)."""
    response, _replayed = services.response_submit(
        survey=survey, outlet=outlet, channel=channel, ratings=ratings(survey, base=base),
        profile={"sex": "m", "services": ["letters"]}, submitted_at=when or timezone.now(), **kwargs)
    return response


def approved_responses(survey: Survey, outlet, n: int, *, base: int, rng: random.Random, when=None) -> None:
    """`n` approved paper responses written in bulk (for report data; the service path is tested elsewhere)."""
    items = {i.code: i.pk for i in survey.items.all()}
    stratum = services.stratum_for(outlet)
    when = when or timezone.now()
    responses = [Response(survey=survey, outlet=outlet, stratum_id=stratum, channel=Response.Channel.PAPER,
                          submitted_at=when, status=Response.Status.APPROVED,
                          profile={"sex": rng.choice(["m", "f"]), "services": ["letters"]}) for _ in range(n)]
    Response.objects.bulk_create(responses)
    Rating.objects.bulk_create(Rating(response=r, item_id=items[code], value=v)
                               for r in responses for code, v in ratings(survey, base=base, rng=rng).items())

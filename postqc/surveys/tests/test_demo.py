"""The demo surveys, loaded after the org and standards demos (one test: the demo takes seconds)."""
import datetime as dt
from io import StringIO

import pytest

from postqc.org import demo as org_demo
from postqc.standards import demo as standards_demo
from postqc.surveys import demo, index, qc
from django.utils import timezone

from postqc.org.models import Unit
from postqc.surveys.models import Quota, Rating, Response, Survey
from postqc.surveys.selectors import inspection_signals


@pytest.mark.parametrize("today, codes, opens", [
    (dt.date(2026, 11, 30), ("SQ2024", "SQ2025", "SQ2026"), dt.date(2026, 10, 20)),
    (dt.date(2027, 1, 1), ("SQ2024", "SQ2025", "SQ2026"), dt.date(2026, 11, 21)),  # opened last year
    (dt.date(2027, 2, 11), ("SQ2025", "SQ2026", "SQ2027"), dt.date(2027, 1, 1)),
])
def test_the_demo_years_follow_the_day_it_is_loaded(today, codes, opens):
    plans = demo.plans(today)
    assert tuple(p.code for p in plans) == codes and [p.year for p in plans] == [int(c[2:]) for c in codes]
    assert plans[2].opens == opens and plans[2].closes is None
    assert [(p.opens, p.closes) for p in plans[:2]] == [(dt.date(p.year, 6, 1), dt.date(p.year, 8, 31)) for p in plans[:2]]
    assert [p.overall for p in plans] == [84.0, 86.2, None]  # the precedent's 2017 and 2018


def test_the_demo_surveys_reach_the_published_figures_with_a_half_collected_current_year(db):
    org_demo.load(stdout=StringIO(), seed=2018)
    standards_demo.load(stdout=StringIO(), seed=2018)
    out = StringIO()
    demo.load(stdout=out, seed=2018)

    # Named for the precedent's years; loaded in 2026 they are SQ2024, SQ2025 and SQ2026.
    s2017, s2018, s2019 = (Survey.objects.get(code=p.code) for p in demo.plans(timezone.localdate()))
    assert s2019.opens_on == timezone.localdate() - dt.timedelta(days=demo.COLLECTING_DAYS + 1)
    collected = s2019.responses.values_list("submitted_at", flat=True)
    assert max(collected) < timezone.now() and timezone.localtime(min(collected)).date() >= s2019.opens_on
    for survey in (s2017, s2018):
        assert survey.status == Survey.Status.CLOSED and survey.is_frozen
        assert survey.responses.filter(status=Response.Status.APPROVED).count() == 2000
        assert not survey.responses.exclude(status=Response.Status.APPROVED).exists()
        assert sorted(Quota.objects.filter(survey=survey).values_list("target", flat=True)) == [200] * 5 + [250] * 4
        per_unit = index.compute(survey, by="unit")
        assert sorted(r.n for r in per_unit.rows) == [200] * 5 + [250] * 4
        assert all(r.ranked for r in per_unit.rows)
    assert index.city(s2017).overall.value == pytest.approx(84.0, abs=0.05)
    assert index.city(s2018).overall.value == pytest.approx(86.2, abs=0.05)
    change = index.year_on_year(s2018, s2017)[0]
    assert change.diff.value == pytest.approx(2.2, abs=0.1) and change.significant
    dims = index.city(s2018).dims
    lowest = sorted(dims, key=lambda code: dims[code].value)[:2]
    assert set(lowest) == {"DLV", "COMP"}  # delivery and compensation: the precedent's complaints
    units = [r.overall.value for r in index.compute(s2018, by="unit").rows]
    assert max(units) - min(units) > 2
    assert index.target_gap(s2018)[0] > 0  # the 十三五 target (85) reached
    assert s2018.items.filter(clause__isnull=False).exists()  # the standards demo's clauses are linked

    assert s2019.status == Survey.Status.COLLECTING and s2019.copied_from == s2018
    assert list(s2019.items.values_list("code", flat=True)) == list(s2018.items.values_list("code", flat=True))
    approved = s2019.responses.filter(status=Response.Status.APPROVED).count()
    assert 900 <= approved <= 1100
    pending = list(s2019.responses.filter(status=Response.Status.PENDING).values_list("flags", flat=True))
    assert {flag for flags in pending for flag in flags} == set(qc.FLAGS)
    assert s2019.responses.filter(status=Response.Status.REJECTED).exclude(review_reason="").exists()
    assert Rating.objects.filter(response__survey=s2018).count() >= 2000 * 21
    assert f"{s2018.code}：有效 2000 份" in out.getvalue() and "86.2" in out.getvalue()

    again = StringIO()
    demo.load(stdout=again, seed=2018)
    assert "已存在" in again.getvalue() and Survey.objects.count() == 3

    # This year 投递服务 fell in 桦甸 and 蛟河 (the snowstorm): 抽查优先 raises their outlets.
    survey, signals = inspection_signals(Unit.objects.get(code="JLS"))
    dropped = {Unit.objects.get(pk=pk).code: [s.code for s in found if s.drop is not None] for pk, found in signals.items()}
    assert survey == s2019 and {code for code, dims in dropped.items() if dims} == {"JLS-HD", "JLS-JH"}
    assert dropped["JLS-HD"] == dropped["JLS-JH"] == ["DLV"]

    demo.reset(stdout=StringIO())
    assert not Survey.objects.exists() and not Response.objects.exists()

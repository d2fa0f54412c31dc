"""The index report: renders with a year's data against last year's, every figure with n and its
interval, units with n < 30 shown but not ranked, scoped to the manager's subtree, exported."""
import datetime as dt
import io
import json
import random
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from postqc.surveys import services

from .view_fixtures import approved_responses, start, submit


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two_years(org):
    """2018 (closed) and its copy 2019 (collecting): 船营 35 + 蛟河 12 responses a year, 2019 better."""
    last = start(services.survey_create_from_template(code="JLS-2018", title="2018年度调查", year=2018, unit=org.jls,
                                                      target_index=85))
    rng = random.Random(2019)
    when = timezone.now() - dt.timedelta(days=400)
    approved_responses(last, org.o_cy, 35, base=3, rng=rng, when=when)
    approved_responses(last, org.o_jh, 12, base=3, rng=rng, when=when)
    services.survey_close(survey=last)
    this = start(services.survey_copy(source=last, code="JLS-2019", year=2019))
    approved_responses(this, org.o_cy, 35, base=4, rng=rng)
    approved_responses(this, org.o_jh, 12, base=4, rng=rng)
    return last, this


def report(client, survey, **params):
    return client.get(reverse("surveys_manage:report", args=[survey.code]), params)


def chart(html, name):
    return json.loads(re.search(rf'<script id="chart-{name}" type="application/json">(.*?)</script>', html, re.S)[1])


def test_report_renders_the_index_against_target_and_last_year(as_, org, two_years):
    last, this = two_years
    page = report(as_(org.sam), this)
    assert page.status_code == 200
    html = page.content.decode()
    for heading in ("历年满意度指数与规划目标", "各维度得分", "各单位排名", "四分图", "同比（与 2018 年比较）"):
        assert heading in html, heading
    assert "n=94" not in html and "n=47" in html
    assert 'data-chart="years"' in html and "echarts.min.js" in html and "charts.js" in html
    assert "<script>" not in html, "charts are configured from JSON, not inline code"
    years = chart(html, "years")
    assert years["labels"] == ["2018", "2019"] and years["targets"] == [85.0, 85.0]
    assert years["values"][1][0] > years["values"][0][0]
    assert years["values"][1][1] < years["values"][1][0] < years["values"][1][2], "an interval around the index"
    assert "变化显著" in html


def test_units_below_30_responses_are_shown_but_not_ranked(as_, org, two_years):
    html = report(as_(org.sam), two_years[1]).content.decode()
    units = chart(html, "units")
    assert units["labels"] == ["船营区分公司", "蛟河市分公司"]
    assert units["muted"] == [False, True]
    assert "不排名" in html


def test_the_quadrant_chart_has_a_point_per_dimension_and_mean_lines(as_, org, two_years):
    quadrant = chart(report(as_(org.sam), two_years[1]).content.decode(), "quadrant")
    assert quadrant["xMean"] is not None and quadrant["yMean"] is not None
    assert {p["name"] for p in quadrant["points"]} <= {"邮政设施", "营业服务", "投递服务", "查询服务", "邮件丢失或损毁",
                                                       "邮件赔偿", "投诉处理"}


def test_a_county_managers_report_has_only_their_county(as_, org, two_years):
    html = report(as_(org.charlie), two_years[1]).content.decode()
    assert "n=12" in html
    assert chart(html, "units")["labels"] == ["蛟河市分公司"]
    assert "北京路营业所" not in report(as_(org.charlie), two_years[1], by="outlet").content.decode()


def test_the_cached_report_follows_the_readers_language(as_, org, two_years):
    client = as_(org.sam)
    chinese = report(client, two_years[1], by="quarter").content.decode()
    assert re.search(r"第[一二三四]季度", chinese)
    client.post("/i18n/setlang/", {"language": "en", "next": "/manage/"})
    english = report(client, two_years[1], by="quarter").content.decode()  # the same data, cached in Chinese
    assert re.search(r">\s*Q[1-4]\s*<", english) and "季度" not in english


@pytest.mark.parametrize("by", ["outlet", "branch", "grade", "area_type", "channel", "quarter", "sex", "services"])
def test_every_breakdown_renders(as_, org, two_years, by):
    assert report(as_(org.sam), two_years[1], by=by).status_code == 200


def test_report_without_data_or_last_year_still_renders(as_, org):
    empty = start(services.survey_create_from_template(code="JLS-2019", title="2019年度调查", year=2019, unit=org.jls))
    html = report(as_(org.sam), empty).content.decode()
    assert "没有可比较的上期调查" in html and "没有有效问卷" in html


def test_every_index_table_exports_to_excel(as_, org, two_years):
    response = as_(org.sam).get(reverse("surveys_manage:report_export", args=[two_years[1].code]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for name in ("总体与维度", "按年度", "按单位", "同比", "四分图", "按网点", "按网点等级", "按性别"):
        assert name in book.sheetnames, name
    units = list(book["按单位"].iter_rows(values_only=True))
    assert units[0][:4] == ("单位", "排名", "样本量", "满意度指数")
    assert "满意度指数 95%下限" in units[0]
    assert {r[0]: r[1] for r in units[1:]} == {"船营区分公司": "1", "蛟河市分公司": "不排名"}


def test_report_query_count_does_not_grow_with_responses(as_, org, two_years, django_assert_max_num_queries):
    client = as_(org.sam)
    report(client, two_years[1])
    cache.clear()
    with CaptureQueriesContext(connection) as before:
        report(client, two_years[1])
    for _n in range(20):
        submit(two_years[1], org.o_jh, base=4)
    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        report(client, two_years[1])


def test_the_report_is_recomputed_when_a_response_counts(as_, org, two_years):
    client = as_(org.sam)
    assert "n=47" in report(client, two_years[1]).content.decode()
    with CaptureQueriesContext(connection) as cached:
        report(client, two_years[1])
    approved_responses(two_years[1], org.o_jh, 1, base=4, rng=random.Random(1))
    assert "n=48" in report(client, two_years[1]).content.decode()
    assert len(cached.captured_queries) < 12, "an unchanged survey's figures come from the cache"

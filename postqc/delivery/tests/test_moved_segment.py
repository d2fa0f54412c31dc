"""A segment moved to another unit counts, for each week and each run, in the unit it belonged to at
the time — read back from its history like its area type and handover point — and is judged by that
unit's rules; the unit above both counts it once.

Frozen on Wed 2026-11-25. November's weeks: Mondays 10-26, 11-02, 11-09, 11-16 (Sundays 11-01 … 11-22).
S-CY-1 (北京路投递部, 船营) is moved to 黄松甸支局 (蛟河) on Tue 11-10, so the weeks ending 11-01 and 11-08
are 船营's and those ending 11-15 and 11-22 蛟河's.
"""
import datetime as dt

import pytest
from django.utils import timezone

from postqc.api.services import token_issue
from postqc.delivery.models import FrequencyRule, HandoverPoint
from postqc.delivery.selectors import Period, Terms, TermsHistory, compliance_by_child, segments_in, standings

from .conftest import TODAY, days, run
from .test_judged_as_then import at, edit

pytestmark = pytest.mark.django_db
NOV = Period.of("month", dt.date(2026, 11, 10))
OCT = Period.of("month", dt.date(2026, 10, 10))
MOVED_ON = dt.date(2026, 11, 10)


@pytest.fixture
def moved(org, segs, frozen):
    """S-CY-1 runs once a day from 10-26 to 11-22 — on time all along in 船营, 10 of 15 items on time in
    蛟河, and once at a village point (a bad run for a city segment) in 船营 — and moves on 11-10.
    蛟河 asks its city segments for two runs a day."""
    FrequencyRule.objects.create(unit=org.jh, area_type="city", days_per_week=7, runs_per_week=14,
                                 effective_from=dt.date(2026, 1, 1))
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 22)):
        if day < MOVED_ON:
            run(segs["cy1"], day, point=HandoverPoint.VILLAGE_POINT if day == dt.date(2026, 11, 3) else None)
        else:
            run(segs["cy1"], day, on_time=10)
    edit(frozen, org.sam, segs["cy1"], at(MOVED_ON, 7), unit=org.jh_hsd, courier=org.carl)
    segs["cy1"].refresh_from_db()
    return segs["cy1"]


def by_code(unit, period):
    rows = compliance_by_child(unit, period, TODAY)[2]
    return {r.segment.code: r for r in rows}


def test_weeks_and_runs_count_in_the_unit_the_segment_belonged_to(org, segs, moved):
    before = by_code(org.cy, NOV)["S-CY-1"]
    assert before.unit == org.cy_td and before.moved
    assert (before.figures.weeks, before.figures.weeks_met) == (2, 2)  # 7 days, 7 runs: 船营's default rule
    assert (before.figures.runs, before.figures.delivered, before.figures.on_time) == (9, 135, 135)  # 11-01…11-09
    assert before.figures.bad_runs == 1 and not before.depth_ok  # the village point of 11-03
    after = by_code(org.jh, NOV)["S-CY-1"]
    assert after.unit == org.jh_hsd and not after.moved
    assert (after.figures.weeks, after.figures.weeks_met) == (2, 0)  # 蛟河 asks 14 runs a week
    assert after.missed_weeks == [dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    assert (after.figures.runs, after.figures.delivered, after.figures.on_time) == (13, 195, 130)  # 11-10…11-22
    assert after.figures.bad_runs == 0 and after.depth_ok
    # October was all 船营's: nothing of it in 蛟河.
    assert "S-CY-1" not in by_code(org.jh, OCT)
    assert by_code(org.cy, OCT)["S-CY-1"].figures.weeks == 4


def test_the_unit_above_both_counts_the_moved_segment_once(org, segs, moved):
    total, children, rows = compliance_by_child(org.jls, NOV, TODAY)
    assert [(r.segment.code, r.unit.code) for r in rows if r.segment.code == "S-CY-1"] == [
        ("S-CY-1", "CY-BJL-TD"), ("S-CY-1", "JH-HSD")]
    assert total.segments == 3  # S-CY-1, S-CY-2, S-JH-1
    assert (total.weeks, total.weeks_met) == (12, 2)  # S-CY-2 and S-JH-1 ran nothing
    assert (total.runs, total.delivered, total.on_time, total.bad_runs) == (22, 330, 265, 1)
    assert (total.point_ok, total.depth_ok) == (3, 2)  # S-CY-1 once and failing: its bad run in 船营 goes with it
    assert (children[org.cy.pk].segments, children[org.cy.pk].weeks, children[org.cy.pk].weeks_met) == (2, 6, 2)
    assert (children[org.jh.pk].segments, children[org.jh.pk].weeks, children[org.jh.pk].weeks_met) == (2, 6, 0)
    assert children[org.jh.pk].depth_ok == 2  # S-CY-1 had no bad run in 蛟河; S-JH-1 ran nothing, its point is fine
    assert children[org.cy.pk].depth_ok == 1  # S-CY-2; S-CY-1's bad run was 船营's
    # The segment's own page (all of it, wherever it was): 4 weeks, each under its unit's rule then.
    whole = standings(segments_in(org.jh), NOV, TODAY)[0]
    assert whole.segment == moved and (whole.figures.weeks, whole.figures.weeks_met, whole.figures.runs) == (4, 2, 22)


def test_pages_and_api_show_where_the_figures_count(org, segs, moved, as_, client):
    overview = as_(org.alice).get("/manage/delivery/?unit=CY&period=month&on=2026-11-01&all=1").content.decode()
    assert "已调至黄松甸支局" in overview
    assert "/manage/delivery/segments/S-CY-1/" not in overview  # 船营's manager cannot open it any more
    jh = as_(org.charlie).get("/manage/delivery/?unit=JH&period=month&on=2026-11-01&all=1").content.decode()
    assert "/manage/delivery/segments/S-CY-1/" in jh and "已调至" not in jh
    city = as_(org.sam).get("/manage/delivery/?period=month&on=2026-11-01&all=1").content.decode()
    assert city.count("/manage/delivery/segments/S-CY-1/") == 2  # a row per unit, both open for the city
    october = as_(org.charlie).get("/manage/delivery/segments/S-CY-1/?period=month&on=2026-10-01").content.decode()
    assert 'id="judged-as"' in october and "期末属北京路投递部" in october
    assert "每周至少 7 天、7 次" in october  # 船营's rule then, not 蛟河's 14 runs
    token = token_issue(staff=org.alice, label="t")[0]
    body = client.get("/api/v1/delivery/compliance?unit=CY&period=month&on=2026-11-01",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    row = next(s for s in body["segments"] if s["segment"] == "S-CY-1")
    assert (row["unit"], row["moved"], row["weeks"], row["delivered"]) == ("CY-BJL-TD", True, 2, 135)
    assert row["courier"] == org.dave.employee_no  # who ran it in 船营, not 蛟河's carl
    assert [c["unit"] for c in body["children"]] == ["CY-BJL"]


def test_a_move_costs_two_queries_more_whatever_the_number_of_segments(org, segs, moved,
                                                                      django_assert_num_queries):
    with django_assert_num_queries(10):  # the units moved from, and the moved segments' runs day by day
        compliance_by_child(org.jls, NOV, TODAY)


def test_units_in_use_are_in_the_order_the_segment_last_belonged_to_them():
    # `before` holds each change's moment and the terms it replaced: unit 1 until 11-02, unit 2 (in use)
    # until 11-05, unit 2 out of use until 11-09, back in unit 1 and in use since.
    history = TermsHistory(Terms("city", "door", True, 1), before=[
        (at(dt.date(2026, 11, 2)), Terms("city", "door", True, 1)),
        (at(dt.date(2026, 11, 5)), Terms("city", "door", True, 2)),
        (at(dt.date(2026, 11, 9)), Terms("city", "door", False, 2)),
    ])
    start, end = at(dt.date(2026, 11, 1)), timezone.make_aware(dt.datetime(2026, 11, 30, 23))
    assert [(t.unit_id, t.is_active) for t in history.spans(start, end)] == [(1, True), (2, True), (2, False),
                                                                           (1, True)]
    assert history.units_in_use(start, end) == [2, 1]
    assert history.units_in_use(start, at(dt.date(2026, 11, 7))) == [1, 2]
    assert history.last_in_use(start, end, 2) == Terms("city", "door", True, 2)
    assert history.last_in_use(at(dt.date(2026, 11, 6)), at(dt.date(2026, 11, 8)), 2) is None  # out of use
    assert history.last_in_use(start, end) == history.current


def test_a_row_in_the_unit_left_names_who_ran_the_segment_there(org, segs, moved, as_, django_assert_num_queries):
    assert moved.courier == org.carl  # handed to 蛟河's courier with the move
    assert by_code(org.cy, NOV)["S-CY-1"].courier == org.dave  # every run in 船营 was dave's
    assert by_code(org.jh, NOV)["S-CY-1"].courier == org.carl
    overview = as_(org.alice).get("/manage/delivery/?unit=CY&period=month&on=2026-11-01&all=1").content.decode()
    row = overview[overview.index("S-CY-1"):]
    assert row[:row.index("</tr>")].count(org.dave.name) == 1 and org.carl.name not in row[:row.index("</tr>")]
    # dave is no segment's courier any more: one query more finds him.
    segs["cy2"].courier = org.carl
    segs["cy2"].save(update_fields=["courier"])
    with django_assert_num_queries(11):
        rows = compliance_by_child(org.jls, NOV, TODAY)[2]
    assert [(r.unit.code, r.courier) for r in rows if r.segment.code == "S-CY-1"] == [
        ("CY-BJL-TD", org.dave), ("JH-HSD", org.carl)]

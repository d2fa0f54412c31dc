"""Every compliance figure against data computed by hand.

November 2026 (frozen on Wed 11-25): the weeks that count are those whose Sunday is in November and
before today — Sundays 11-01, 11-08, 11-15, 11-22 → 4 weeks (Mondays 10-26, 11-02, 11-09, 11-16).
"""
import datetime as dt

import pytest

from postqc.delivery.models import DepthRule, FrequencyRule, HandoverPoint
from postqc.delivery.selectors import Period, compliance_by_child, period_from, standings, segments_in

from .conftest import TODAY, days, make_segment, run

pytestmark = pytest.mark.django_db
NOV = Period.of("month", dt.date(2026, 11, 10))


def test_the_weeks_of_a_period():
    assert NOV.weeks(TODAY) == [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9),
                                dt.date(2026, 11, 16)]
    week = Period.of("week", dt.date(2026, 11, 25))
    assert (week.first, week.last) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29)) and week.weeks(TODAY) == []
    assert Period.default("week", TODAY).first == dt.date(2026, 11, 16)  # the last full week
    assert period_from("year", "2026-03-04", TODAY) == Period("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_from("bogus", "nonsense", TODAY) == Period.of("month", dt.date(2026, 11, 24))


def test_frequency_counts_segment_weeks_meeting_the_rule(org, segs):
    # S-CY-1 (city: 7 days, 7 runs a week) runs every day all month: 4 of 4 weeks.
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 24)):
        run(segs["cy1"], day)
    # S-CY-2 runs every day except Sunday 11-08, but twice on Saturday 11-07: 7 runs on 6 days → that week fails.
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 22)):
        if day != dt.date(2026, 11, 8):
            run(segs["cy2"], day)
    run(segs["cy2"], dt.date(2026, 11, 7), 2)
    # S-JH-1 (village: 3 days, 3 runs) Mon/Wed/Fri, but in the week of 11-16 only Monday and Wednesday.
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 22), weekdays=(0, 2, 4)):
        if day != dt.date(2026, 11, 20):
            run(segs["jh1"], day)
    total, children, rows = compliance_by_child(org.jls, NOV, TODAY)
    by_code = {r.segment.code: r for r in rows}
    assert (by_code["S-CY-1"].figures.weeks, by_code["S-CY-1"].figures.weeks_met) == (4, 4)
    assert by_code["S-CY-2"].missed_weeks == [dt.date(2026, 11, 2)]
    assert by_code["S-JH-1"].missed_weeks == [dt.date(2026, 11, 16)]
    assert (total.weeks, total.weeks_met) == (12, 10)
    assert total.frequency_rate == pytest.approx(1000 / 12)
    assert (children[org.cy.pk].weeks, children[org.cy.pk].weeks_met) == (8, 7)
    assert (children[org.jh.pk].weeks, children[org.jh.pk].weeks_met) == (4, 3)


def test_a_segment_counts_from_the_week_it_came_into_service(org, segs):
    late = make_segment("S-CY-3", org.cy_td, "city", org.dave, HandoverPoint.MAILBOX, since=dt.date(2026, 11, 11))
    rows = {r.segment.code: r for r in standings(segments_in(org.cy_td), NOV, TODAY)}
    assert rows[late.code].figures.weeks == 2  # weeks of 11-09 (its first) and 11-16
    assert rows["S-CY-1"].figures.weeks == 4 and rows["S-CY-1"].figures.weeks_met == 0  # no runs at all


def test_a_nearer_units_frequency_rule_judges_its_segments(org, segs):
    for day in days(dt.date(2026, 11, 9), dt.date(2026, 11, 22), weekdays=range(6)):
        run(segs["cy1"], day)  # six days a week
    week = Period.of("week", dt.date(2026, 11, 16))
    assert standings(segments_in(org.cy), week, TODAY)[0].figures.weeks_met == 0  # the default asks 7
    FrequencyRule.objects.create(unit=org.cy, area_type="city", days_per_week=6, runs_per_week=6,
                                 effective_from=dt.date(2026, 11, 16))
    assert standings(segments_in(org.cy), week, TODAY)[0].figures.weeks_met == 1
    earlier = Period.of("week", dt.date(2026, 11, 9))
    assert standings(segments_in(org.cy), earlier, TODAY)[0].figures.weeks_met == 0  # before it took effect


def test_depth_needs_an_accepted_point_on_the_segment_and_on_every_run(org, segs):
    run(segs["cy1"], dt.date(2026, 11, 3))
    run(segs["cy1"], dt.date(2026, 11, 4), point=HandoverPoint.AGENT)  # left at a shop
    run(segs["cy2"], dt.date(2026, 11, 3))
    run(segs["jh1"], dt.date(2026, 11, 4))
    segs["jh1"].handover_point = HandoverPoint.TOWNSHIP_POINT  # a village segment handing over in town
    segs["jh1"].save()
    total, children, rows = compliance_by_child(org.jls, NOV, TODAY)
    by_code = {r.segment.code: r for r in rows}
    assert by_code["S-CY-1"].figures.point_ok == 1 and by_code["S-CY-1"].figures.bad_runs == 1
    assert not by_code["S-CY-1"].depth_ok and by_code["S-CY-2"].depth_ok
    # its run used the village point (before the change): only its own registered point fails it
    assert by_code["S-JH-1"].figures.point_ok == 0 and by_code["S-JH-1"].figures.bad_runs == 0
    assert not by_code["S-JH-1"].depth_ok
    assert (total.segments, total.depth_ok, total.point_ok, total.bad_runs) == (3, 1, 2, 1)
    assert total.depth_rate == pytest.approx(100 / 3)


def test_tracked_to_the_door_counts_runs_with_tracked_items_handed_over_elsewhere(org, segs):
    run(segs["jh1"], dt.date(2026, 11, 2), tracked=3)
    run(segs["jh1"], dt.date(2026, 11, 4), tracked=0)
    run(segs["jh1"], dt.date(2026, 11, 6), tracked=2, point=HandoverPoint.DOOR)
    DepthRule.objects.create(unit=org.jh, area_type="village", effective_from=dt.date(2026, 1, 1),
                             accepted=["door", "village_point"], tracked_to_door=True)
    row = standings(segments_in(org.jh), NOV, TODAY)[0]
    assert row.figures.bad_runs == 1 and not row.depth_ok  # only the run with tracked items at the village point


def test_time_limit_is_items_on_time_over_items_delivered(org, segs):
    run(segs["cy1"], dt.date(2026, 11, 3), ordinary=100, tracked=20, delivered=118, on_time=110)
    run(segs["cy2"], dt.date(2026, 11, 3), ordinary=50, tracked=0, delivered=50, on_time=50)
    run(segs["jh1"], dt.date(2026, 11, 4), ordinary=30, tracked=2, delivered=32, on_time=30)
    run(segs["jh1"], dt.date(2026, 10, 30), ordinary=99, tracked=0, delivered=99, on_time=0)  # October: not counted
    total, children, _rows = compliance_by_child(org.jls, NOV, TODAY)
    assert (total.on_time, total.delivered) == (190, 200) and total.time_rate == 95
    assert children[org.jh.pk].time_rate == pytest.approx(3000 / 32)


def test_retired_segments_and_other_counties_are_left_out(org, segs):
    segs["cy2"].is_active = False
    segs["cy2"].save()
    total, children, rows = compliance_by_child(org.cy, NOV, TODAY)
    assert [r.segment.code for r in rows] == ["S-CY-1"] and total.segments == 1
    assert list(children) == [org.cy_bjl.pk]


def test_compliance_costs_the_same_queries_for_many_segments(org, segs, django_assert_num_queries):
    for n in range(30):
        make_segment(f"S-X-{n}", org.cy_td, "city", org.dave, HandoverPoint.MAILBOX)
    with django_assert_num_queries(8):
        compliance_by_child(org.jls, NOV, TODAY)


def test_rates_show_rounded_down_so_short_of_100_never_reads_100():
    from postqc.delivery.templatetags.delivery_rates import rate

    assert (rate(99.998, 2), rate(100.0, 2), rate(97.56, 1), rate(None)) == ("99.99%", "100.00%", "97.5%", "—")

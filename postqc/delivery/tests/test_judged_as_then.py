"""A past period is judged by the segment's terms as they were then — its area type, its registered
handover point and whether it was in use — read back from its history (SegmentChange), so an edit
or 停用 today does not rewrite last month's figures.

Frozen on Wed 2026-11-25. November's weeks: Mondays 10-26, 11-02, 11-09, 11-16 (Sundays 11-01 … 11-22).
"""
import datetime as dt

import pytest
from django.utils import timezone

from postqc.api.services import token_issue
from postqc.delivery import services
from postqc.delivery.models import AreaType, HandoverPoint, SegmentChange
from postqc.delivery.selectors import Period, TermsHistory, Terms, compliance_by_child, segments_in, standings

from .conftest import NOW, TODAY, days, make_segment, run

pytestmark = pytest.mark.django_db
NOV = Period.of("month", dt.date(2026, 11, 10))
OCT = Period.of("month", dt.date(2026, 10, 10))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def edit(frozen, actor, segment, when: dt.datetime, **values):
    """segment_save as `actor` at the moment `when`, then back to the frozen now."""
    frozen.move_to(when)
    try:
        return services.segment_save(actor=actor, values={**services.segment_values(segment), **values},
                                     existing=segment)
    finally:
        frozen.move_to(NOW)


def by_code(unit, period):
    return {r.segment.code: r for r in standings(segments_in(unit), period, TODAY)}


def test_weeks_before_a_reclassification_keep_the_old_area_types_rule(org, segs, frozen):
    # S-JH-1, a village segment (3 days, 3 runs a week), runs Mon / Wed / Fri all along …
    for day in days(dt.date(2026, 9, 28), dt.date(2026, 11, 22), weekdays=(0, 2, 4)):
        run(segs["jh1"], day)
    # … and on Tue 11-17 becomes a township segment (5 days, 5 runs): only the week of 11-16 is short.
    edit(frozen, org.charlie, segs["jh1"], at(dt.date(2026, 11, 17)), area_type=AreaType.TOWNSHIP)
    row = by_code(org.jh, NOV)["S-JH-1"]
    assert (row.figures.weeks, row.figures.weeks_met, row.missed_weeks) == (4, 3, [dt.date(2026, 11, 16)])
    assert row.terms.area_type == AreaType.TOWNSHIP and row.judged_otherwise  # earlier weeks as a village
    # October was all village: met every week, shown as judged by terms other than today's.
    october = by_code(org.jh, OCT)["S-JH-1"]
    assert (october.figures.weeks, october.figures.weeks_met) == (4, 4)
    assert october.terms.area_type == AreaType.VILLAGE and october.judged_otherwise


def test_a_change_made_on_the_sunday_judges_that_week(org, segs, frozen):
    for day in days(dt.date(2026, 11, 16), dt.date(2026, 11, 22), weekdays=(0, 2, 4)):
        run(segs["jh1"], day)
    edit(frozen, org.charlie, segs["jh1"], at(dt.date(2026, 11, 22), 23), area_type=AreaType.TOWNSHIP)
    week = Period.of("week", dt.date(2026, 11, 16))
    assert by_code(org.jh, week)["S-JH-1"].missed_weeks == [dt.date(2026, 11, 16)]  # the rule of that Sunday's end


def test_a_segment_out_of_use_keeps_the_weeks_it_was_in_use(org, segs, frozen):
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 17)):
        run(segs["cy2"], day)
    edit(frozen, org.alice, segs["cy2"], at(dt.date(2026, 11, 18)), is_active=False)
    rows = by_code(org.cy, NOV)
    assert (rows["S-CY-2"].figures.weeks, rows["S-CY-2"].figures.weeks_met) == (3, 3)  # not the week of 11-16
    assert rows["S-CY-2"].figures.delivered == 15 * 17  # its runs of 11-01…11-17 stay in the time-limit figure
    total, _children, _rows = compliance_by_child(org.cy, NOV, TODAY)
    assert total.segments == 2 and (total.weeks, total.weeks_met) == (7, 3)  # S-CY-1 ran nothing: 0 of 4
    # This week it is out of use all along: not a segment of the week.
    assert "S-CY-2" not in by_code(org.cy, Period.of("week", TODAY))


def test_weeks_out_of_use_in_between_do_not_count(org, segs, frozen):
    for day in days(dt.date(2026, 10, 26), dt.date(2026, 11, 22)):
        run(segs["cy1"], day)
    edit(frozen, org.alice, segs["cy1"], at(dt.date(2026, 11, 3)), is_active=False)
    segs["cy1"].refresh_from_db()
    edit(frozen, org.alice, segs["cy1"], at(dt.date(2026, 11, 16), 8), is_active=True)
    row = by_code(org.cy, NOV)["S-CY-1"]
    assert (row.figures.weeks, row.figures.weeks_met) == (2, 2)  # 10-26 and 11-16; out of use on 11-08 and 11-15
    assert row.judged_otherwise and row.terms.is_active


def test_depth_judges_the_handover_point_registered_at_the_periods_end(org, segs, frozen):
    run(segs["jh1"], dt.date(2026, 10, 14), point=HandoverPoint.VILLAGE_POINT)
    run(segs["jh1"], dt.date(2026, 11, 4), point=HandoverPoint.VILLAGE_POINT)
    # registered as handing over in town from August until it was put right on 11-20
    edit(frozen, org.charlie, segs["jh1"], at(dt.date(2026, 8, 1)), handover_point=HandoverPoint.TOWNSHIP_POINT)
    segs["jh1"].refresh_from_db()
    edit(frozen, org.charlie, segs["jh1"], at(dt.date(2026, 11, 20)), handover_point=HandoverPoint.VILLAGE_POINT)
    october = by_code(org.jh, OCT)["S-JH-1"]
    assert october.terms.handover_point == HandoverPoint.TOWNSHIP_POINT
    assert october.figures.point_ok == 0 and not october.depth_ok
    november = by_code(org.jh, NOV)["S-JH-1"]
    assert november.figures.point_ok == 1 and november.depth_ok and not november.judged_otherwise


def test_saving_without_history_means_the_current_terms_all_along(org, segs):
    history = TermsHistory(Terms("city", "door", True))
    assert history.at(NOW) == history.current and history.last_in_use(NOW, NOW) == history.current
    assert TermsHistory(Terms("city", "door", False)).last_in_use(NOW, NOW) is None


def test_the_page_the_overview_and_the_api_say_which_terms_judged(org, segs, frozen, as_, client):
    for day in days(dt.date(2026, 9, 28), dt.date(2026, 11, 22), weekdays=(0, 2, 4)):
        run(segs["jh1"], day)
    edit(frozen, org.charlie, segs["jh1"], at(dt.date(2026, 11, 17)), area_type=AreaType.TOWNSHIP)
    manager = as_(org.charlie)
    page = manager.get("/manage/delivery/segments/S-JH-1/?period=month&on=2026-10-01").content.decode()
    assert 'id="judged-as"' in page and "期末为农村" in page
    assert "每周至少 3 天、3 次" in page  # October's rule: the village one
    november = manager.get("/manage/delivery/segments/S-JH-1/?period=month&on=2026-11-01").content.decode()
    assert "每周至少 5 天" in november and "本期有的周按段道变更前的区域类型" in november  # ends as today's terms
    overview = manager.get("/manage/delivery/?unit=JH&period=month&on=2026-10-01&all=1").content.decode()
    assert "按当时登记" in overview
    token = token_issue(staff=org.charlie, label="t")[0]
    body = client.get("/api/v1/delivery/compliance?unit=JH&period=month&on=2026-10-01",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    row = next(s for s in body["segments"] if s["segment"] == "S-JH-1")
    assert (row["area_type"], row["judged_otherwise"], row["weeks_met"]) == ("village", True, 4)
    unchanged = as_(org.alice).get("/manage/delivery/segments/S-CY-1/")  # no change: no note
    assert unchanged.status_code == 200 and 'id="judged-as"' not in unchanged.content.decode()


def test_history_costs_one_query_however_many_segments_changed(org, segs, frozen, django_assert_num_queries):
    for n in range(20):
        segment = make_segment(f"S-X-{n}", org.cy_td, "city", org.dave, HandoverPoint.MAILBOX)
        edit(frozen, org.alice, segment, at(dt.date(2026, 11, 2)), area_type=AreaType.TOWNSHIP)
        segment.refresh_from_db()
        edit(frozen, org.alice, segment, at(dt.date(2026, 11, 10)), is_active=False)
    assert SegmentChange.objects.count() == 40
    with django_assert_num_queries(8):
        total, _children, rows = compliance_by_child(org.jls, NOV, TODAY)
    assert total.segments == 23  # the 20 were in use until 11-10

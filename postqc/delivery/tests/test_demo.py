"""The demo's 投递质量: segments for every delivery department and township branch, eight weeks of runs
ending yesterday, nearly all compliant, and exactly the misses its story tells."""
import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone

from postqc.dashboard.registry import Context, get
from postqc.delivery import demo
from postqc.delivery.models import AreaType, DeliveryRecord, HandoverPoint, Segment, SegmentChange
from postqc.delivery.selectors import Period, compliance_by_child, monday, week_at_a_glance
from postqc.org import demo as org_demo
from postqc.org.models import Outlet, Staff, Unit


@pytest.fixture(autouse=True)
def frozen():
    """The demo is built around the real today."""
    yield None


def test_the_demo_delivery(db):
    out = StringIO()
    org_demo.load(stdout=out, seed=2018)
    demo.load(stdout=out, seed=2018)
    today = timezone.localdate()
    segments = Segment.objects.select_related("unit", "courier", "vehicle")
    city = segments.filter(area_type=AreaType.CITY)
    # district, county-seat and branch delivery departments, and a district town's 镇区段 reclassified
    assert city.count() == 4 * 40 + 5 * 20 + 3 * 12 + 1
    villages = segments.filter(area_type=AreaType.VILLAGE)
    towns = segments.filter(name__endswith="镇区段")
    branches_delivering = towns.values("unit").distinct().count()
    assert villages.count() == Outlet.objects.filter(area_type="village", unit__in=towns.values("unit")).count() > 10
    assert towns.count() == branches_delivering > 40
    assert 300 < segments.count() < 500 and all(s.courier for s in segments)
    assert segments.filter(vehicle__isnull=False).count() > 100
    # each segment's history starts with its creation, before the first run
    created = SegmentChange.objects.filter(kind="created")
    assert created.count() == segments.count() == SegmentChange.objects.count() - 2  # a reclassification, a move
    assert {c.changed_by.employee_no for c in created.select_related("changed_by")} == {demo.QUALITY}
    zhan = segments.get(courier__employee_no="22020009")
    assert (zhan.name, zhan.unit.name, zhan.area_type) == ("和平村段", "呼兰支局", "village")
    assert zhan.vehicle.get_ownership_display() == "自备公助"

    yesterday = today - dt.timedelta(days=1)
    last_sunday = yesterday - dt.timedelta(days=(yesterday.weekday() + 1) % 7)
    first = monday(last_sunday) - dt.timedelta(weeks=7)
    assert DeliveryRecord.objects.earliest("delivered_on").delivered_on == first
    assert DeliveryRecord.objects.latest("delivered_on").delivered_on == yesterday

    window = Period("month", first, yesterday)  # the eight full weeks and this week so far
    total, children, rows = compliance_by_child(Unit.objects.get(code="JLS"), window, today)
    storm = villages.filter(unit__parent__code__in=demo.STORM_COUNTIES).count()
    assert storm >= 4
    assert total.weeks == 8 * segments.count() and total.weeks - total.weeks_met == storm
    missed = {r.segment.code: r.missed_weeks for r in rows if r.missed_weeks}
    assert all(weeks == [monday(last_sunday) - dt.timedelta(weeks=3)] for weeks in missed.values())  # the snowstorm
    shop = segments.get(handover_point=HandoverPoint.AGENT)
    assert shop.unit.code == demo.SHOP_SEGMENT_UNIT
    failing_depth = {r.segment.code: r.figures.bad_runs for r in rows if not r.depth_ok}
    assert failing_depth == {shop.code: failing_depth[shop.code], zhan.code: 3}  # 和平村: Mon, Wed, Fri in town
    assert total.segments - total.depth_ok == 2
    assert 99.5 < total.time_rate < 100 and len(children) == 9
    # 孤店子镇区段: a township segment (Monday to Saturday) until the Monday three weeks back, a city one
    # (every day) since — every week met because each is judged by the area type it had then.
    urban = segments.get(code="JLS-CHY-GDZ-D001")
    edit = SegmentChange.objects.get(kind="edited", note=demo.RECLASSIFIED_NOTE)
    assert (edit.segment, edit.changes["area_type"], urban.area_type) == (urban, ["township", "city"], "city")
    row = next(r for r in rows if r.segment == urban)
    assert (row.figures.weeks, row.figures.weeks_met, row.judged_otherwise) == (8, 8, True)
    sundays = DeliveryRecord.objects.filter(segment=urban, delivered_on__week_day=1)  # Django: 1 is Sunday
    assert sundays.count() == demo.RECLASSIFIED_WEEKS_BACK + 1  # that week and the ones after, up to the last full one
    assert min(r.delivered_on for r in sundays) > timezone.localdate(edit.changed_at) == monday(last_sunday) - dt.timedelta(
        weeks=demo.RECLASSIFIED_WEEKS_BACK)
    # 昌邑投递部's last segment went to 哈达湾投递部 on the Monday two weeks back: its runs and weeks before
    # count in 昌邑投递部, those since in 哈达湾投递部; the city counts it once.
    move = SegmentChange.objects.select_related("segment__unit").get(kind="edited", note=demo.MOVED_NOTE)
    moved_on = monday(last_sunday) - dt.timedelta(weeks=demo.MOVED_WEEKS_BACK)
    assert move.changes["unit"][0].startswith(demo.MOVED_FROM + " ") and move.segment.unit.code == demo.MOVED_TO
    assert move.segment.code.startswith(demo.MOVED_FROM) and timezone.localdate(move.changed_at) == moved_on
    assert move.segment.courier.unit.code == demo.MOVED_TO and "courier" in move.changes
    pieces = sorted((r for r in rows if r.segment == move.segment), key=lambda r: r.piece)
    assert [(r.unit.code, r.figures.weeks, r.moved) for r in pieces] == [
        (demo.MOVED_FROM, 8 - demo.MOVED_WEEKS_BACK - 1, True), (demo.MOVED_TO, demo.MOVED_WEEKS_BACK + 1, False)]
    records = DeliveryRecord.objects.filter(segment=move.segment)
    assert set(records.filter(delivered_on__lt=moved_on).values_list("unit__code", flat=True)) == {demo.MOVED_FROM}
    assert set(records.filter(delivered_on__gte=moved_on).values_list("unit__code", flat=True)) == {demo.MOVED_TO}
    assert sum(r.figures.runs for r in pieces) == records.filter(delivered_on__lte=yesterday).count()

    ctx = Context(user=Staff.objects.get(employee_no="22020004"), unit=Unit.objects.get(code="JLS"),
                  children=list(Unit.objects.filter(parent__code="JLS", kind__in=["district", "county"])),
                  at=timezone.now())
    for code in ("delivery.frequency", "delivery.depth", "delivery.time_limit"):
        figures = get(code).measure(ctx)
        assert figures.total.value is not None and 90 < figures.total.value <= 100 and figures.children
    glance = week_at_a_glance([zhan], today)[0]
    assert glance.rule_days == 3 and glance.days == len([d for d in range((today - monday(today)).days)
                                                         if d in (0, 2, 4)])
    out = StringIO()
    demo.load(stdout=out, seed=2018)
    assert "已存在" in out.getvalue()
    demo.reset(stdout=out)
    assert not Segment.objects.exists() and not DeliveryRecord.objects.exists()

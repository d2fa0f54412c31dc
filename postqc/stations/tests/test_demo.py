"""The demo's 邮驿站: 24 stations at city and town outlets (东宁街 among them), a year of usage with more
in winter, 鞠桂荣's story at 东宁街, one suspended, two with a problem; the same seed, the same city."""
from io import StringIO

from django.db.models import Sum
from django.utils import timezone

from postqc.core.access import is_in_scope
from postqc.org import demo as org_demo
from postqc.org.models import Outlet
from postqc.stations import demo
from postqc.stations.models import Station, StationStatusChange, Visit
from postqc.stations.selectors import find, usage_report


def test_the_demo_stations_and_their_usage(db):
    out = StringIO()
    org_demo.load(stdout=out, seed=2018)
    demo.load(stdout=out, seed=2018)
    stations = list(Station.objects.select_related("outlet__unit", "district"))
    assert len(stations) == 24
    assert all(s.outlet and s.outlet.area_type != Outlet.AreaType.VILLAGE for s in stations)
    assert all(s.latitude is not None and 41.5 < s.latitude < 45 and 124.5 < s.longitude < 128.5 for s in stations)
    assert sum(s.outlet.code.endswith("-W01") for s in stations) == 9  # every district's and county's main outlet
    assert len({s.district_id for s in stations}) == 9
    dnj = next(s for s in stations if s.outlet.name == "东宁街营业所")
    assert dnj.district.name == "磐石市分公司" and "hot_water" in dnj.amenities and "sanitation" in dnj.groups
    assert [s.status for s in stations].count("suspended") == 1 and sum(bool(s.amenity_issues) for s in stations) == 2
    assert StationStatusChange.objects.filter(to_status="open", from_status="", at__year=2018).count() == 24

    today = timezone.localdate()
    visits = Visit.objects.all()
    first = visits.order_by("visited_on").first().visited_on
    assert first.day == 1 and (today.year * 12 + today.month) - (first.year * 12 + first.month) == 11
    assert visits.order_by("-visited_on").first().visited_on < today
    winter = visits.filter(visited_on__month__in=(12, 1, 2)).aggregate(n=Sum("count"))["n"] / 90
    summer = visits.filter(visited_on__month__in=(6, 7, 8)).aggregate(n=Sum("count"))["n"] / 92
    assert winter > 1.5 * summer  # people come in from the cold
    story = visits.filter(station=dnj, note__contains="鞠桂荣")
    assert story.count() > 10 and set(story.values_list("recorded_by__name", flat=True)) == {"刘颖"}
    assert set(story.values_list("group", flat=True)) == {"sanitation"}
    assert all(v.visited_on.month in (11, 12, 1, 2, 3) for v in story)
    for visit in visits.select_related("recorded_by").order_by("pk")[:: max(1, visits.count() // 200)]:
        assert is_in_scope(visit.recorded_by, visit.station.unit_id)  # logged by someone who may

    city = dnj.district.parent
    report = usage_report(city, today.year, today.month)
    assert len(report.stations) == 24 and len(report.children) == 9 and report.total.people > 0
    totals = (visits.count(), visits.aggregate(n=Sum("count"))["n"])
    assert 15_000 < totals[0] < 60_000
    assert len(find(lat=float(dnj.latitude), lng=float(dnj.longitude))) >= 2  # 磐石's other station is near

    demo.load(stdout=out, seed=2018)
    assert "已存在" in out.getvalue() and Station.objects.count() == 24
    demo.reset(stdout=out)
    assert not Station.objects.exists() and not Visit.objects.exists()
    demo.load(stdout=out, seed=2018)  # the same seed, the same stations and log
    assert (Visit.objects.count(), Visit.objects.aggregate(n=Sum("count"))["n"]) == totals

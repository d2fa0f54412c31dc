"""The demo's cockpit targets: the city's and 蛟河's own, loaded once, removed by reset."""
from io import StringIO

from postqc.dashboard import demo
from postqc.dashboard.models import Target
from postqc.dashboard.targets import Targets
from postqc.org import demo as org_demo
from postqc.org.models import Unit


def test_the_demo_targets(db):
    out = StringIO()
    org_demo.load(stdout=out, seed=7)
    demo.load(stdout=out, seed=7)
    city, county, district = (Unit.objects.get(code=c) for c in ("JLS", "JLS-JH", "JLS-CY"))
    assert Targets(city, Target.objects.first().year, []).own("learning.participation") == 40
    seen = Targets(county, Target.objects.first().year, [])
    assert seen.of_unit("learning.participation").value == 45 and seen.of_unit("learning.accuracy").value == 80
    assert Targets(district, Target.objects.first().year, []).of_unit("learning.participation").unit_name == "吉林市分公司"
    assert Target.objects.count() == 12 and set(Target.objects.values_list("set_by__employee_no", flat=True)) == {
        "22020005", "22020006"}
    demo.load(stdout=out, seed=7)
    assert Target.objects.count() == 12 and "已存在" in out.getvalue()
    assert Targets(district, Target.objects.first().year, []).of_unit("delivery.time_limit").value == 100
    demo.reset(stdout=out)
    assert not Target.objects.exists()

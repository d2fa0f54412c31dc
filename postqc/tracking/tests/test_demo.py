"""The demo's 给据邮件跟踪: a few thousand items mostly on time, failed attempts with reasons, returns,
unreturnable letters due for destruction, queries, and the seed story of 刘进富's two letters."""
import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.utils import timezone

from postqc.org import demo as org_demo
from postqc.org.models import Unit
from postqc.tracking import demo
from postqc.tracking.models import ItemQuery, ItemReturn, TrackedItem, TrackingEvent
from postqc.tracking.selectors import exceptions_for, figures_by_child
from postqc.tracking.views import PERIOD_DAYS


@pytest.fixture
def frozen():
    """The demo is built relative to now: no frozen time here."""
    yield None


def test_the_demo_tracking(db):
    out = StringIO()
    org_demo.load(stdout=out, seed=2018)
    demo.load(stdout=out, seed=2018)
    items = TrackedItem.objects.count()
    assert items > 3900 and 20_000 < TrackingEvent.objects.count() < 40_000
    statuses = Counter(TrackedItem.objects.values_list("status", flat=True))
    assert statuses["delivered"] > 0.85 * items
    judged = TrackedItem.objects.filter(on_time__isnull=False)
    assert 0.85 < judged.filter(on_time=True).count() / judged.count() < 0.97  # most on time, some late
    reasons = Counter(TrackingEvent.objects.filter(code="EMH").values_list("reason", flat=True))
    assert {"absent", "address", "refused", "unknown", "moved", "no_such_org", "unclaimed"} <= set(reasons)
    assert ItemReturn.objects.count() > 50
    city = Unit.objects.get(code="JLS")
    today = timezone.localdate()
    # The page's default period (the last 30 days): a calendar month is empty on its first day.
    total, children = figures_by_child(city, today - dt.timedelta(days=PERIOD_DAYS - 1), today)
    assert len(children) == 9 and total.due > 0
    assert exceptions_for(TrackedItem.objects.all(), "destroy").count() == 3
    queries = ItemQuery.objects.all()
    assert queries.count() >= 12 and queries.filter(outcome="lost", compensation__gt=0).count() == 1
    assert queries.filter(replied_on__isnull=True, reply_due__lt=today).count() >= 1
    # The seed story: two registered letters of 刘进富's, back from Beijing, handed to him by 苏阳.
    story = TrackedItem.objects.filter(number__in=demo.STORY_NUMBERS)
    assert [(i.sender, i.status, i.unit.code) for i in story] == [("刘进富", "returned", "JLS-CY-TD")] * 2
    for item in story:
        emh = item.events.get(code="EMH")
        assert (emh.reason, emh.action, emh.location) == ("no_such_org", "return", "北京市东城区投递部")
        assert item.events.get(code="EMI").courier.name == "苏阳"
    demo.load(stdout=out, seed=2018)  # a second load does nothing
    assert TrackedItem.objects.count() == items
    demo.reset(stdout=out)
    assert not TrackedItem.objects.exists() and not TrackingEvent.objects.exists()

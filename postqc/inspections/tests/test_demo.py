"""The demo's 网点达标 and 整改: three published checklists tied to real clauses, this year's inspections
of every outlet, a few failing, the loop into learning closed, the findings worked as people would."""
import datetime as dt
from collections import Counter
from io import StringIO

import time_machine
from django.utils import timezone

from postqc.inspections import demo, facilities
from postqc.inspections.models import (Bulletin, BulletinRead, Checklist, FacilityChange, FacilityKind, Finding,
                                       Inspection, LedgerEntry, OutletFacility, Result)
from postqc.inspections.selectors import compliance_by_child
from postqc.learning import demo as learning_demo
from postqc.learning.models import ReviewPush
from postqc.org import demo as org_demo
from postqc.org.models import Outlet, Unit
from postqc.standards import demo as standards_demo


def test_the_demo_inspections(db):
    out = StringIO()
    for module in (org_demo, standards_demo, learning_demo):
        module.load(stdout=out, seed=2018)
    demo.load(stdout=out, seed=2018)
    lists = Checklist.objects.order_by("grade")
    assert [c.grade for c in lists] == ["1", "2", "3"] and all(c.current.status == "published" for c in lists)
    assert all(item.clause_id for c in lists for item in c.current.items.all())
    assert lists[0].current.items.count() > lists[2].current.items.count()  # 一级 asks more
    city = Unit.objects.get(code="JLS")
    total, children, _rows = compliance_by_child(city, timezone.localdate().year)
    assert total.outlets == total.inspected == Outlet.objects.count() == 143
    assert 0 < total.outlets - total.passed <= 8  # a few fail: something to follow up
    assert len(children) == 9
    assert Inspection.objects.filter(kind="self").count() > 50
    assert ReviewPush.objects.exists()  # failed items pushed their clauses into review
    # Every failed item became a finding; most are closed, some are overdue, a few are repeats.
    failed = Result.objects.filter(value="not_met").count()
    assert Finding.objects.count() == failed > 20
    statuses = Counter(Finding.objects.values_list("status", flat=True))
    assert statuses["closed"] > failed / 2 and statuses["open"] > 0
    for finding in Finding.objects.filter(status="closed"):  # every history reads in order
        events = list(finding.events.order_by("at", "pk"))
        assert events[0].action == "opened" and events[-1].action == "accepted"
        assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
        assert events[0].at.date() == finding.inspection.inspected_on
    # 通报: the last two months issued (numbered, with criticism and a handful of praise, read by most
    # of the people named), this month's a draft; the ledger follows the findings and the praise.
    issued = list(Bulletin.objects.filter(status="issued").order_by("issued_at"))
    assert len(issued) == 2 and all(b.seq and b.entries.exists() for b in issued)
    assert all(b.entries.filter(tone="praise").count() <= demo.PRAISE_LIMIT for b in issued)
    assert BulletinRead.objects.filter(bulletin=issued[0]).count() > 10
    repeats = Finding.objects.filter(repeats__gt=0)
    assert LedgerEntry.objects.filter(measure="deduction", finding__in=repeats,
                                      reverses__isnull=True).count() == repeats.count()
    assert LedgerEntry.objects.filter(kind="reward", measure="bonus", bulletin__in=issued).exists()
    assert LedgerEntry.objects.filter(reverses__isnull=False).count() == 1
    for entry in LedgerEntry.objects.filter(finding__isnull=False, reverses__isnull=True):
        assert entry.person == entry.finding.assignee
    # 设施设备: every outlet has its cameras (installed in 2018) and its supplies; a few are not 配齐.
    register = facilities.register_of(city)
    cameras = next(c for c in register.coverage if c.kind.code == "JK")
    assert cameras.required == 143 and cameras.equipped >= 135
    assert 0 < sum(1 for s in register.states if not s.complete) <= 15
    assert 95 < register.pairs.rate < 100
    assert FacilityChange.objects.count() == OutletFacility.objects.count() > 143 * 6
    demo.load(stdout=out, seed=2018)
    assert "已存在" in out.getvalue() and Checklist.objects.count() == 3
    demo.reset(stdout=out)
    assert not Inspection.objects.exists() and not Checklist.objects.exists() and not Finding.objects.exists()
    assert not Bulletin.objects.exists() and not LedgerEntry.objects.exists()
    assert not OutletFacility.objects.exists() and not FacilityKind.objects.exists()


def test_the_demo_loads_in_the_first_days_of_a_year_too(db):
    """The spot checks spread over the year so far; on 3 January there is none of it yet."""
    out = StringIO()
    with time_machine.travel(dt.datetime(2027, 1, 3, 9, 0, tzinfo=timezone.get_default_timezone()), tick=False):
        for module in (org_demo, standards_demo, learning_demo):
            module.load(stdout=out, seed=2018)
        demo.load(stdout=out, seed=2018)
        assert Inspection.objects.filter(kind="spot").count() == 143
        assert not Inspection.objects.filter(kind="spot", inspected_on__gt=dt.date(2026, 12, 27)).exists()

"""达标率: which inspection counts, per unit and child, and on the cockpit."""
import datetime as dt

from postqc.dashboard.cockpit import cockpit
from postqc.inspections.selectors import compliance_by_child
from postqc.inspections.services import inspection_submit
from postqc.org.models import Outlet
from postqc.org.services import outlet_create

from .conftest import TODAY, results


def inspect(org, outlet, kind="spot", on=TODAY, **changes):
    inspector = {"spot": org.sam, "self": org.sam}[kind]
    return inspection_submit(outlet=outlet, kind=kind, inspector=inspector, inspected_on=on, results=results(**changes))


def test_the_latest_spot_check_of_the_year_counts_and_self_inspections_do_not(org, lists):
    inspect(org, org.o_cy, on=TODAY - dt.timedelta(days=30), A1=("not_met", "未公示"))
    inspect(org, org.o_cy, on=TODAY - dt.timedelta(days=3))  # the later one passes
    inspect(org, org.o_jh, kind="self")  # 蛟河 only self-inspected: not counted
    total, children, rows = compliance_by_child(org.jls, 2026)
    assert (total.outlets, total.inspected, total.passed) == (2, 1, 1)
    assert total.rate == 100 and total.coverage == 50
    assert (children[org.cy.pk].inspected, children[org.jh.pk].inspected) == (1, 0)
    assert children[org.jh.pk].rate is None
    standing = {r.outlet.code: r for r in rows}
    assert standing["O-JH-1"].counted is None and standing["O-JH-1"].last_self.kind == "self"
    # Last year's inspections count for last year only.
    total_2025, _children, _rows = compliance_by_child(org.jls, 2025)
    assert total_2025.inspected == 0


def test_a_failed_outlet_lowers_its_unit_and_closed_outlets_leave_the_base(org, lists):
    inspect(org, org.o_cy, A1=("not_met", "未公示"))
    inspect(org, org.o_jh)
    closed = outlet_create(code="O-JH-2", name="已撤销网点", unit=org.jh_hsd, grade="3", address="蛟河",
                           area_type=Outlet.AreaType.TOWNSHIP, operation=Outlet.Operation.SELF,
                           open_days_per_week=6, services=["letters"])
    Outlet.objects.filter(pk=closed.pk).update(status=Outlet.Status.CLOSED)
    total, children, _rows = compliance_by_child(org.jls, 2026)
    assert (total.outlets, total.inspected, total.passed) == (2, 2, 1) and total.rate == 50
    assert children[org.cy.pk].rate == 0 and children[org.jh.pk].rate == 100
    county, _children, _rows = compliance_by_child(org.jh, 2026)
    assert (county.outlets, county.passed) == (1, 1)


def test_the_cockpit_shows_the_compliance_rate(org, lists):
    inspect(org, org.o_cy, A1=("not_met", "未公示"))
    inspect(org, org.o_jh)
    board = cockpit(org.dora, org.jls)
    card = next(c for c in board.cards if c.kpi.code == "inspections.compliance")
    assert card.cell.measure.value == 50 and card.cell.measure.n == 2
    cells = {row.unit.code: row.cells[board.cards.index(card)] for row in board.rows}
    assert cells["CY"].measure.value == 0 and cells["JH"].measure.value == 100

"""The cockpit's figures: each KPI for a unit and its children, against the target in force."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from postqc.dashboard import registry
from postqc.dashboard.cockpit import MET, MISSED, NO_DATA, NO_TARGET, OPEN, THIN, cockpit, status
from postqc.dashboard.targets import InForce, targets_set
from postqc.surveys import index

from .conftest import close


def by_code(board):
    return {card.kpi.code: card for card in board.cards}


def child_cells(board, code):
    i = [card.kpi.code for card in board.cards].index(code)
    return {row.unit.code: row.cells[i] for row in board.rows}


def test_every_app_registers_its_kpis_and_the_index_leads():
    codes = [k.code for k in registry.kpis()]
    assert codes[0] == "surveys.index"
    assert set(codes) == {"surveys.index", "inspections.compliance", "inspections.facilities",
                          "inspections.rectification",
                          "learning.participation", "learning.accuracy", "contests.participation",
                          "stations.open_rate", "delivery.frequency", "delivery.depth", "delivery.time_limit",
                          "tracking.on_time"}


def test_registering_a_code_twice_is_refused():
    kpi = registry.get("learning.accuracy")
    twin = registry.Kpi(code=kpi.code, name="x", module="x", unit="%", measure=kpi.measure)
    with pytest.raises(ValueError, match="twice"):
        registry.register(twin)


def test_learning_and_competition_figures_of_the_city_and_its_children(city):
    org = city.org
    board = cockpit(org.dora, org.jls)
    cards = by_code(board)
    assert [row.unit.code for row in board.rows] == ["CY", "JH"]
    # 2 of the 9 active staff practised in 30 days (erin's answer of 40 days ago does not count).
    participation = cards["learning.participation"].cell.measure
    assert close(participation.value, 200 / 9) and participation.n == 9
    rows = child_cells(board, "learning.participation")
    assert close(rows["CY"].measure.value, 25.0) and close(rows["JH"].measure.value, 100 / 3)
    # 2 right of 5 answers in 30 days: too few (< 30) to judge, but shown.
    accuracy = cards["learning.accuracy"].cell
    assert close(accuracy.measure.value, 40.0) and accuracy.measure.n == 5 and accuracy.status == THIN
    # bob took the city's competition: 1 of 9 eligible; CY 1 of 4, JH 0 of 3.
    turnout = cards["contests.participation"]
    assert close(turnout.cell.measure.value, 100 / 9) and turnout.figures.source == "全市知识竞赛"
    rows = child_cells(board, "contests.participation")
    assert close(rows["CY"].measure.value, 25.0) and rows["JH"].measure.value == 0


def test_an_open_competitions_turnout_so_far_is_shown_not_judged(city, as_):
    from postqc.contests.models import Exam

    org = city.org
    targets_set(actor=org.dora, unit=org.jls, year=2026, values={"contests.participation": "60"})
    card = by_code(cockpit(org.dora, org.jls))["contests.participation"]
    assert card.cell.status == MISSED  # closed yesterday: 1 of 9 is final, and short of 60 %
    Exam.objects.filter(pk=city.contest.pk).update(closes_at=timezone.now() + dt.timedelta(days=5))
    board = cockpit(org.dora, org.jls)
    card = by_code(board)["contests.participation"]
    assert close(card.cell.measure.value, 100 / 9) and card.cell.status == OPEN and card.cell.status_label == "进行中"
    assert card.figures.source == "全市知识竞赛（进行中，截至目前）"
    assert {cell.status for cell in child_cells(board, "contests.participation").values()} == {OPEN}
    assert board.judged == len([c for c in board.cards if c.cell.status in (MET, MISSED)])  # not counted as judged
    page = as_(org.dora).get("/manage/").content.decode()
    card_html = page.split('aria-labelledby="cp-')[[c.kpi.code for c in board.cards].index("contests.participation") + 1]
    assert "cp-open" in page and "进行中" in card_html and "cp-down" not in card_html  # no gap to the target


def test_the_index_of_the_unit_and_of_each_child_equals_the_survey_engine(city):
    org = city.org
    board = cockpit(org.dora, org.jls)
    card = by_code(board)["surveys.index"]
    whole = index.for_unit(city.survey, org.jls)
    assert close(card.cell.measure.value, whole.overall.value) and card.cell.measure.n == 50
    assert close(card.cell.measure.low, whole.overall.low) and close(card.cell.measure.high, whole.overall.high)
    rows = child_cells(board, "surveys.index")
    assert close(rows["CY"].measure.value, index.for_unit(city.survey, org.cy).overall.value)
    assert rows["JH"].measure.n == 10 and rows["JH"].status == THIN  # fewer than 30 responses: not judged
    # The plan target (80) is in force where no one set one.
    assert card.cell.target == InForce(Decimal("80"), from_data=True)
    assert rows["CY"].status == (MET if rows["CY"].measure.value >= 80 else MISSED)


def test_children_that_share_a_stratum_merge_into_the_units_own_figures(city):
    """A county's branches all fall in the county's stratum: the county's interval must be the
    stratified one of the county, not one that treats each branch as a stratum."""
    from postqc.org.models import Outlet
    from postqc.org.services import outlet_create, unit_create
    from postqc.surveys.tests.survey_factories import put

    org = city.org
    other = unit_create(code="JH-QL", name="庆岭支局", kind="branch", parent=org.jh)
    outlet = outlet_create(code="O-JH-2", name="庆岭营业所", unit=other, grade="3", address="蛟河市庆岭镇",
                           area_type=Outlet.AreaType.TOWNSHIP, operation=Outlet.Operation.SELF, open_days_per_week=6,
                           services=["letters"])
    for i in range(25):
        put(city.survey, outlet, {"OV": 4, "A1": 2 + i % 4, "A2": 5, "B1": 1 + i % 5})
    whole, children = index.by_children(city.survey, org.jh)
    expected = index.for_unit(city.survey, org.jh)
    assert whole.n == expected.n == 35
    assert close(whole.overall.value, expected.overall.value) and close(whole.overall.low, expected.overall.low)
    for code, estimate in whole.dims.items():
        assert close(estimate.value, expected.dims[code].value) and close(estimate.high, expected.dims[code].high)
    assert set(children) == {org.jh_hsd.pk, other.pk}
    assert close(children[other.pk].overall.value, index.for_unit(city.survey, other).overall.value)


def test_targets_in_force_own_inherited_and_cleared(city):
    org = city.org
    targets_set(actor=org.dora, unit=org.jls, year=2026, values={"learning.participation": "20"})
    targets_set(actor=org.charlie, unit=org.jh, year=2026, values={"learning.participation": "50"})
    board = cockpit(org.dora, org.jls)
    card = by_code(board)["learning.participation"].cell
    assert card.target == InForce(Decimal("20.00"), "吉林市分公司", own=True) and card.status == MET  # 22.2 ≥ 20
    rows = child_cells(board, "learning.participation")
    assert rows["CY"].target.value == Decimal("20.00") and not rows["CY"].target.own and rows["CY"].status == MET
    assert rows["JH"].target == InForce(Decimal("50.00"), "蛟河市分公司", own=True) and rows["JH"].status == MISSED
    assert by_code(board)["contests.participation"].cell.status == NO_TARGET
    # Seen from the county: its own target; a branch without one follows the county.
    county = cockpit(org.charlie, org.jh)
    assert by_code(county)["learning.participation"].cell.target.value == Decimal("50.00")
    assert child_cells(county, "learning.participation")["JH-HSD"].target.unit_name == "蛟河市分公司"
    # Clearing the county's own target: it follows the city again; the change is kept.
    targets_set(actor=org.charlie, unit=org.jh, year=2026, values={"learning.participation": ""})
    county = cockpit(org.charlie, org.jh)
    assert by_code(county)["learning.participation"].cell.target.value == Decimal("20.00")
    assert list(org.jh.kpi_targets.order_by("set_at", "pk").values_list("value", flat=True)) == [Decimal("50.00"), None]
    # Another year has no targets.
    last_year = timezone.make_aware(dt.datetime(2025, 11, 25, 10, 0))
    assert by_code(cockpit(org.dora, org.jls, at=last_year))["learning.participation"].cell.target.value is None


def test_status_compares_at_the_kpis_own_precision():
    kpi = registry.Kpi(code="t", name="t", module="t", unit="%", measure=lambda ctx: None, decimals=1)
    lower = registry.Kpi(code="u", name="u", module="u", unit="天", measure=lambda ctx: None, higher_is_better=False)
    target = InForce(Decimal("45.0"))
    assert status(kpi, registry.Measure(44.96), target) == MET  # shown as 45.0
    assert status(kpi, registry.Measure(44.94), target) == MISSED
    assert status(lower, registry.Measure(44.0), target) == MET
    assert status(kpi, registry.Measure(None), target) == NO_DATA
    assert status(kpi, registry.Measure(50.0, enough=False), target) == THIN
    assert status(kpi, registry.Measure(50.0), InForce(None)) == NO_TARGET


def test_no_data_anywhere_gives_empty_figures_not_errors(org):
    board = cockpit(org.dora, org.jls)
    assert {card.kpi.code: card.cell.status for card in board.cards} == {
        "surveys.index": NO_DATA, "inspections.compliance": NO_DATA, "inspections.facilities": NO_DATA,
        "inspections.rectification": NO_DATA, "learning.participation": NO_TARGET,
        "learning.accuracy": NO_DATA, "contests.participation": NO_DATA, "stations.open_rate": NO_DATA,
        "delivery.frequency": NO_DATA, "delivery.depth": NO_DATA, "delivery.time_limit": NO_DATA,
        "tracking.on_time": NO_DATA}
    assert by_code(board)["learning.participation"].cell.measure.value == 0


def test_the_gap_is_taken_at_the_precision_shown():
    from postqc.dashboard.cockpit import Cell

    kpi = registry.Kpi(code="t", name="t", module="t", unit="%", measure=lambda ctx: None, decimals=1)
    cell = Cell(kpi, registry.Measure(94.96), InForce(Decimal("95.0")), MET)
    assert cell.gap == 0  # shown as 95.0: met, and no "−0.0"


def test_the_competition_card_links_to_results_a_county_manager_may_read(city, as_):
    org = city.org
    card = by_code(cockpit(org.charlie, org.jh))["contests.participation"]
    assert card.figures.source == "全市知识竞赛"  # the city's, organised above 蛟河
    page = as_(org.charlie).get(card.figures.url)
    assert page.status_code == 200 and "鲍勃" not in page.content.decode()  # 船营's clerk: not 蛟河's to see

"""邮驿站开放率 on the cockpit: open ÷ not closed, for a unit and each child."""
from django.utils import timezone

from postqc.dashboard.registry import Context, get
from postqc.stations.services import station_create, station_set_status

from .conftest import station_data


def test_the_open_rate_by_unit(org, stations):
    extra = station_create(actor=org.alice, **station_data(code="YZ-CY-2", unit=org.cy))
    gone = station_create(actor=org.alice, **station_data(code="YZ-CY-3", unit=org.cy))
    station_set_status(station=extra, status="suspended", reason="装修", actor=org.alice)
    station_set_status(station=gone, status="closed", reason="撤并", actor=org.alice)
    kpi = get("stations.open_rate")
    assert kpi is not None and kpi.unit == "%"
    figures = kpi.measure(Context(user=org.sam, unit=org.jls, children=[org.cy, org.jh], at=timezone.now()))
    assert round(figures.total.value, 2) == 66.67 and figures.total.n == 3  # 2 open of 3 not closed
    assert figures.children[org.cy.pk].value == 50.0 and figures.children[org.jh.pk].value == 100.0
    assert "开放 2 / 3" in str(figures.source)
    empty = kpi.measure(Context(user=org.sam, unit=org.cy_td, children=[], at=timezone.now()))
    assert empty.total.value is None

"""给据邮件按时妥投率 on the cockpit, per child unit, with n."""
from django.utils import timezone

from postqc.dashboard.registry import Context
from postqc.tracking.kpis import _on_time


def test_the_cockpit_kpi(traffic, org):
    ctx = Context(user=org.dora, unit=org.jls, children=[org.cy, org.jh], at=timezone.now())
    figures = _on_time(ctx)
    assert (figures.total.n, round(figures.total.value, 1)) == (4, 50.0)
    assert (figures.children[org.cy.pk].n, round(figures.children[org.cy.pk].value, 1)) == (3, 33.3)
    assert (figures.children[org.jh.pk].n, figures.children[org.jh.pk].value) == (1, 100.0)
    assert "unit=JLS" in figures.url

import datetime as dt

import pytest

from postqc.delivery.models import MailClass, Route, TimeLimitRule
from postqc.delivery.rules import DEFAULT_DAYS, TimeLimits, due_date, time_limit_days
from postqc.org.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    city = unit_create(code="C", name="市", kind="city", parent=None)
    county = unit_create(code="K", name="县", kind="county", parent=city)
    branch = unit_create(code="B", name="支局", kind="branch", parent=county)
    other = unit_create(code="K2", name="另一县", kind="county", parent=city)
    return city, county, branch, other


def test_the_defaults_ship_as_data():
    assert TimeLimitRule.objects.filter(unit=None).count() == len(DEFAULT_DAYS) == 12
    assert time_limit_days(None, MailClass.LETTER, Route.LOCAL, dt.date(2026, 5, 1)) == 1
    assert time_limit_days(None, MailClass.PARCEL, Route.INTERPROVINCIAL, dt.date(2026, 5, 1)) == 7
    assert time_limit_days(None, MailClass.LETTER, Route.LOCAL, dt.date(2016, 5, 1)) is None  # before the standard


def test_the_nearest_units_latest_rule_in_force_wins(tree):
    city, county, branch, other = tree
    TimeLimitRule.objects.create(unit=city, mail_class=MailClass.LETTER, route=Route.PROVINCIAL, days=2,
                                 effective_from=dt.date(2026, 1, 1))
    TimeLimitRule.objects.create(unit=county, mail_class=MailClass.LETTER, route=Route.PROVINCIAL, days=4,
                                 effective_from=dt.date(2026, 6, 1))
    TimeLimitRule.objects.create(unit=city, mail_class=MailClass.LETTER, route=Route.PROVINCIAL, days=1,
                                 effective_from=dt.date(2026, 9, 1))  # later, but the county's own is nearer
    assert time_limit_days(branch, MailClass.LETTER, Route.PROVINCIAL, dt.date(2025, 12, 31)) == 3  # default
    assert time_limit_days(branch, MailClass.LETTER, Route.PROVINCIAL, dt.date(2026, 3, 1)) == 2  # city's
    assert time_limit_days(branch, MailClass.LETTER, Route.PROVINCIAL, dt.date(2026, 7, 1)) == 4  # county's
    assert time_limit_days(branch, MailClass.LETTER, Route.PROVINCIAL, dt.date(2026, 10, 1)) == 4
    assert time_limit_days(other, MailClass.LETTER, Route.PROVINCIAL, dt.date(2026, 10, 1)) == 1  # city's latest
    assert time_limit_days(other, MailClass.LETTER, Route.LOCAL, dt.date(2026, 10, 1)) == 1  # untouched default


def test_many_items_cost_two_queries(tree, django_assert_num_queries):
    _city, _county, branch, _other = tree
    with django_assert_num_queries(2):
        limits = TimeLimits(branch, dt.date(2026, 5, 1))
    assert limits.days(MailClass.EXPRESS, Route.PROVINCIAL) == 2
    assert due_date(dt.date(2026, 5, 30), 3) == dt.date(2026, 6, 2)

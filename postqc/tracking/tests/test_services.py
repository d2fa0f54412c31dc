"""Queries (查询: 1 year, 30 days, 3 × postage) and the supervised destruction of unreturnable items."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.tracking.models import ItemReturn, TrackedItem
from postqc.tracking.services import add_months, query_open, query_reply, return_destroy

from .conftest import GONE, JH_ITEM, STORY

TODAY = dt.date(2026, 11, 25)


def _item(number):
    return TrackedItem.objects.get(number=number)


def test_a_query_is_due_in_30_days_and_a_lost_letter_gets_3_times_postage(traffic, org):
    q = query_open(item=_item(STORY), actor=org.alice, enquirer="sender", received_on=TODAY, question="信到了吗")
    assert q.reply_due == dt.date(2026, 12, 25) and q.unit.code == "CY-BJL-TD"
    q = query_reply(query=q, actor=org.alice, outcome="lost", reply="丢失", replied_on=TODAY)
    assert q.compensation == Decimal("15.00")
    with pytest.raises(ValidationError) as exc:
        query_reply(query=q, actor=org.alice, outcome="lost", reply="again", replied_on=TODAY)
    assert "不能重复答复" in str(exc.value)


def test_compensation_may_not_exceed_the_rule_and_is_only_for_loss_or_damage(traffic, org):
    q = query_open(item=_item(STORY), actor=org.alice, enquirer="sender", received_on=TODAY, question="?")
    with pytest.raises(ValidationError) as exc:
        query_reply(query=q, actor=org.alice, outcome="lost", reply="丢失", replied_on=TODAY, compensation=Decimal(20))
    assert "最多 15.00 元" in exc.value.message_dict["compensation"][0]
    with pytest.raises(ValidationError) as exc:
        query_reply(query=q, actor=org.alice, outcome="delivered", reply="已妥投", replied_on=TODAY,
                    compensation=Decimal(5))
    assert "compensation" in exc.value.message_dict


def test_a_query_is_accepted_within_one_year_of_posting(traffic, org, frozen):
    item = _item(STORY)  # posted 2026-11-10
    with pytest.raises(ValidationError) as exc:
        query_open(item=item, actor=org.alice, enquirer="sender", received_on=dt.date(2026, 11, 9), question="?")
    assert "早于收寄日期" in exc.value.message_dict["received_on"][0]
    frozen.move_to(dt.datetime(2027, 12, 1, 10, 0))
    with pytest.raises(ValidationError) as exc:
        query_open(item=item, actor=org.alice, enquirer="sender", received_on=dt.date(2027, 11, 30), question="?")
    assert "1 年" in exc.value.message_dict["received_on"][0]


def test_queries_are_scoped_and_need_the_capability(traffic, org):
    with pytest.raises(PermissionDenied):
        query_open(item=_item(STORY), actor=org.charlie, enquirer="sender", received_on=TODAY, question="?")
    with pytest.raises(PermissionDenied):
        query_open(item=_item(STORY), actor=org.dave, enquirer="sender", received_on=TODAY, question="?")
    assert query_open(item=_item(JH_ITEM), actor=org.charlie, enquirer="addressee", received_on=TODAY, question="?")


def test_an_unreturnable_item_is_destroyed_only_after_6_months_and_once(traffic, org):
    record = ItemReturn.objects.get(item__number=GONE)
    assert record.unreturnable and record.destroy_after == dt.date(2026, 10, 2)
    with pytest.raises(ValidationError) as exc:
        return_destroy(record=record, actor=org.alice, destroyed_on=dt.date(2026, 10, 1), note="监销：艾丽、韩克")
    assert "6 个月" in exc.value.message_dict["destroyed_on"][0]
    with pytest.raises(ValidationError):
        return_destroy(record=record, actor=org.alice, destroyed_on=TODAY, note="")
    return_destroy(record=record, actor=org.alice, destroyed_on=TODAY, note="监销：艾丽、韩克，碎纸机")
    with pytest.raises(ValidationError):
        return_destroy(record=record, actor=org.alice, destroyed_on=TODAY, note="again")
    returned = ItemReturn.objects.get(item__number=STORY)
    with pytest.raises(ValidationError):
        return_destroy(record=returned, actor=org.alice, destroyed_on=TODAY, note="x")


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 4, 2), 6) == dt.date(2026, 10, 2)

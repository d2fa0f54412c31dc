"""The rules as data (a new row per change, inherited from the nearest unit) and logging a run."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.delivery import services
from postqc.delivery.models import DeliveryRecord, DepthRule, FrequencyRule, TimeLimitRule
from postqc.delivery.rules import DEFAULT_DEPTH, DEFAULT_FREQUENCY, RuleBook, rules_in_force, time_limit_days

from .conftest import TODAY, run

pytestmark = pytest.mark.django_db


def test_the_frequency_and_depth_defaults_ship_as_data(org):
    assert FrequencyRule.objects.filter(unit=None).count() == 3 and DepthRule.objects.filter(unit=None).count() == 3
    book = RuleBook([org.cy_td.pk])
    for area, (days, runs) in DEFAULT_FREQUENCY.items():
        rule = book.frequency(org.cy_td.pk, area, TODAY)
        assert (rule.days_per_week, rule.runs_per_week) == (days, runs)
    assert (book.frequency(org.cy_td.pk, "city", TODAY).days_per_week, book.frequency(org.cy_td.pk, "village", TODAY)
            .runs_per_week) == (7, 3)
    assert book.depth(org.cy_td.pk, "village", TODAY).accepted == [str(p) for p in DEFAULT_DEPTH["village"]]
    assert not book.depth(org.cy_td.pk, "city", TODAY).accepts("agent")
    assert book.frequency(org.cy_td.pk, "city", dt.date(2016, 1, 1)) is None  # before the standard


def test_a_change_is_a_new_row_the_nearest_unit_wins_and_history_stays(org):
    older = services.frequency_rule_set(actor=org.sam, unit=org.jls, area_type="village", days_per_week=2,
                                        runs_per_week=2, effective_from=TODAY, note="省公司文件：农村每周2次")
    county = services.frequency_rule_set(actor=org.alice, unit=org.cy, area_type="village", days_per_week=4,
                                         runs_per_week=4, effective_from=TODAY + dt.timedelta(days=5), note="区公司加密")
    assert FrequencyRule.objects.count() == 5 and older.set_by == org.sam and county.set_at is not None
    book = RuleBook([org.cy_td.pk, org.jh_hsd.pk])
    assert book.frequency(org.cy_td.pk, "village", TODAY).runs_per_week == 2  # city's, county's not yet
    assert book.frequency(org.cy_td.pk, "village", TODAY + dt.timedelta(days=5)).runs_per_week == 4
    assert book.frequency(org.jh_hsd.pk, "village", TODAY + dt.timedelta(days=5)).runs_per_week == 2  # other county
    assert book.frequency(org.cy_td.pk, "village", TODAY - dt.timedelta(days=1)).runs_per_week == 3  # default
    depth = services.depth_rule_set(actor=org.alice, unit=org.cy, area_type="village", accepted=["door", "village_point"],
                                    tracked_to_door=True, effective_from=TODAY, note="农村给据邮件到户")
    assert rules_in_force(org.cy_bjl, TODAY)["depth"]["village"] == depth
    services.time_limit_set(actor=org.alice, unit=org.cy, mail_class="letter", route="local", days=2,
                            effective_from=TODAY, note="冬季")
    assert time_limit_days(org.cy_td, "letter", "local", TODAY) == 2 and TimeLimitRule.objects.count() == 13


def test_rule_errors_are_named_by_field_and_nothing_is_written(org):
    with pytest.raises(ValidationError) as caught:
        services.frequency_rule_set(actor=org.alice, unit=org.cy, area_type="moon", days_per_week=8,
                                    runs_per_week=None, effective_from=TODAY - dt.timedelta(days=1), note=" ")
    assert set(caught.value.message_dict) == {"area_type", "days_per_week", "runs_per_week", "effective_from", "note"}
    with pytest.raises(ValidationError) as caught:
        services.frequency_rule_set(actor=org.alice, unit=org.cy, area_type="city", days_per_week=6,
                                    runs_per_week=5, effective_from=TODAY, note="x")
    assert set(caught.value.message_dict) == {"runs_per_week"}
    with pytest.raises(ValidationError) as caught:
        services.depth_rule_set(actor=org.alice, unit=org.cy, area_type="city", accepted=["mailbox"],
                                tracked_to_door=True, effective_from=TODAY, note="x")
    assert set(caught.value.message_dict) == {"accepted"}
    with pytest.raises(ValidationError) as caught:
        services.time_limit_set(actor=org.alice, unit=org.cy, mail_class="pigeon", route="local", days=99,
                                effective_from=TODAY, note="x")
    assert set(caught.value.message_dict) == {"mail_class", "days"}
    assert FrequencyRule.objects.count() == 3 and DepthRule.objects.count() == 3 and TimeLimitRule.objects.count() == 12


def test_only_delivery_managers_set_rules_inside_their_subtree(org):
    with pytest.raises(PermissionDenied):
        services.frequency_rule_set(actor=org.hank, unit=org.cy_bjl, area_type="city", days_per_week=6,
                                    runs_per_week=6, effective_from=TODAY, note="x")
    with pytest.raises(PermissionDenied):
        services.frequency_rule_set(actor=org.charlie, unit=org.cy, area_type="city", days_per_week=6,
                                    runs_per_week=6, effective_from=TODAY, note="x")


def test_a_courier_logs_a_run_of_their_own_segment(org, segs):
    record = services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY, ordinary=120, tracked=30,
                              delivered=148, on_time=147, note="2 件收件人不在")
    assert (record.run_no, record.week_of, record.handover_point, record.courier, record.unit_id) == (
        1, dt.date(2026, 11, 23), "mailbox", org.dave, org.cy_td.pk)
    second = services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY, ordinary=40, tracked=0,
                              delivered=40, on_time=40, handover_point="door")
    assert second.run_no == 2 and second.handover_point == "door"
    with pytest.raises(ValidationError) as caught:
        services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY, run_no=1, ordinary=1, tracked=0,
                         delivered=1, on_time=1)
    assert set(caught.value.message_dict) == {"run_no"}  # records are never overwritten


def test_run_errors_are_named_by_field(org, segs):
    with pytest.raises(ValidationError) as caught:
        services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY + dt.timedelta(days=1),
                         ordinary=-1, tracked=5, delivered=3, on_time=2, handover_point="roof", note="x" * 201)
    assert set(caught.value.message_dict) == {"ordinary", "delivered_on", "handover_point", "note"}
    with pytest.raises(ValidationError) as caught:
        services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY - dt.timedelta(days=8),
                         ordinary=10, tracked=5, delivered=16, on_time=1)
    assert set(caught.value.message_dict) == {"delivered", "delivered_on"}
    with pytest.raises(ValidationError) as caught:
        services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY, ordinary=10, tracked=5,
                         delivered=15, on_time=16)
    assert set(caught.value.message_dict) == {"on_time"}
    assert not DeliveryRecord.objects.exists()


def test_who_may_log_for_a_segment(org, segs):
    segs["cy2"].courier = None
    segs["cy2"].save()
    with pytest.raises(PermissionDenied):  # not his segment
        services.run_log(actor=org.dave, segment=segs["cy2"], delivered_on=TODAY, ordinary=1, tracked=0,
                         delivered=1, on_time=1)
    with pytest.raises(PermissionDenied):  # another county's courier
        services.run_log(actor=org.carl, segment=segs["cy1"], delivered_on=TODAY, ordinary=1, tracked=0,
                         delivered=1, on_time=1)
    with pytest.raises(PermissionDenied):  # a clerk may not log at all
        services.run_log(actor=org.bob, segment=segs["cy1"], delivered_on=TODAY, ordinary=1, tracked=0,
                         delivered=1, on_time=1)
    stood_in = services.run_log(actor=org.hank, segment=segs["cy2"], delivered_on=TODAY, ordinary=1, tracked=0,
                                delivered=1, on_time=1)  # the branch head stands in
    assert stood_in.recorded_by == org.hank and stood_in.courier is None


def test_the_database_refuses_impossible_counts(org, segs):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        run(segs["cy1"], TODAY, ordinary=1, tracked=0, delivered=2)


def test_a_correction_keeps_the_old_run_and_the_figures_read_the_new_one(org, segs):
    from postqc.delivery.selectors import Period, standings, segments_in

    wrong = services.run_log(actor=org.dave, segment=segs["cy1"], delivered_on=TODAY, ordinary=100, tracked=0,
                             delivered=100, on_time=10)
    with pytest.raises(ValidationError) as caught:
        services.run_correct(actor=org.dave, record=wrong, ordinary=100, tracked=0, delivered=100, on_time=101,
                             handover_point="mailbox", note="", reason="")
    assert set(caught.value.message_dict) == {"on_time", "reason"}
    right = services.run_correct(actor=org.dave, record=wrong, ordinary=100, tracked=0, delivered=100, on_time=99,
                                 handover_point="mailbox", note="", reason="时限内件数录错")
    wrong.refresh_from_db()
    assert wrong.superseded_at is not None and wrong.on_time == 10  # kept as it was
    assert (right.supersedes, right.run_no, right.recorded_by, right.correction_reason) == (
        wrong, 1, org.dave, "时限内件数录错")
    assert DeliveryRecord.objects.count() == 2 and list(DeliveryRecord.current.all()) == [right]
    week = Period.of("week", TODAY)
    assert standings(segments_in(org.cy_td), week, TODAY)[0].figures.on_time == 99
    with pytest.raises(ValidationError):
        services.run_correct(actor=org.alice, record=wrong, ordinary=1, tracked=0, delivered=1, on_time=1,
                             handover_point="mailbox", note="", reason="again")  # the old one: correct the latest
    assert services.next_run_no(segs["cy1"], TODAY) == 2


def test_who_may_correct(org, segs):
    old = run(segs["cy1"], TODAY - dt.timedelta(days=20))
    args = dict(ordinary=1, tracked=0, delivered=1, on_time=1, handover_point="mailbox", note="", reason="x")
    with pytest.raises(PermissionDenied):
        services.run_correct(actor=org.dave, record=old, **args)  # too old for the courier
    with pytest.raises(PermissionDenied):
        services.run_correct(actor=org.charlie, record=old, **args)  # another county
    assert services.run_correct(actor=org.alice, record=old, **args).supersedes == old

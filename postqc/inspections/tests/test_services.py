"""Recording an inspection: the figures, the rules, who may, and what a failed item sets off."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.inspections.checklists import version_create, version_publish
from postqc.inspections.models import Inspection, Result
from postqc.inspections.services import inspection_submit
from postqc.learning.models import ReviewCard, ReviewPush

from .conftest import ROWS, TODAY, results


def spot(org, outlet=None, **kwargs):
    kwargs.setdefault("results", results())
    kwargs.setdefault("inspected_on", TODAY)
    return inspection_submit(outlet=outlet or org.o_cy, kind="spot", inspector=org.alice, **kwargs)


def test_all_met_passes_and_not_applicable_items_leave_the_base(org, lists):
    inspection = spot(org, results=results(B1=("na", "未配置")))
    assert (inspection.applicable, inspection.met, inspection.critical_failed) == (3, 3, 0)
    assert inspection.rate == Decimal("100.00") and inspection.passed
    assert inspection.version == lists["1"].current and inspection.grade == "1" and inspection.unit == org.cy_bjl
    assert dict(inspection.results.values_list("item__code", "value")) == {"A1": "met", "A2": "met", "B1": "na",
                                                                           "B2": "met"}


def test_the_pass_rate_and_the_critical_veto(org, lists):
    one_miss = spot(org, results=results(B2=("not_met", "座椅损坏")))  # 3 of 4 = 75 % ≥ 75 %
    assert one_miss.rate == Decimal("75.00") and one_miss.passed
    two_miss = spot(org, results=results(B2=("not_met", "座椅损坏"), A2=("not_met", "牌子缺失")))
    assert two_miss.rate == Decimal("50.00") and not two_miss.passed
    veto = spot(org, results=results(A1=("not_met", "未公示营业时间")))  # 75 %, but A1 is critical
    assert veto.rate == Decimal("75.00") and veto.critical_failed == 1 and not veto.passed


def test_every_error_is_named_by_item_and_nothing_is_written(org, lists):
    bad = {"A1": ("not_met", ""), "A2": ("na", ""), "B1": ("maybe", ""), "ZZ": ("met", "")}  # B2 missing
    with pytest.raises(ValidationError) as raised:
        spot(org, results=bad)
    errors = raised.value.message_dict
    assert set(errors) == {"A1", "A2", "B1", "B2", "ZZ"}
    assert "写明发现的问题" in errors["A1"][0] and "不适用" in errors["A2"][0] and "没有项目 ZZ" in errors["ZZ"][0]
    with pytest.raises(ValidationError) as raised:
        spot(org, inspected_on=TODAY + dt.timedelta(days=1))
    assert "inspected_on" in raised.value.message_dict
    assert not Inspection.objects.exists() and not Result.objects.exists()


def test_an_outlet_without_a_checklist_for_its_grade_cannot_be_inspected(org, lists):
    org.o_jh.grade = "2"
    org.o_jh.save(update_fields=["grade"])
    with pytest.raises(ValidationError) as raised:
        inspection_submit(outlet=org.o_jh, kind="spot", inspector=org.charlie, inspected_on=TODAY, results=results())
    assert "二级网点还没有现行检查表" in raised.value.message_dict["outlet"][0]


def test_who_may_inspect_what(org, lists):
    with pytest.raises(PermissionDenied):  # a clerk does not spot-check
        inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.bob, inspected_on=TODAY, results=results())
    with pytest.raises(PermissionDenied):  # 蛟河's quality manager, an outlet of 船营
        inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.charlie, inspected_on=TODAY, results=results())
    with pytest.raises(PermissionDenied):  # a courier does not inspect
        inspection_submit(outlet=org.o_jh, kind="self", inspector=org.carl, inspected_on=TODAY, results=results())
    by_clerk = inspection_submit(outlet=org.o_cy, kind="self", inspector=org.bob, inspected_on=TODAY, results=results())
    by_head = inspection_submit(outlet=org.o_cy, kind="self", inspector=org.hank, inspected_on=TODAY, results=results())
    assert by_clerk.kind == by_head.kind == Inspection.Kind.SELF


def test_a_failed_item_pushes_its_clause_into_the_outlets_staffs_review(org, lists, clauses):
    spot(org, results=results(A1=("not_met", "未公示营业时间"), B2=("not_met", "座椅损坏")))
    push = ReviewPush.objects.get()  # B2 has no clause: one push only
    assert push.clause == clauses["JLFW-2.9"] and push.unit == org.cy_bjl and "北京路营业所" in push.reason
    assert push.pushed_by == org.alice
    due = set(ReviewCard.objects.filter(question=clauses["question"]).values_list("staff__employee_no", flat=True))
    assert due == {"B001", "H001", "D001"}  # everyone in 北京路支局's subtree, not 蛟河's


def test_a_new_version_leaves_old_inspections_on_theirs(org, lists):
    old = spot(org)
    rows = ROWS + [{"code": "C1", "section": "服务规范", "text": "着工装佩工号牌"}]
    v2 = version_create(checklist=lists["1"], rows=rows, actor=org.sam, pass_rate=90, note="增加服务规范")
    assert spot(org).version.number == 1  # a draft is not used
    version_publish(version=v2, actor=org.sam)
    with pytest.raises(ValidationError) as raised:
        spot(org)  # C1 now has to be answered
    assert "C1" in raised.value.message_dict
    new = spot(org, results=results(C1=("met", "")))
    old.refresh_from_db()
    assert old.version.number == 1 and old.results.count() == 4 and old.version.status == "retired"
    assert new.version == v2 and new.results.count() == 5

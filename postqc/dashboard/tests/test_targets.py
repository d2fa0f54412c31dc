"""Setting targets: who may, what values, all or nothing, history kept."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.dashboard.models import Target
from postqc.dashboard.targets import Targets, targets_set


def test_a_bad_value_is_named_by_its_kpi_and_nothing_is_written(org):
    with pytest.raises(ValidationError) as raised:
        targets_set(actor=org.dora, unit=org.jls, year=2026, values={
            "learning.participation": "60", "learning.accuracy": "120", "contests.participation": "七十",
            "nonsense.kpi": "1"})
    errors = raised.value.message_dict
    assert set(errors) == {"learning.accuracy", "contests.participation", "nonsense.kpi"}
    assert "0–100" in errors["learning.accuracy"][0] and "练习正确率" in errors["learning.accuracy"][0]
    assert "七十" in errors["contests.participation"][0]
    assert not Target.objects.exists()


@pytest.mark.parametrize("year", [1999, 2101])
def test_the_year_must_be_sensible(org, year):
    with pytest.raises(ValidationError) as raised:
        targets_set(actor=org.dora, unit=org.jls, year=year, values={"learning.participation": "60"})
    assert "year" in raised.value.message_dict


def test_only_leaders_quality_staff_and_sysadmins_set_targets_inside_their_subtree(org):
    with pytest.raises(PermissionDenied):
        targets_set(actor=org.hank, unit=org.cy_bjl, year=2026, values={"learning.participation": "60"})  # 支局长
    with pytest.raises(PermissionDenied):
        targets_set(actor=org.charlie, unit=org.cy, year=2026, values={"learning.participation": "60"})  # 蛟河 → 船营
    with pytest.raises(PermissionDenied):
        targets_set(actor=org.charlie, unit=org.jls, year=2026, values={"learning.participation": "60"})  # above
    targets_set(actor=org.charlie, unit=org.jh_hsd, year=2026, values={"learning.participation": "60"})
    assert Target.objects.get().set_by == org.charlie


def test_every_change_is_a_new_row_and_unchanged_values_are_not_written(org):
    first = targets_set(actor=org.dora, unit=org.jls, year=2026, values={"learning.participation": "60",
                                                                          "learning.accuracy": "85.5"}, note="年会")
    again = targets_set(actor=org.sam, unit=org.jls, year=2026, values={"learning.participation": "60.00",
                                                                         "learning.accuracy": "90"})
    assert len(first) == 2 and len(again) == 1
    assert targets_set(actor=org.sam, unit=org.jls, year=2026, values={"learning.participation": "60"}) == []
    rows = list(Target.objects.order_by("set_at", "pk").values_list("kpi", "value", "set_by__employee_no", "note"))
    assert rows == [("learning.participation", Decimal("60.00"), "L001", "年会"),
                    ("learning.accuracy", Decimal("85.50"), "L001", "年会"),
                    ("learning.accuracy", Decimal("90.00"), "S001", "")]
    assert Targets(org.jls, 2026, []).own("learning.accuracy") == Decimal("90.00")

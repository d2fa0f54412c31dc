import pytest
from django.core.exceptions import ValidationError

from postqc.core.access import get_scoped_or_404, scoped
from postqc.org.models import Outlet, Unit, UnitClosure
from postqc.org.services import unit_create, unit_move, units_bulk_create


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_subtree_of_a_district_is_itself_and_everything_under_it(org):
    assert codes(scoped(Unit.objects.all(), org.alice)) == ["CY", "CY-BJL", "CY-BJL-TD"]


def test_city_leader_sees_every_district_and_county(org):
    assert codes(scoped(Unit.objects.all(), org.dora)) == ["CY", "CY-BJL", "CY-BJL-TD", "JH", "JH-HSD", "JLS"]


def test_clerk_cannot_see_other_county_outlets(org):
    assert codes(scoped(Outlet.objects.all(), org.bob)) == ["O-CY-1"]
    assert codes(scoped(Outlet.objects.all(), org.charlie)) == ["O-JH-1"]


def test_other_units_record_is_a_404_not_a_403(org):
    from django.http import Http404

    with pytest.raises(Http404):
        get_scoped_or_404(Outlet.objects.all(), org.charlie, code="O-CY-1")
    assert get_scoped_or_404(Outlet.objects.all(), org.alice, code="O-CY-1") == org.o_cy


def test_subtree_is_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(scoped(Outlet.objects.all(), org.dora))


def test_moving_a_branch_moves_its_subtree_and_access(org):
    unit_move(unit=org.cy_bjl, new_parent=org.jh)
    assert codes(scoped(Outlet.objects.all(), org.charlie)) == ["O-CY-1", "O-JH-1"]
    assert codes(scoped(Outlet.objects.all(), org.alice)) == []
    td = Unit.objects.get(code="CY-BJL-TD")
    assert td.depth == 4
    assert set(UnitClosure.objects.filter(descendant=td).values_list("ancestor__code", "depth")) == {
        ("CY-BJL-TD", 0), ("CY-BJL", 1), ("JH", 2), ("JLS", 3), ("JL", 4)
    }


def test_a_unit_cannot_move_under_its_own_descendant(org):
    with pytest.raises(ValidationError):
        unit_move(unit=org.cy, new_parent=org.cy_td)


def test_bulk_create_builds_the_same_closure_as_one_by_one(org):
    a = Unit(code="X1", name="X1", kind=Unit.Kind.BRANCH, parent=org.jh)
    b = Unit(code="X2", name="X2", kind=Unit.Kind.DELIVERY, parent=a)
    units_bulk_create([a, b])
    one = unit_create(code="Y1", name="Y1", kind=Unit.Kind.BRANCH, parent=org.jh)
    two = unit_create(code="Y2", name="Y2", kind=Unit.Kind.DELIVERY, parent=one)
    pairs = lambda u: sorted(UnitClosure.objects.filter(descendant=u).values_list("depth", "ancestor__code"))  # noqa: E731
    assert [d for d, _ in pairs(b)] == [d for d, _ in pairs(two)]
    assert Unit.objects.get(code="X2").depth == two.depth == 4


def test_shared_content_is_offered_down_the_tree_not_up_or_across(org):
    from postqc.core.access import offered_to

    assert codes(offered_to(Unit.objects.all(), org.bob)) == ["CY", "CY-BJL", "JL", "JLS"]
    assert codes(offered_to(Unit.objects.all(), org.charlie)) == ["JH", "JL", "JLS"]

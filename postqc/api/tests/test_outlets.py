"""GET /api/v1/me and /api/v1/outlets: who I am, and the outlets of my unit's subtree."""
import pytest

from postqc.org.models import Outlet
from postqc.org.services import outlet_create, outlet_set_status

from .utils import json_error


def add_outlets(unit, count, *, start=100, **fields):
    defaults = dict(grade="2", area_type=Outlet.AreaType.VILLAGE, operation=Outlet.Operation.AGENCY,
                    address="测试地址", open_days_per_week=5)
    return [outlet_create(code=f"O-{unit.code}-{start + i}", name=f"测试网点{start + i}", unit=unit,
                          **{**defaults, **fields}) for i in range(count)]


def codes(response):
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_me_returns_the_persons_roles_unit_and_outlet(api, org):
    body = api(org.bob).get("/api/v1/me").json()

    assert body["employee_no"] == "B001"
    assert body["name"] == "鲍勃"
    assert body["roles"] == ["clerk"]
    assert body["unit"] == {"code": "CY-BJL", "name": "北京路支局", "kind": "branch"}
    assert body["outlet_code"] == "O-CY-1"


def test_me_lists_every_role_of_a_person_without_an_outlet(api, org):
    body = api(org.alice).get("/api/v1/me").json()

    assert body["roles"] == ["quality"]
    assert body["unit"]["code"] == "CY"
    assert body["outlet_code"] is None


@pytest.mark.parametrize("persona, expected", [
    ("alice", ["O-CY-1"]),
    ("bob", ["O-CY-1"]),
    ("charlie", ["O-JH-1"]),
    ("carl", ["O-JH-1"]),
    ("dora", ["O-CY-1", "O-JH-1"]),
    ("sam", ["O-CY-1", "O-JH-1"]),
    ("dave", []),
])
def test_outlets_are_scoped_to_the_persons_subtree(api, org, persona, expected):
    response = api(getattr(org, persona)).get("/api/v1/outlets")

    assert codes(response) == expected
    assert response.json()["count"] == len(expected)


def test_an_outlet_in_scope_comes_with_its_grade_history(api, org):
    body = api(org.alice).get("/api/v1/outlets/O-CY-1").json()

    assert body["code"] == "O-CY-1"
    assert body["unit_code"] == "CY-BJL"
    assert body["services"] == ["letters", "parcels", "printed", "remittance"]
    assert [(g["from_grade"], g["to_grade"]) for g in body["grade_history"]] == [("", "1")]


@pytest.mark.parametrize("code", ["O-JH-1", "O-NOWHERE"])
def test_an_outlet_outside_scope_is_a_404_like_one_that_does_not_exist(api, org, code):
    body = json_error(api(org.alice).get(f"/api/v1/outlets/{code}"), 404)

    assert code in body["error"] and "GET /api/v1/outlets" in body["error"]


def test_outlets_are_paginated_with_a_count(api, org):
    add_outlets(org.cy_bjl, 60)
    alice = api(org.alice)

    first = alice.get("/api/v1/outlets").json()
    second = alice.get("/api/v1/outlets", page=2).json()
    everything = codes(alice.get("/api/v1/outlets", page_size=200))

    assert first["count"] == second["count"] == 61
    assert len(first["items"]) == 50 and len(second["items"]) == 11
    assert [i["code"] for i in first["items"] + second["items"]] == everything == sorted(everything)
    assert codes(alice.get("/api/v1/outlets", page_size=20, page=2)) == everything[20:40]


def test_a_page_size_above_the_maximum_is_capped(api, org):
    add_outlets(org.cy_bjl, 3)

    assert len(api(org.alice).get("/api/v1/outlets", page_size=10_000).json()["items"]) == 4


def test_a_page_below_one_is_a_422_naming_the_parameter(api, org):
    body = json_error(api(org.alice).get("/api/v1/outlets", page=0), 422)

    assert body["details"][0]["field"] == "page"


@pytest.mark.parametrize("path", ["/api/v1/outlets", "/api/v1/learning/wrong-book", "/api/v1/learning/favorites"])
def test_a_page_no_database_could_offset_to_is_a_422_naming_the_parameter(api, org, path):
    # 10**20 × page size overflowed the OFFSET: a 500 before postqc.api.pagination.Pages bounded it.
    body = json_error(api(org.bob).get(path, page=10**20), 422)

    assert body["details"][0]["field"] == "page"


def test_a_page_past_the_last_is_an_empty_list_with_the_count(api, org):
    body = api(org.alice).get("/api/v1/outlets", page=100_000).json()

    assert body["items"] == [] and body["count"] == 1


def test_q_searches_code_name_and_address(api, org):
    dora = api(org.dora)

    assert codes(dora.get("/api/v1/outlets", q="jh-1")) == ["O-JH-1"]
    assert codes(dora.get("/api/v1/outlets", q="北京路营业")) == ["O-CY-1"]
    assert codes(dora.get("/api/v1/outlets", q="黄松甸镇")) == ["O-JH-1"]
    assert codes(dora.get("/api/v1/outlets", q="no such outlet")) == []


def test_the_unit_filter_takes_the_whole_subtree_of_that_unit(api, org):
    add_outlets(org.cy_td, 1)
    dora = api(org.dora)

    assert codes(dora.get("/api/v1/outlets", unit="CY")) == ["O-CY-1", "O-CY-BJL-TD-100"]
    assert codes(dora.get("/api/v1/outlets", unit="CY-BJL-TD")) == ["O-CY-BJL-TD-100"]
    assert codes(dora.get("/api/v1/outlets", unit="JH")) == ["O-JH-1"]


def test_the_unit_filter_cannot_reach_outside_the_persons_subtree(api, org):
    assert codes(api(org.alice).get("/api/v1/outlets", unit="JH")) == []


def test_grade_area_type_operation_and_status_filter(api, org):
    outlet_set_status(outlet=org.o_jh, status=Outlet.Status.SUSPENDED, note="装修")
    add_outlets(org.cy_bjl, 1)
    dora = api(org.dora)

    assert codes(dora.get("/api/v1/outlets", grade="3")) == ["O-JH-1"]
    assert codes(dora.get("/api/v1/outlets", area_type="township")) == ["O-JH-1"]
    assert codes(dora.get("/api/v1/outlets", operation="agency")) == ["O-CY-BJL-100"]
    assert codes(dora.get("/api/v1/outlets", status="suspended")) == ["O-JH-1"]
    assert codes(dora.get("/api/v1/outlets", status="open", grade="1")) == ["O-CY-1"]


@pytest.mark.parametrize("field, value", [
    ("grade", "9"), ("area_type", "desert"), ("operation", "franchise"), ("status", "gone"),
])
def test_a_bad_enum_value_is_a_422_naming_the_field(api, org, field, value):
    body = json_error(api(org.dora).get("/api/v1/outlets", **{field: value}), 422)

    assert [d["field"] for d in body["details"]] == [field]
    assert body["error"].startswith(f"Invalid input: {field}: Input should be")


def test_the_outlet_list_costs_the_same_queries_for_3_or_60_outlets(api, org, django_assert_num_queries):
    add_outlets(org.cy_bjl, 2)
    alice = api(org.alice)
    alice.get("/api/v1/outlets")  # the first use of a token records last_used_at

    # count + page (the token and its owner are cached after the first use)
    with django_assert_num_queries(2):
        assert len(codes(alice.get("/api/v1/outlets"))) == 3

    add_outlets(org.cy_bjl, 57, start=200)

    with django_assert_num_queries(2):
        assert len(codes(alice.get("/api/v1/outlets"))) == 50

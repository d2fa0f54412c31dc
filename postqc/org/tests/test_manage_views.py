"""/manage/ pages of units, outlets, staff and vehicles: who may open them, what each one shows,
and that a list costs the same number of queries however many rows it has."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

LISTS = ["/manage/units/", "/manage/outlets/", "/manage/staff/", "/manage/vehicles/"]


def details(org, vehicles, side: str) -> list[str]:
    """The detail pages of one record of each kind in 船营 ("cy") or in 蛟河 ("jh")."""
    unit, outlet, person, vehicle = {
        "cy": (org.cy_bjl, org.o_cy, org.bob, vehicles.cy),
        "jh": (org.jh_hsd, org.o_jh, org.erin, vehicles.jh),
    }[side]
    return [f"/manage/units/{unit.code}/", f"/manage/outlets/{outlet.code}/", f"/manage/staff/{person.employee_no}/",
            f"/manage/vehicles/{vehicle.pk}/"]


def text(response) -> str:
    return response.content.decode()


# --- Scope: the subtree is all there is -----------------------------------------------------------


@pytest.mark.parametrize("persona, own, other", [("alice", "cy", "jh"), ("charlie", "jh", "cy")])
def test_a_quality_manager_opens_own_county_records_and_gets_404_on_the_other(as_, org, vehicles, persona, own,
                                                                              other):
    client = as_(getattr(org, persona))
    for url in details(org, vehicles, own):
        assert client.get(url).status_code == 200, url
    for url in details(org, vehicles, other):
        assert client.get(url).status_code == 404, url


def test_the_city_leader_opens_records_of_both_counties(as_, org, vehicles):
    client = as_(org.dora)
    # A leader may not edit vehicles, and a vehicle's page is its edit page: 403 there, not 404.
    for url in details(org, vehicles, "cy")[:3] + details(org, vehicles, "jh")[:3]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona, shown, hidden", [
    ("alice", ["CY-BJL", "O-CY-1", "B001", "吉B·CY001"], ["JH-HSD", "O-JH-1", "E001", "吉B·JH001"]),
    ("charlie", ["JH-HSD", "O-JH-1", "E001", "吉B·JH001"], ["CY-BJL", "O-CY-1", "B001", "吉B·CY001"]),
    ("dora", ["CY-BJL", "O-CY-1", "B001", "吉B·CY001", "JH-HSD", "O-JH-1", "E001", "吉B·JH001"], []),
])
def test_each_list_shows_the_subtree_only(as_, org, vehicles, persona, shown, hidden):
    client = as_(getattr(org, persona))
    pages = "".join(text(client.get(url)) for url in LISTS)
    for code in shown:
        assert code in pages, code
    for code in hidden:
        assert code not in pages, code


def test_editing_another_countys_record_is_a_404(as_, org, vehicles):
    client = as_(org.alice)
    for url in ["/manage/outlets/O-JH-1/edit/", "/manage/staff/E001/edit/", "/manage/staff/E001/password/",
                f"/manage/vehicles/{vehicles.jh.pk}/"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/manage/staff/E001/deactivate/").status_code == 404
    assert client.post("/manage/outlets/O-JH-1/status/", {"status": "closed", "note": "x"}).status_code == 404
    org.erin.refresh_from_db()
    org.o_jh.refresh_from_db()
    assert org.erin.is_active and org.o_jh.status == "open"


def test_the_unit_filter_cannot_reach_outside_the_subtree(as_, org):
    body = text(as_(org.alice).get("/manage/outlets/?unit=JH"))
    assert "O-CY-1" in body and "O-JH-1" not in body


# --- Roles: who may read, who may write -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_clerks_and_couriers_get_403_on_every_manage_page(as_, org, vehicles, persona):
    client = as_(getattr(org, persona))
    for url in LISTS + details(org, vehicles, "cy") + ["/manage/outlets/new/", "/manage/staff/new/"]:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    for url in LISTS + ["/manage/outlets/O-CY-1/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


@pytest.mark.parametrize("persona", ["hank", "dora"])
def test_branch_heads_and_leaders_read_but_cannot_write(as_, org, vehicles, persona):
    client = as_(getattr(org, persona))
    for url in LISTS + ["/manage/units/CY-BJL/", "/manage/outlets/O-CY-1/", "/manage/staff/B001/"]:
        assert client.get(url).status_code == 200, url
    for url in ["/manage/units/new/", "/manage/units/CY-BJL/edit/", "/manage/outlets/new/",
                "/manage/outlets/O-CY-1/edit/", "/manage/staff/new/", "/manage/staff/B001/edit/",
                "/manage/staff/B001/password/", "/manage/vehicles/new/", f"/manage/vehicles/{vehicles.cy.pk}/"]:
        assert client.get(url).status_code == 403, url
    for url in ["/manage/units/CY-BJL-TD/deactivate/", "/manage/staff/B001/deactivate/",
                "/manage/outlets/O-CY-1/grade/", "/manage/outlets/O-CY-1/status/",
                f"/manage/vehicles/{vehicles.cy.pk}/deactivate/"]:
        assert client.post(url, {"status": "closed", "note": "x", "to_grade": "2", "effective_on": "2030-01-01",
                                 "reason": "x"}).status_code == 403, url
    org.bob.refresh_from_db()
    org.o_cy.refresh_from_db()
    assert org.bob.is_active and org.o_cy.status == "open" and org.o_cy.grade == "1"


def test_readers_see_no_write_buttons(as_, org):
    body = text(as_(org.hank).get("/manage/outlets/O-CY-1/"))
    assert "/manage/outlets/O-CY-1/edit/" not in body and "登记等级变更" not in body
    body = text(as_(org.hank).get("/manage/staff/"))
    assert "/manage/staff/new/" not in body


def test_a_quality_manager_may_not_create_or_edit_units(as_, org):
    client = as_(org.alice)
    assert client.get("/manage/units/new/").status_code == 403
    response = client.post("/manage/units/new/", {"code": "CY-NEW", "name": "新支局", "kind": "branch",
                                                  "parent": "CY"})
    assert response.status_code == 403
    assert client.post("/manage/units/CY-BJL/edit/", {"name": "改名", "kind": "branch"}).status_code == 403
    from postqc.org.models import Unit

    assert not Unit.objects.filter(code="CY-NEW").exists()
    assert Unit.objects.get(code="CY-BJL").name == "北京路支局"


# --- What the pages show --------------------------------------------------------------------------


def test_the_sidenav_highlights_the_section(as_, org):
    client = as_(org.alice)
    for url, href in [("/manage/units/", "/manage/units/"), ("/manage/outlets/O-CY-1/", "/manage/outlets/"),
                      ("/manage/staff/B001/", "/manage/staff/"), ("/manage/vehicles/", "/manage/vehicles/")]:
        assert re.search(rf'<a href="{href}" class="active">', text(client.get(url))), url


def test_unit_detail_shows_its_path_children_and_counts(as_, org):
    body = text(as_(org.dora).get("/manage/units/CY-BJL/"))
    # breadcrumb: the leader's own unit down to the parent
    assert re.search(r'href="/manage/units/JLS/">吉林市分公司</a>.*href="/manage/units/CY/">船营区分公司</a>', body)
    assert 'href="/manage/units/CY-BJL-TD/"' in body  # its child
    assert 'href="/manage/outlets/?unit=CY-BJL">1</a>' in body  # one outlet at or below it
    assert 'href="/manage/staff/?unit=CY-BJL">3</a>' in body  # bob, hank and dave


def test_a_path_stops_at_the_managers_own_unit(as_, org):
    body = text(as_(org.alice).get("/manage/units/CY-BJL/"))
    assert 'href="/manage/units/CY/"' in body and 'href="/manage/units/JLS/"' not in body


def test_outlet_detail_shows_particulars_services_history_and_staff(as_, org):
    body = text(as_(org.alice).get("/manage/outlets/O-CY-1/"))
    for expected in ("北京路营业所", "船营区北京路 1 号", "信件", "包裹", "汇兑", "建档", "一级", "B001", "鲍勃"):
        assert expected in body, expected
    assert "登记等级变更" in body and 'action="/manage/outlets/O-CY-1/status/"' in body


def test_staff_detail_shows_roles_unit_outlet_vehicles_and_last_login(as_, org, vehicles):
    body = text(as_(org.alice).get("/manage/staff/D001/"))
    for expected in ("戴维", "投递员", "北京路投递部", "吉B·CY001", "自备公助", "从未登录"):
        assert expected in body, expected
    assert 'action="/manage/staff/D001/deactivate/"' in body
    assert "/manage/staff/D001/password/" in body


def test_nobody_is_offered_to_deactivate_themselves(as_, org):
    body = text(as_(org.sam).get("/manage/staff/S001/"))
    assert "/manage/staff/S001/deactivate/" not in body


def test_lists_link_the_excel_export_of_their_kind(as_, org):
    client = as_(org.alice)
    for url, what in [("/manage/units/", "units"), ("/manage/outlets/?grade=1", "outlets"),
                      ("/manage/staff/", "staff"), ("/manage/vehicles/", "vehicles")]:
        assert f'href="/manage/export/?what={what}"' in text(client.get(url)), url


def test_outlet_filters_search_and_unit_subtree(as_, org, grow):
    grow(3)
    client = as_(org.dora)
    assert "O-JH-1" not in text(client.get("/manage/outlets/?unit=CY"))
    assert "O-CY-1" in text(client.get("/manage/outlets/?unit=CY"))
    body = text(client.get("/manage/outlets/?grade=3&area_type=village"))
    assert "GO0" in body and "O-CY-1" not in body and "O-JH-1" not in body
    body = text(client.get("/manage/outlets/?q=黄松甸"))
    assert "O-JH-1" in body and "O-CY-1" not in body
    assert "共 1 个" in body
    body = text(client.get("/manage/outlets/?q=村2号"))
    assert "GO2" in body and "GO1" not in body


def test_staff_list_filters_by_role_and_shows_active_people_by_default(as_, org):
    from postqc.org.services import staff_set_active

    staff_set_active(staff=org.carl, active=False)
    client = as_(org.dora)
    body = text(client.get("/manage/staff/"))
    assert "E001" in body and "C002" not in body
    assert "C002" in text(client.get("/manage/staff/?active=0"))
    assert "C002" in text(client.get("/manage/staff/?active=all"))
    body = text(client.get("/manage/staff/?role=courier&active=all"))
    assert "D001" in body and "C002" in body and "B001" not in body
    body = text(client.get("/manage/staff/?q=艾"))
    assert "A001" in body and "E001" in body and "B001" not in body


def test_unit_and_vehicle_filters(as_, org, vehicles):
    client = as_(org.dora)
    body = text(client.get("/manage/units/?kind=branch"))
    assert "CY-BJL" in body and "JH-HSD" in body and 'href="/manage/units/CY/"' not in body
    body = text(client.get("/manage/vehicles/?ownership=company"))
    assert "吉B·JH001" in body and "吉B·CY001" not in body
    body = text(client.get("/manage/vehicles/?unit=CY"))
    assert "吉B·CY001" in body and "吉B·JH001" not in body
    assert "吉B·CY001" in text(client.get("/manage/vehicles/?q=D001"))


def test_lists_sort_by_a_column_and_paginate_by_fifty(as_, org, grow):
    grow(60)
    client = as_(org.alice)
    body = text(client.get("/manage/outlets/?sort=-code"))
    codes = re.findall(r'href="/manage/outlets/([^/"]+)/">\1</a>', body)
    assert codes == sorted(codes, reverse=True) and len(codes) == 50
    page2 = text(client.get("/manage/outlets/?sort=-code&page=2"))
    assert len(re.findall(r'href="/manage/outlets/([^/"]+)/">\1</a>', page2)) == 11
    assert "共 61 个" in body
    assert 'href="?sort=-code&amp;page=2"' in body


def test_a_bad_filter_or_page_value_still_opens_the_list(as_, org):
    client = as_(org.alice)
    for url in ["/manage/outlets/?unit=NOPE&grade=9&page=x&sort=evil", "/manage/staff/?active=maybe&role=king",
                "/manage/units/?under=JH", "/manage/vehicles/?page=999"]:
        assert client.get(url).status_code == 200, url


# --- No N+1 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_queries_with_3_rows_and_with_60(as_, org, grow, django_assert_num_queries, url):
    client = as_(org.alice)
    grow(3, tag="A")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(57, tag="B")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "BS56" in text(client.get("/manage/staff/?q=BS56"))  # the 60 rows are really there


@pytest.mark.parametrize("url", ["/manage/units/CY-BJL/", "/manage/outlets/O-CY-1/", "/manage/staff/D001/"])
def test_a_detail_page_costs_the_same_queries_however_much_hangs_below(as_, org, grow, django_assert_num_queries,
                                                                      url):
    client = as_(org.alice)
    grow(3, tag="A")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(30, tag="B")
    from postqc.org.models import Staff

    Staff.objects.filter(employee_no__startswith="B").update(outlet=org.o_cy)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- Every link leads somewhere; no inline code (strict CSP) -------------------------------------------


def test_no_manage_page_links_to_a_missing_page_or_carries_inline_code(as_, org, vehicles):
    from django.urls import resolve

    client = as_(org.sam)
    pages = LISTS + details(org, vehicles, "cy") + [
        "/manage/units/new/", "/manage/units/CY/edit/", "/manage/outlets/new/", "/manage/outlets/O-CY-1/edit/",
        "/manage/staff/new/", "/manage/staff/B001/edit/", "/manage/staff/B001/password/", "/manage/vehicles/new/"]
    checked, dead = set(), []
    for url in pages:
        body = text(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", body), url
        for action in re.findall(r'<form[^>]*action="([^"]+)"', body):
            resolve(action)
        for href in set(re.findall(r'<a[^>]*href="([^"#]+)"', body)) - checked:
            checked.add(href)
            if href.startswith("?") or href.startswith("/manage/export/"):
                continue  # the same page with other filters; the export streams a workbook
            status = client.get(href.replace("&amp;", "&")).status_code
            if status == 404 or status >= 500:
                dead.append((url, href, status))
    assert dead == []

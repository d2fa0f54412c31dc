"""The 网点达标 pages as people use them: managers at a desk, clerks and branch heads on the phone."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from postqc.inspections.models import ChecklistVersion, Inspection
from postqc.inspections.services import inspection_submit
from postqc.org.models import Outlet, Unit
from postqc.org.services import outlet_create, unit_create

from .conftest import TODAY, results
from .test_checklists import workbook

OVERVIEW = reverse("inspections:overview")


def form(values: dict, **extra) -> dict:
    data = {"inspected_on": TODAY.isoformat(), "note": "现场检查", **extra}
    for code, (value, note) in values.items():
        data[f"r-{code}"], data[f"n-{code}"] = value, note
    return data


def test_a_spot_check_on_the_page(org, lists, as_):
    client = as_(org.alice)
    url = f"{reverse('inspections:inspection_new')}?outlet=O-CY-1"
    page = client.get(url).content.decode()
    assert "1级网点检查表 第 1 版" in page and "否决项" in page and 'name="r-B1" value="na"' in page
    assert 'name="r-A1" value="na"' not in page  # A1 may not be not applicable
    bad = client.post(url, form(results(A1=("not_met", ""), B2=("", ""))))
    text = bad.content.decode()
    assert bad.status_code == 200 and "有 2 个检查项目需要补正" in text and "A1 不合格：请写明发现的问题" in text
    assert 'value="现场检查"' not in text or "现场检查" in text  # the note is kept
    assert not Inspection.objects.exists()
    good = client.post(url, form(results(A2=("not_met", "营业时间牌脱落"))))
    inspection = Inspection.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("inspections:inspection_detail",
                                                                   args=[inspection.code])
    detail = client.get(good["Location"]).content.decode()
    assert "营业时间牌脱落" in detail and "75.00%" in detail and "达标" in detail and "艾丽" in detail
    assert inspection.kind == "spot" and inspection.inspector == org.alice


def test_the_overview_lists_outlets_that_need_attention_and_downloads_all(org, lists, as_):
    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY,
                      results=results(A1=("not_met", "未公示")))
    inspection_submit(outlet=org.o_jh, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    client = as_(org.dora)
    page = client.get(OVERVIEW).content.decode()
    assert "50.0%" in page and "需关注的网点" in page and "北京路营业所" in page and "黄松甸营业所" not in page
    assert "黄松甸营业所" in client.get(OVERVIEW, {"all": "1"}).content.decode()
    assert reverse("inspections:inspection_new") not in page  # leaders do not spot-check
    sheet = load_workbook(io.BytesIO(b"".join(client.get(OVERVIEW, {"format": "xlsx"}).streaming_content))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:2] == ["网点编码", "网点名称"] and {r[0]: r[7] for r in rows[1:]} == {"O-CY-1": "不达标",
                                                                                     "O-JH-1": "达标"}


def test_scoping_and_roles_on_the_manager_pages(org, lists, as_):
    assert as_(org.charlie).get(OVERVIEW, {"unit": "CY"}).status_code == 404
    assert as_(org.charlie).get(reverse("inspections:inspection_new"), {"outlet": "O-CY-1"}).status_code == 404
    assert as_(org.hank).get(reverse("inspections:inspection_new"), {"outlet": "O-CY-1"}).status_code == 403
    theirs = inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    assert as_(org.charlie).get(reverse("inspections:inspection_detail", args=[theirs.code])).status_code == 404
    assert as_(org.bob).get(OVERVIEW).status_code == 403


def test_the_overview_asks_the_same_number_of_queries_for_more_outlets(org, lists, as_, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    client = as_(org.sam)
    client.get(OVERVIEW, {"all": "1"})
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW, {"all": "1"})
    branch = unit_create(code="CY-NEW", name="新设支局", kind=Unit.Kind.BRANCH, parent=org.cy)
    for n in range(10):
        outlet = outlet_create(code=f"O-NEW-{n}", name=f"新网点{n}", unit=branch, grade="1", address="船营",
                               area_type=Outlet.AreaType.CITY, operation=Outlet.Operation.SELF, open_days_per_week=7,
                               services=["letters"])
        inspection_submit(outlet=outlet, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(OVERVIEW, {"all": "1"}).content.decode().count("新网点") == 10


def test_importing_and_publishing_a_checklist_on_the_page(org, lists, clauses, as_):
    client = as_(org.sam)
    created = client.post(reverse("inspections:checklist_list"), {"code": "G2", "name": "二级网点检查表", "grade": "2"})
    assert created.status_code == 302
    url = reverse("inspections:checklist_detail", args=["G2"])
    bad = client.post(url, {"file": SimpleUploadedFile("g2.xlsx", workbook([["A1", "标识公示", "公示", "JLFW-0.0"]])),
                            "pass_rate": "90"})
    assert "JLFW-0.0" in bad.content.decode() and not ChecklistVersion.objects.filter(checklist__code="G2").exists()
    good = client.post(url, {"file": SimpleUploadedFile("g2.xlsx", workbook([["A1", "标识公示", "公示", "JLFW-2.9"]])),
                             "pass_rate": "90", "note": "首版"})
    assert good.status_code == 302
    version = ChecklistVersion.objects.get(checklist__code="G2")
    client.post(reverse("inspections:checklist_publish", args=["G2", version.number]))
    version.refresh_from_db()
    assert version.status == "published"
    export = client.get(reverse("inspections:checklist_export", args=["G2", 1]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [c.value for c in sheet[2]][:4] == ["A1", "标识公示", "公示", "JLFW-2.9"]
    template = client.get(reverse("inspections:checklist_template"))
    assert template.status_code == 200 and b"".join(template.streaming_content)[:2] == b"PK"
    assert as_(org.dora).post(reverse("inspections:checklist_list"),
                              {"code": "G9", "name": "x", "grade": "1"}).status_code == 403


def test_a_clerk_self_inspects_on_the_phone(org, lists, as_):
    client = as_(org.bob)
    home = client.get(reverse("staff:home")).content.decode()
    assert reverse("inspections_staff:self_list") in home
    listing = client.get(reverse("inspections_staff:self_list")).content.decode()
    assert "北京路营业所" in listing and "今年还没有自查" in listing and "黄松甸营业所" not in listing
    url = reverse("inspections_staff:self_new", args=["O-CY-1"])
    done = client.post(url, form(results(B2=("not_met", "座椅坏了一把"))))
    inspection = Inspection.objects.get()
    assert done["Location"] == reverse("inspections_staff:self_result", args=[inspection.code])
    result = client.get(done["Location"]).content.decode()
    assert "达标" in result and "座椅坏了一把" in result
    assert inspection.kind == "self" and inspection.inspector == org.bob
    assert client.get(reverse("inspections_staff:self_new", args=["O-JH-1"])).status_code == 404
    assert as_(org.dave).get(reverse("inspections_staff:self_list")).status_code == 403  # couriers do not


def test_a_county_reads_the_citys_checklists_its_outlets_are_inspected_against(org, lists, as_):
    client = as_(org.charlie)
    listing = client.get(reverse("inspections:checklist_list")).content.decode()
    assert "3级网点检查表" in listing
    assert client.get(reverse("inspections:checklist_detail", args=["G3"])).status_code == 200
    assert client.get(reverse("inspections:checklist_export", args=["G3", 1])).status_code == 200
    assert client.post(reverse("inspections:checklist_publish", args=["G3", 1])).status_code == 403  # the city's


LIST = reverse("inspections:inspection_list")


def test_the_inspection_list_is_scoped_filtered_and_exports_what_it_shows(org, lists, as_):
    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY,
                      results=results(A1=("not_met", "未公示")), note="营业厅整洁")
    inspection_submit(outlet=org.o_jh, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())

    def exported(client, **filters):
        response = client.get(LIST, {**filters, "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return [[c.value for c in r] for r in sheet.iter_rows()]

    city = as_(org.dora)
    page = city.get(LIST).content.decode()
    assert "北京路营业所" in page and "黄松甸营业所" in page and "format=xlsx" in page
    failed = city.get(LIST, {"passed": "0"}).content.decode()
    assert "北京路营业所" in failed and "黄松甸营业所" not in failed
    rows = exported(city, passed="0", year=TODAY.year)
    assert rows[0] == ["检查日期", "网点编码", "网点名称", "所属单位", "等级", "类型", "检查表", "适用项", "合格项",
                       "否决项不合格", "合格率(%)", "结论", "检查人", "检查意见"]
    assert rows[1][:2] == [TODAY.isoformat(), "O-CY-1"] and rows[1][4:6] == ["一级", "抽查"]
    assert rows[1][11:] == ["不达标", "萨姆", "营业厅整洁"] and len(rows) == 2
    assert [r[1] for r in exported(city)[1:]] == ["O-JH-1", "O-CY-1"]  # newest first, as listed
    county = as_(org.charlie)  # 蛟河: none of 船营's
    assert "北京路营业所" not in county.get(LIST).content.decode()
    assert [r[1] for r in exported(county)[1:]] == ["O-JH-1"]


def test_the_inspection_list_asks_the_same_number_of_queries_for_more_inspections(org, lists, as_,
                                                                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inspection_submit(outlet=org.o_cy, kind="spot", inspector=org.sam, inspected_on=TODAY, results=results())
    client = as_(org.sam)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(10):
        inspection_submit(outlet=org.o_jh if n % 2 else org.o_cy, kind="self", inspector=org.sam,
                          inspected_on=TODAY, results=results())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST).content.decode().count("自查") >= 10

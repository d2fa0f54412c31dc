"""The import pages that run in the request take their file through core.forms.posted_workbook: a
missing file or one over IMPORT_MAX_MB is refused with the reason, before anything reads it."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

PAGES = [
    ("delivery:segment_list", {}),
    ("stations:station_import", {}),
    ("inspections:facility_import", {}),
    ("inspections:ledger_import", {}),
    ("dashboard:target_import", {"unit": "CY"}),
]


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("name, data", PAGES)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(org, as_, settings, name, data):
    settings.IMPORT_MAX_BYTES = 1024 * 1024  # 1 MB
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024),
                             content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = as_(org.alice).post(reverse(name), {**data, "file": big}, follow=True)
    assert response.status_code == 200
    assert _messages(response) == ["文件超过 1 MB，请拆分后分批导入。"]
    assert response.context.get("report") is None  # the import never ran


@pytest.mark.parametrize("name, data", PAGES)
def test_a_post_without_a_file_says_so(org, as_, name, data):
    response = as_(org.alice).post(reverse(name), data, follow=True)
    assert response.status_code == 200
    assert _messages(response) == ["请选择要导入的 Excel 文件。"]
    assert response.context.get("report") is None


def test_a_file_within_the_limit_reaches_the_import_and_its_report_names_the_problem(org, as_):
    response = as_(org.alice).post(reverse("stations:station_import"),
                                   {"file": SimpleUploadedFile("notes.xlsx", b"not a workbook")})
    assert response.status_code == 200
    assert [e.message for e in response.context["report"].errors] == ["不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"]

"""Excel import and export of units, outlets and staff (/manage/import/, /manage/export/).

An upload always becomes a background Job: the page redirects to the job page, which
polls the progress and then lists every error as sheet / row / column / reason.
"""
from __future__ import annotations

import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import require
from postqc.core.excel import looks_like_workbook
from postqc.core.forms import check_upload_size
from postqc.core.jobs import start_upload_job
from postqc.core.models import Job

from ..exporters import EXPORTS, org_export, org_export_filename, org_template
from ..roles import Capability
from ..tasks import IMPORT_KIND, import_org_task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 5


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}))
    skip_invalid = forms.BooleanField(label=_l("跳过错误行，导入其余数据"), required=False,
                                      help_text=_l("不勾选时，文件中只要有一处错误就不写入任何数据。"))
    dry_run = forms.BooleanField(label=_l("仅校验不写入"), required=False,
                                 help_text=_l("检查文件并列出全部错误和将新增、更新的条数，不修改任何数据。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件（可用 Excel 或 WPS “另存为” .xlsx）。"))
        head = upload.read(8)
        upload.seek(0)
        if not looks_like_workbook(head):
            raise forms.ValidationError(_("不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"))
        return upload


@login_required
def import_org(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: store the file, start the import Job, go to its page."""
    require(request.user, Capability.IMPORT_ORG)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_upload_job(kind=IMPORT_KIND, task=import_org_task, actor=request.user, upload=form.cleaned_data["file"],
                               params={name: form.cleaned_data[name] for name in ("skip_invalid", "dry_run")})
        return redirect("jobs:detail", code=job.code)
    recent = Job.objects.filter(kind=IMPORT_KIND, created_by=request.user).order_by("-created_at")[:RECENT_JOBS]
    return render(request, "org/import.html", {"section": "import", "form": form, "recent": recent})


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    require(request.user, Capability.IMPORT_ORG)
    return _xlsx_response(org_template, _("组织机构导入模板.xlsx"))


@login_required
def export_org(request: HttpRequest) -> HttpResponse:
    """?what=all|units|outlets|staff|vehicles: what the user's subtree holds, in the import layout."""
    require(request.user, Capability.EXPORT_ORG)
    what = request.GET.get("what", "all")
    if what not in EXPORTS:
        return HttpResponseBadRequest(_("未知的导出内容：%(what)s") % {"what": what})
    return _xlsx_response(lambda target: org_export(target, user=request.user, what=what),
                          org_export_filename(request.user, what))


def _xlsx_response(write, filename: str) -> FileResponse:
    """Write the workbook to a temporary file (write-only: rows stream to disk) and send that."""
    spool = tempfile.TemporaryFile()
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)

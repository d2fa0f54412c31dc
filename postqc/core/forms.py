"""Forms more than one app uses."""
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

TABLE_EXTENSIONS = (".csv", ".xlsx")


class TableImportForm(forms.Form):
    """The upload of a CSV or Excel table for an import job (core.jobs.start_upload_job): the file,
    跳过错误行 and 仅校验不写入."""

    file = forms.FileField(label=_l("文件（.csv 或 .xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(TABLE_EXTENSIONS)}))
    skip_invalid = forms.BooleanField(label=_l("跳过错误行，导入其余数据"), required=False,
                                      help_text=_l("不勾选时，文件中只要有一处错误就不写入任何数据。"))
    dry_run = forms.BooleanField(label=_l("仅校验不写入"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        check_table_upload(upload)
        return upload


def check_upload_size(upload) -> None:
    """ValidationError when an uploaded file is over IMPORT_MAX_BYTES (IMPORT_MAX_MB): every import's
    form, page and API check this."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise forms.ValidationError(_("文件超过 %(mb)d MB，请拆分后分批导入。")
                                    % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})


def check_table_upload(upload) -> None:
    """ValidationError when an uploaded table is not a .csv or .xlsx file."""
    if not upload.name.lower().endswith(TABLE_EXTENSIONS):
        raise forms.ValidationError(_("请上传 .csv 或 .xlsx 文件。"))


def posted_workbook(request: HttpRequest) -> bytes | None:
    """The Excel file an import page that runs in the request posted as `file`, read; or None after
    telling the manager why not in a message (no file chosen, or over IMPORT_MAX_MB). Whether it is
    a workbook at all, and what is wrong inside it, the import's report says (core.excel.read_sheet).
    The pages that start an import job validate TableImportForm or their own form instead."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 Excel 文件。"))
        return None
    try:
        check_upload_size(upload)
    except forms.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    return upload.read()

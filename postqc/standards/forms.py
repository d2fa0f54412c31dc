"""Forms of the standards pages: the upload of a new version and the list filter."""
from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from postqc.org.forms import DATE_WIDGET, UnitChoiceField, scoped_units

from .models import Standard

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
EXCEL_PARTICULARS = ("code", "title", "kind", "label", "effective_on")


def decode_text(data: bytes) -> str:
    """A text file as typed on a Chinese Windows PC or anywhere else: UTF-8 (with or without BOM), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


class UploadForm(forms.Form):
    """A Markdown file carries the standard's particulars in its front matter; an Excel file
    carries only clauses, so the particulars are typed here."""

    file = forms.FileField(label=_("文件"), help_text=_("Markdown（.md，含文件头）或 Excel（.xlsx）"))
    unit = UnitChoiceField(queryset=None, label=_("所属单位"), help_text=_("新标准归属的单位；已有标准沿用原单位"))
    code = forms.CharField(label=_("标准编码"), max_length=32, required=False)
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=[("", "---------"), *Standard.Kind.choices], required=False)
    issuer = forms.CharField(label=_("发布机关"), max_length=100, required=False)
    label = forms.CharField(label=_("版本"), max_length=32, required=False)
    effective_on = forms.DateField(label=_("生效日期"), required=False, widget=DATE_WIDGET)
    source = forms.CharField(label=_("来源/文号"), max_length=300, required=False)
    notes = forms.CharField(label=_("修订说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    excel_fields = ("code", "title", "kind", "issuer", "label", "effective_on", "source", "notes")

    def __init__(self, user, *args, standard: Standard | None = None, **kwargs):
        if standard is not None:
            kwargs.setdefault("initial", {
                "unit": standard.unit.code, "code": standard.code, "title": standard.title, "kind": standard.kind,
                "issuer": standard.issuer})
        else:
            kwargs.setdefault("initial", {"unit": user.unit.code})
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user)
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(MARKDOWN_SUFFIXES | EXCEL_SUFFIXES))

    @property
    def is_excel(self) -> bool:
        upload = self.cleaned_data.get("file")
        return upload is not None and Path(upload.name).suffix.lower() in EXCEL_SUFFIXES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in MARKDOWN_SUFFIXES | EXCEL_SUFFIXES:
            raise forms.ValidationError(_("请上传 .md 或 .xlsx 文件（收到的是“%(name)s”）。") % {"name": upload.name})
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 5 MB。"))
        return upload

    def clean(self):
        data = super().clean()
        if self.is_excel:
            for name in EXCEL_PARTICULARS:
                if not data.get(name):
                    self.add_error(name, _("导入 Excel 时必须填写。"))
        return data

    def excel_particulars(self) -> dict:
        """The typed particulars as standard_import_excel's keyword arguments."""
        return {name: self.cleaned_data[name] or "" for name in self.excel_fields}


class StandardFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=64, label=_("搜索"),
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编码/名称/发布机关")}))
    kind = forms.ChoiceField(required=False, label=_("类别"), choices=[("", _("全部类别")), *Standard.Kind.choices],
                             widget=forms.Select(attrs={"data-autosubmit": ""}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data["q"].strip(), "kind": self.cleaned_data["kind"]}


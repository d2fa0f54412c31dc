"""Manager pages of the standards library (/manage/standards/): list, versions, diff, upload, publish."""
from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from postqc.core.access import get_scoped_or_404, require
from postqc.core.excel import write_template
from postqc.org.roles import Capability
from postqc.standards import selectors, services
from postqc.standards.forms import StandardFilterForm, UploadForm, decode_text
from postqc.standards.importing import CLAUSE_SHEET, StandardImportError
from postqc.standards.models import Standard, StandardVersion

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manage(request: HttpRequest) -> None:
    require(request.user, Capability.VIEW_MANAGE)


def _require_edit(request: HttpRequest) -> None:
    require(request.user, Capability.VIEW_MANAGE)
    require(request.user, Capability.EDIT_CONTENT)


def _standards() -> QuerySet[Standard]:
    return Standard.objects.select_related("unit", "current_version")


def _version(request: HttpRequest, code: str, label: str) -> StandardVersion:
    standard = get_scoped_or_404(_standards(), request.user, code=code)
    try:
        version = standard.versions.get(label=label)
    except StandardVersion.DoesNotExist:
        raise Http404(f"Standard {code} has no version {label!r}.") from None
    version.standard = standard
    return version


@login_required
@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    filters = StandardFilterForm(request.GET)
    qs = selectors.standards_managed(request.user, **filters.filters()).order_by("kind", "code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "standards/manage/standard_list.html",
                  {"section": "standards", "filters": filters, "page": page})


@login_required
@require_GET
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_manage(request)
    standard = get_scoped_or_404(_standards(), request.user, code=code)
    return render(request, "standards/manage/standard_detail.html", {
        "section": "standards", "standard": standard, "versions": selectors.versions_of(standard)})


@login_required
@require_GET
def version_detail(request: HttpRequest, code: str, label: str) -> HttpResponse:
    """Any version, current, superseded or draft, as its tree of clauses with their wording."""
    _require_manage(request)
    version = _version(request, code, label)
    revisions = version.revisions.select_related("clause").order_by("sort_order")
    return render(request, "standards/manage/version_detail.html", {
        "section": "standards", "standard": version.standard, "version": version, "revisions": revisions,
        "previous": selectors.version_previous(version)})


@login_required
@require_GET
def version_diff(request: HttpRequest, code: str, label: str) -> HttpResponse:
    """`version` against the one it replaces (or ?against=<label>); unchanged clauses only with ?all=1."""
    _require_manage(request)
    version = _version(request, code, label)
    against = request.GET.get("against")
    old = _version(request, code, against) if against else selectors.version_previous(version)
    rows = selectors.version_diff(old, version)
    counts = {kind: sum(r.change == kind for r in rows) for kind in ("added", "changed", "removed", "unchanged")}
    show_all = request.GET.get("all") == "1"
    to_review = 0
    if version.status == StandardVersion.Status.DRAFT:
        to_review = selectors.questions_to_review([r.code for r in rows if r.change in ("changed", "removed")])
    return render(request, "standards/manage/version_diff.html", {
        "section": "standards", "standard": version.standard, "version": version, "old": old, "counts": counts,
        "rows": rows if show_all else [r for r in rows if r.change != "unchanged"], "show_all": show_all,
        "to_review": to_review, "others": version.standard.versions.exclude(pk=version.pk).order_by("-effective_on")})


@login_required
def standard_upload(request: HttpRequest) -> HttpResponse:
    """Upload a .md or .xlsx as a draft version (of a new standard or, with ?standard=CODE, the next
    version of an existing one), then review its diff before publishing."""
    _require_edit(request)
    standard = None
    if request.GET.get("standard"):
        standard = get_scoped_or_404(_standards(), request.user, code=request.GET["standard"])
    form = UploadForm(request.user, request.POST or None, request.FILES or None, standard=standard)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"].read()
        try:
            if form.is_excel:
                version = services.standard_import_excel(file=upload, unit=data["unit"], actor=request.user,
                                                         **form.excel_particulars())
            else:
                version = services.standard_import_markdown(text=decode_text(upload), unit=data["unit"],
                                                            actor=request.user)
        except StandardImportError as e:
            problems = e.problems
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, e.messages if isinstance(e, ValidationError) else str(e))
        except UnicodeDecodeError:
            form.add_error("file", _("文件不是 UTF-8 或 GB18030 编码的文本。"))
        else:
            messages.success(request, _("已导入为草稿版本 %(v)s，请核对修订内容后发布。") % {"v": version.label})
            return redirect("standards_manage:version_diff", code=version.standard.code, label=version.label)
    return render(request, "standards/manage/upload.html",
                  {"section": "standards", "form": form, "standard": standard, "problems": problems})


@login_required
@require_GET
def excel_template(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    buffer = io.BytesIO()
    write_template(buffer, [CLAUSE_SHEET], title=_("制度标准条款导入模板"))
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename="standard-clauses-template.xlsx", content_type=XLSX)


@login_required
@require_POST
def version_publish(request: HttpRequest, code: str, label: str) -> HttpResponse:
    _require_edit(request)
    version = _version(request, code, label)
    try:
        outcome = services.version_publish(version=version, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("standards_manage:version_diff", code=code, label=label)
    messages.success(request, _("已发布版本 %(v)s：新增 %(a)d 条，修改 %(c)d 条，删除 %(r)d 条；"
                                "%(q)d 道关联试题已标记为待复核。") % {
        "v": version.label, "a": outcome.added, "c": outcome.changed, "r": outcome.removed,
        "q": outcome.flagged_questions})
    return redirect("standards_manage:standard_detail", code=code)


@login_required
@require_POST
def version_delete(request: HttpRequest, code: str, label: str) -> HttpResponse:
    _require_edit(request)
    version = _version(request, code, label)
    try:
        services.version_delete_draft(version=version, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("standards_manage:version_detail", code=code, label=label)
    messages.success(request, _("已删除草稿 %(v)s。") % {"v": label})
    if Standard.objects.filter(code=code).exists():
        return redirect("standards_manage:standard_detail", code=code)
    return redirect("standards_manage:standard_list")

"""Pages of the boards and the integrity review.

- Staff H5 /m/contests/boards/<code>/: my rank with the people around me (±5), the top 10 and
  the unit board. For the people the competition is for (`audience.eligible_exam`), and for the
  managers of the unit that organises it (linked from its manager page as 员工端排行榜, to see what
  the participants see); anyone else gets a 404.
- Big screen /manage/contests/boards/<code>/screen/: for a live final on a projector — dark,
  large type, its live part reloaded by htmx every SCREEN_REFRESH seconds (no inline script).
  VIEW_MANAGE, for competitions organised in the manager's subtree.
- Review /manage/contests/boards/<code>/review/ (and review/ across competitions): flags with
  their detail; an open one is confirmed or dismissed with a reason (`integrity.flag_*`).
  EDIT_CONTENT, for competitions organised in the reviewer's subtree.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from postqc.core.access import get_scoped_or_404, require
from postqc.org.roles import Capability
from postqc.org.views.manage.common import require_edit, require_manage

from . import boards, integrity
from .models import Exam, IntegrityFlag
from .audience import eligible_exam

TAB = "contests"
SECTION = "competitions"
TOP = 10
SCREEN_TOP = 10
SCREEN_REFRESH = 5  # seconds
REVIEW_SHOWN = 200
STATUS_FILTERS = [("open", gettext_lazy("待复核")), ("confirmed", gettext_lazy("已确认")),
                  ("dismissed", gettext_lazy("已排除")), ("all", gettext_lazy("全部"))]


def _managed_exam(request: HttpRequest, code) -> Exam:
    return get_scoped_or_404(Exam.objects.filter(kind__in=boards.BOARD_KINDS).select_related("unit"),
                             request.user, code=code)


@never_cache
@login_required
def board(request: HttpRequest, code) -> HttpResponse:
    """My place on the board, the top 10 and the unit board of a competition I am in."""
    require(request.user, Capability.USE_STAFF_APP)
    published = Exam.objects.filter(status=Exam.Status.PUBLISHED, kind__in=boards.BOARD_KINDS).select_related("unit")
    exam = eligible_exam(published, code, request.user)
    participant = exam is not None
    if exam is None and request.user.can(Capability.VIEW_MANAGE):
        exam = get_scoped_or_404(published, request.user, code=code)  # its manager, not a participant
    if exam is None:
        raise Http404("No competition for you has this code.")
    top, near = boards.top_and_around(exam, request.user, TOP)
    mine = next((row for row in near if row.staff_id == request.user.pk), None)
    return render(request, "contests/boards/board.html", {
        "tab": TAB, "exam": exam, "mine": mine, "near": near, "top": top, "participant": participant,
        "units": boards.units(exam), "count": boards.participants(exam), "turnout": boards.turnout(exam),
    })


def _screen_context(exam: Exam) -> dict:
    return {"exam": exam, "top": boards.top(exam, SCREEN_TOP), "units": boards.units(exam),
            "turnout": boards.turnout(exam), "count": boards.participants(exam), "now": timezone.now(),
            "refresh": SCREEN_REFRESH}


@never_cache
@login_required
def screen(request: HttpRequest, code) -> HttpResponse:
    """The big screen of a live final."""
    require_manage(request)
    return render(request, "contests/boards/screen.html", _screen_context(_managed_exam(request, code)))


@never_cache
@login_required
def screen_live(request: HttpRequest, code) -> HttpResponse:
    """The part of the big screen that htmx reloads."""
    require_manage(request)
    return render(request, "contests/boards/_screen_live.html", _screen_context(_managed_exam(request, code)))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", gettext_lazy("确认作弊，取消成绩")),
                                          ("dismiss", gettext_lazy("排除嫌疑，保留成绩"))])
    reason = forms.CharField(label=gettext_lazy("复核意见"), max_length=integrity.REASON_MAX)


def _status_filter(request: HttpRequest) -> str:
    status = request.GET.get("status", "open")
    return status if status in dict(STATUS_FILTERS) else "open"


FAST_SHOWN = 5


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f}"


def _summary(flag: IntegrityFlag, others: list) -> str:
    """What the flag found, in a sentence for the reviewer."""
    detail = flag.detail
    people = "、".join(f"{a.staff.name}（{a.staff.unit.name}）" for a in others) or "—"
    if flag.kind == IntegrityFlag.Kind.FAST_ANSWER:
        items = "；".join(_("第 %(n)s 题 %(t)s 秒（下限 %(f)s 秒）") % {
            "n": i["position"], "t": _seconds(i["ms"]), "f": _seconds(i["floor_ms"])}
            for i in detail["items"][:FAST_SHOWN])
        more = "……" if len(detail["items"]) > FAST_SHOWN else ""
        return _("%(fast)d 题答得比阅读下限还快（共 %(n)d 题）：%(items)s%(more)s") % {
            "fast": detail["fast"], "n": detail["questions"], "items": items, "more": more}
    if flag.kind == IntegrityFlag.Kind.IDENTICAL_SEQUENCE:
        return _("与 %(people)s 的答案逐题相同（%(n)d 题，其中 %(wrong)d 题同错或同空）") % {
            "people": people, "n": detail["questions"], "wrong": detail["wrong"]}
    return _("同一设备上还有 %(people)s 作答") % {"people": people}


def _review_page(request: HttpRequest, *, exam: Exam | None) -> HttpResponse:
    status = _status_filter(request)
    flags = list(integrity.flags_to_review(request.user, exam=exam, status=None if status == "all" else status)
                 [:REVIEW_SHOWN])
    rows = [{"flag": flag, "attempt": flag.attempt, "summary": _summary(flag, others)}
            for flag, others in integrity.with_people(flags)]
    return render(request, "contests/boards/review.html", {
        "section": SECTION, "exam": exam, "rows": rows, "status": status, "statuses": STATUS_FILTERS,
        "shown": REVIEW_SHOWN,
    })


@never_cache
@login_required
def review_all(request: HttpRequest) -> HttpResponse:
    """Flags of every competition organised in my subtree."""
    require_edit(request, Capability.EDIT_CONTENT)
    return _review_page(request, exam=None)


@never_cache
@login_required
def review(request: HttpRequest, code) -> HttpResponse:
    """Flags of one competition."""
    require_edit(request, Capability.EDIT_CONTENT)
    return _review_page(request, exam=_managed_exam(request, code))


@login_required
@require_POST
def review_decide(request: HttpRequest, code, attempt, kind) -> HttpResponse:
    """Confirm or dismiss one flag, with a reason; back to the list it was decided on."""
    require_edit(request, Capability.EDIT_CONTENT)
    exam = _managed_exam(request, code)
    flag = IntegrityFlag.objects.filter(attempt__exam=exam, attempt__code=attempt, kind=kind).first()
    if flag is None:
        raise Http404("No such flag in this competition.")
    back = request.POST.get("next", "")
    target = back if back.startswith("/manage/contests/boards/") else None
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    else:
        decide = integrity.flag_confirm if form.cleaned_data["decision"] == "confirm" else integrity.flag_dismiss
        try:
            flag = decide(flag=flag, reason=form.cleaned_data["reason"], actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(request, _("已复核：%(name)s · %(kind)s · %(status)s。") % {
                "name": flag.attempt.staff.name, "kind": flag.get_kind_display(), "status": flag.get_status_display()})
    if target:
        return redirect(target)
    return redirect("contest_boards_manage:review", code=exam.code)

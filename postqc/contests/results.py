"""Reads of a competition's results for its managers: the table with its filters, the ranks, the
summary figures, and the Excel export (core.excel).

Rows are attempts of the manager's subtree (an organiser's manager sees the whole audience, which
the organising unit bounds). A row's rank is its place on the board when it is the person's
counted attempt (boards.ORDER: score, time used, submit time); other attempts have none.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postqc.core.access import scoped
from postqc.core.excel import Column, DecimalNumber, Integer, SheetSpec, Text, write_workbook
from postqc.org.models import UnitClosure

from . import boards
from .audience import eligible_staff
from .models import Attempt, BoardEntry, Exam, IntegrityFlag

EXCLUDED = "excluded"  # a status filter beyond Attempt.Status: excluded after review
STATUSES = [*Attempt.Status.choices, (EXCLUDED, gettext_lazy("成绩已取消"))]
CHUNK = 1000


def board_ranks(exam: Exam) -> dict[int, int]:
    """Counted attempt id → its rank on the exam's database board. One query, two integers a row."""
    ids = BoardEntry.objects.filter(exam=exam).order_by(*boards.ORDER).values_list("attempt_id", flat=True)
    return {attempt_id: rank for rank, attempt_id in enumerate(ids, start=1)}


def passed_q(exam: Exam) -> Q:
    """Finished attempts whose paper score (without any speed bonus) reaches the pass mark."""
    if exam.pass_score is None:
        return Q(pk__in=[])
    return Q(score__gte=F("bonus") + exam.pass_score) & ~Q(status=Attempt.Status.IN_PROGRESS)


def results(exam: Exam, user, *, q: str = "", unit=None, status: str = "", passed: str = "",
            flagged: str = "") -> QuerySet[Attempt]:
    """The attempts of `exam` in the user's subtree, filtered: `q` a name or 工号; `unit` a subtree;
    `status` one of STATUSES; `passed` "yes"/"no" (finished attempts only); `flagged` "yes" (any
    integrity flag) / "no". Counted attempts first in board order, then the others by score."""
    qs = scoped(Attempt.objects.filter(exam=exam), user).select_related("staff__unit").prefetch_related(
        Prefetch("flags", queryset=IntegrityFlag.objects.order_by("created_at", "pk")))
    qs = qs.annotate(counted=Exists(BoardEntry.objects.filter(attempt=OuterRef("pk"))),
                     flagged=Exists(IntegrityFlag.objects.filter(attempt=OuterRef("pk"))))
    if q:
        qs = qs.filter(Q(staff__name__contains=q) | Q(staff__employee_no=q))
    if unit is not None:
        qs = qs.filter(staff__unit_id__in=UnitClosure.objects.filter(ancestor=unit).values("descendant_id"))
    if status == EXCLUDED:
        qs = qs.filter(excluded_at__isnull=False)
    elif status in Attempt.Status.values:
        qs = qs.filter(status=status, excluded_at__isnull=True)
    if passed == "yes":
        qs = qs.filter(passed_q(exam))
    elif passed == "no":
        qs = qs.exclude(status=Attempt.Status.IN_PROGRESS).exclude(passed_q(exam))
    if flagged == "yes":
        qs = qs.filter(flagged=True)
    elif flagged == "no":
        qs = qs.filter(flagged=False)
    return qs.order_by(F("counted").desc(), F("score").desc(nulls_last=True),
                       F("duration_seconds").asc(nulls_last=True), F("submitted_at").asc(nulls_last=True),
                       "staff_id", "number")


@dataclass(frozen=True)
class Summary:
    eligible: int
    participants: int
    finished: int
    in_progress: int
    average: Decimal | None
    passed: int
    open_flags: int

    @property
    def turnout_percent(self) -> Decimal:
        if not self.eligible:
            return Decimal(0)
        return (Decimal(self.participants) * 100 / self.eligible).quantize(Decimal("0.1"))


def summary(exam: Exam, user) -> Summary:
    """The headline figures of the detail page: eligible people, participants, finished attempts
    and their average, passes, attempts in progress, open integrity flags. Three queries."""
    attempts = scoped(Attempt.objects.filter(exam=exam), user)
    figures = attempts.aggregate(
        participants=Count("staff", distinct=True),
        finished=Count("pk", filter=~Q(status=Attempt.Status.IN_PROGRESS)),
        in_progress=Count("pk", filter=Q(status=Attempt.Status.IN_PROGRESS)),
        average=Avg("score", filter=~Q(status=Attempt.Status.IN_PROGRESS) & Q(excluded_at__isnull=True)),
        passed=Count("pk", filter=passed_q(exam) & Q(excluded_at__isnull=True)),
    )
    open_flags = IntegrityFlag.objects.filter(attempt__in=attempts, status=IntegrityFlag.Status.OPEN).count()
    return Summary(eligible=eligible_staff(exam).count(), open_flags=open_flags, **figures)


# --- Excel ---------------------------------------------------------------------------------------------

RESULT_SHEET = SheetSpec(name="成绩", columns=(
    Column("名次", "rank", Integer(minimum=1), width=6),
    Column("工号", "employee_no", Text(32), width=12),
    Column("姓名", "name", Text(32), width=10),
    Column("单位", "unit", Text(64), width=18),
    Column("第几次", "number", Integer(minimum=1), width=7),
    Column("状态", "status", Text(16), width=12),
    Column("得分", "score", DecimalNumber(2, 0, 100000), width=8),
    Column("卷面分", "paper_score", DecimalNumber(2, 0, 100000), width=8),
    Column("用时加分", "bonus", DecimalNumber(2, 0, 100000), width=8),
    Column("答对题数", "correct", Integer(minimum=0), width=8),
    Column("用时（秒）", "duration", Integer(minimum=0), width=10),
    Column("开始时间", "started", Text(19), width=19),
    Column("交卷时间", "submitted", Text(19), width=19),
    Column("及格", "passed", Text(4), width=6),
    Column("计入排名", "counted", Text(4), width=8),
    Column("复核标记", "flags", Text(200), width=24),
))


def status_label(attempt: Attempt) -> str:
    if attempt.excluded_at:
        return _("成绩已取消")
    return str(Attempt.Status(attempt.status).label)


def flag_text(attempt: Attempt) -> str:
    return "、".join(f"{flag.get_kind_display()}（{flag.get_status_display()}）" for flag in attempt.flags.all())


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _records(exam: Exam, attempts: QuerySet[Attempt]) -> Iterator[dict]:
    ranks = board_ranks(exam)
    yes, no = _("是"), _("否")
    for a in attempts.iterator(chunk_size=CHUNK):
        finished = a.status != Attempt.Status.IN_PROGRESS
        passed = "" if exam.pass_score is None or not finished else (yes if a.paper_score >= exam.pass_score else no)
        yield {
            "rank": ranks.get(a.pk, ""), "employee_no": a.staff.employee_no, "name": a.staff.name,
            "unit": a.staff.unit.name, "number": a.number, "status": status_label(a),
            "score": a.score if finished else "", "paper_score": a.paper_score if finished else "",
            "bonus": a.bonus if finished else "", "correct": a.correct_count if finished else "",
            "duration": a.duration_seconds if finished else "", "started": _local(a.started_at),
            "submitted": _local(a.submitted_at), "passed": passed, "counted": yes if a.pk in ranks else no,
            "flags": flag_text(a),
        }


def results_export(target: str | IO[bytes], *, exam: Exam, attempts: QuerySet[Attempt]) -> None:
    """Write the given attempts (scoped and filtered by `results`) as one sheet."""
    write_workbook(target, [(RESULT_SHEET, _records(exam, attempts))])

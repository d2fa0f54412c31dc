"""/api/v1/ endpoints of the exam engine — 竞赛, 考试 and 模拟考试 alike: my exams (?kind=contest),
one of them, start or resume, the paper, save an answer, submit, my result.

The paper never carries an answer, a 解析 or a mark: those exist only in the result, after
submitting, and then only as the exam's reveal setting allows (in a 竞赛 or 考试 not even
right/wrong per question before the answers are revealed). An exam whose audience does not
include me, and anyone else's attempt, answer 404. Every access to an attempt whose time is
over submits it first.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from postqc.core.access import require
from postqc.org.roles import Capability

from . import answering, audience, boards, integrity, selectors, services
from .models import Attempt, Exam

router = Router(tags=["contests"])


class ExamOut(Schema):
    code: UUID
    kind: str = Field(..., description="contest (竞赛) | exam (考试) | mock (模拟考试)")
    title: str
    description: str
    organiser: str = Field(..., description="The organising unit's name")
    state: Literal["open", "upcoming", "finished"]
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_seconds: int
    attempts_allowed: int = Field(..., description="0: unlimited")
    attempts_used: int
    best_score: float | None = Field(None, description="My best score over finished attempts")
    question_count: int
    max_score: float
    pass_score: float | None
    active_attempt: UUID | None = Field(None, description="My attempt in progress, to resume")
    my_score: float | None = Field(None, description="My counted result on the board (竞赛, 考试), by the "
                                                     "exam's best/first/last rule")
    my_rank: int | None = Field(None, description="My rank on the board: score, then time used, then submit time")


class ExamQuery(Schema):
    kind: Exam.Kind | None = None
    state: Literal["open", "upcoming", "finished"] | None = None


class OptionOut(Schema):
    key: str = Field(..., description="The key as shown to me; answer with these keys")
    text: str


class PaperItemOut(Schema):
    position: int
    type: str = Field(..., description="single | multiple | true_false (answer T or F) | fill (answer one text)")
    stem: str
    image: str = Field("", description="URL of the question's picture, if any")
    points: float
    options: list[OptionOut]
    response: list[str] | None = Field(None, description="My saved answer, in the keys shown to me")


class AttemptOut(Schema):
    code: UUID
    exam: UUID
    exam_title: str
    number: int
    status: str
    resumed: bool = Field(False, description="True when starting returned my attempt in progress")
    started_at: datetime
    deadline: datetime
    remaining_seconds: int = Field(..., description="Until the deadline, by the server's clock")
    answered: int
    max_score: float
    items: list[PaperItemOut]


class AnswerIn(Schema):
    response: list[str] = Field(..., description='Keys shown to me ("A".."H"), ["T"]/["F"], or [text]; [] clears')
    client_id: UUID = Field(..., description="Generated once per answer given; resend the same id after a "
                                             "dropped connection and it is not applied twice")


class AnswerOut(BaseModel):  # a plain pydantic model: validated without ninja's ORM getter (hot path)
    position: int
    response: list[str] | None
    answered_at: datetime | None
    answered: int
    remaining_seconds: int


class ClauseOut(Schema):
    code: str
    heading: str


class ResultItemOut(PaperItemOut):
    is_correct: bool | None = Field(None, description="Absent until answers are revealed, in a 竞赛 or 考试")
    awarded: float | None = None
    answer: list[str] | None = Field(None, description="The right answer in the keys shown to me; only when the "
                                                       "exam reveals answers")
    explanation: str | None = None
    clauses: list[ClauseOut] = []


class ResultOut(Schema):
    code: UUID
    exam: UUID
    exam_title: str
    status: str
    started_at: datetime
    submitted_at: datetime | None
    duration_seconds: int | None
    score: float = Field(..., description="The counted score: paper_score + bonus")
    paper_score: float
    bonus: float = Field(..., description="The speed bonus, when the exam has one (up to 10 % of the paper "
                                          "score, by the share of the time left unused)")
    max_score: float
    correct_count: int
    question_count: int
    pass_score: float | None
    passed: bool | None
    revealed: bool = Field(..., description="Whether answers and 解析 are shown (never / after submit / after close)")
    marked: bool = Field(..., description="Whether right/wrong is shown per question")
    counted: bool | None = Field(None, description="竞赛/考试: whether this attempt is the one on the board")
    rank: int | None = Field(None, description="竞赛/考试: my rank on the board now")
    items: list[ResultItemOut]


def _staff(request: HttpRequest):
    require(request.user, Capability.USE_STAFF_APP)
    return request.user


def _my_attempt(request: HttpRequest, code: UUID) -> Attempt:
    """The caller's own attempt, submitted by the server first if its time is over; else 404."""
    staff = _staff(request)
    attempt = selectors.my_attempt_or_none(staff, code)
    if attempt is None:
        raise Http404("No attempt of yours has this code.")
    attempt = services.attempt_expire_if_overdue(attempt=attempt)
    attempt.staff = staff  # the same person (the query asked for theirs): no second read of them
    return attempt


def _item_out(q: selectors.PaperQuestion) -> dict:
    return {"position": q.position, "type": q.type, "stem": q.stem, "image": q.image_url, "points": q.points,
            "options": [{"key": k, "text": t} for k, t in q.options], "response": q.response}


def _attempt_out(attempt: Attempt, *, resumed: bool = False) -> dict:
    paper = selectors.attempt_paper(attempt)
    return {
        "code": attempt.code, "exam": attempt.exam.code, "exam_title": attempt.exam.title, "number": attempt.number,
        "status": attempt.status, "resumed": resumed, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "remaining_seconds": services.remaining_seconds(attempt), "answered": sum(q.answered for q in paper),
        "max_score": attempt.max_score, "items": [_item_out(q) for q in paper],
    }


def _result_out(attempt: Attempt) -> dict:
    result = selectors.attempt_result(attempt)
    items = []
    for row in result.items:
        item = _item_out(row.question)
        if result.marked:
            item.update(is_correct=row.is_correct, awarded=row.awarded)
        if result.revealed:
            item.update(answer=row.answer, explanation=row.explanation,
                        clauses=[{"code": c, "heading": h} for c, h in row.clauses])
        items.append(item)
    known = {"entry": attempt.board_entry} if hasattr(attempt, "board_entry") else {}  # just submitted
    standing = (None if attempt.exam.kind == Exam.Kind.MOCK
                else selectors.my_standing(attempt.exam, attempt.staff, **known))
    return {
        "code": attempt.code, "exam": attempt.exam.code, "exam_title": attempt.exam.title, "status": attempt.status,
        "started_at": attempt.started_at, "submitted_at": attempt.submitted_at,
        "duration_seconds": attempt.duration_seconds, "score": attempt.score, "paper_score": attempt.paper_score,
        "bonus": attempt.bonus, "max_score": attempt.max_score,
        "correct_count": attempt.correct_count, "question_count": len(items), "pass_score": attempt.exam.pass_score,
        "passed": result.passed, "revealed": result.revealed, "marked": result.marked,
        "counted": None if attempt.exam.kind == Exam.Kind.MOCK else bool(standing and
                                                                         standing.entry.attempt_id == attempt.pk),
        "rank": standing.rank if standing else None, "items": items,
    }


def _invalid(exc: ValidationError) -> HttpError:
    return HttpError(422, " ".join(exc.messages))


def _exam_out(e: Exam, now) -> dict:
    return {
        "code": e.code, "kind": e.kind, "title": e.title, "description": e.description, "organiser": e.unit.name,
        "state": selectors.exam_state(e, now), "opens_at": e.opens_at, "closes_at": e.closes_at,
        "time_limit_seconds": e.time_limit_seconds, "attempts_allowed": e.attempts_allowed,
        "attempts_used": e.my_attempts, "best_score": e.my_best, "question_count": e.question_count,
        "max_score": e.max_score, "pass_score": e.pass_score, "active_attempt": e.my_active,
        "my_score": e.my_score, "my_rank": None if e.my_score is None else e.my_ahead + 1,
    }


@router.get("/exams", response=list[ExamOut], summary="Exams for me: competitions (?kind=contest), exams, mock exams")
def exam_list(request: HttpRequest, filters: Query[ExamQuery]):
    now = timezone.now()
    exams = selectors.exams_offered(_staff(request), kind=filters.kind, state=filters.state, at=now)
    return [_exam_out(e, now) for e in exams]


@router.get("/exams/{code}", response=ExamOut, summary="One exam for me, with my attempts and standing")
def exam_detail(request: HttpRequest, code: UUID):
    exam = selectors.exams_offered(_staff(request)).filter(code=code).first()
    if exam is None:
        raise Http404("No exam for you has this code.")
    return _exam_out(exam, timezone.now())


@router.post("/exams/{code}/attempts", response={200: AttemptOut, 201: AttemptOut},
             summary="Start an attempt, or resume mine in progress")
def attempt_start(request: HttpRequest, code: UUID):
    staff = _staff(request)
    exam = Exam.objects.filter(status=Exam.Status.PUBLISHED, code=code).select_related("unit").first()
    if exam is None:
        raise Http404("No exam for you has this code.")
    # A client names its device by the X-Device-Id header (or a web view's device cookie); without
    # either there is no device to record.
    has_device = integrity.DEVICE_COOKIE in request.COOKIES or integrity.DEVICE_HEADER in request.headers
    try:
        attempt, created = services.attempt_start(
            exam=exam, staff=staff, device_hash=integrity.device_hash(request) if has_device else "")
    except PermissionDenied:  # outside the audience: as if there were no such exam
        raise Http404("No exam for you has this code.") from None
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    return Status(201 if created else 200, _attempt_out(attempt, resumed=not created))


@router.get("/attempts/{code}", response=AttemptOut, summary="My attempt's paper (no answers) and time left")
def attempt_detail(request: HttpRequest, code: UUID):
    return _attempt_out(_my_attempt(request, code))


@router.put("/attempts/{code}/items/{position}", response=AnswerOut, summary="Save my answer to one question")
def attempt_answer(request: HttpRequest, code: UUID, position: int, payload: AnswerIn):
    """The competition hot path: one statement (answering.py). Past the deadline + grace the attempt
    is submitted by the server and this is a 409."""
    staff = _staff(request)
    sitting = answering.sitting(code)
    if sitting is None or sitting.staff_id != staff.pk:
        raise Http404("No attempt of yours has this code.")
    now = timezone.now()
    try:
        saved = answering.answer(sitting=sitting, position=position, response=payload.response,
                                 client_id=payload.client_id, at=now)
    except services.AttemptClosed as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise _invalid(exc) from None
    return {"position": position, "response": saved.displayed, "answered_at": saved.answered_at,
            "answered": saved.answered, "remaining_seconds": sitting.remaining_seconds(now)}


@router.post("/attempts/{code}/submit", response=ResultOut, summary="Submit my attempt; the result")
def attempt_submit(request: HttpRequest, code: UUID):
    mine = _my_attempt(request, code)
    attempt = services.attempt_submit(attempt=mine)
    attempt.staff = mine.staff
    return _result_out(attempt)


@router.get("/attempts/{code}/result", response=ResultOut, summary="My result (answers and 解析 per the exam)")
def attempt_result(request: HttpRequest, code: UUID):
    attempt = _my_attempt(request, code)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise HttpError(409, "The attempt is still in progress: submit it first (POST …/submit).")
    return _result_out(attempt)


# --- Boards ---------------------------------------------------------------------------------------------


class StandingOut(Schema):
    rank: int
    name: str
    unit: str = Field(..., description="The person's unit")
    score: float = Field(..., description="The counted score (with the speed bonus, when the exam has one)")
    duration_seconds: int
    submitted_at: datetime
    me: bool = Field(False, description="This row is mine")


class BoardOut(Schema):
    exam: UUID
    participants: int = Field(..., description="People with a counted result")
    top: list[StandingOut] = Field(..., description="Best first: score, then time used, then submit time")
    me: StandingOut | None = Field(None, description="My row, when I have a counted result")
    around: list[StandingOut] = Field([], description="With ?around=me: up to 5 rows above and below mine")


class BoardQuery(Schema):
    around: Literal["me"] | None = Field(None, description="me: add my row and the rows around it")
    top: int = Field(10, ge=0, le=100, description="How many rows from the top")


class UnitStandingOut(Schema):
    rank: int
    unit_code: str
    unit: str
    own_staff_only: bool = Field(..., description="A unit above the level, counted for its own staff only (本级)")
    headcount: int = Field(..., description="Eligible people (the audience) in the unit")
    participants: int
    participation: float = Field(..., description="participants ÷ headcount, 0..1")
    total_score: float
    per_capita: float = Field(..., description="total_score ÷ headcount: people who did not take part count as 0")


class UnitQuery(Schema):
    level: int = Field(1, ge=1, le=3, description="1: the organising unit's children; 2: their children; 3")


def _board_exam(request: HttpRequest, code: UUID) -> Exam:
    """A published 竞赛 or 考试 whose audience includes me, else 404."""
    exam = audience.eligible_exam(Exam.objects.filter(status=Exam.Status.PUBLISHED, kind__in=boards.BOARD_KINDS),
                                  code, _staff(request))
    if exam is None:
        raise Http404("No competition for you has this code.")
    return exam


def _standing_out(row, me_id: int) -> dict:
    return {"rank": row.rank, "name": row.name, "unit": row.unit_name, "score": row.score,
            "duration_seconds": row.duration_seconds, "submitted_at": row.submitted_at, "me": row.staff_id == me_id}


@router.get("/exams/{code}/board", response=BoardOut, summary="The board: top N, and my place with ?around=me")
def exam_board(request: HttpRequest, code: UUID, query: Query[BoardQuery]):
    exam = _board_exam(request, code)
    me_id = request.user.pk
    if query.around == "me":
        top, near = boards.top_and_around(exam, request.user, query.top)
    else:
        top, near = boards.top(exam, query.top), []
    around = [_standing_out(r, me_id) for r in near]
    return {"exam": exam.code, "participants": boards.participants(exam),
            "top": [_standing_out(r, me_id) for r in top], "around": around,
            "me": next((row for row in around if row["me"]), None)}


@router.get("/exams/{code}/units", response=list[UnitStandingOut],
            summary="The unit board: per-capita score over the eligible headcount, and participation")
def exam_units(request: HttpRequest, code: UUID, query: Query[UnitQuery]):
    exam = _board_exam(request, code)
    return [{"rank": u.rank, "unit_code": u.code, "unit": u.name, "own_staff_only": u.own, "headcount": u.headcount,
             "participants": u.participants, "participation": u.participation, "total_score": u.total,
             "per_capita": u.per_capita} for u in boards.units(exam, level=query.level)]

"""/api/v1/ endpoints of the exam engine: my exams, start or resume, the paper, save an answer,
submit, my result.

The paper never carries an answer, a 解析 or a mark: those exist only in the result, after
submitting, and then only as the exam's reveal setting allows. An attempt is its owner's alone:
anyone else's answers 404. Every access to an attempt whose time is over submits it first.
"""
from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from postqc.core.access import get_offered_or_404, require
from postqc.org.roles import Capability

from . import selectors, services
from .models import Attempt, Exam

router = Router(tags=["contests"])


class ExamOut(Schema):
    code: UUID
    kind: str
    title: str
    description: str
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


class AnswerOut(Schema):
    position: int
    response: list[str] | None
    answered_at: datetime | None
    answered: int
    remaining_seconds: int


class ClauseOut(Schema):
    code: str
    heading: str


class ResultItemOut(PaperItemOut):
    is_correct: bool
    awarded: float
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
    score: float
    max_score: float
    correct_count: int
    question_count: int
    pass_score: float | None
    passed: bool | None
    revealed: bool = Field(..., description="Whether answers and 解析 are shown (never / after submit / after close)")
    items: list[ResultItemOut]


def _staff(request: HttpRequest):
    require(request.user, Capability.USE_STAFF_APP)
    return request.user


def _my_attempt(request: HttpRequest, code: UUID) -> Attempt:
    """The caller's own attempt, submitted by the server first if its time is over; else 404."""
    attempt = selectors.my_attempt_or_none(_staff(request), code)
    if attempt is None:
        raise Http404("No attempt of yours has this code.")
    return services.attempt_expire_if_overdue(attempt=attempt)


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
        item.update(is_correct=row.is_correct, awarded=row.awarded)
        if result.revealed:
            item.update(answer=row.answer, explanation=row.explanation,
                        clauses=[{"code": c, "heading": h} for c, h in row.clauses])
        items.append(item)
    return {
        "code": attempt.code, "exam": attempt.exam.code, "exam_title": attempt.exam.title, "status": attempt.status,
        "started_at": attempt.started_at, "submitted_at": attempt.submitted_at,
        "duration_seconds": attempt.duration_seconds, "score": attempt.score, "max_score": attempt.max_score,
        "correct_count": attempt.correct_count, "question_count": len(items), "pass_score": attempt.exam.pass_score,
        "passed": result.passed, "revealed": result.revealed, "items": items,
    }


def _invalid(exc: ValidationError) -> HttpError:
    return HttpError(422, " ".join(exc.messages))


@router.get("/exams", response=list[ExamOut], summary="Exams offered to me (mock exams: ?kind=mock)")
def exam_list(request: HttpRequest, filters: Query[ExamQuery]):
    now = timezone.now()
    exams = selectors.exams_offered(_staff(request), kind=filters.kind, state=filters.state, at=now)
    return [{
        "code": e.code, "kind": e.kind, "title": e.title, "description": e.description,
        "state": selectors.exam_state(e, now), "opens_at": e.opens_at, "closes_at": e.closes_at,
        "time_limit_seconds": e.time_limit_seconds, "attempts_allowed": e.attempts_allowed,
        "attempts_used": e.my_attempts, "best_score": e.my_best, "question_count": e.question_count,
        "max_score": e.max_score, "pass_score": e.pass_score, "active_attempt": e.my_active,
    } for e in exams]


@router.post("/exams/{code}/attempts", response={200: AttemptOut, 201: AttemptOut},
             summary="Start an attempt, or resume mine in progress")
def attempt_start(request: HttpRequest, code: UUID):
    staff = _staff(request)
    exam = get_offered_or_404(Exam.objects.filter(status=Exam.Status.PUBLISHED).select_related("unit"), staff,
                              code=code)
    try:
        attempt, created = services.attempt_start(exam=exam, staff=staff)
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    return (201 if created else 200), _attempt_out(attempt, resumed=not created)


@router.get("/attempts/{code}", response=AttemptOut, summary="My attempt's paper (no answers) and time left")
def attempt_detail(request: HttpRequest, code: UUID):
    return _attempt_out(_my_attempt(request, code))


@router.put("/attempts/{code}/items/{position}", response=AnswerOut, summary="Save my answer to one question")
def attempt_answer(request: HttpRequest, code: UUID, position: int, payload: AnswerIn):
    attempt = _my_attempt(request, code)
    try:
        item = services.attempt_answer(attempt=attempt, position=position, response=payload.response,
                                       client_id=payload.client_id)
    except services.AttemptClosed as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise _invalid(exc) from None
    shown = selectors.paper_question(item)
    return {"position": item.position, "response": shown.response, "answered_at": item.answered_at,
            "answered": selectors.answered_count(attempt), "remaining_seconds": services.remaining_seconds(attempt)}


@router.post("/attempts/{code}/submit", response=ResultOut, summary="Submit my attempt; the result")
def attempt_submit(request: HttpRequest, code: UUID):
    attempt = services.attempt_submit(attempt=_my_attempt(request, code))
    return _result_out(attempt)


@router.get("/attempts/{code}/result", response=ResultOut, summary="My result (answers and 解析 per the exam)")
def attempt_result(request: HttpRequest, code: UUID):
    attempt = _my_attempt(request, code)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise HttpError(409, "The attempt is still in progress: submit it first (POST …/submit).")
    return _result_out(attempt)


"""/api/v1/learning/ endpoints: practice (the next question of a mode, answering it), the 错题本,
favourites and today's review. The same sessions and services as the staff pages (modes.py,
practice.py): a client sees the same question in the same mode, and an answer resent with the
same client_id is recognised (`replayed`), never counted twice. A question is served without its
answer and 解析; they come back only in the answer's result.
"""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BaseModel

from postqc.api.pagination import Pages
from postqc.core.access import offered_to, require
from postqc.org.roles import Capability

from . import modes, practice
from .grading import InvalidResponse
from .models import Answer, Favorite, Question
from .scheduling import policy_for

router = Router(tags=["learning"])
Mode = Answer.Mode


class OptionOut(Schema):
    key: str
    text: str


class ProgressOut(Schema):
    text: str = Field(..., description="The progress line as the pages show it, e.g. 顺序练习 第 12/370 题")
    total: int
    position: int | None = Field(None, description="Where this question sits in the session (ordered modes)")
    remaining: int | None = Field(None, description="错题本 and 每日复习: how many are left")


class QuestionOut(Schema):
    code: str
    version: int = Field(..., description="The version served; the answer is graded against the current one")
    type: str = Field(..., description="single, multiple, true_false or fill")
    stem: str
    options: list[OptionOut] = Field(..., description='单选/多选: keys A..H; 判断: T (对) and F (错); 填空: none')
    image: str | None
    red_line: bool = Field(..., description="必知必会")
    bank: str
    favorite: bool


class NextOut(Schema):
    mode: Mode
    question: QuestionOut | None = Field(..., description="None when the mode has nothing left (e.g. an empty 错题本)")
    progress: ProgressOut


class AnswerIn(Schema):
    question: str = Field(..., max_length=32, description="The question's code")
    response: list[str] = Field(..., max_length=8, description='Option keys (["A","C"]), ["T"]/["F"], or ["text"]')
    client_id: UUID = Field(..., description="Made by the client once per answer; resend the same after a "
                                             "dropped connection and the first result comes back")
    duration_ms: int | None = Field(None, ge=0, le=86_400_000, description="Time from showing to answering")
    hinted: bool = False
    mode: Mode
    chapter: str | None = Field(None, max_length=48, description="顺序练习 by chapter: moves that chapter's resume point")


class ClauseRefOut(BaseModel):  # a plain pydantic model: validated without ninja's ORM getter (hot path)
    code: str
    heading: str


class AnswerOut(BaseModel):  # a plain pydantic model: validated without ninja's ORM getter (hot path)
    question: str
    version: int = Field(..., description="The version the answer was graded against")
    correct: bool
    replayed: bool = Field(..., description="True when this client_id was answered before: nothing new was recorded")
    correct_answer: list[str]
    explanation: str
    clauses: list[ClauseRefOut]
    wrong_book: str = Field(..., description='"added", "kept", "cleared" or "" (not in the 错题本 / a replay)')
    due: datetime | None = Field(None, description="When the question comes up in 每日复习 next")


class QuestionRefOut(Schema):
    code: str
    type: str = Field(..., alias="current.type")
    stem: str = Field(..., alias="current.stem")


class WrongEntryOut(Schema):
    question: QuestionRefOut
    wrong_count: int
    right_streak: int
    last_wrong_at: datetime


class FavoriteOut(Schema):
    question: QuestionRefOut
    created_at: datetime


class FavoriteStateOut(Schema):
    question: str
    favorite: bool


class ReviewSummaryOut(Schema):
    remaining_today: int = Field(..., description="Due reviews I still get today (due now, capped by the daily limit)")
    due_now: int
    done_today: int
    daily_limit: int


def _staff(request: HttpRequest) -> None:
    require(request.user, Capability.USE_STAFF_APP)


def _question(user, question: Question) -> dict:
    v = question.current
    options = [{"key": "T", "text": "对"}, {"key": "F", "text": "错"}] if v.type == "true_false" else [
        {"key": key, "text": text} for key, text in v.option_pairs()]
    return {"code": question.code, "version": v.number, "type": v.type, "stem": v.stem, "options": options,
            "image": v.image.url if v.image else None, "red_line": v.red_line, "bank": question.bank.code,
            "favorite": modes.is_favorite(user, question)}


def _progress(p: modes.Progress) -> dict:
    return {"text": p.text, "total": p.total, "position": p.position, "remaining": p.remaining}


@router.get("/next", response=NextOut, summary="The next question of a practice mode (no answer in it)")
def next_question(request: HttpRequest, mode: Mode,
                  bank: str = Query("", max_length=32, description="顺序/随机练习: a bank code"),
                  chapter: str = Query("", max_length=48, description="顺序/专项练习: a chapter's clause code"),
                  clause: str = Query("", max_length=48, description="专项练习: a clause code (and the clauses under it)"),
                  tag: str = Query("", max_length=32, description="专项练习: a tag"),
                  after: str = Query("", max_length=32, description="The question just answered; 顺序练习 without "
                                                                   "it resumes where I left off")):
    """专项练习 needs one of chapter, clause or tag. A bank or clause not offered to me is a 404."""
    _staff(request)
    user = request.user
    session = modes.session_from(user, mode=mode, bank=bank, chapter=chapter, clause=clause, tag=tag)
    previous = offered_to(Question.objects.all(), user).filter(code=after).first() if after else None
    question = modes.next_question(user, session, after=previous)
    return {"mode": mode, "question": _question(user, question) if question else None,
            "progress": _progress(modes.progress(user, session, question))}


@router.post("/answers", response=AnswerOut, summary="Answer a practice question")
def answer(request: HttpRequest, payload: AnswerIn):
    """Graded on the server; updates the 错题本 and the 每日复习 schedule. A malformed response (an option
    the question does not have, two options for 单选, an empty 填空) is a 422 naming `response`."""
    _staff(request)
    user = request.user
    question = modes.question_offered_or_404(user, payload.question)
    chapter = None
    if payload.mode == Mode.SEQUENTIAL and payload.chapter:
        chapter = modes.clause_offered_or_404(user, payload.chapter)
    try:
        result = practice.practice_answer(staff=user, question=question, response=payload.response,
                                          mode=payload.mode, client_id=payload.client_id, chapter=chapter,
                                          duration_ms=payload.duration_ms, hinted=payload.hinted)
    except InvalidResponse as exc:
        raise ValidationError({"response": [str(exc)]}) from None
    version = result.version
    return {"question": question.code, "version": version.number, "correct": result.correct,
            "replayed": result.replayed, "correct_answer": version.answer, "explanation": version.explanation,
            "clauses": [{"code": c.code, "heading": c.heading} for c in modes.clause_refs(version)],
            "wrong_book": result.wrong_book, "due": result.due}


@router.get("/wrong-book", response=list[WrongEntryOut], summary="My 错题本, most recently missed first")
@paginate(Pages, page_size=20, max_page_size=100)
def wrong_book(request: HttpRequest):
    _staff(request)
    return (practice.open_wrong_entries(request.user).select_related("question__current")
            .order_by("-last_wrong_at", "-pk"))


@router.get("/favorites", response=list[FavoriteOut], summary="My favourite questions, latest first")
@paginate(Pages, page_size=20, max_page_size=100)
def favorites(request: HttpRequest):
    _staff(request)
    return (Favorite.objects.filter(staff=request.user, question__in=practice.practice_questions(request.user))
            .select_related("question__current").order_by("-created_at", "-pk"))


@router.post("/favorites/{code}", response=FavoriteStateOut, summary="Star a question (idempotent)")
def favorite_add(request: HttpRequest, code: str):
    _staff(request)
    question = modes.question_offered_or_404(request.user, code)
    return {"question": code, "favorite": practice.favorite_set(staff=request.user, question=question, on=True)}


@router.delete("/favorites/{code}", response=FavoriteStateOut, summary="Unstar a question (idempotent)")
def favorite_remove(request: HttpRequest, code: str):
    _staff(request)
    question = modes.question_offered_or_404(request.user, code)
    return {"question": code, "favorite": practice.favorite_set(staff=request.user, question=question, on=False)}


@router.get("/review/summary", response=ReviewSummaryOut, summary="Today's 每日复习 at a glance")
def review_summary(request: HttpRequest):
    _staff(request)
    user = request.user
    return {"remaining_today": practice.review_remaining_today(user), "due_now": practice.due_cards(user).count(),
            "done_today": practice.review_done_today(user), "daily_limit": policy_for(user.unit_id).daily_review_limit}

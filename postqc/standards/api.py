"""/api/v1/ endpoints of the standards library: what I am offered, clause text, read progress, search."""
from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from postqc.core.access import require
from postqc.org.roles import Capability

from . import selectors, services
from .models import ClauseRead

router = Router(tags=["standards"])


class VersionOut(Schema):
    label: str
    effective_on: date
    source: str


class StandardOut(Schema):
    code: str
    title: str
    kind: str
    issuer: str
    version: VersionOut = Field(..., alias="current_version")
    clause_total: int = Field(..., description="Clauses in the current version")
    read_total: int = Field(..., description="Of those, how many I have read")


class ClauseNodeOut(Schema):
    code: str
    heading: str
    depth: int
    read: bool
    children: list[ClauseNodeOut]


class StandardDetailOut(StandardOut):
    clauses: list[ClauseNodeOut] = Field(..., alias="clause_tree",
                                         description="The clause tree of the current version, in reading order")


class StandardRefOut(Schema):
    code: str
    title: str


class ClauseOut(Schema):
    code: str
    heading: str
    body: str
    depth: int
    standard: StandardRefOut
    version: VersionOut
    is_current: bool = Field(..., description="False when the current version dropped this clause; the text is "
                                              "then its last published wording")
    parent_code: str | None
    previous_code: str | None
    next_code: str | None
    read: bool
    read_at: datetime | None
    question_count: int = Field(..., description="Published practice questions offered to me that test this clause")


class ReadOut(Schema):
    code: str
    read: bool
    read_at: datetime


class SearchHitOut(Schema):
    code: str
    heading: str
    snippet: str
    standard: StandardRefOut


def _staff(request: HttpRequest) -> None:
    require(request.user, Capability.USE_STAFF_APP)


def _node(item: selectors.OutlineItem) -> dict:
    return {"code": item.code, "heading": item.heading, "depth": item.depth, "read": item.read,
            "children": [_node(child) for child in item.children]}


@router.get("/standards", response=list[StandardOut], summary="Standards offered to me, with my reading progress")
def list_standards(request: HttpRequest):
    """Published standards owned by my unit or any unit above it (a city standard is offered to everyone)."""
    _staff(request)
    return list(selectors.standards_offered(request.user))


@router.get("/standards/{code}", response=StandardDetailOut, summary="One standard with its clause tree")
def get_standard(request: HttpRequest, code: str):
    _staff(request)
    standard = selectors.standard_offered_or_404(request.user, code)
    standard.clause_tree = [_node(item) for item in selectors.outline(standard.current_version, request.user)]
    return standard


@router.get("/clauses", response=list[SearchHitOut], summary="Search the clauses of the standards offered to me")
def search_clauses(request: HttpRequest, q: str = Query(..., min_length=1, max_length=100,
                                                         description="Words that must all appear (Chinese works)")):
    """Substring search over heading, body and code of the current versions; at most 50 hits."""
    _staff(request)
    return [{"code": h.revision.clause.code, "heading": h.revision.heading,
             "snippet": "".join(part for _hit, part in h.snippet),
             "standard": {"code": h.revision.version.standard.code, "title": h.revision.version.standard.title}}
            for h in selectors.clause_search(request.user, q)]


@router.get("/clauses/{code}", response=ClauseOut, summary="A clause's current text and my read state")
def get_clause(request: HttpRequest, code: str):
    _staff(request)
    r = selectors.clause_reading(request.user, code)
    read = ClauseRead.objects.filter(staff=request.user, revision=r.revision).first()
    return {"code": r.clause.code, "heading": r.revision.heading, "body": r.revision.body, "depth": r.revision.depth,
            "standard": r.standard, "version": r.version, "is_current": r.is_current,
            "parent_code": r.ancestors[-1].code if r.ancestors else None,
            "previous_code": r.previous.code if r.previous else None,
            "next_code": r.next.code if r.next else None,
            "read": read is not None, "read_at": read.read_at if read else None,
            "question_count": selectors.questions_testing_count(r.clause, request.user)}


@router.post("/clauses/{code}/read", response=ReadOut, summary="Mark a clause read (idempotent)")
def read_clause(request: HttpRequest, code: str):
    """Records that I read the clause's current wording; sending it again changes nothing."""
    _staff(request)
    r = selectors.clause_reading(request.user, code)
    read = services.clause_mark_read(staff=request.user, revision=r.revision)
    return {"code": r.clause.code, "read": True, "read_at": read.read_at}

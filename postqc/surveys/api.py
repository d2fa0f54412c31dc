"""/api/v1/ endpoints of the satisfaction surveys.

Public (no token): an outlet's QR token gives the questionnaire (nothing internal in it: no
weights, dimensions, clauses or ids) and takes a customer's response, rate-limited per client
IP like the QR page (the two share the count) and once per device per outlet per day.

Internal (token): the surveys I may open, a survey's index by unit / dimension / outlet / …
(only responses in my subtree count) and interviewer-mode submission with a client id, so a
resend after a dropped connection returns the first response (200) instead of a second (201).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from axes.helpers import get_client_ip_address
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from postqc.core.access import get_scoped_or_404, require
from postqc.org.models import Outlet
from postqc.org.roles import Capability

from . import index, selectors, services
from .models import OutletLink, Response, Survey

router = Router(tags=["surveys"])


# --- Schemas ------------------------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    text: str
    scale_min: int
    scale_max: int
    labels: dict[str, str] = Field(..., description="Score → label, e.g. {\"1\": \"很不满意\"}")
    allow_na: bool = Field(..., description="May be answered 不适用 (send null)")


class PartOut(Schema):
    code: str
    title: str
    items: list[ItemOut]


class ProfileQuestionOut(Schema):
    code: str
    text: str
    choices: list[list[str]] = Field(..., description="[[value, label], …]")
    multiple: bool
    required: bool


class PublicFormOut(Schema):
    survey: str = Field(..., description="The survey's title")
    year: int
    intro: str
    outlet: str = Field(..., description="The outlet's name")
    parts: list[PartOut]
    profile: list[ProfileQuestionOut]


class PublicResponseIn(Schema):
    client_id: UUID = Field(..., description="Made by the client once per questionnaire; resend it unchanged")
    device_id: str = Field(..., min_length=16, max_length=64,
                           description="A random id the client keeps (like the page's cookie): one response "
                                       "per device per outlet per day")
    ratings: dict[str, int | None] = Field(..., description="Item code → score, or null for 不适用")
    profile: dict[str, str | list[str]] = Field(default_factory=dict)
    comment: str = ""
    started_at: datetime | None = Field(None, description="When the customer opened the form")


class SubmittedOut(Schema):
    code: UUID
    replayed: bool = Field(..., description="True when this client_id had been received before")
    status: str


class InterviewIn(Schema):
    outlet: str = Field(..., description="The outlet's code")
    client_id: UUID
    ratings: dict[str, int | None]
    profile: dict[str, str | list[str]] = Field(default_factory=dict)
    comment: str = ""
    started_at: datetime | None = None


class SurveyOut(Schema):
    code: str
    title: str
    year: int
    period: str
    status: str
    unit: str
    target_index: Decimal | None
    opens_on: date | None
    closes_on: date | None
    frozen: bool


class EstimateOut(Schema):
    value: float | None
    low: float | None = Field(None, description="95% interval")
    high: float | None = None
    n: int


class DimensionOut(Schema):
    code: str
    name: str
    weight: float


class RowOut(Schema):
    key: str
    label: str
    n: int
    ranked: bool = Field(..., description="False when n < 30: shown, not ranked")
    rank: int | None
    overall: EstimateOut
    dims: dict[str, EstimateOut]


class IndexOut(Schema):
    survey: str
    by: str
    dimensions: list[DimensionOut]
    rows: list[RowOut]


class IndexQuery(Schema):
    by: str = Field("unit", description="city | unit | branch | outlet | grade | area_type | channel | quarter | "
                                        "dimension | a profile question's code (sex, age, …)")


# --- Public -------------------------------------------------------------------------------------


def _public(token: str) -> tuple[OutletLink, Survey]:
    link = get_object_or_404(OutletLink.objects.select_related("outlet"), token=token)
    survey = services.current_survey_for(link.outlet) if link.outlet.status == Outlet.Status.OPEN else None
    if survey is None:
        raise Http404("No survey is being collected at this outlet now.")
    return link, survey


@router.get("/surveys/public/{token}", response=PublicFormOut, auth=None,
            summary="The questionnaire behind an outlet's QR code (public)")
def public_form(request: HttpRequest, token: str):
    link, survey = _public(token)
    items = list(survey.items.order_by("position", "pk"))
    parts = [{"code": p.code, "title": p.title,
              "items": [{"code": i.code, "text": i.text, "scale_min": i.scale_min, "scale_max": i.scale_max,
                         "labels": {str(k): str(v) for k, v in i.scale_labels.items()}, "allow_na": i.allow_na}
                        for i in items if i.part_id == p.pk]}
             for p in survey.parts.order_by("position", "pk")]
    profile = [{"code": q.code, "text": q.text, "choices": [[str(c), str(label)] for c, label in q.choices],
                "multiple": q.multiple, "required": q.required}
               for q in survey.profile_questions.order_by("position", "pk")]
    return {"survey": survey.title, "year": survey.year, "intro": survey.intro, "outlet": link.outlet.name,
            "parts": parts, "profile": profile}


@router.post("/surveys/public/{token}/responses", response={200: SubmittedOut, 201: SubmittedOut}, auth=None,
             summary="Submit a customer's questionnaire (public; rate-limited; once per device per outlet per day)")
def public_submit(request: HttpRequest, token: str, payload: PublicResponseIn):
    link, survey = _public(token)
    if services.public_rate_exceeded(ip=get_client_ip_address(request) or ""):
        raise HttpError(429, f"Too many submissions from your network: try again in "
                             f"{services.PUBLIC_RATE_WINDOW // 60} minutes.")
    try:
        response, replayed = services.response_submit(
            survey=survey, outlet=link.outlet, channel=Response.Channel.QR, ratings=payload.ratings,
            profile=payload.profile, comment=payload.comment, client_id=payload.client_id,
            device_hash=services.device_hash_for(payload.device_id, link.outlet), started_at=payload.started_at)
    except ValidationError as exc:
        if "device" in getattr(exc, "error_dict", {}):
            raise HttpError(409, " ".join(exc.message_dict["device"])) from None
        raise
    return Status(200 if replayed else 201, {"code": response.code, "replayed": replayed, "status": response.status})


# --- Internal -----------------------------------------------------------------------------------


def _survey(request: HttpRequest, code: str) -> Survey:
    survey = selectors.surveys_for(request.user).filter(code=code).first()
    if survey is None:
        raise Http404(f"No survey {code!r} (or it is outside your unit).")
    return survey


@router.get("/surveys", response=list[SurveyOut], summary="Surveys I may open, newest first")
def survey_list(request: HttpRequest):
    return [{"code": s.code, "title": s.title, "year": s.year, "period": s.period, "status": s.status,
             "unit": s.unit.name, "target_index": s.target_index, "opens_on": s.opens_on, "closes_on": s.closes_on,
             "frozen": s.is_frozen} for s in selectors.surveys_for(request.user)]


def _estimate(e: index.Estimate) -> dict:
    return {"value": e.value, "low": e.low, "high": e.high, "n": e.n}


@router.get("/surveys/{code}/index", response=IndexOut,
            summary="The index by unit / outlet / … or by dimension, with n and 95% intervals (my subtree)")
def survey_index(request: HttpRequest, code: str, query: Query[IndexQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    survey = _survey(request, code)
    by = query.by
    allowed = set(index.BY_FIELDS) | {"dimension"} | set(survey.profile_questions.values_list("code", flat=True))
    if by not in allowed:
        raise HttpError(422, f"Invalid input: by: use one of {', '.join(sorted(allowed))}.")
    if by == "dimension":
        table = index.compute(survey, by="city", user=request.user)
        whole = table.rows[0] if table.rows else None
        rows = [{"key": c, "label": name, "n": whole.dims[c].n if whole else 0, "ranked": False, "rank": None,
                 "overall": _estimate(whole.dims[c] if whole else index.EMPTY), "dims": {}}
                for c, name, _w in table.dimensions]
    else:
        table = index.compute(survey, by=by, user=request.user)
        rows = [{"key": r.key, "label": r.label, "n": r.n, "ranked": r.ranked, "rank": r.rank,
                 "overall": _estimate(r.overall), "dims": {c: _estimate(e) for c, e in r.dims.items()}}
                for r in table.rows]
    return {"survey": survey.code, "by": by, "rows": rows,
            "dimensions": [{"code": c, "name": n, "weight": w} for c, n, w in table.dimensions]}


@router.post("/surveys/{code}/responses", response={200: SubmittedOut, 201: SubmittedOut},
             summary="Submit a questionnaire in interviewer mode (resend with the same client_id is safe)")
def interview_submit(request: HttpRequest, code: str, payload: InterviewIn):
    require(request.user, Capability.COLLECT_SURVEYS)
    survey = _survey(request, code)
    outlet = get_scoped_or_404(Outlet.objects.all(), request.user, code=payload.outlet)
    response, replayed = services.response_submit(
        survey=survey, outlet=outlet, channel=Response.Channel.INTERVIEWER, ratings=payload.ratings,
        profile=payload.profile, comment=payload.comment, client_id=payload.client_id, interviewer=request.user,
        started_at=payload.started_at)
    return Status(200 if replayed else 201, {"code": response.code, "replayed": replayed, "status": response.status})


"""/api/v1/delivery: 投递质量 — compliance by unit, segments, the rules in force, logging a run,
importing records. Scoped: units and segments outside my subtree answer 404."""
from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from postqc.core.access import get_scoped_or_404, require, scoped
from postqc.learning.stats import managed_unit
from postqc.org.models import Unit
from postqc.org.roles import Capability

from . import rules, selectors, services
from .models import DeliveryRecord, Segment

router = Router(tags=["delivery"])
MAX_SEGMENTS = 1000


class FiguresOut(Schema):
    segments: int
    weeks: int = Field(..., description="segment-weeks counted")
    weeks_met: int
    frequency_rate: float | None = Field(..., description="频次达标率: weeks_met ÷ weeks, percent")
    depth_ok: int
    bad_runs: int = Field(..., description="runs handed over at a point the depth rule does not accept")
    depth_rate: float | None = Field(..., description="深度达标率: depth_ok ÷ segments, percent")
    delivered: int
    on_time: int
    time_rate: float | None = Field(..., description="时限达标率: on_time ÷ delivered, percent")


class UnitFiguresOut(FiguresOut):
    unit: str
    unit_name: str


class SegmentStandingOut(FiguresOut):
    segment: str
    name: str
    unit: str = Field(..., description="The unit these figures count in: the segment's at the time. A segment "
                                       "moved in the period has a row for each unit of the subtree it belonged to")
    moved: bool = Field(..., description="True when the segment now belongs to another unit than `unit`")
    courier: str | None = Field(..., description="The courier's employee number: the segment's own, or on a row of a "
                                                 "unit it has left, the one who ran its last run there")
    area_type: str = Field(..., description="The area type the period was judged by (the segment's at the "
                                            "period's end, or on its last day in use in the period)")
    handover_point: str = Field(..., description="The registered handover point the period was judged by, likewise")
    point_ok: bool
    judged_otherwise: bool = Field(..., description="True when some figure of the period judged the segment by "
                                                    "terms other than today's (see its changes)")
    failing: bool


class ComplianceOut(Schema):
    unit: str
    period: str
    first: dt.date
    last: dt.date
    total: FiguresOut
    children: list[UnitFiguresOut]
    segments: list[SegmentStandingOut]


class ComplianceQuery(Schema):
    unit: str = Field("", description="A unit code in my subtree (default: my unit)")
    period: str = Field("month", description="week, month or year")
    on: dt.date | None = Field(None, description="A day in the period (default: the latest with a finished week)")
    failing: bool = Field(False, description="Only the segments failing anything")


class SegmentOut(Schema):
    code: str
    name: str
    unit: str
    area_type: str
    courier: str | None = Field(..., description="The courier's employee number")
    vehicle: str | None
    handover_point: str
    planned_per_week: int
    households: int
    in_service_from: dt.date
    is_active: bool


class SegmentQuery(Schema):
    unit: str = ""
    area: str = ""
    q: str = ""
    active: str = Field("1", description="1 in use, 0 retired, all")


class RunIn(Schema):
    segment: str
    delivered_on: dt.date
    run_no: int | None = Field(None, description="Default: the day's next run")
    ordinary: int
    tracked: int
    delivered: int
    on_time: int
    handover_point: str = Field("", description="Default: the segment's own")
    note: str = ""


class RunCorrectIn(Schema):
    segment: str
    delivered_on: dt.date
    run_no: int
    ordinary: int
    tracked: int
    delivered: int
    on_time: int
    handover_point: str
    note: str = ""
    reason: str = Field(..., description="Why the run is corrected (required)")


class RunWithdrawIn(Schema):
    segment: str
    delivered_on: dt.date
    run_no: int
    reason: str = Field(..., description="Why the run is withdrawn: it did not take place (required)")


class RunOut(Schema):
    segment: str
    delivered_on: dt.date
    run_no: int
    courier: str | None
    ordinary: int
    tracked: int
    delivered: int
    on_time: int
    handover_point: str
    note: str
    source: str
    correction_reason: str = ""
    withdrawn: bool = False
    withdrawal_reason: str = ""


class ImportOut(Schema):
    job: UUID
    status: str
    result: dict


def _figures(f: selectors.Figures) -> dict:
    return {"segments": f.segments, "weeks": f.weeks, "weeks_met": f.weeks_met, "frequency_rate": f.frequency_rate,
            "depth_ok": f.depth_ok, "bad_runs": f.bad_runs, "depth_rate": f.depth_rate, "delivered": f.delivered,
            "on_time": f.on_time, "time_rate": f.time_rate}


@router.get("/delivery/compliance", response=ComplianceOut, summary="频次 / 深度 / 时限 达标率 of a unit, its children and segments")
def compliance(request: HttpRequest, query: Query[ComplianceQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, query.unit.strip())
    today = timezone.localdate()
    period = selectors.period_from(query.period, f"{query.on:%Y-%m-%d}" if query.on else "", today)
    total, by_child, rows = selectors.compliance_by_child(unit, period, today)
    children = Unit.objects.filter(pk__in=list(by_child)).order_by("sort_order", "code")
    return {"unit": unit.code, "period": period.kind, "first": period.first, "last": period.last,
            "total": _figures(total),
            "children": [{**_figures(by_child[u.pk]), "unit": u.code, "unit_name": u.name} for u in children],
            "segments": [{**_figures(r.figures), "segment": r.segment.code, "name": r.segment.name,
                          "unit": r.unit.code, "moved": r.moved,
                          "courier": r.courier.employee_no if r.courier else None, "area_type": r.terms.area_type,
                          "handover_point": r.terms.handover_point, "point_ok": bool(r.figures.point_ok),
                          "judged_otherwise": r.judged_otherwise, "failing": r.failing} for r in rows if r.failing or not query.failing]}


@router.get("/delivery/segments", response=list[SegmentOut], summary="Segments of my subtree (at most 1000)")
def segment_list(request: HttpRequest, query: Query[SegmentQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    qs = scoped(Segment.objects.all(), request.user)
    if query.unit:
        unit = managed_unit(request.user, query.unit.strip())
        qs = qs.filter(pk__in=selectors.segments_in(unit).values("pk"))
    qs = selectors.segment_list(qs, area=query.area, q=query.q.strip(), active=query.active)
    return [{"code": s.code, "name": s.name, "unit": s.unit.code, "area_type": s.area_type,
             "courier": s.courier.employee_no if s.courier else None,
             "vehicle": s.vehicle.plate_no if s.vehicle else None, "handover_point": s.handover_point,
             "planned_per_week": s.planned_per_week, "households": s.households,
             "in_service_from": s.in_service_from, "is_active": s.is_active} for s in qs[:MAX_SEGMENTS]]


class SegmentChangeOut(Schema):
    changed_at: dt.datetime
    kind: str = Field(..., description="created, edited, deactivated or reactivated")
    changed_by: str | None = Field(..., description="The employee number of who made the change")
    changes: dict[str, list] = Field(..., description="field → [old, new], as stored then (codes, ISO dates, "
                                                      "and the text that named the unit, courier or vehicle)")
    note: str = Field(..., description="Why, as the person who made the change gave it (may be empty)")


@router.get("/delivery/segments/{code}/changes", response=list[SegmentChangeOut],
            summary="A segment's history of changes, newest first")
def segment_changes(request: HttpRequest, code: str):
    require(request.user, Capability.VIEW_MANAGE)
    segment = get_scoped_or_404(Segment.objects.all(), request.user, code=code)
    return [{"changed_at": c.changed_at, "kind": c.kind, "changes": c.changes, "note": c.note,
             "changed_by": c.changed_by.employee_no if c.changed_by else None}
            for c in segment.changes.select_related("changed_by")]


@router.get("/delivery/rules", summary="The frequency, depth and time-limit rules in force for a unit")
def rules_get(request: HttpRequest, unit: str = "", on: dt.date | None = None):
    require(request.user, Capability.VIEW_MANAGE)
    found = managed_unit(request.user, unit.strip())
    in_force = rules.rules_in_force(found, on or timezone.localdate())
    return {
        "unit": found.code,
        "frequency": {a: ({"days_per_week": r.days_per_week, "runs_per_week": r.runs_per_week,
                           "effective_from": r.effective_from} if r else None) for a, r in in_force["frequency"].items()},
        "depth": {a: ({"accepted": r.accepted, "tracked_to_door": r.tracked_to_door,
                       "effective_from": r.effective_from} if r else None) for a, r in in_force["depth"].items()},
        "time_limits": [{"mail_class": mc, "route": route, "days": days}
                        for (mc, route), days in sorted(in_force["time_limits"].as_dict().items())],
    }


def _run(r: DeliveryRecord) -> dict:
    return {"segment": r.segment.code, "delivered_on": r.delivered_on, "run_no": r.run_no,
            "courier": r.courier.employee_no if r.courier else None, "ordinary": r.ordinary, "tracked": r.tracked,
            "delivered": r.delivered, "on_time": r.on_time, "handover_point": r.handover_point, "note": r.note,
            "source": r.source, "correction_reason": r.correction_reason, "withdrawn": r.withdrawn_by_id is not None,
            "withdrawal_reason": r.withdrawal_reason}


@router.post("/delivery/runs", response={201: RunOut}, summary="Log one delivery run")
def run_create(request: HttpRequest, payload: RunIn):
    """A courier logs their own segments; a branch head or quality manager any of their subtree's.
    Errors are named by field; a run already recorded is an error (records are never overwritten)."""
    require(request.user, Capability.LOG_DELIVERY)
    segment = get_scoped_or_404(Segment.objects.select_related("courier"), request.user, code=payload.segment)
    record = services.run_log(actor=request.user, segment=segment, delivered_on=payload.delivered_on,
                              run_no=payload.run_no, ordinary=payload.ordinary, tracked=payload.tracked,
                              delivered=payload.delivered, on_time=payload.on_time,
                              handover_point=payload.handover_point, note=payload.note,
                              source=DeliveryRecord.Source.API)
    return Status(201, _run(DeliveryRecord.objects.select_related("segment", "courier").get(pk=record.pk)))


@router.post("/delivery/runs/withdraw", response=RunOut, summary="Withdraw a run that did not take place (kept)")
def run_withdraw(request: HttpRequest, payload: RunWithdrawIn):
    """The run (segment, day, run number) in force is marked withdrawn with the reason and leaves every
    figure; the record stays. Who may: as for a correction."""
    segment = get_scoped_or_404(Segment.objects.all(), request.user, code=payload.segment)
    record = get_object_or_404(DeliveryRecord.current.select_related("segment"), segment=segment,
                               delivered_on=payload.delivered_on, run_no=payload.run_no)
    services.run_withdraw(actor=request.user, record=record, reason=payload.reason)
    return _run(DeliveryRecord.objects.select_related("segment", "courier").get(pk=record.pk))


@router.post("/delivery/runs/correct", response={201: RunOut}, summary="Correct a recorded run (the old one is kept)")
def run_correct(request: HttpRequest, payload: RunCorrectIn):
    """The run (segment, day, run number) in force is marked superseded and the corrected one added with
    the reason. A delivery manager corrects any run of their subtree, a courier their own of the last 7 days."""
    segment = get_scoped_or_404(Segment.objects.all(), request.user, code=payload.segment)
    record = get_object_or_404(DeliveryRecord.current.select_related("segment"), segment=segment,
                               delivered_on=payload.delivered_on, run_no=payload.run_no)
    corrected = services.run_correct(actor=request.user, record=record, ordinary=payload.ordinary,
                                     tracked=payload.tracked, delivered=payload.delivered, on_time=payload.on_time,
                                     handover_point=payload.handover_point, note=payload.note, reason=payload.reason,
                                     source=DeliveryRecord.Source.API)
    return Status(201, _run(DeliveryRecord.objects.select_related("segment", "courier").get(pk=corrected.pk)))


@router.post("/delivery/records/import", response={202: ImportOut}, summary="Import delivery records (CSV or .xlsx) as a job")
def records_import(request: HttpRequest, file: File[UploadedFile], skip_invalid: Form[bool] = False,
                   dry_run: Form[bool] = False):
    """Starts the same background job as the upload page; poll the job page (or read `result` when the
    server runs jobs inline). All or nothing unless skip_invalid; errors by row and column."""
    from postqc.core.models import Job

    from .views import start_record_import

    job = start_record_import(actor=request.user, upload=file, skip_invalid=skip_invalid, dry_run=dry_run)
    job = Job.objects.get(pk=job.pk)
    return Status(202, {"job": job.code, "status": job.status, "result": job.result})

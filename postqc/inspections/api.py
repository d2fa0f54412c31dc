"""/api/v1/inspections: 达标率 by unit, an outlet's checklist, recording an inspection, one inspection;
/api/v1/findings (整改), /api/v1/bulletins (通报), /api/v1/ledger (奖惩).
Scoped: outlets and units outside my subtree answer 404."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from postqc.core.access import get_scoped_or_404, require
from postqc.learning.stats import managed_unit
from postqc.org.models import Outlet, Staff, Unit
from postqc.org.roles import Capability

from . import accountability, checklists, facilities, rectification, selectors, services
from .models import Bulletin, Finding, Inspection, LedgerEntry

router = Router(tags=["inspections"])


class ComplianceOut(Schema):
    outlets: int
    inspected: int
    passed: int
    rate: float | None = Field(..., description="达标率: passed ÷ inspected, percent")
    coverage: float | None = Field(..., description="inspected ÷ outlets, percent")


class UnitComplianceOut(ComplianceOut):
    unit: str
    unit_name: str


class OutletStandingOut(Schema):
    outlet: str
    outlet_name: str
    grade: str
    inspected_on: dt.date | None = Field(..., description="The year's latest 抽查 (none: not inspected)")
    rate: Decimal | None
    passed: bool | None
    inspection: UUID | None


class CompliancePageOut(Schema):
    unit: str
    year: int
    total: ComplianceOut
    children: list[UnitComplianceOut]
    outlets: list[OutletStandingOut]


class ComplianceQuery(Schema):
    unit: str = Field("", description="A unit code in my subtree (default: my unit)")
    year: int | None = Field(None, ge=2000, le=2100)


class ItemOut(Schema):
    code: str
    section: str
    text: str
    clause: str | None
    critical: bool
    allow_na: bool


class ChecklistOut(Schema):
    checklist: str
    name: str
    version: int
    pass_rate: Decimal
    items: list[ItemOut]


class ResultIn(Schema):
    item: str
    value: str = Field(..., description="met, not_met or na")
    note: str = ""


class InspectionIn(Schema):
    outlet: str
    kind: str = Field(..., description="spot (抽查) or self (自查)")
    inspected_on: dt.date
    results: list[ResultIn]
    note: str = ""


class ResultOut(Schema):
    item: str
    value: str
    note: str


class InspectionOut(Schema):
    code: UUID
    outlet: str
    kind: str
    inspected_on: dt.date
    inspector: str
    checklist: str
    version: int
    applicable: int
    met: int
    critical_failed: int
    rate: Decimal
    passed: bool
    results: list[ResultOut]


def _compliance(c: selectors.Compliance) -> dict:
    return {"outlets": c.outlets, "inspected": c.inspected, "passed": c.passed, "rate": c.rate,
            "coverage": c.coverage}


def _inspection(i: Inspection) -> dict:
    return {"code": i.code, "outlet": i.outlet.code, "kind": i.kind, "inspected_on": i.inspected_on,
            "inspector": i.inspector.employee_no, "checklist": i.version.checklist.code, "version": i.version.number,
            "applicable": i.applicable, "met": i.met, "critical_failed": i.critical_failed, "rate": i.rate,
            "passed": i.passed,
            "results": [{"item": r.item.code, "value": r.value, "note": r.note}
                        for r in i.results.select_related("item").order_by("item__position")]}


@router.get("/inspections/compliance", response=CompliancePageOut, summary="达标率 of a unit, its children and outlets")
def compliance(request: HttpRequest, query: Query[ComplianceQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, query.unit.strip())
    year = query.year or timezone.localdate().year
    total, by_child, rows = selectors.compliance_by_child(unit, year)
    children = {u.pk: u for u in Unit.objects.filter(pk__in=by_child).order_by("sort_order", "code")}
    return {"unit": unit.code, "year": year, "total": _compliance(total),
            "children": [{**_compliance(by_child[pk]), "unit": u.code, "unit_name": u.name} for pk, u in children.items()],
            "outlets": [{"outlet": r.outlet.code, "outlet_name": r.outlet.name, "grade": r.outlet.grade,
                         "inspected_on": r.counted.inspected_on if r.counted else None,
                         "rate": r.counted.rate if r.counted else None,
                         "passed": r.counted.passed if r.counted else None,
                         "inspection": r.counted.code if r.counted else None} for r in rows]}


class SignalOut(Schema):
    dimension: str
    name: str
    score: float
    drop: float | None = Field(..., description="The fall since the previous survey, when significant (negative)")
    below_city: float | None = Field(..., description="The gap to the whole survey, when significantly below (negative)")


class PriorityOut(Schema):
    outlet: str
    outlet_name: str
    unit: str
    grade: str
    inspection: UUID | None = Field(..., description="The latest 抽查 of the year")
    passed: bool | None
    overdue_findings: int
    signals: list[SignalOut]
    score: int
    reasons: list[str]


class PrioritiesOut(Schema):
    unit: str
    year: int
    survey: str | None = Field(..., description="The survey the signals come from")
    outlets: list[PriorityOut]


@router.get("/inspections/priorities", response=PrioritiesOut,
            summary="抽查优先: a unit's outlets, most in need of a spot check first, with the points' reasons")
def priorities(request: HttpRequest, query: Query[ComplianceQuery]):
    require(request.user, Capability.VIEW_MANAGE)
    unit = managed_unit(request.user, query.unit.strip())
    year = query.year or timezone.localdate().year
    survey, rows = selectors.priorities(unit, year, timezone.localdate())
    return {"unit": unit.code, "year": year, "survey": survey.code if survey else None,
            "outlets": [{"outlet": p.outlet.code, "outlet_name": p.outlet.name, "unit": p.outlet.unit.code,
                         "grade": p.outlet.grade, "inspection": p.counted.code if p.counted else None,
                         "passed": p.counted.passed if p.counted else None, "overdue_findings": p.overdue,
                         "signals": [{"dimension": s.code, "name": s.name, "score": s.score, "drop": s.drop,
                                      "below_city": s.below_city} for s in p.signals],
                         "score": p.score, "reasons": p.reasons()} for p in rows]}


class KindCoverageOut(Schema):
    kind: str
    name: str
    measure: str
    required_grades: str = Field(..., description="Grades that must have it in service, e.g. \"123\"; empty: optional")
    required: int = Field(..., description="Open outlets whose grade requires it")
    equipped: int = Field(..., description="Of those, with it in service (quantity > 0, status 正常)")
    rate: float | None
    faulty: int = Field(..., description="Outlets (any grade) with it faulty")
    in_service: int = Field(..., description="Units in service across the outlets")


class OutletGapOut(Schema):
    outlet: str
    outlet_name: str
    unit: str
    grade: str
    missing: list[str] = Field(..., description="Kind codes required for its grade and not in service")
    faulty: list[str]


class FacilityRegisterOut(Schema):
    unit: str
    outlets: int
    required: int = Field(..., description="(open outlet, required kind) pairs")
    equipped: int
    rate: float | None = Field(..., description="设施配齐率, percent")
    kinds: list[KindCoverageOut]
    incomplete: list[OutletGapOut] = Field(..., description="The outlets not 配齐")


class FacilityOut(Schema):
    kind: str
    name: str
    measure: str
    required: bool
    quantity: int | None = Field(..., description="null: never recorded")
    status: str | None = Field(..., description="in_service (正常), faulty (故障) or retired (停用)")
    installed_on: dt.date | None
    note: str
    in_service: bool


class OutletFacilitiesOut(Schema):
    outlet: str
    outlet_name: str
    grade: str
    complete: bool
    facilities: list[FacilityOut]


class FacilityIn(Schema):
    quantity: int | None = Field(None, description="0 when there is none any more; null leaves an unrecorded kind alone")
    status: str = "in_service"
    installed_on: dt.date | None = None
    note: str = ""


class OutletFacilitiesIn(Schema):
    facilities: dict[str, FacilityIn] = Field(..., description="By kind code; kinds left out are not changed")


class FacilitiesSavedOut(OutletFacilitiesOut):
    changed: int


@router.get("/inspections/facilities", response=FacilityRegisterOut,
            summary="设施设备台账: a unit's coverage per kind and the outlets not 配齐")
def facility_register(request: HttpRequest, unit: str = ""):
    require(request.user, Capability.VIEW_MANAGE)
    found = managed_unit(request.user, unit.strip())
    data = facilities.register_of(found)
    return {"unit": found.code, "outlets": len(data.states), "required": data.pairs.required,
            "equipped": data.pairs.equipped, "rate": data.pairs.rate,
            "kinds": [{"kind": c.kind.code, "name": c.kind.name, "measure": c.kind.measure,
                       "required_grades": c.kind.required_grades, "required": c.required, "equipped": c.equipped,
                       "rate": c.rate, "faulty": c.faulty, "in_service": c.in_service} for c in data.coverage],
            "incomplete": [{"outlet": s.outlet.code, "outlet_name": s.outlet.name, "unit": s.outlet.unit.code,
                            "grade": s.outlet.grade, "missing": [k.code for k in s.missing],
                            "faulty": [k.code for k in s.faulty]} for s in data.states if not s.complete]}


def _outlet_facilities(outlet: Outlet) -> dict:
    kinds = facilities.kinds()
    state = facilities.outlet_states([outlet], kinds)[outlet.pk]
    rows = []
    for k in kinds:
        r = state.records.get(k.pk)
        rows.append({"kind": k.code, "name": k.name, "measure": k.measure, "required": k.required_for(outlet.grade),
                     "quantity": r.quantity if r else None, "status": r.status if r else None,
                     "installed_on": r.installed_on if r else None, "note": r.note if r else "",
                     "in_service": bool(r and r.in_service)})
    return {"outlet": outlet.code, "outlet_name": outlet.name, "grade": outlet.grade, "complete": state.complete,
            "facilities": rows}


@router.get("/inspections/facilities/{outlet}", response=OutletFacilitiesOut, summary="One outlet's facilities")
def outlet_facilities(request: HttpRequest, outlet: str):
    require(request.user, Capability.VIEW_MANAGE)
    return _outlet_facilities(get_scoped_or_404(Outlet.objects.all(), request.user, code=outlet))


@router.put("/inspections/facilities/{outlet}", response=FacilitiesSavedOut,
            summary="Record an outlet's facilities (only what changed is written, each change kept)")
def outlet_facilities_put(request: HttpRequest, outlet: str, payload: OutletFacilitiesIn):
    """All or nothing; errors are named by kind code. Needs `edit_outlets`."""
    require(request.user, Capability.EDIT_OUTLETS)
    found = get_scoped_or_404(Outlet.objects.all(), request.user, code=outlet)
    changed = facilities.facilities_save(actor=request.user, outlet=found, source="api",
                                         entries={code: f.model_dump() for code, f in payload.facilities.items()})
    return {**_outlet_facilities(found), "changed": changed}


@router.get("/inspections/checklist", response=ChecklistOut, summary="The checklist an outlet is inspected against")
def checklist_for(request: HttpRequest, outlet: str):
    require(request.user, Capability.SELF_INSPECT)
    found = get_scoped_or_404(Outlet.objects.all(), request.user, code=outlet)
    version = checklists.version_for(found)
    if version is None:
        raise Http404("No checklist in force for this outlet's grade.")
    return {"checklist": version.checklist.code, "name": version.checklist.name, "version": version.number,
            "pass_rate": version.pass_rate,
            "items": [{"code": i.code, "section": i.section, "text": i.text, "clause": i.clause.code if i.clause else None,
                       "critical": i.critical, "allow_na": i.allow_na} for i in version.items.select_related("clause")]}


@router.post("/inspections", response={201: InspectionOut}, summary="Record an inspection (all items at once)")
def inspection_create(request: HttpRequest, payload: InspectionIn):
    """A 抽查 needs `manage_inspections`, a 自查 `self_inspect`. Every item of the checklist in force
    must have a result; errors are named by item code. The figures are computed on the server."""
    found = get_scoped_or_404(Outlet.objects.select_related("unit"), request.user, code=payload.outlet)
    inspection = services.inspection_submit(
        outlet=found, kind=payload.kind, inspector=request.user, inspected_on=payload.inspected_on,
        results={r.item: (r.value, r.note) for r in payload.results}, note=payload.note)
    inspection = Inspection.objects.select_related("outlet", "inspector", "version__checklist").get(pk=inspection.pk)
    return Status(201, _inspection(inspection))


@router.get("/inspections/{code}", response=InspectionOut, summary="One inspection with its results")
def inspection_get(request: HttpRequest, code: UUID):
    if not (request.user.can(Capability.VIEW_MANAGE) or request.user.can(Capability.SELF_INSPECT)):
        raise PermissionDenied("Your roles do not allow: view_manage or self_inspect")
    inspection = get_scoped_or_404(Inspection.objects.select_related("outlet", "inspector", "version__checklist"),
                                   request.user, code=code)
    return _inspection(inspection)


# --- 整改 --------------------------------------------------------------------------------------------


class FindingOut(Schema):
    code: UUID
    outlet: str
    outlet_name: str
    item: str
    item_text: str
    problem: str
    critical: bool
    assignee: str = Field(..., description="整改责任人's employee number")
    verifier: str = Field(..., description="验证人's employee number")
    deadline: dt.date
    status: str = Field(..., description="open, submitted or closed")
    overdue: bool
    repeats: int = Field(..., description="Earlier findings of the same item at this outlet within a year")
    escalated: bool


class MyFindingsOut(Schema):
    to_fix: list[FindingOut]
    to_verify: list[FindingOut]


class SubmitIn(Schema):
    note: str = Field(..., description="What was done")


class VerifyIn(Schema):
    accepted: bool
    note: str = ""
    deadline: dt.date | None = Field(None, description="The new deadline when not accepted")


def _finding(f) -> dict:
    today = timezone.localdate()
    return {"code": f.code, "outlet": f.outlet.code, "outlet_name": f.outlet.name, "item": f.item_code,
            "item_text": f.result.item.text, "problem": f.result.note, "critical": f.critical,
            "assignee": f.assignee.employee_no, "verifier": f.verifier.employee_no, "deadline": f.deadline,
            "status": f.status, "overdue": f.status != "closed" and f.deadline < today, "repeats": f.repeats,
            "escalated": f.escalated}


@router.get("/findings/mine", response=MyFindingsOut, summary="My 整改: what I must fix and what I must verify")
def findings_mine(request: HttpRequest):
    fix, verify = rectification.my_tasks(request.user)
    fix, verify = (qs.select_related("assignee", "verifier") for qs in (fix, verify))
    return {"to_fix": [_finding(f) for f in fix], "to_verify": [_finding(f) for f in verify]}


@router.post("/findings/{code}/submit", response=FindingOut, summary="Report the fix (the assignee)")
def finding_submit(request: HttpRequest, code: UUID, payload: SubmitIn):
    finding = rectification.finding_submit(finding=rectification.finding_for(request.user, code), actor=request.user, note=payload.note)
    return _finding(rectification.finding_for(request.user, finding.code))


@router.post("/findings/{code}/verify", response=FindingOut, summary="Accept (close) or return a fix (not the assignee)")
def finding_verify(request: HttpRequest, code: UUID, payload: VerifyIn):
    finding = rectification.finding_verify(finding=rectification.finding_for(request.user, code), actor=request.user, accepted=payload.accepted,
                     note=payload.note, deadline=payload.deadline)
    return _finding(rectification.finding_for(request.user, finding.code))


# --- 通报 and 奖惩 -------------------------------------------------------------------------------------


class BulletinEntryOut(Schema):
    tone: str = Field(..., description="praise, criticism or note")
    text: str
    unit: str
    outlet: str | None
    person: str | None = Field(..., description="The employee number of the person named")


class BulletinOut(Schema):
    code: UUID
    number: str = Field(..., description="文号, e.g. 〔2026〕3 号; empty for a draft")
    unit: str
    unit_name: str
    kind: str
    title: str
    body: str
    status: str
    issued_at: dt.datetime | None
    read: bool = Field(..., description="Whether I have opened it")
    corrects: UUID | None = Field(..., description="The bulletin this one corrects")
    entries: list[BulletinEntryOut] | None = Field(None, description="Given for one bulletin, not in lists")


def _bulletin(b, *, read: bool, entries=None) -> dict:
    out = {"code": b.code, "number": b.number, "unit": b.unit.code, "unit_name": b.unit.name, "kind": b.kind,
           "title": b.title, "body": b.body, "status": b.status, "issued_at": b.issued_at, "read": read,
           "corrects": b.corrects.code if b.corrects_id else None}
    if entries is not None:
        out["entries"] = [{"tone": e.tone, "text": e.text, "unit": e.unit.code,
                           "outlet": e.outlet.code if e.outlet else None,
                           "person": e.person.employee_no if e.person else None} for e in entries]
    return out


@router.get("/bulletins", response=list[BulletinOut], summary="通报 addressed to me (issued by my unit or one above)")
def bulletins_mine(request: HttpRequest, limit: int = Query(50, ge=1, le=200)):
    qs = accountability.addressed_to(request.user).select_related("corrects")[:limit]
    return [_bulletin(b, read=b.read) for b in qs]


@router.get("/bulletins/{code}", response=BulletinOut, summary="One 通报 with its entries; opening it records that I read it")
def bulletin_get(request: HttpRequest, code: UUID):
    bulletin = accountability.bulletins_for(request.user).select_related("unit", "corrects").filter(code=code).first()
    if bulletin is None:
        raise Http404("No such bulletin addressed to you or in your subtree.")
    if accountability.is_addressed(request.user, bulletin):
        accountability.bulletin_mark_read(bulletin=bulletin, reader=request.user)
    read = bulletin.reads.filter(staff=request.user).exists()
    return _bulletin(bulletin, read=read, entries=bulletin.entries.select_related("unit", "outlet", "person"))


class LedgerOut(Schema):
    code: UUID
    person: str | None = Field(..., description="Employee number; None for an entry about a unit")
    person_name: str | None
    unit: str
    kind: str = Field(..., description="reward or penalty")
    measure: str
    amount: Decimal | None
    points: Decimal | None
    reason: str
    basis: str
    occurred_on: dt.date
    reverses: UUID | None = Field(..., description="The entry this one reverses (冲销)")
    reversed: bool
    recorded_by: str


class LedgerIn(Schema):
    person: str | None = Field(None, description="Employee number of the person (or give `unit`)")
    unit: str | None = Field(None, description="Code of the unit rewarded or penalised")
    kind: str = Field(..., description="reward or penalty")
    measure: str = Field(..., description=", ".join(LedgerEntry.Measure.values))
    amount: Decimal | None = Field(None, description="元, for bonus and fine")
    points: Decimal | None = Field(None, description="For merit_points and deduction")
    reason: str
    basis: str = ""
    occurred_on: dt.date
    finding: UUID | None = None
    bulletin: UUID | None = None


class ReverseIn(Schema):
    reason: str


def _ledger(e) -> dict:
    return {"code": e.code, "person": e.person.employee_no if e.person else None,
            "person_name": e.person.name if e.person else None, "unit": e.unit.code, "kind": e.kind,
            "measure": e.measure, "amount": e.amount, "points": e.points, "reason": e.reason, "basis": e.basis,
            "occurred_on": e.occurred_on, "reverses": e.reverses.code if e.reverses_id else None,
            "reversed": bool(getattr(e, "reversed_flag", False)), "recorded_by": e.recorded_by.employee_no}


@router.get("/ledger", response=list[LedgerOut], summary="The 奖惩 ledger of my subtree")
def ledger_list(request: HttpRequest, year: int | None = None, kind: str = "", person: str = "",
                limit: int = Query(200, ge=1, le=1000)):
    require(request.user, Capability.VIEW_MANAGE)
    return [_ledger(e) for e in accountability.ledger_for(request.user, year=year, kind=kind, person=person)[:limit]]


@router.get("/ledger/mine", response=list[LedgerOut], summary="My own rewards and penalties")
def ledger_mine(request: HttpRequest):
    qs = (LedgerEntry.objects.filter(person=request.user).select_related("unit", "person", "reverses", "recorded_by")
          .annotate(reversed_flag=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))
          .order_by("-occurred_on", "-pk"))
    return [_ledger(e) for e in qs]


@router.post("/ledger", response={201: LedgerOut}, summary="Record a reward or penalty (manage_accountability)")
def ledger_create(request: HttpRequest, payload: LedgerIn):
    user = request.user
    person = get_scoped_or_404(Staff.objects.select_related("unit"), user, employee_no=payload.person) \
        if payload.person else None
    unit = get_scoped_or_404(Unit.objects.all(), user, code=payload.unit) if payload.unit and not person else None
    finding = get_scoped_or_404(Finding.objects.all(), user, code=payload.finding) if payload.finding else None
    bulletin = get_scoped_or_404(Bulletin.objects.all(), user, code=payload.bulletin) if payload.bulletin else None
    entry = accountability.ledger_record(
        actor=user, person=person, unit=unit, kind=payload.kind, measure=payload.measure, amount=payload.amount,
        points=payload.points, reason=payload.reason, basis=payload.basis, occurred_on=payload.occurred_on,
        finding=finding, bulletin=bulletin)
    return Status(201, _ledger(LedgerEntry.objects.select_related("unit", "person", "recorded_by").get(pk=entry.pk)))


@router.post("/ledger/{code}/reverse", response={201: LedgerOut}, summary="Reverse (冲销) an entry; both stay")
def ledger_reverse(request: HttpRequest, code: UUID, payload: ReverseIn):
    entry = get_scoped_or_404(LedgerEntry.objects.all(), request.user, code=code)
    reversal = accountability.ledger_reverse(entry=entry, actor=request.user, reason=payload.reason)
    return Status(201, _ledger(LedgerEntry.objects.select_related("unit", "person", "reverses", "recorded_by")
                               .get(pk=reversal.pk)))

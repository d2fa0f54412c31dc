"""整改问责: every item an inspection found not met becomes a Finding, assigned to a named person with a
deadline and closed only when someone else verifies the fix; the same problem again at the same
outlet within a year is a repeat (屡查屡犯) and escalates to the quality managers of the unit above.

Who, by default (a manager may reassign):
- 整改责任人 (assignee): the branch head (支局长) of the outlet's unit, or of the nearest unit above it
  that has one; without one, the outlet's own clerk; without either, the inspector.
- 验证人 (verifier): the inspector — unless the inspector is the assignee (a branch head's own
  自查), then a quality manager of the nearest unit above. For a repeat, a quality manager of the
  unit above the one that would otherwise verify (升级督办).
Nobody verifies their own fix. Every change writes a FindingEvent; nothing is edited in place or
deleted.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import get_scoped_or_404, is_in_scope
from postqc.org.models import Staff, UnitClosure
from postqc.org.roles import Capability, Role

from .models import Finding, FindingEvent, Inspection, Result

REPEAT_WINDOW = dt.timedelta(days=365)
NOTE_MAX = 500


def _ancestry(unit_id: int) -> list[int]:
    """The unit and the units above it, nearest first."""
    return list(UnitClosure.objects.filter(descendant_id=unit_id).order_by("depth").values_list("ancestor_id",
                                                                                                flat=True))


def _nearest(units: list[int], role: str, *, exclude: set[int] = frozenset()) -> Staff | None:
    """The first active holder of `role` found going up `units` (lowest employee number first)."""
    holders = (Staff.objects.filter(is_active=True, unit_id__in=units, role_links__role=role).exclude(pk__in=exclude)
               .order_by("employee_no").distinct())
    by_unit: dict[int, Staff] = {}
    for person in holders:
        by_unit.setdefault(person.unit_id, person)
    return next((by_unit[u] for u in units if u in by_unit), None)


def _people_for(inspection: Inspection) -> tuple[Staff, Staff, Staff]:
    """(assignee, verifier, escalation verifier) of the findings of `inspection`."""
    units = _ancestry(inspection.outlet.unit_id)
    assignee = (_nearest(units, Role.BRANCH_HEAD)
                or Staff.objects.filter(is_active=True, outlet=inspection.outlet).order_by("employee_no").first()
                or inspection.inspector)
    verifier = inspection.inspector
    if verifier.pk == assignee.pk:
        verifier = _nearest(units, Role.QUALITY, exclude={assignee.pk}) or _nearest(units, Role.SYSADMIN,
                                                                                     exclude={assignee.pk})
    above = units[units.index(verifier.unit_id) + 1:] if verifier and verifier.unit_id in units else units[1:]
    escalation = _nearest(above, Role.QUALITY, exclude={assignee.pk}) or verifier
    return assignee, verifier, escalation


def open_findings(inspection: Inspection) -> list[Finding]:
    """A finding for every item `inspection` found not met (called by inspection_submit, in its transaction)."""
    failed = list(inspection.results.filter(value=Result.Value.NOT_MET).select_related("item"))
    if not failed:
        return []
    assignee, verifier, escalation = _people_for(inspection)
    if verifier is None:
        raise ValidationError({"outlet": [_("找不到验证人：网点所在单位及上级单位都没有质量管理员。")]})
    since = inspection.inspected_on - REPEAT_WINDOW
    earlier: dict[str, list[Finding]] = {}  # per item, the findings of the year before, oldest first
    for f in (Finding.objects.filter(outlet=inspection.outlet, item_code__in=[r.item.code for r in failed],
                                     inspection__inspected_on__gte=since,
                                     inspection__inspected_on__lte=inspection.inspected_on)
              .select_related("inspection").order_by("inspection__inspected_on", "created_at")):
        earlier.setdefault(f.item_code, []).append(f)
    made = []
    for result in failed:
        same = earlier.get(result.item.code, [])
        before = same[-1] if same else None
        days = settings.RECTIFY_DAYS_CRITICAL if result.item.critical else settings.RECTIFY_DAYS
        deadline = inspection.inspected_on + dt.timedelta(days=days)
        finding = Finding.objects.create(
            result=result, inspection=inspection, outlet=inspection.outlet, unit_id=inspection.unit_id,
            item_code=result.item.code, critical=result.item.critical, assignee=assignee,
            verifier=escalation if before else verifier, deadline=deadline, due=deadline,
            repeat_of=before, repeats=len(same), escalated=before is not None)
        FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.OPENED, actor=inspection.inspector,
                                    note=result.note, deadline=finding.deadline, assignee=assignee)
        if before is not None:
            FindingEvent.objects.create(
                finding=finding, action=FindingEvent.Action.ESCALATED, actor=inspection.inspector,
                note=_("一年内第 %(n)d 次发现同类问题（上次 %(d)s），升级由 %(v)s 督办验证。") % {
                    "n": len(same) + 1, "d": f"{before.inspection.inspected_on:%Y-%m-%d}", "v": finding.verifier.name})
        made.append(finding)
    return made


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({"note": [_("请写明说明。")]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("说明不超过 %(n)d 字。") % {"n": NOTE_MAX}]})
    return note


@transaction.atomic
def finding_submit(*, finding: Finding, actor, note: str, at: dt.datetime | None = None) -> Finding:
    """The assignee reports the fix (what was done): waiting for verification."""
    at = at or timezone.now()
    finding = _locked(finding)
    if actor.pk != finding.assignee_id:
        raise PermissionDenied(_("只有整改责任人可以提交整改。"))
    if finding.status != Finding.Status.OPEN:
        raise ValidationError(_("这项整改已提交或已销号。"))
    note = _note(note, required=True)
    finding.status = Finding.Status.SUBMITTED
    finding.save(update_fields=["status"])
    FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.SUBMITTED, actor=actor, note=note, at=at)
    return finding


def _submitter_id(finding: Finding) -> int | None:
    """Who reported the fix now waiting for verification."""
    return (finding.events.filter(action=FindingEvent.Action.SUBMITTED).order_by("-at", "-pk")
            .values_list("actor_id", flat=True).first())


def may_verify(actor, finding: Finding) -> bool:
    """The verifier, or a quality manager whose subtree holds the verifier's unit (so an escalated
    finding stays with the unit above) — never the person responsible or whoever reported the fix."""
    if actor.pk in (finding.assignee_id, _submitter_id(finding)):
        return False
    if actor.pk == finding.verifier_id:
        return True
    return actor.can(Capability.MANAGE_INSPECTIONS) and is_in_scope(actor, finding.verifier.unit_id)


@transaction.atomic
def finding_verify(*, finding: Finding, actor, accepted: bool, note: str = "",
                   deadline: dt.date | None = None, at: dt.datetime | None = None) -> Finding:
    """Someone other than the assignee checks the fix: accepted closes it (销号); not accepted sends it
    back with what is still wrong and a new deadline."""
    at = at or timezone.now()
    finding = _locked(finding)
    if not may_verify(actor, finding):
        raise PermissionDenied(_("整改须由责任人以外的验证人或上级质量管理员验证。"))
    if finding.status != Finding.Status.SUBMITTED:
        raise ValidationError(_("这项整改还没有提交，或已销号。"))
    if accepted:
        note = _note(note, required=False)
        finding.status, finding.closed_at = Finding.Status.CLOSED, at
        finding.save(update_fields=["status", "closed_at"])
        FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.ACCEPTED, actor=actor, note=note, at=at)
        return finding
    note = _note(note, required=True)
    if deadline is None or deadline < timezone.localdate(at):
        raise ValidationError({"deadline": [_("退回时请给出不早于今天的新整改期限。")]})
    finding.status, finding.deadline = Finding.Status.OPEN, deadline
    finding.save(update_fields=["status", "deadline"])
    FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.RETURNED, actor=actor, note=note,
                                deadline=deadline, at=at)
    return finding


@transaction.atomic
def finding_reassign(*, finding: Finding, actor, assignee: Staff, deadline: dt.date, note: str) -> Finding:
    """A manager names another person (inside their subtree) and deadline; the history keeps the first."""
    finding = _locked(finding)
    if not (actor.can(Capability.MANAGE_INSPECTIONS) and is_in_scope(actor, finding.unit_id)):
        raise PermissionDenied(_("只有本单位或上级的质量管理员可以改派整改。"))
    if finding.status != Finding.Status.OPEN:
        raise ValidationError(_("只有待整改的事项可以改派（已提交的请先验证）。"))
    errors = {}
    if not assignee.is_active or not is_in_scope(actor, assignee.unit_id):
        errors["assignee"] = [_("整改责任人应为本单位及下级单位的在职员工。")]
    elif assignee.pk == finding.verifier_id:
        errors["assignee"] = [_("整改责任人不能同时是验证人。")]
    if deadline < timezone.localdate():
        errors["deadline"] = [_("整改期限不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    note = _note(note, required=True)
    finding.assignee, finding.deadline = assignee, deadline
    finding.save(update_fields=["assignee", "deadline"])
    FindingEvent.objects.create(finding=finding, action=FindingEvent.Action.REASSIGNED, actor=actor, note=note,
                                deadline=deadline, assignee=assignee)
    return finding


# --- Reading -----------------------------------------------------------------------------------------


def overdue_q(today: dt.date) -> Q:
    return ~Q(status=Finding.Status.CLOSED) & Q(deadline__lt=today)


def my_tasks(user) -> tuple[QuerySet[Finding], QuerySet[Finding]]:
    """(what I must fix, what I must verify), soonest deadline first."""
    base = Finding.objects.select_related("outlet", "assignee", "verifier", "result__item").order_by("deadline", "pk")
    return (base.filter(assignee=user, status=Finding.Status.OPEN),
            base.filter(verifier=user, status=Finding.Status.SUBMITTED))


def finding_for(user, code) -> Finding:
    """A finding assigned to `user` or for them to verify (wherever it is), or any in their subtree;
    Http404 otherwise."""
    qs = Finding.objects.select_related("outlet__unit", "assignee", "verifier", "result__item__clause",
                                        "inspection__inspector")
    found = qs.filter(code=code).filter(Q(assignee=user) | Q(verifier=user)).first()
    return found or get_scoped_or_404(qs, user, code=code)


def findings_for(queryset: QuerySet[Finding], *, status: str = "", overdue: bool = False,
                 repeat: bool = False, outlet: str = "") -> QuerySet[Finding]:
    """A (scoped) finding list narrowed by status (or "unclosed"), overdue, repeated and outlet code."""
    if status == "unclosed":
        queryset = queryset.exclude(status=Finding.Status.CLOSED)
    elif status in Finding.Status.values:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(overdue_q(timezone.localdate()))
    if repeat:
        queryset = queryset.filter(repeats__gt=0)
    if outlet:
        queryset = queryset.filter(outlet__code=outlet)
    return queryset.select_related("outlet", "assignee", "verifier", "result__item").order_by("deadline", "pk")

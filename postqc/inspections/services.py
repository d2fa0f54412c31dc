"""Recording an inspection of an outlet against its checklist, and what a failed item sets off."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope, require
from postqc.org.models import Outlet
from postqc.org.roles import Capability

from .checklists import version_for
from .models import Inspection, Result
from .rectification import open_findings

NOTE_MAX = 200


def _figures(items, values: dict[str, str]) -> tuple[int, int, int]:
    applicable = sum(values[i.code] != Result.Value.NA for i in items)
    met = sum(values[i.code] == Result.Value.MET for i in items)
    critical_failed = sum(i.critical and values[i.code] == Result.Value.NOT_MET for i in items)
    return applicable, met, critical_failed


@transaction.atomic
def inspection_submit(*, outlet: Outlet, kind: str, inspector, inspected_on: dt.date,
                      results: dict[str, tuple[str, str]], note: str = "") -> Inspection:
    """Record an inspection of `outlet` against the version in force of its grade's checklist.

    `results` maps every item code of that version to (met | not_met | na, note). All or nothing:
    errors come keyed by item code (or field). A 抽查 (spot check) needs `manage_inspections`, a
    自查 (self-inspection) `self_inspect`; either only inside the inspector's subtree. The figures
    are frozen here: applicable items, items met, critical items failed, the rate and 达标. Every
    failed item becomes a 整改 finding with a named person and a deadline (rectification.py), and
    one tied to a clause puts that clause's practice questions into the review queue of the
    outlet's unit's staff (learning.practice.review_push_clause)."""
    from postqc.learning.practice import review_push_clause

    if kind not in Inspection.Kind.values:
        raise ValidationError({"kind": [_("检查类型应为抽查或自查。")]})
    require(inspector, Capability.MANAGE_INSPECTIONS if kind == Inspection.Kind.SPOT else Capability.SELF_INSPECT)
    if not is_in_scope(inspector, outlet.unit_id):
        raise PermissionDenied(_("只能检查本单位及下级单位的网点。"))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if inspected_on > today:
        errors["inspected_on"] = [_("检查日期不能晚于今天。")]
    elif inspected_on < today - dt.timedelta(days=366):
        errors["inspected_on"] = [_("检查日期不能早于一年前。")]
    if len(note) > 2000:
        errors["note"] = [_("检查意见不超过 2000 字。")]
    version = version_for(outlet)
    if version is None:
        raise ValidationError({"outlet": [_("%(g)s网点还没有现行检查表，请先发布检查表。") % {
            "g": outlet.get_grade_display()}]})
    items = list(version.items.select_related("clause"))
    known = {i.code for i in items}
    for code in sorted(set(results) - known):
        errors[code] = [_("检查表中没有项目 %(c)s。") % {"c": code}]
    values: dict[str, str] = {}
    notes: dict[str, str] = {}
    for item in items:
        value, item_note = results.get(item.code, ("", ""))
        item_note = (item_note or "").strip()
        if value not in Result.Value.values:
            errors[item.code] = [_("%(c)s：请选择合格、不合格或不适用。") % {"c": item.code}]
        elif value == Result.Value.NA and not item.allow_na:
            errors[item.code] = [_("%(c)s 不能选“不适用”。") % {"c": item.code}]
        elif value == Result.Value.NOT_MET and not item_note:
            errors[item.code] = [_("%(c)s 不合格：请写明发现的问题。") % {"c": item.code}]
        elif len(item_note) > NOTE_MAX:
            errors[item.code] = [_("%(c)s 的说明不超过 %(n)d 字。") % {"c": item.code, "n": NOTE_MAX}]
        values[item.code], notes[item.code] = value, item_note
    if errors:
        raise ValidationError(errors)
    applicable, met, critical_failed = _figures(items, values)
    rate = (Decimal(met) * 100 / applicable).quantize(Decimal("0.01"), ROUND_HALF_UP) if applicable else Decimal(0)
    inspection = Inspection.objects.create(
        outlet=outlet, unit_id=outlet.unit_id, grade=outlet.grade, version=version, kind=kind, inspector=inspector,
        inspected_on=inspected_on, note=note.strip(), applicable=applicable, met=met,
        critical_failed=critical_failed, rate=rate,
        passed=applicable > 0 and critical_failed == 0 and rate >= version.pass_rate)
    Result.objects.bulk_create(Result(inspection=inspection, item=item, value=values[item.code],
                                      note=notes[item.code]) for item in items)
    open_findings(inspection)
    failed_by_clause: dict[int, list] = {}
    for item in items:
        if values[item.code] == Result.Value.NOT_MET and item.clause_id:
            failed_by_clause.setdefault(item.clause_id, []).append(item)
    for failed in failed_by_clause.values():  # one push per clause, naming every item that failed it
        reason = _("%(o)s %(k)s不合格：%(c)s %(t)s") % {
            "o": outlet.name, "k": inspection.get_kind_display(), "c": "、".join(i.code for i in failed),
            "t": failed[0].text}
        review_push_clause(clause=failed[0].clause, unit=outlet.unit, pushed_by=inspector, reason=reason[:200])
    return inspection

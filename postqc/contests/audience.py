"""Who may take an exam, in the three forms the app needs, which must agree (tests keep them in
step): a query of the exams a person may take (`eligible_to`, for lists), a check of one person
against one exam (`exam_is_eligible`, for starting and for the board), and a query of the people an
exam is for (`eligible_staff`, the boards' headcount and the results' summary).

The organising unit bounds every exam: only staff of its subtree. Within it, named invitees take
part exactly; otherwise the staff of the audience units' subtrees holding one of the audience roles.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from postqc.core.access import ancestor_unit_ids
from postqc.core.memo import LocalMemo
from postqc.learning.modes import unit_ancestor_ids
from postqc.org.models import Staff, StaffRole, UnitClosure
from postqc.org.roles import Capability

from .models import Exam


def eligible_to(qs: QuerySet[Exam], user) -> QuerySet[Exam]:
    """Narrow `qs` to the exams `user` may take (whatever their status or window).

    The organising unit bounds every exam: only staff of its subtree. Within it, if people are
    named (invitees) exactly they take part; otherwise the staff of the audience units' subtrees
    (none named: the whole organising subtree) holding one of the audience roles (none named:
    any role). A mock exam names no audience, so it is for the whole organising subtree."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "unit_id", None) is None:
        return qs.none()
    ancestors = ancestor_unit_ids(user)
    invitees = Exam.invitees.through.objects.filter(exam_id=OuterRef("pk"))
    units = Exam.audience_units.through.objects.filter(exam_id=OuterRef("pk"))
    # audience_roles is a JSON list of role codes; a quoted code is never part of another code.
    roles = Q(audience_roles=[])
    for role in user.roles:
        roles |= Q(audience_roles__icontains=f'"{role}"')
    audience = ~Exists(invitees) & (~Exists(units) | Exists(units.filter(unit_id__in=ancestors))) & roles
    return qs.filter(Q(unit_id__in=ancestors) & (Exists(invitees.filter(staff_id=user.pk)) | audience))


def exam_is_eligible(exam: Exam, staff) -> bool:
    """Whether `staff` may take `exam`: an active person of the staff app inside its audience
    (`eligible_to`, answered here from the exam's memoised audience, so that thousands starting
    at once do not each ask the database; a test keeps the two in step). Status and window are
    the attempt's rules, not the audience's."""
    if staff is None or not staff.is_active or not staff.can(Capability.USE_STAFF_APP):
        return False
    if getattr(staff, "unit_id", None) is None:
        return False
    ancestors = unit_ancestor_ids(staff.unit_id)
    if exam.unit_id not in ancestors:
        return False
    audience = exam_audience(exam)
    if audience.invitees:
        return staff.pk in audience.invitees
    if audience.units and not audience.units & ancestors:
        return False
    return not audience.roles or bool(audience.roles & staff.roles)


@dataclass(frozen=True)
class Audience:
    """Who an exam names: invited people (then only they take part), audience units, roles."""

    exam_pk: int
    invitees: frozenset[int]
    units: frozenset[int]
    roles: frozenset[str]


# Per process (core/memo.py), keyed by the exam's updated_at: the services that change an
# audience save the exam, so every process reads the new audience on its next start.
_audiences = LocalMemo("contests.audience", ttl=60)


def exam_audience(exam: Exam) -> Audience:
    return _audiences.get((exam.pk, exam.updated_at), lambda: Audience(
        exam_pk=exam.pk,
        invitees=frozenset(Exam.invitees.through.objects.filter(exam_id=exam.pk).values_list("staff_id", flat=True)),
        units=frozenset(Exam.audience_units.through.objects.filter(exam_id=exam.pk).values_list("unit_id", flat=True)),
        roles=frozenset(exam.audience_roles or ())))


def eligible_exam(qs: QuerySet[Exam], code, staff) -> Exam | None:
    """The exam of `qs` with `code` if `staff` may take it, else None: one indexed read by code,
    then the memoised audience (`exam_is_eligible`) rather than `eligible_to`'s subqueries, which
    cost more to build and plan than the board reads a page or the API then makes."""
    exam = qs.filter(code=code).first()
    return exam if exam is not None and exam_is_eligible(exam, staff) else None


def eligible_staff(exam: Exam) -> QuerySet[Staff]:
    """The people who may take `exam`: `eligible_to` seen from the exam's side (a test
    keeps the two in step). Active staff of the organising unit's subtree holding a role; if
    invitees are named, exactly those; otherwise those in the audience units' subtrees (none
    named: all) with one of the audience roles (none named: any)."""
    in_subtree = UnitClosure.objects.filter(ancestor_id=exam.unit_id).values("descendant_id")
    has_role = StaffRole.objects.filter(staff_id=OuterRef("pk"))
    qs = Staff.objects.filter(is_active=True, unit_id__in=in_subtree).filter(Exists(has_role))
    invitees = Exam.invitees.through.objects.filter(exam_id=exam.pk)
    units = Exam.audience_units.through.objects.filter(exam_id=exam.pk)
    in_audience_units = UnitClosure.objects.filter(ancestor_id__in=units.values("unit_id")).values("descendant_id")
    audience = ~Exists(invitees) & (~Exists(units) | Q(unit_id__in=in_audience_units))
    if exam.audience_roles:
        audience &= Exists(has_role.filter(role__in=exam.audience_roles))
    return qs.filter(Q(Exists(invitees.filter(staff_id=OuterRef("pk")))) | audience)


def forget_audience(exam: Exam) -> None:
    """Drop the memoised audience of `exam` in this process (after an edit; other processes see the
    exam's new updated_at)."""
    _audiences.forget_where(lambda known: known.exam_pk == exam.pk)

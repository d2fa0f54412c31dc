"""Writes to the standards library. Pages, the API, the import command and the demo all call these.

A standard changes only by importing a new version (a draft) and publishing it. A
draft may be re-imported under the same version label until it is published; a
published version is never edited, and publishing the next one supersedes it but
keeps it, so the wording an old answer or inspection was made against stays readable.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope
from postqc.org.models import Staff, Unit
from postqc.org.roles import Capability

from .importing import (
    PARTICULAR_LABELS,
    Problem,
    StandardImportError,
    StandardIn,
    clause_hash,
    parse_excel,
    parse_markdown,
)
from .models import Clause, ClauseRead, ClauseRevision, Standard, StandardVersion

Change = ClauseRevision.Change
READ_COPY_BATCH = 2000


def _check_actor(actor: Staff | None, unit: Unit) -> None:
    """A person editing content needs `edit_content` and the owner unit inside their subtree."""
    if actor is None:
        return
    if not actor.can(Capability.EDIT_CONTENT):
        raise PermissionDenied(_("你的角色不能导入或发布制度标准。"))
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("单位 %(unit)s 不在你的管理范围内。") % {"unit": unit.name})


@transaction.atomic
def standard_import_markdown(*, text: str, unit: Unit, actor: Staff | None) -> StandardVersion:
    """Import a Markdown standard (format: `importing`) as a DRAFT version of the standard its
    front matter names, creating the standard (owned by `unit`) if it is new.

    All or nothing: every problem is raised together in a StandardImportError naming its line."""
    _check_actor(actor, unit)
    return _draft_create(parsed=parse_markdown(text), unit=unit, actor=actor)


@transaction.atomic
def standard_import_excel(*, file: bytes | IO[bytes], unit: Unit, actor: Staff | None, code: str, title: str,
                          kind: str, label: str, effective_on: dt.date, issuer: str = "", source: str = "",
                          notes: str = "") -> StandardVersion:
    """Import the clauses of a workbook (columns 条款编码*, 上级条款编码, 标题*, 正文, one clause per
    row, parents before children) as a DRAFT version; the particulars come as arguments.

    All or nothing: every problem is raised together in a StandardImportError naming its row and column."""
    _check_actor(actor, unit)
    parsed = parse_excel(file, {"code": code, "title": title, "kind": kind, "version": label,
                                "effective_on": effective_on, "issuer": issuer, "source": source, "notes": notes})
    return _draft_create(parsed=parsed, unit=unit, actor=actor)


def _draft_create(*, parsed: StandardIn, unit: Unit, actor: Staff | None) -> StandardVersion:
    """Write a parsed standard as a draft version: the checks that need the database, then the rows."""
    problems: list[Problem] = []

    def at(key: str, message: str) -> Problem:
        """A problem with a particular: its front-matter line (Markdown) or its field (Excel upload)."""
        line = parsed.lines.get(key)
        return Problem(line, "" if line else str(PARTICULAR_LABELS[key]), message)

    standard = Standard.objects.select_for_update(of=("self",)).select_related("unit").filter(code=parsed.code).first()
    if standard is not None and standard.unit_id != unit.pk:
        visible = actor is None or is_in_scope(actor, standard.unit_id)
        problems.append(at("code", _("标准编码“%(c)s”已被%(owner)s的标准使用") % {
            "c": parsed.code, "owner": standard.unit.name if visible else _("其他单位")}))
    existing = None
    if standard is not None:
        existing = standard.versions.filter(label=parsed.label).first()
        if existing is not None and existing.status != StandardVersion.Status.DRAFT:
            problems.append(at("version", _("版本“%(v)s”已发布，不能覆盖；修订请使用新的版本号") % {
                "v": parsed.label}))
    codes = [c.code for c in parsed.clauses]
    taken = dict(Clause.objects.filter(code__in=codes).exclude(standard__code=parsed.code)
                 .values_list("code", "standard__code"))
    problems += [Problem(c.line, "", _("条款编码“%(c)s”已被标准 %(s)s 使用") % {"c": c.code, "s": taken[c.code]})
                 for c in parsed.clauses if c.code in taken]
    if problems:
        raise StandardImportError(problems)

    if standard is None:
        standard = Standard(code=parsed.code, title=parsed.title, kind=parsed.kind, issuer=parsed.issuer, unit=unit)
        standard.full_clean()
        standard.save()
    elif (standard.title, standard.kind, standard.issuer) != (parsed.title, parsed.kind, parsed.issuer):
        standard.title, standard.kind, standard.issuer = parsed.title, parsed.kind, parsed.issuer
        standard.save(update_fields=["title", "kind", "issuer", "updated_at"])
    if existing is not None:
        existing.delete()

    version = StandardVersion.objects.create(
        standard=standard, label=parsed.label, effective_on=parsed.effective_on, source=parsed.source,
        notes=parsed.notes, status=StandardVersion.Status.DRAFT)
    clause_ids = dict(Clause.objects.filter(standard=standard, code__in=codes).values_list("code", "pk"))
    new = Clause.objects.bulk_create(Clause(standard=standard, code=c) for c in codes if c not in clause_ids)
    clause_ids.update((c.code, c.pk) for c in new)
    previous = _hashes(standard.current_version_id)

    revisions: dict[str, ClauseRevision] = {}
    for depth in sorted({c.depth for c in parsed.clauses}):
        level = []
        for order, c in enumerate(parsed.clauses):
            if c.depth != depth:
                continue
            digest = clause_hash(c.heading, c.body)
            clause_id = clause_ids[c.code]
            revisions[c.code] = ClauseRevision(
                clause_id=clause_id, version=version, heading=c.heading, body=c.body, sort_order=order,
                depth=depth, body_hash=digest, parent=revisions[c.parent_code] if c.parent_code else None,
                change=_change(previous.get(clause_id), digest))
            level.append(revisions[c.code])
        ClauseRevision.objects.bulk_create(level)
    _clauses_prune(standard)
    return version


def _hashes(version_id: int | None) -> dict[int, str]:
    if version_id is None:
        return {}
    return dict(ClauseRevision.objects.filter(version_id=version_id).values_list("clause_id", "body_hash"))


def _change(old_hash: str | None, new_hash: str) -> str:
    if old_hash is None:
        return Change.ADDED
    return Change.UNCHANGED if old_hash == new_hash else Change.CHANGED


def _clauses_prune(standard: Standard) -> None:
    """Drop clause identities no version holds any longer and nothing points at (left by a replaced
    or deleted draft), so a mistyped code does not linger in pickers."""
    (Clause.objects.filter(standard=standard)
     .annotate(n_rev=Count("revisions"), n_q=Count("question_versions"))
     .filter(n_rev=0, n_q=0).delete())


@dataclass(frozen=True)
class PublishOutcome:
    version: StandardVersion
    added: int
    changed: int
    removed: int
    flagged_questions: int


@transaction.atomic
def version_publish(*, version: StandardVersion, actor: Staff | None) -> PublishOutcome:
    """Make a draft the standard's current version; the previous one becomes SUPERSEDED and is kept.

    Each clause's change is recomputed against the version being replaced. Every question
    whose current version tests a clause that changed or was removed goes to 待复核 with the
    reason; a person's 已读 carries over to clauses whose wording did not change."""
    from postqc.learning.services import questions_flag_for_clauses

    standard = Standard.objects.select_for_update(of=("self",)).select_related("unit").get(pk=version.standard_id)
    _check_actor(actor, standard.unit)
    version = StandardVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != StandardVersion.Status.DRAFT:
        raise ValidationError(_("只有草稿可以发布；版本“%(v)s”的状态是%(s)s。") % {
            "v": version.label, "s": version.get_status_display()})
    old = standard.current_version
    old_revisions = ({r.clause_id: r for r in ClauseRevision.objects.filter(version=old).select_related("clause")}
                     if old else {})
    revisions = list(ClauseRevision.objects.filter(version=version).select_related("clause"))
    for rev in revisions:
        before = old_revisions.get(rev.clause_id)
        rev.change = _change(before.body_hash if before else None, rev.body_hash)
    ClauseRevision.objects.bulk_update(revisions, ["change"])
    in_new = {rev.clause_id for rev in revisions}
    removed = [r.clause for r in old_revisions.values() if r.clause_id not in in_new]
    changed = [rev.clause for rev in revisions if rev.change == Change.CHANGED]

    now = timezone.now()
    if old is not None:
        old.status = StandardVersion.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        _reads_carry_over({old_revisions[r.clause_id].pk: r.pk for r in revisions if r.change == Change.UNCHANGED})
    version.status = StandardVersion.Status.PUBLISHED
    version.published_at, version.published_by = now, actor
    version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    standard.current_version = version
    standard.save(update_fields=["current_version", "updated_at"])

    for clause in changed:
        questions_flag_for_clauses(clauses=[clause], reason=_("条款 %(code)s 已修订（版本 %(label)s）") % {
            "code": clause.code, "label": version.label})
    for clause in removed:
        questions_flag_for_clauses(clauses=[clause], reason=_("条款 %(code)s 已删除（版本 %(label)s）") % {
            "code": clause.code, "label": version.label})
    return PublishOutcome(version=version, added=sum(r.change == Change.ADDED for r in revisions),
                          changed=len(changed), removed=len(removed),
                          flagged_questions=_questions_in_review(changed + removed))


def _questions_in_review(clauses: list[Clause]) -> int:
    from postqc.learning.models import Question

    if not clauses:
        return 0
    return Question.objects.filter(current__clauses__in=clauses, status=Question.Status.REVIEW).distinct().count()


def _reads_carry_over(old_to_new: dict[int, int]) -> None:
    """Copy 已读 marks from unchanged clauses' old wording to the same wording in the new version."""
    if not old_to_new:
        return
    reads = ClauseRead.objects.filter(revision_id__in=old_to_new).values_list("staff_id", "revision_id")
    batch: list[ClauseRead] = []
    for staff_id, revision_id in reads.iterator(chunk_size=READ_COPY_BATCH):
        batch.append(ClauseRead(staff_id=staff_id, revision_id=old_to_new[revision_id]))
        if len(batch) >= READ_COPY_BATCH:
            ClauseRead.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ClauseRead.objects.bulk_create(batch, ignore_conflicts=True)


@transaction.atomic
def version_delete_draft(*, version: StandardVersion, actor: Staff | None) -> None:
    """Delete a draft (a published or superseded version is history and stays). A standard left
    with no version at all was created by that draft's import and goes too."""
    standard = Standard.objects.select_for_update(of=("self",)).select_related("unit").get(pk=version.standard_id)
    _check_actor(actor, standard.unit)
    if version.status != StandardVersion.Status.DRAFT:
        raise ValidationError(_("只有草稿可以删除；已发布的版本会一直保留。"))
    version.delete()
    _clauses_prune(standard)
    if not standard.versions.exists() and not standard.clauses.exists():
        standard.delete()


def clause_mark_read(*, staff: Staff, revision: ClauseRevision) -> ClauseRead:
    """Record that `staff` read this wording of a clause; reading it again changes nothing."""
    read, _created = ClauseRead.objects.get_or_create(staff=staff, revision=revision)
    return read


"""Reads of the standards library: what a person is offered, reading progress, outlines, search, diffs."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from postqc.core.access import offered_to, scoped

from .models import Clause, ClauseRead, ClauseRevision, Standard, StandardVersion

Change = ClauseRevision.Change
REMOVED = "removed"  # a diff's fourth kind: in the old version, not in the new
SEARCH_LIMIT = 50
SEARCH_TERMS = 5
SNIPPET_BEFORE, SNIPPET_AFTER = 24, 80
DIFF_CHAR_LIMIT = 4000  # beyond this a changed clause is compared line by line, not character by character


def _count(qs: QuerySet, group: str) -> Subquery:
    # order_by(): the models' default orderings would join (and shadow) the outer query's tables.
    return Coalesce(Subquery(qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def with_progress(standards: QuerySet[Standard], user) -> QuerySet[Standard]:
    """Annotate `clause_total` (clauses of the current version) and `read_total` (those `user` read)."""
    revisions = ClauseRevision.objects.filter(version=OuterRef("current_version"))
    reads = ClauseRead.objects.filter(staff=user, revision__version=OuterRef("current_version"))
    return standards.annotate(clause_total=_count(revisions, "version"), read_total=_count(reads, "revision__version"))


def _offered(user) -> QuerySet[Standard]:
    return offered_to(Standard.objects.filter(is_active=True, current_version__isnull=False), user)


def standards_offered(user) -> QuerySet[Standard]:
    """Published, active standards owned by the user's unit or any unit above it, with their progress."""
    return with_progress(_offered(user).select_related("current_version"), user).order_by("kind", "code")


def standard_offered_or_404(user, code: str) -> Standard:
    try:
        return standards_offered(user).get(code=code)
    except Standard.DoesNotExist:
        raise Http404(f"No standard {code!r} is offered to you.") from None


def standards_managed(user, *, q: str = "", kind: str = "") -> QuerySet[Standard]:
    """Standards owned inside the manager's subtree, with their current version and draft count."""
    qs = scoped(Standard.objects.select_related("unit", "current_version"), user)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(issuer__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    drafts = StandardVersion.objects.filter(standard=OuterRef("pk"), status=StandardVersion.Status.DRAFT)
    revisions = ClauseRevision.objects.filter(version=OuterRef("current_version"))
    return qs.annotate(draft_total=_count(drafts, "standard"), clause_total=_count(revisions, "version"))


def versions_of(standard: Standard) -> QuerySet[StandardVersion]:
    """A standard's versions, newest first, with how many clauses each added or changed."""
    return (standard.versions.select_related("published_by")
            .annotate(clause_total=Count("revisions"),
                      added_total=Count("revisions", filter=Q(revisions__change=Change.ADDED)),
                      changed_total=Count("revisions", filter=Q(revisions__change=Change.CHANGED)))
            .order_by("-effective_on", "-id"))


def version_previous(version: StandardVersion) -> StandardVersion | None:
    """What `version` replaced or would replace: the current version for a draft, else the
    published version before it."""
    if version.status == StandardVersion.Status.DRAFT:
        return version.standard.current_version
    if version.published_at is None:
        return None
    return (version.standard.versions.exclude(status=StandardVersion.Status.DRAFT)
            .filter(published_at__lt=version.published_at).order_by("-published_at", "-id").first())


# --- Outlines ---------------------------------------------------------------------------------


@dataclass
class OutlineItem:
    """One clause of a version's outline: light (no body) and flagged read for the reader."""

    revision_id: int
    code: str
    heading: str
    depth: int
    parent_id: int | None
    read: bool = False
    children: list[OutlineItem] = field(default_factory=list)  # direct children

    def descendants(self) -> list[OutlineItem]:
        out: list[OutlineItem] = []
        for child in self.children:
            out.append(child)
            out.extend(child.descendants())
        return out

    @property
    def read_count(self) -> int:
        return sum(item.read for item in self.descendants()) + self.read

    @property
    def size(self) -> int:
        return len(self.descendants()) + 1


def outline(version: StandardVersion, user=None) -> list[OutlineItem]:
    """The top-level clauses of `version`, each with its subtree; two queries whatever the size."""
    rows = (ClauseRevision.objects.filter(version=version).order_by("sort_order")
            .values_list("pk", "clause__code", "heading", "depth", "parent_id"))
    read = set()
    if user is not None:
        reads = ClauseRead.objects.filter(staff=user, revision__version=version)
        read = set(reads.values_list("revision_id", flat=True))
    items = {pk: OutlineItem(pk, code, heading, depth, parent, pk in read) for pk, code, heading, depth, parent in rows}
    top = []
    for item in items.values():
        if item.parent_id is None:
            top.append(item)
        else:
            items[item.parent_id].children.append(item)
    return top


@dataclass
class Reading:
    """A clause as the reader sees it: its wording and where it sits in its version."""

    clause: Clause
    revision: ClauseRevision
    standard: Standard
    version: StandardVersion
    is_current: bool
    ancestors: list[OutlineItem]
    children: list[OutlineItem]
    previous: OutlineItem | None
    next: OutlineItem | None


def clause_reading(user, code: str) -> Reading:
    """The clause `code` of a standard offered to `user`, in the current version's wording; a clause
    the current version dropped shows its last published wording (is_current False). 404 otherwise."""
    clause = (offered_to(Clause.objects.select_related("standard"), user)
              .filter(code=code, standard__is_active=True, standard__current_version__isnull=False).first())
    if clause is None:
        raise Http404(f"No clause {code!r} is offered to you.")
    revision = (ClauseRevision.objects.filter(clause=clause)
                .exclude(version__status=StandardVersion.Status.DRAFT).select_related("version")
                .order_by(Case(When(version_id=clause.standard.current_version_id, then=Value(0)), default=Value(1)),
                          "-version__effective_on", "-version_id").first())
    if revision is None:
        raise Http404(f"Clause {code!r} has no published wording.")
    items = {}
    for item in _flat(outline(revision.version, user)):
        items[item.revision_id] = item
    ordered = list(items.values())
    here = items[revision.pk]
    index = ordered.index(here)
    ancestors, parent_id = [], here.parent_id
    while parent_id is not None:
        ancestors.insert(0, items[parent_id])
        parent_id = items[parent_id].parent_id
    return Reading(clause=clause, revision=revision, standard=clause.standard, version=revision.version,
                   is_current=revision.version_id == clause.standard.current_version_id, ancestors=ancestors,
                   children=here.children, previous=ordered[index - 1] if index else None,
                   next=ordered[index + 1] if index + 1 < len(ordered) else None)


def _flat(items: Iterable[OutlineItem]) -> list[OutlineItem]:
    out: list[OutlineItem] = []
    for item in items:
        out.append(item)
        out.extend(item.descendants())
    return out


def questions_testing_count(clause: Clause, user) -> int:
    """Published practice questions offered to `user` whose current version tests `clause`."""
    from postqc.learning.models import Question

    qs = Question.objects.filter(current__clauses=clause, status=Question.Status.PUBLISHED,
                                 pool=Question.Pool.PRACTICE, bank__is_active=True)
    return offered_to(qs, user).count()


# --- Search -----------------------------------------------------------------------------------


@dataclass
class SearchHit:
    revision: ClauseRevision
    heading: list[tuple[bool, str]]  # (matched, text) segments
    snippet: list[tuple[bool, str]]


def search_terms(q: str) -> list[str]:
    return [t[:50] for t in q.split()][:SEARCH_TERMS]


def highlight(text: str, terms: list[str]) -> list[tuple[bool, str]]:
    """`text` cut into (matched, part) segments, case-insensitively, for <mark> in a template."""
    if not terms or not text:
        return [(False, text)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    segments, pos = [], 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            segments.append((False, text[pos:match.start()]))
        segments.append((True, match.group()))
        pos = match.end()
    if pos < len(text):
        segments.append((False, text[pos:]))
    return segments


def _snippet(body: str, terms: list[str]) -> str:
    text = " ".join(body.split())
    lowered = text.casefold()
    hits = [i for i in (lowered.find(t.casefold()) for t in terms) if i >= 0]
    start = max(min(hits) - SNIPPET_BEFORE, 0) if hits else 0
    end = start + SNIPPET_BEFORE + SNIPPET_AFTER
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def clause_search(user, q: str, *, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Clauses of the current versions offered to `user` whose heading, body or code contains every
    word of `q` (substring match, so Chinese needs no word splitting). At most `limit` hits."""
    terms = search_terms(q)
    if not terms:
        return []
    current = _offered(user).values("current_version_id")
    qs = ClauseRevision.objects.filter(version_id__in=current)
    for term in terms:
        qs = qs.filter(Q(heading__icontains=term) | Q(body__icontains=term) | Q(clause__code__istartswith=term))
    qs = (qs.select_related("clause", "version__standard")
          .order_by("version__standard__kind", "version__standard__code", "sort_order")[:limit])
    return [SearchHit(rev, highlight(rev.heading, terms), highlight(_snippet(rev.body, terms), terms)) for rev in qs]


# --- Diff -------------------------------------------------------------------------------------


class DiffRow(NamedTuple):
    """One clause in a comparison of two versions. Text is the heading, a line break and the body."""

    code: str
    change: str  # ClauseRevision.Change value or REMOVED
    old_text: str
    new_text: str
    heading: str
    depth: int

    def segments(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(old, new) highlighted segments of a changed clause; see text_diff."""
        return text_diff(self.old_text, self.new_text)


def _text(rev: ClauseRevision) -> str:
    return f"{rev.heading}\n{rev.body}" if rev.body else rev.heading


def version_diff(old: StandardVersion | None, new: StandardVersion) -> list[DiffRow]:
    """Every clause of `old` and `new` in reading order: added, changed, unchanged (by the normalised
    hash), or removed (placed after the clause that preceded it in `old`)."""
    new_revs = list(ClauseRevision.objects.filter(version=new).select_related("clause").order_by("sort_order"))
    old_revs = (list(ClauseRevision.objects.filter(version=old).select_related("clause").order_by("sort_order"))
                if old else [])
    old_by_clause = {r.clause_id: r for r in old_revs}
    new_ids = {r.clause_id for r in new_revs}
    removed_after: dict[int | None, list[ClauseRevision]] = {}
    anchor = None
    for rev in old_revs:
        if rev.clause_id in new_ids:
            anchor = rev.clause_id
        else:
            removed_after.setdefault(anchor, []).append(rev)

    def removed_rows(after: int | None) -> list[DiffRow]:
        return [DiffRow(r.clause.code, REMOVED, _text(r), "", r.heading, r.depth) for r in removed_after.get(after, [])]

    rows = removed_rows(None)
    for rev in new_revs:
        before = old_by_clause.get(rev.clause_id)
        if before is None:
            change = Change.ADDED
        else:
            change = Change.UNCHANGED if before.body_hash == rev.body_hash else Change.CHANGED
        rows.append(DiffRow(rev.clause.code, change, _text(before) if before else "", _text(rev), rev.heading,
                            rev.depth))
        rows.extend(removed_rows(rev.clause_id))
    return rows


def text_diff(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The old and new text as (op, part) segments, op "equal", "delete" (old only) or "insert" (new
    only). Compared character by character, which is what Chinese needs; very long texts by line."""
    if len(old) + len(new) > DIFF_CHAR_LIMIT:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    else:
        a, b = list(old), list(new)
    old_parts: list[tuple[str, str]] = []
    new_parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            old_parts.append(("equal", "".join(a[i1:i2])))
            new_parts.append(("equal", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            old_parts.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            new_parts.append(("insert", "".join(b[j1:j2])))
    return old_parts, new_parts


def questions_to_review(clause_codes: list[str]) -> int:
    """How many questions publishing would put into 待复核: published or already flagged questions
    whose current version tests one of these (changed or removed) clauses, in any bank."""
    from postqc.learning.models import Question

    if not clause_codes:
        return 0
    return (Question.objects.filter(current__clauses__code__in=clause_codes,
                                    status__in=[Question.Status.PUBLISHED, Question.Status.REVIEW])
            .distinct().count())

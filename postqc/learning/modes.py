"""Practice sessions: what each mode serves next, its progress line, and the topics to choose from.

The staff pages and the API both ask here, so the phone and any other client see the same
question in the same mode. A session is a mode with its filters: 顺序练习 a bank and optionally a
chapter (it resumes at the person's PracticeCursor), 随机练习 optionally a bank, 专项练习 a chapter,
a clause or a tag; 错题本, 收藏 and 每日复习 take none. A chapter or clause means the clause and every
clause under it in the current version of its standard.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from postqc.core.access import get_offered_or_404, offered_to
from postqc.core.memo import LocalMemo
from postqc.org.models import UnitClosure
from postqc.standards.models import Clause, ClauseRevision, Standard

from . import practice
from .models import Answer, Bank, Favorite, PracticeCursor, Question, QuestionVersion

Mode = Answer.Mode


@dataclass(frozen=True)
class Session:
    mode: str
    bank: Bank | None = None
    chapter: Clause | None = None
    clause: Clause | None = None
    tag: str = ""
    topic_heading: str = ""
    clause_ids: tuple[int, ...] | None = None

    @property
    def topic(self) -> Clause | None:
        return self.clause or self.chapter

    def params(self) -> dict[str, str]:
        """The session's filters as query parameters (what a "next question" link carries)."""
        out = {}
        if self.bank is not None:
            out["bank"] = self.bank.code
        if self.chapter is not None:
            out["chapter"] = self.chapter.code
        if self.clause is not None:
            out["clause"] = self.clause.code
        if self.tag:
            out["tag"] = self.tag
        return out

    @property
    def label(self) -> str:
        return Mode(self.mode).label

    @property
    def subtitle(self) -> str:
        """What is practised, in words: the bank, the chapter or clause, the tag."""
        parts = []
        if self.bank is not None:
            parts.append(self.bank.name)
        if self.topic is not None:
            parts.append(self.topic_heading or self.topic.code)
        if self.tag:
            parts.append(f"#{self.tag}")
        return " · ".join(parts)


@dataclass(frozen=True)
class Progress:
    """Where the person is in the session: `position` of `total`, or `remaining` (错题本, 每日复习)."""

    mode: str
    total: int
    position: int | None = None
    remaining: int | None = None

    @property
    def text(self) -> str:
        label = Mode(self.mode).label
        if self.mode == Mode.WRONG:
            return _("错题本 剩余 %(n)d 题") % {"n": self.remaining}
        if self.mode == Mode.REVIEW:
            return _("今日复习 剩余 %(n)d 题") % {"n": self.remaining}
        if self.mode == Mode.RANDOM or self.position is None:
            return _("%(mode)s · 共 %(n)d 题") % {"mode": label, "n": self.total}
        return _("%(mode)s 第 %(p)d/%(n)d 题") % {"mode": label, "p": self.position, "n": self.total}


# --- Sessions ---------------------------------------------------------------------------------------


def banks_offered(user) -> QuerySet[Bank]:
    """Active banks owned by the user's unit or above, with `n_questions` (what may be practised)."""
    practicable = Q(questions__status=Question.Status.PUBLISHED, questions__pool=Question.Pool.PRACTICE,
                    questions__current__isnull=False)
    return (offered_to(Bank.objects.filter(is_active=True), user).select_related("unit")
            .annotate(n_questions=Count("questions", filter=practicable)).order_by("unit__depth", "code"))


def clause_offered_or_404(user, code: str) -> Clause:
    clause = (offered_to(Clause.objects.select_related("standard"), user)
              .filter(code=code, standard__is_active=True).first())
    if clause is None:
        raise Http404(f"No clause {code!r} is offered to you.")
    return clause


def _tree(version_ids) -> list[tuple]:
    """(revision id, clause id, parent revision id, depth, heading, clause code, standard id) of versions, in order."""
    return list(ClauseRevision.objects.filter(version_id__in=version_ids)
                .order_by("version__standard__kind", "version__standard__code", "sort_order")
                .values_list("pk", "clause_id", "parent_id", "depth", "heading", "clause__code",
                             "version__standard_id"))


def clause_subtree(clause: Clause) -> tuple[tuple[int, ...], str]:
    """The ids of `clause` and the clauses under it in its standard's current version, and its heading."""
    rows = _tree([clause.standard.current_version_id])
    children = defaultdict(list)
    own = None
    for rev, clause_id, parent, _depth, heading, _code, _std in rows:
        children[parent].append((rev, clause_id))
        if clause_id == clause.pk:
            own = (rev, heading)
    if own is None:
        return (clause.pk,), ""
    ids, stack = [clause.pk], [own[0]]
    while stack:
        for rev, clause_id in children[stack.pop()]:
            ids.append(clause_id)
            stack.append(rev)
    return tuple(ids), own[1]


def _default_bank(user) -> Bank | None:
    """顺序练习 with no bank named: the bank last practised in order, else the first offered."""
    offered = offered_to(Bank.objects.filter(is_active=True), user)
    cursor = (PracticeCursor.objects.filter(staff=user, bank__in=offered).select_related("bank")
              .order_by("-updated_at", "-pk").first())
    if cursor is not None:
        return cursor.bank
    return offered.order_by("unit__depth", "code").first()


def session_from(user, *, mode: str, bank: str = "", chapter: str = "", clause: str = "", tag: str = "") -> Session:
    """The session a request asks for. An unknown bank or clause, or one not offered to the user, is
    a 404; 专项练习 with no chapter, clause or tag is a ValidationError (nothing to practise)."""
    if mode not in Mode.values:
        raise ValidationError({"mode": [_("练习模式只能是：%(modes)s") % {"modes": ", ".join(Mode.values)}]})
    bank_obj = None
    if bank and mode in (Mode.SEQUENTIAL, Mode.RANDOM):
        bank_obj = get_offered_or_404(Bank.objects.filter(is_active=True), user, code=bank)
    elif mode == Mode.SEQUENTIAL:
        bank_obj = _default_bank(user)
    chapter_obj = clause_obj = None
    ids, heading = None, ""
    if mode in (Mode.SEQUENTIAL, Mode.TOPIC) and chapter:
        chapter_obj = clause_offered_or_404(user, chapter)
        ids, heading = clause_subtree(chapter_obj)
    if mode == Mode.TOPIC and clause and chapter_obj is None:
        clause_obj = clause_offered_or_404(user, clause)
        ids, heading = clause_subtree(clause_obj)
    tag = tag.strip()[:32] if mode == Mode.TOPIC else ""
    if mode == Mode.TOPIC and ids is None and not tag:
        raise ValidationError({"chapter": [_("专项练习需要选择章节、条款或标签。")]})
    return Session(mode=mode, bank=bank_obj, chapter=chapter_obj, clause=clause_obj, tag=tag,
                   topic_heading=heading, clause_ids=ids)


# --- Next question and progress ----------------------------------------------------------------------


QUESTION_TTL = 60  # seconds; the services that change a question or its bank clear it at once
UNIT_TTL = 60  # seconds a unit's ancestors are reused (moving a unit is rare)
CLAUSE_REFS_TTL = 600


def question_cache_key(code: str) -> str:
    return f"learning:practicable:{code}"


def clause_refs_cache_key(version_id: int) -> str:
    return f"learning:clause-refs:{version_id}"


# Per process, in front of the shared cache (core/memo.py). A question edited, withdrawn or moved is
# forgotten at once here and in the shared cache (services.question_cache_clear); another process
# may grade against the previous version for up to 10 s, and the Answer records which one it was.
_practicable_memo = LocalMemo("learning.practicable", ttl=10)
# A unit moves under another parent rarely, and its people see its new banks within a minute.
_ancestors_memo = LocalMemo("org.unit-ancestors", ttl=UNIT_TTL)
# A version's clauses never change; a heading that changes flags the question until it is republished.
_clause_refs_memo = LocalMemo("learning.clause-refs", ttl=CLAUSE_REFS_TTL)


def _practicable(code: str) -> Question | None:
    """The practicable question (published, practice pool, with a current version, in an active bank)
    of `code` with its current version and bank, whoever asks; memoised for the answer hot path."""
    return _practicable_memo.get(code, lambda: _practicable_cached(code))


def _practicable_cached(code: str) -> Question | None:
    key = question_cache_key(code)
    question = cache.get(key)
    if question is None:
        question = (Question.objects.select_related("current", "bank")
                    .filter(code=code, status=Question.Status.PUBLISHED, pool=Question.Pool.PRACTICE,
                            current__isnull=False, bank__is_active=True).first())
        if question is not None:
            cache.set(key, question, QUESTION_TTL)
    return question


def unit_ancestor_ids(unit_id: int) -> frozenset[int]:
    """The ids of the unit and every unit above it (what `offered_to` compares with), briefly memoised."""
    return _ancestors_memo.get(unit_id, lambda: _unit_ancestor_ids(unit_id))


def _unit_ancestor_ids(unit_id: int) -> frozenset[int]:
    key = f"org:unit-ancestors:{unit_id}"
    ids = cache.get(key)
    if ids is None:
        ids = frozenset(UnitClosure.objects.filter(descendant_id=unit_id).values_list("ancestor_id", flat=True))
        cache.set(key, ids, UNIT_TTL)
    return ids


def forget_question(code: str, version_id: int | None) -> None:
    """Forget this process's copies of a question and its current version's clause headings."""
    _practicable_memo.forget(code)
    if version_id is not None:
        _clause_refs_memo.forget(version_id)


def question_offered_or_404(user, code: str) -> Question:
    """A question the user may practise (published, practice pool, in a bank offered to them), or 404."""
    question = _practicable(code) if getattr(user, "unit_id", None) is not None else None
    if question is None or question.bank.unit_id not in unit_ancestor_ids(user.unit_id):
        raise Http404(f"No question {code!r} is offered to you for practice.")
    return question


def next_question(user, session: Session, *, after: Question | None = None,
                  at: dt.datetime | None = None) -> Question | None:
    """The question the session serves next; `after` is the one just answered (顺序练习 without it
    resumes at the person's cursor). When the one just answered is the only one left in the 错题本
    or the review queue, it comes back rather than the session ending early."""
    mode = session.mode
    if mode == Mode.SEQUENTIAL:
        if session.bank is None:
            return None
        if after is None:
            cursor = (PracticeCursor.objects.filter(staff=user, bank=session.bank, chapter=session.chapter)
                      .select_related("last_question").first())
            after = cursor.last_question if cursor else None
        found = practice.next_sequential(user, bank=session.bank, after=after, clause_ids=session.clause_ids)
    elif mode == Mode.RANDOM:
        found = practice.next_random(user, bank=session.bank, exclude_ids=[after.pk] if after else None)
        if found is None and after is not None:
            found = practice.next_random(user, bank=session.bank)
    elif mode == Mode.TOPIC:
        found = practice.next_topic(user, after=after, clause_ids=session.clause_ids, tag=session.tag or None)
    elif mode == Mode.WRONG:
        found = practice.next_wrong(user, after=after)
        if found is None and after is not None:
            found = practice.next_wrong(user)
    elif mode == Mode.FAVORITE:
        found = practice.next_favorite(user, after=after)
    else:
        found = practice.next_review(user, at=at, after=after)
        if found is None and after is not None:
            found = practice.next_review(user, at=at)
    if found is None:
        return None
    return Question.objects.select_related("current", "bank").get(pk=found.pk)


def _ordered_position(qs: QuerySet, question: Question, *, by_bank: bool) -> int:
    before = Q(sort_order__lt=question.sort_order) | Q(sort_order=question.sort_order, id__lte=question.id)
    if by_bank:
        before = Q(bank_id__lt=question.bank_id) | (Q(bank_id=question.bank_id) & before)
    return qs.filter(before).count()


def progress(user, session: Session, question: Question | None, *, at: dt.datetime | None = None) -> Progress:
    mode = session.mode
    if mode == Mode.WRONG:
        n = practice.open_wrong_entries(user).count()
        return Progress(mode, total=n, remaining=n)
    if mode == Mode.REVIEW:
        n = practice.review_remaining_today(user, at=at)
        return Progress(mode, total=n, remaining=n)
    if mode == Mode.FAVORITE:
        qs = practice.favorite_questions(user)
    elif mode == Mode.TOPIC:
        qs = practice.questions_for_topic(practice.practice_questions(user), clause_ids=session.clause_ids,
                                          tag=session.tag or None)
    else:
        qs = practice.practice_questions(user, bank=session.bank)
        if session.clause_ids is not None:
            qs = practice.questions_for_topic(qs, clause_ids=session.clause_ids)
    total = qs.count()
    if question is None or mode == Mode.RANDOM:
        return Progress(mode, total=total)
    return Progress(mode, total=total, position=_ordered_position(qs, question, by_bank=mode == Mode.TOPIC))


# --- What a question shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseRef:
    code: str
    heading: str


def clause_refs(version: QuestionVersion) -> list[ClauseRef]:
    """The clauses a version tests, with their heading in the standard's current version (one query,
    then cached: a version's clauses never change, and a clause whose heading changes flags the
    question out of practice until it is republished, which clears this)."""
    return _clause_refs_memo.get(version.pk, lambda: _clause_refs(version))


def _clause_refs(version: QuestionVersion) -> list[ClauseRef]:
    key = clause_refs_cache_key(version.pk)
    refs = cache.get(key)
    if refs is None:
        heading = ClauseRevision.objects.filter(clause=OuterRef("pk"), version=OuterRef("standard__current_version"))
        rows = (version.clauses.order_by("code").annotate(current_heading=Subquery(heading.values("heading")[:1]))
                .values_list("code", "current_heading"))
        refs = [ClauseRef(code, head or "") for code, head in rows]
        cache.set(key, refs, CLAUSE_REFS_TTL)
    return refs


def is_favorite(user, question: Question) -> bool:
    return Favorite.objects.filter(staff=user, question=question).exists()


# --- Choosing a topic ---------------------------------------------------------------------------------------


@dataclass
class TopicNode:
    """A clause of a standard's current version with how many practice questions test it or a clause under it."""

    code: str
    heading: str
    depth: int
    standard_id: int
    count: int = 0
    children: list[TopicNode] = field(default_factory=list)

    def flat(self) -> list[TopicNode]:
        out = []
        for child in self.children:
            if child.count:
                out.append(child)
                out.extend(child.flat())
        return out


@dataclass
class StandardTopics:
    code: str
    title: str
    chapters: list[TopicNode]


def topic_tree(user, *, bank: Bank | None = None) -> list[StandardTopics]:
    """The standards offered to the user, each with its chapters (top-level clauses) that have practice
    questions, counted over the clause and everything under it. Three queries whatever the size."""
    questions = practice.practice_questions(user, bank=bank)
    cited = QuestionVersion.clauses.through.objects.filter(questionversion_id__in=questions.values("current_id"))
    by_clause = defaultdict(set)
    for version_id, clause_id in cited.values_list("questionversion_id", "clause_id"):
        by_clause[clause_id].add(version_id)
    standards = list(offered_to(Standard.objects.filter(is_active=True, current_version__isnull=False), user)
                     .order_by("kind", "code").values_list("pk", "code", "title", "current_version_id"))
    rows = _tree([s[3] for s in standards])
    nodes, parents, members = {}, {}, defaultdict(set)
    for rev, clause_id, parent, depth, heading, code, std in rows:
        nodes[rev] = TopicNode(code=code, heading=heading, depth=depth, standard_id=std)
        parents[rev] = parent
        if clause_id in by_clause:
            members[rev] |= by_clause[clause_id]
    tops = defaultdict(list)
    for rev in reversed(list(nodes)):  # children come after their parent: fold each into its parent
        node = nodes[rev]
        node.count = len(members[rev])
        node.children.reverse()
        up = parents[rev]
        if up is None:
            tops[node.standard_id].append(node)
        else:
            members[up] |= members[rev]
            nodes[up].children.append(node)
    out = []
    for pk, code, title, _version in standards:
        chapters = [c for c in reversed(tops[pk]) if c.count]
        if chapters:
            out.append(StandardTopics(code=code, title=title, chapters=chapters))
    return out


def tag_counts(user) -> list[tuple[str, int]]:
    """The tags of the questions the user may practise, with how many questions carry each."""
    tagged = QuestionVersion.tags.through.objects.filter(
        questionversion_id__in=practice.practice_questions(user).values("current_id"))
    return list(tagged.values_list("tag__name").annotate(n=Count("questionversion_id")).order_by("tag__name"))

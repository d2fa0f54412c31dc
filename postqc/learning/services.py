"""Writes to the question bank and practice records. Views, the API, imports and commands all call these.

Question lifecycle (one function per transition):
    DRAFT --question_publish--> PUBLISHED --(a clause changes: questions_flag_for_clauses)--> REVIEW
    REVIEW --question_republish--> PUBLISHED (everyone's memory state on it restarts)
    any but RETIRED --question_retire--> RETIRED --question_publish--> PUBLISHED

Versioning: a version that people may have answered is never changed. Editing a
question whose status is PUBLISHED, REVIEW or RETIRED (or whose version already
has answers) creates version n+1 and moves `Question.current`; only a draft nobody
has answered is edited in place. Every Answer keeps pointing at the version it
answered.

One validation serves every entry path (the manager's form, Excel/CSV, GIFT,
Aiken): `question_check` (the content rules) and `questions_validate` (those plus
the database: clause codes exist, no duplicate of a question already in the bank
or earlier in the same batch).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import is_in_scope
from postqc.org.roles import Role
from postqc.standards.models import Clause

from .models import OPTION_KEYS, Bank, Question, QuestionVersion, ReviewCard, Tag

Type = QuestionVersion.Type
Status = Question.Status
REVIEW_REASON_MAX = Question._meta.get_field("review_reason").max_length
TAG_MAX = Tag._meta.get_field("name").max_length
BANK_CODE_MAX = 20  # leaves room for "-00001" in the 32-character question code
STEM_MAX = 2000
OPTION_MAX = 500
EXPLANATION_MAX = 5000
MIN_OPTIONS, MAX_OPTIONS = 2, len(OPTION_KEYS)
# Where a 填空 stem shows the blank: two or more underscores (＿＿ or __) or empty brackets （） / ().
BLANK_MARKER = re.compile(r"_{2,}|\(\s*\)")
_STEM_END_PUNCTUATION = re.compile(r"[。.?!;:,]+$")
# The enums' .values/.choices are rebuilt on every access; a 10,000-question import reads them per question.
TYPE_VALUES = frozenset(Type.values)
ROLE_VALUES = frozenset(Role.values)
POOL_VALUES = frozenset(Question.Pool.values)


# --- What practice caches ------------------------------------------------------------------


def question_cache_clear(questions: Iterable[Question]) -> None:
    """Forget what the practice hot path cached about `questions` (the practicable question by code,
    its current version's clause headings), now and again when the transaction commits, so no
    request re-caches the old row in between. Every service that changes a question's status,
    pool, current version or bank calls this."""
    from .modes import clause_refs_cache_key, forget_question, question_cache_key

    keys = []
    for question in questions:
        forget_question(question.code, question.current_id)
        keys.append(question_cache_key(question.code))
        if question.current_id is not None:
            keys.append(clause_refs_cache_key(question.current_id))
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


# --- Banks --------------------------------------------------------------------------------


def _check_bank_unit(actor, unit) -> None:
    if actor is not None and not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("只能为本单位及下级单位建立题库。"))


@transaction.atomic
def bank_create(*, code: str, name: str, unit, description: str = "", actor=None) -> Bank:
    """Create a 题库 owned by `unit`. The code is permanent (question codes derive from it), at most
    20 letters, digits, '-' or '_'; an actor may only create banks for units in their own subtree."""
    _check_bank_unit(actor, unit)
    code = code.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", code) or len(code) > BANK_CODE_MAX:
        raise ValidationError({"code": _("题库编码只能包含字母、数字、下划线和连字符，最长 %(n)d 位。") % {"n": BANK_CODE_MAX}})
    bank = Bank(code=code, name=name.strip(), unit=unit, description=description.strip())
    bank.full_clean()
    bank.save()
    return bank


@transaction.atomic
def bank_update(*, bank: Bank, name: str, description: str = "", is_active: bool = True, unit=None,
                actor=None) -> Bank:
    """Rename, describe, (de)activate or hand a bank to another unit inside the actor's subtree.
    An inactive bank is hidden from practice; its questions and answers stay."""
    if unit is not None and unit.pk != bank.unit_id:
        _check_bank_unit(actor, unit)
        bank.unit = unit
    bank.name, bank.description, bank.is_active = name.strip(), description.strip(), is_active
    bank.full_clean()
    bank.save(update_fields=["name", "description", "is_active", "unit", "updated_at"])
    question_cache_clear(bank.questions.only("id", "code", "current_id"))
    return bank


# --- What a question is, and its rules ----------------------------------------------------


@dataclass
class QuestionData:
    """One question's content as every entry path delivers it. `answer` has the shape of
    QuestionVersion.answer: option keys, ["T"]/["F"], or the accepted 填空 variants."""

    type: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    explanation: str = ""
    difficulty: int = 3
    tags: list[str] = field(default_factory=list)
    clause_codes: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    red_line: bool = False
    pool: str = Question.Pool.PRACTICE

    @classmethod
    def of(cls, version: QuestionVersion, *, pool: str) -> QuestionData:
        """The content of a stored version (tags and clauses prefetched or fetched)."""
        return cls(type=version.type, stem=version.stem, options=list(version.options), answer=list(version.answer),
                   explanation=version.explanation, difficulty=version.difficulty,
                   tags=[t.name for t in version.tags.all()], clause_codes=[c.code for c in version.clauses.all()],
                   roles=list(version.roles), red_line=version.red_line, pool=pool)

    def version_content(self) -> tuple:
        """What a new version would change: compared to decide whether an edit changes anything."""
        return (self.type, self.stem, tuple(self.options), tuple(self.answer), self.explanation, self.difficulty,
                tuple(sorted(self.tags)), tuple(sorted(self.clause_codes)), tuple(sorted(self.roles)), self.red_line)


Problem = tuple[str, str]  # (field, reason); a field is a QuestionData attribute or "option_A".."option_H"


def _strip_list(values: Iterable) -> list[str]:
    return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))


def stem_key(type: str, stem: str) -> str:
    """What makes two questions duplicates in a bank: the same type and the same stem once width,
    case, blanks, spacing and the final punctuation are ignored."""
    text = unicodedata.normalize("NFKC", stem).casefold()
    text = BLANK_MARKER.sub("()", text)
    text = _STEM_END_PUNCTUATION.sub("", re.sub(r"\s+", "", text))
    return f"{type}:{text}"


def question_check(data: QuestionData) -> tuple[QuestionData, list[Problem]]:
    """The content rules of a question, without the database. Returns the canonical data
    (trimmed, answer keys sorted, duplicates dropped) and every problem found:
    - 单选/多选: 2–8 options, none empty; 单选 exactly one answer key, 多选 at least two,
      every key naming an existing option;
    - 判断: no options, the answer is T or F;
    - 填空: no options, at least one accepted variant, and the stem shows the blank (＿＿ or （）);
    - every question has a 解析; difficulty 1–5; roles among the staff roles; tags ≤ 32 characters.
    """
    problems: list[Problem] = []
    clean = replace(
        data,
        stem=(data.stem or "").strip(),
        options=[str(o).strip() for o in data.options],
        explanation=(data.explanation or "").strip(),
        tags=_strip_list(data.tags),
        clause_codes=_strip_list(data.clause_codes),
        roles=_strip_list(data.roles),
        red_line=bool(data.red_line),
    )
    while clean.options and not clean.options[-1]:
        clean.options.pop()
    if clean.type not in TYPE_VALUES:
        problems.append(("type", _("题型应为单选、多选、判断或填空")))
    if not clean.stem:
        problems.append(("stem", _("题干不能为空")))
    elif len(clean.stem) > STEM_MAX:
        problems.append(("stem", _("题干不能超过 %(n)d 个字符") % {"n": STEM_MAX}))
    if not clean.explanation:
        problems.append(("explanation", _("每道题都要有解析")))
    elif len(clean.explanation) > EXPLANATION_MAX:
        problems.append(("explanation", _("解析不能超过 %(n)d 个字符") % {"n": EXPLANATION_MAX}))
    if not isinstance(clean.difficulty, int) or isinstance(clean.difficulty, bool) or not 1 <= clean.difficulty <= 5:
        problems.append(("difficulty", _("难度应为 1–5 的整数")))
    unknown_roles = [r for r in clean.roles if r not in ROLE_VALUES]
    if unknown_roles:
        problems.append(("roles", _("未知的岗位：%(roles)s") % {"roles": "、".join(unknown_roles)}))
    long_tags = [t for t in clean.tags if len(t) > TAG_MAX]
    if long_tags:
        problems.append(("tags", _("标签不能超过 %(n)d 个字符：%(tags)s") % {"n": TAG_MAX, "tags": "、".join(long_tags)}))
    if clean.pool not in POOL_VALUES:
        problems.append(("pool", _("题池应为练习或竞赛专用")))
    if clean.type in (Type.SINGLE, Type.MULTIPLE):
        clean.answer, type_problems = _check_choice(clean)
    elif clean.type == Type.TRUE_FALSE:
        clean.answer, type_problems = _check_true_false(clean)
    elif clean.type == Type.FILL:
        clean.answer, type_problems = _check_fill(clean)
    else:
        type_problems = []
    return clean, problems + type_problems


def _check_choice(data: QuestionData) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    options = data.options
    if len(options) < MIN_OPTIONS:
        problems.append(("options", _("选择题至少要有 %(n)d 个选项") % {"n": MIN_OPTIONS}))
    elif len(options) > MAX_OPTIONS:
        problems.append(("options", _("选择题最多 %(n)d 个选项") % {"n": MAX_OPTIONS}))
    for key, text in zip(OPTION_KEYS, options):
        if not text:
            problems.append((f"option_{key}", _("选项%(key)s 为空，选项之间不能留空") % {"key": key}))
        elif len(text) > OPTION_MAX:
            problems.append((f"option_{key}", _("选项%(key)s 不能超过 %(n)d 个字符") % {"key": key, "n": OPTION_MAX}))
    keys = sorted({str(a).strip().upper() for a in data.answer if str(a).strip()})
    valid = OPTION_KEYS[: min(len(options), MAX_OPTIONS)]
    beyond = [k for k in keys if k not in valid]
    if not keys:
        problems.append(("answer", _("答案不能为空")))
    elif beyond:
        problems.append(("answer", _("答案“%(keys)s”超出选项范围（本题选项为 %(valid)s）") % {
            "keys": "".join(beyond), "valid": "、".join(valid) or _("无")}))
    elif data.type == Type.SINGLE and len(keys) != 1:
        problems.append(("answer", _("单选题只能有一个正确答案，现有 %(n)d 个：%(keys)s") % {
            "n": len(keys), "keys": "".join(keys)}))
    elif data.type == Type.MULTIPLE and len(keys) < 2:
        problems.append(("answer", _("多选题至少要有两个正确答案；只有一个正确答案请用单选题")))
    return keys, problems


def _check_true_false(data: QuestionData) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    if data.options:
        problems.append(("options", _("判断题不填选项")))
    answer = [str(a).strip().upper() for a in data.answer]
    if answer not in (["T"], ["F"]):
        problems.append(("answer", _("判断题的答案应为“对”或“错”")))
    return answer, problems


def _check_fill(data: QuestionData) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    if data.options:
        problems.append(("options", _("填空题不填选项")))
    variants = _strip_list(data.answer)
    if not variants:
        problems.append(("answer", _("填空题至少要有一个标准答案")))
    elif any(len(v) > 200 for v in variants):
        problems.append(("answer", _("填空题的每个答案不能超过 200 个字符")))
    if data.stem and not BLANK_MARKER.search(unicodedata.normalize("NFKC", data.stem)):
        problems.append(("stem", _("填空题的题干要用“＿＿”或“（）”标出填空位置")))
    return variants, problems


def _bank_stem_keys(bank: Bank, *, exclude_question_id: int | None = None) -> dict[str, str]:
    """stem_key → question code, for the bank's questions that are not retired (one query)."""
    current = Question.objects.filter(bank=bank).exclude(status=Status.RETIRED)
    if exclude_question_id is not None:
        current = current.exclude(pk=exclude_question_id)
    rows = QuestionVersion.objects.filter(pk__in=current.values("current_id"))
    return {stem_key(t, s): code for t, s, code in rows.values_list("type", "stem", "question__code")}


def questions_validate(*, bank: Bank, items: Sequence[QuestionData], labels: Sequence[str] | None = None,
                       exclude_question_id: int | None = None) -> tuple[list[QuestionData], list[list[Problem]]]:
    """Validate a batch (one question from a form, or a whole import file) in a few queries:
    the content rules of `question_check`, clause codes that exist, and no duplicate (same type and
    stem, see `stem_key`) of a question already in the bank or of an earlier item of the batch.
    `labels` name the items in duplicate messages ("第 5 行", "第 3 题"). Returns the canonical
    items and, per item, its problems."""
    checked = [question_check(item) for item in items]
    codes = {code for data, _p in checked for code in data.clause_codes}
    known = set(Clause.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
    in_bank = _bank_stem_keys(bank, exclude_question_id=exclude_question_id)
    seen: dict[str, int] = {}
    results: list[list[Problem]] = []
    for index, (data, problems) in enumerate(checked):
        missing = [c for c in data.clause_codes if c not in known]
        if missing:
            problems.append(("clause_codes", _("条款不存在：%(codes)s") % {"codes": "、".join(missing)}))
        if data.stem and data.type in TYPE_VALUES:
            key = stem_key(data.type, data.stem)
            if key in in_bank:
                problems.append(("stem", _("题库中已有相同题干的%(type)s题（%(code)s）") % {
                    "type": Type(data.type).label, "code": in_bank[key]}))
            elif key in seen:
                earlier = labels[seen[key]] if labels else str(seen[key] + 1)
                problems.append(("stem", _("与%(earlier)s题干重复") % {"earlier": earlier}))
            else:
                seen[key] = index
        results.append(problems)
    return [data for data, _p in checked], results


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for name, message in problems:
            errors.setdefault(name, []).append(message)
        raise ValidationError(errors)


# --- One question -------------------------------------------------------------------------------


def _question_code(bank: Bank, number: int) -> str:
    code = f"{bank.code}-{number:05d}"
    return code if len(code) <= 32 else f"Q{bank.pk}-{number:05d}"


def _next_numbers(bank: Bank, count: int) -> range:
    """Reserve `count` sequence numbers in the bank (the bank row is locked until commit)."""
    Bank.objects.select_for_update().filter(pk=bank.pk).first()
    last = Question.objects.filter(bank=bank).aggregate(m=Max("sort_order"))["m"] or 0
    return range(last + 1, last + 1 + count)


def _tag_ids(names: Iterable[str]) -> dict[str, int]:
    names = set(names)
    if not names:
        return {}
    have = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    missing = names - set(have)
    if missing:
        Tag.objects.bulk_create([Tag(name=n) for n in sorted(missing)], ignore_conflicts=True)
        have = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    return have


def _new_version(question: Question, data: QuestionData, *, number: int, actor, image=None) -> QuestionVersion:
    version = QuestionVersion(question=question, number=number, type=data.type, stem=data.stem, options=data.options,
                              answer=data.answer, explanation=data.explanation, difficulty=data.difficulty,
                              roles=data.roles, red_line=data.red_line, created_by=actor)
    if image:
        version.image = image
    version.save()
    _set_links(version, data)
    return version


def _set_links(version: QuestionVersion, data: QuestionData) -> None:
    tag_ids = _tag_ids(data.tags)
    version.tags.set([tag_ids[n] for n in data.tags])
    version.clauses.set(list(Clause.objects.filter(code__in=data.clause_codes)))


@transaction.atomic
def question_create(*, bank: Bank, type: str, stem: str, options: Sequence[str] = (), answer: Sequence[str],
                    explanation: str, difficulty: int = 3, tags: Sequence[str] = (), clause_codes: Sequence[str] = (),
                    roles: Sequence[str] = (), red_line: bool = False, pool: str = Question.Pool.PRACTICE,
                    actor=None, publish: bool = True, image=None) -> Question:
    """Add a question to `bank` as version 1, published (or a draft with publish=False).
    The rules are those of `questions_validate`; a violation raises ValidationError keyed by field."""
    data = QuestionData(type=type, stem=stem, options=list(options), answer=list(answer), explanation=explanation,
                        difficulty=difficulty, tags=list(tags), clause_codes=list(clause_codes), roles=list(roles),
                        red_line=red_line, pool=pool)
    (data,), (problems,) = questions_validate(bank=bank, items=[data])
    _raise_problems(problems)
    (number,) = _next_numbers(bank, 1)
    question = Question.objects.create(bank=bank, code=_question_code(bank, number), sort_order=number,
                                       pool=data.pool, status=Status.PUBLISHED if publish else Status.DRAFT)
    question.current = _new_version(question, data, number=1, actor=actor, image=image)
    question.save(update_fields=["current", "updated_at"])
    return question


KEEP_IMAGE = object()  # question_edit(image=KEEP_IMAGE): the new version shows the same picture


@transaction.atomic
def question_edit(*, question: Question, actor, type: str, stem: str, options: Sequence[str] = (),
                  answer: Sequence[str], explanation: str, difficulty: int = 3, tags: Sequence[str] = (),
                  clause_codes: Sequence[str] = (), roles: Sequence[str] = (), red_line: bool = False,
                  pool: str | None = None, image=KEEP_IMAGE) -> QuestionVersion:
    """Change a question's content. A version people may have seen is never changed: when the
    question is (or was) published, or its version has answers, the edit becomes version n+1 and
    `current` moves to it; a draft nobody answered is edited in place. An edit that changes
    nothing creates no version. The status stays: a 待复核 question is published again only by
    `question_republish`. `pool` is the question's, not a version's, and changes in place.
    `image`: KEEP_IMAGE, a new file, or None/"" to remove the picture."""
    question = Question.objects.select_for_update(of=("self",)).select_related("current", "bank").get(pk=question.pk)
    question_cache_clear([question])
    current = question.current
    data = QuestionData(type=type, stem=stem, options=list(options), answer=list(answer), explanation=explanation,
                        difficulty=difficulty, tags=list(tags), clause_codes=list(clause_codes), roles=list(roles),
                        red_line=red_line, pool=pool or question.pool)
    (data,), (problems,) = questions_validate(bank=question.bank, items=[data], exclude_question_id=question.pk)
    _raise_problems(problems)
    if data.pool != question.pool:
        question.pool = data.pool
        question.save(update_fields=["pool", "updated_at"])
    image_changed = image is not KEEP_IMAGE and (image or None) != (current.image or None)
    if data.version_content() == QuestionData.of(current, pool=question.pool).version_content() and not image_changed:
        return current
    in_place = question.status == Status.DRAFT and not current.answers.exists()
    if in_place:
        for name in ("type", "stem", "options", "answer", "explanation", "difficulty", "roles", "red_line"):
            setattr(current, name, getattr(data, name))
        if image_changed:
            current.image = image or ""
        current.save()
        _set_links(current, data)
        return current
    new_image = current.image if image is KEEP_IMAGE else image
    version = _new_version(question, data, number=current.number + 1, actor=actor, image=new_image or None)
    question.current = version
    question.save(update_fields=["current", "updated_at"])
    return version


def _transition(question: Question, allowed: set[str], to: str, message: str) -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    question_cache_clear([question])
    if question.status not in allowed:
        raise ValidationError(message % {"status": question.get_status_display()})
    question.status = to
    return question


@transaction.atomic
def question_publish(*, question: Question, actor=None) -> Question:
    """A draft, or a retired question brought back, becomes available for practice and exams.
    A 待复核 question goes back through `question_republish` instead."""
    question = _transition(question, {Status.DRAFT, Status.RETIRED}, Status.PUBLISHED,
                           _("%(status)s的试题不能发布（待复核的试题请用“复核后重新发布”）。"))
    question.save(update_fields=["status", "updated_at"])
    return question


@transaction.atomic
def question_retire(*, question: Question, actor=None) -> Question:
    """Take a question out of practice and new exam papers; its versions and answers stay."""
    question = _transition(question, {Status.DRAFT, Status.PUBLISHED, Status.REVIEW}, Status.RETIRED,
                           _("%(status)s的试题不能停用。"))
    question.save(update_fields=["status", "updated_at"])
    return question


@transaction.atomic
def question_republish(*, question: Question, actor=None) -> int:
    """A reviewed question (待复核, flagged because a clause it tests changed) is published again,
    edited or confirmed unchanged, and everyone's memory state on it restarts.

    The restart RESETS each person's ReviewCard rather than deleting it: the card becomes a fresh
    FSRS card (learning, step 0, no stability or difficulty, no reps or lapses) due now, so the
    question comes back in every 每日复习 queue that held it and is learnt again from scratch.
    Deleting would instead drop it from those queues until the person met it again by chance.
    Returns how many cards were reset."""
    question = _transition(question, {Status.REVIEW}, Status.PUBLISHED, _("%(status)s的试题不需要复核后重新发布。"))
    question.review_reason = ""
    question.flagged_at = None
    question.save(update_fields=["status", "review_reason", "flagged_at", "updated_at"])
    return ReviewCard.objects.filter(question=question).update(
        state=ReviewCard.State.LEARNING, step=0, stability=None, difficulty=None, due=timezone.now(),
        last_review=None, reps=0, lapses=0)


# --- Many questions at once (imports, the demo) --------------------------------------------------


@transaction.atomic
def questions_bulk_create(*, bank: Bank, items: Sequence[QuestionData], actor=None, publish: bool = True,
                          progress: Callable[[int], None] | None = None, chunk_size: int = 1000) -> int:
    """Create many questions validated by `questions_validate` in a handful of queries per
    `chunk_size` questions (bulk inserts of questions, versions and their tag/clause links, then
    one UPDATE pointing each question at its version 1). `progress(done)` is called after each
    chunk. All or nothing: one transaction. Returns how many were created."""
    if not items:
        return 0
    numbers = _next_numbers(bank, len(items))
    tag_ids = _tag_ids(name for item in items for name in item.tags)
    clause_ids = dict(Clause.objects.filter(code__in={c for item in items for c in item.clause_codes})
                      .values_list("code", "pk"))
    status = Status.PUBLISHED if publish else Status.DRAFT
    TagLink = QuestionVersion.tags.through
    ClauseLink = QuestionVersion.clauses.through
    now = timezone.now()
    done = 0
    for start in range(0, len(items), chunk_size):
        batch = items[start:start + chunk_size]
        questions = Question.objects.bulk_create([
            Question(bank=bank, code=_question_code(bank, numbers[start + i]), sort_order=numbers[start + i],
                     status=status, pool=data.pool, created_at=now, updated_at=now)
            for i, data in enumerate(batch)
        ])
        versions = QuestionVersion.objects.bulk_create([
            QuestionVersion(question=q, number=1, type=d.type, stem=d.stem, options=d.options, answer=d.answer,
                            explanation=d.explanation, difficulty=d.difficulty, roles=d.roles, red_line=d.red_line,
                            created_by=actor)
            for q, d in zip(questions, batch, strict=True)
        ])
        TagLink.objects.bulk_create([
            TagLink(questionversion_id=v.pk, tag_id=tag_ids[name])
            for v, d in zip(versions, batch, strict=True) for name in d.tags
        ])
        ClauseLink.objects.bulk_create([
            ClauseLink(questionversion_id=v.pk, clause_id=clause_ids[code])
            for v, d in zip(versions, batch, strict=True) for code in d.clause_codes
        ])
        Question.objects.filter(pk__in=[q.pk for q in questions]).update(current=Subquery(
            QuestionVersion.objects.filter(question=OuterRef("pk"), number=1).values("pk")[:1]))
        done += len(batch)
        if progress:
            progress(done)
    return done


# --- Review after a clause changed -------------------------------------------------------------


@transaction.atomic
def questions_flag_for_clauses(*, clauses: Iterable, reason: str) -> int:
    """Put every question whose current version tests one of `clauses` into 待复核 (REVIEW).

    Published questions move to REVIEW with `reason` and the time. A question already
    in REVIEW keeps its first flag time and gets `reason` appended, so a question tied
    to two revised clauses names both. Drafts and retired questions are left alone: no
    one is practising them. Returns how many questions were flagged."""
    clause_ids = [getattr(c, "pk", c) for c in clauses]
    if not clause_ids:
        return 0
    testing = QuestionVersion.clauses.through.objects.filter(clause_id__in=clause_ids).values("questionversion_id")
    now = timezone.now()
    questions = list(
        Question.objects.select_for_update()
        .filter(current_id__in=testing, status__in=[Question.Status.PUBLISHED, Question.Status.REVIEW])
        .only("id", "code", "current_id", "status", "review_reason", "flagged_at")
    )
    question_cache_clear(questions)
    for question in questions:
        if question.status == Question.Status.REVIEW:
            if reason not in question.review_reason:
                joined = f"{question.review_reason}；{reason}" if question.review_reason else reason
                question.review_reason = joined[:REVIEW_REASON_MAX]
            question.flagged_at = question.flagged_at or now
        else:
            question.status = Question.Status.REVIEW
            question.review_reason = reason[:REVIEW_REASON_MAX]
            question.flagged_at = now
        question.updated_at = now
    Question.objects.bulk_update(questions, ["status", "review_reason", "flagged_at", "updated_at"])
    return len(questions)

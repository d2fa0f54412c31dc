import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from postqc.learning.models import Question
from postqc.learning.services import questions_flag_for_clauses
from postqc.standards import selectors
from postqc.standards.models import Clause, ClauseRead, ClauseRevision, Standard, StandardVersion
from postqc.standards.services import (
    clause_mark_read,
    standard_import_markdown,
    version_delete_draft,
    version_publish,
)

from .conftest import V2021

Status = StandardVersion.Status


def test_publishing_the_first_version_makes_it_current(org):
    draft = standard_import_markdown(text=V2021, unit=org.jls, actor=org.sam)
    outcome = version_publish(version=draft, actor=org.sam)

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_by == org.sam and draft.published_at
    assert Standard.objects.get(code="JLQC").current_version == draft
    assert (outcome.added, outcome.changed, outcome.removed, outcome.flagged_questions) == (7, 0, 0, 0)


def test_publishing_a_new_version_keeps_the_old_one_readable(published, org):
    new = version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None).version

    published.refresh_from_db()
    assert published.status == Status.SUPERSEDED
    assert Standard.objects.get(code="JLQC").current_version == new
    old_text = ClauseRevision.objects.get(version=published, clause__code="JLQC-2.3").body
    assert old_text == "用户查询给据邮件，应当在规定时限内答复。"
    assert ClauseRevision.objects.get(version=new, clause__code="JLQC-2.3").body == "用户查询给据邮件，应当自收到查询之日起 15 日内答复。"
    assert selectors.version_previous(new) == published


def test_publish_flags_questions_on_changed_and_removed_clauses_and_no_others(published, org, make_question):
    on_changed = make_question("Q-CHANGED", ["JLQC-2.3"])
    on_removed = make_question("Q-REMOVED", ["JLQC-1.2"])
    on_both = make_question("Q-BOTH", ["JLQC-2.3", "JLQC-1.2"])
    on_unchanged = make_question("Q-SAME", ["JLQC-2.4", "JLQC-1.1"])
    draft_q = make_question("Q-DRAFT", ["JLQC-2.3"], status=Question.Status.DRAFT)
    retired_q = make_question("Q-RETIRED", ["JLQC-2.3"], status=Question.Status.RETIRED)

    outcome = version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None)

    for q in (on_changed, on_removed, on_both, on_unchanged, draft_q, retired_q):
        q.refresh_from_db()
    assert (outcome.changed, outcome.removed, outcome.added, outcome.flagged_questions) == (1, 1, 1, 3)
    assert on_changed.status == Question.Status.REVIEW and on_changed.flagged_at is not None
    assert on_changed.review_reason == "条款 JLQC-2.3 已修订（版本 2021）"
    assert on_removed.review_reason == "条款 JLQC-1.2 已删除（版本 2021）"
    assert on_both.status == Question.Status.REVIEW
    assert on_both.review_reason == "条款 JLQC-2.3 已修订（版本 2021）；条款 JLQC-1.2 已删除（版本 2021）"
    assert on_unchanged.status == Question.Status.PUBLISHED and on_unchanged.review_reason == ""
    assert draft_q.status == Question.Status.DRAFT and retired_q.status == Question.Status.RETIRED


def test_only_the_current_version_of_a_question_counts(published, org, make_question):
    from postqc.learning.models import QuestionVersion

    q = make_question("Q-MOVED", ["JLQC-2.3"])
    v2 = QuestionVersion.objects.create(question=q, number=2, type=QuestionVersion.Type.TRUE_FALSE, stem="新题干",
                                        answer=["F"], explanation="解析")
    v2.clauses.set([Clause.objects.get(code="JLQC-1.1")])
    q.current = v2
    q.save(update_fields=["current"])

    version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None)

    q.refresh_from_db()
    assert q.status == Question.Status.PUBLISHED


def test_flagging_keeps_the_first_flag_time(published, make_question):
    q = make_question("Q-1", ["JLQC-2.3"])
    clause = Clause.objects.get(code="JLQC-2.3")
    assert questions_flag_for_clauses(clauses=[clause], reason="原因一") == 1
    q.refresh_from_db()
    first = q.flagged_at
    assert questions_flag_for_clauses(clauses=[clause], reason="原因一") == 1
    q.refresh_from_db()
    assert q.flagged_at == first and q.review_reason == "原因一"
    assert questions_flag_for_clauses(clauses=[], reason="x") == 0


def test_only_a_draft_can_be_published_or_deleted(published, org):
    with pytest.raises(ValidationError):
        version_publish(version=published, actor=None)
    with pytest.raises(ValidationError):
        version_delete_draft(version=published, actor=None)


def test_publishing_needs_the_edit_content_role_in_scope(org):
    draft = standard_import_markdown(text=V2021, unit=org.cy, actor=org.alice)
    for person in (org.hank, org.charlie, org.dora):
        with pytest.raises(PermissionDenied):
            version_publish(version=draft, actor=person)
    version_publish(version=draft, actor=org.alice)


def test_deleting_the_only_draft_of_a_new_standard_removes_the_standard(org):
    draft = standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    version_delete_draft(version=draft, actor=None)
    assert not Standard.objects.exists() and not Clause.objects.exists()


def test_deleting_a_revision_draft_keeps_the_published_version(published, org):
    draft = standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    version_delete_draft(version=draft, actor=None)
    assert list(StandardVersion.objects.values_list("label", flat=True)) == ["2019"]
    assert not Clause.objects.filter(code="JLQC-2.5").exists(), "the draft's new clause went with it"
    assert Clause.objects.filter(code="JLQC-2.3").exists()


def test_diff_lists_added_changed_removed_and_unchanged_clauses_in_reading_order(published, org):
    new = standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    rows = selectors.version_diff(published, new)
    assert [(r.code, r.change) for r in rows] == [
        ("JLQC-1", "unchanged"), ("JLQC-1.1", "unchanged"), ("JLQC-1.2", "removed"), ("JLQC-2", "unchanged"),
        ("JLQC-2.3", "changed"), ("JLQC-2.4", "unchanged"), ("JLQC-2.4.1", "unchanged"), ("JLQC-2.5", "added")]
    code, change, old_text, new_text, *_ = rows[4]
    assert old_text == "第三条 查询时限\n用户查询给据邮件，应当在规定时限内答复。"
    assert new_text == "第三条 查询时限\n用户查询给据邮件，应当自收到查询之日起 15 日内答复。"
    assert rows[2].new_text == "" and rows[7].old_text == ""
    old_parts, new_parts = rows[4].segments()
    assert ("delete", "在规定时限") in old_parts
    assert ("insert", "自收到查询之日起 15 日") in new_parts
    assert "".join(t for _, t in old_parts) == old_text and "".join(t for _, t in new_parts) == new_text


def test_diff_against_nothing_lists_every_clause_as_added(org):
    draft = standard_import_markdown(text=V2021, unit=org.jls, actor=None)
    assert {r.change for r in selectors.version_diff(None, draft)} == {"added"}


def test_reading_is_recorded_once_per_person_and_carries_over_unchanged_clauses(published, org):
    rev = {r.clause.code: r for r in published.revisions.select_related("clause")}
    clause_mark_read(staff=org.bob, revision=rev["JLQC-2.3"])
    clause_mark_read(staff=org.bob, revision=rev["JLQC-2.3"])
    clause_mark_read(staff=org.bob, revision=rev["JLQC-2.4"])
    clause_mark_read(staff=org.erin, revision=rev["JLQC-2.4"])
    assert ClauseRead.objects.filter(staff=org.bob).count() == 2

    def progress(person):
        s = selectors.standards_offered(person).get(code="JLQC")
        return s.read_total, s.clause_total

    assert progress(org.bob) == (2, 7) and progress(org.erin) == (1, 7) and progress(org.dave) == (0, 7)

    version_publish(version=standard_import_markdown(text=V2021, unit=org.jls, actor=None), actor=None)
    # 2.4 did not change: still read; 2.3 was reworded: to be read again.
    assert progress(org.bob) == (1, 7) and progress(org.erin) == (1, 7)

"""整改问责: every failed item assigned to a named person with a deadline, verified by someone else,
repeats escalated, the whole history kept; on the pages, the phone, the API and the cockpit."""
import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from postqc.api.services import token_issue
from postqc.dashboard.cockpit import cockpit
from postqc.inspections import rectification
from postqc.inspections.models import Finding, FindingEvent
from postqc.inspections.selectors import on_time_by_child
from postqc.inspections.services import inspection_submit

from .conftest import TODAY, results


def spot(org, on=TODAY, inspector=None, outlet=None, **changes):
    return inspection_submit(outlet=outlet or org.o_cy, kind="spot", inspector=inspector or org.alice,
                             inspected_on=on, results=results(**changes))


def test_each_failed_item_is_assigned_with_a_deadline_and_someone_else_to_verify(org, lists):
    spot(org, A1=("not_met", "未公示营业时间"), B2=("not_met", "座椅损坏"))
    a1, b2 = Finding.objects.order_by("item_code")
    assert a1.assignee == b2.assignee == org.hank  # 北京路支局's branch head
    assert a1.verifier == org.alice  # the inspector
    assert a1.critical and a1.deadline == TODAY + dt.timedelta(days=7)
    assert not b2.critical and b2.deadline == TODAY + dt.timedelta(days=15)
    assert a1.unit == org.cy_bjl and a1.status == Finding.Status.OPEN
    event = a1.events.get()
    assert (event.action, event.actor, event.assignee, event.note) == ("opened", org.alice, org.hank, "未公示营业时间")


def test_a_branch_heads_own_self_inspection_is_verified_by_a_quality_manager(org, lists):
    inspection_submit(outlet=org.o_cy, kind="self", inspector=org.hank, inspected_on=TODAY,
                      results=results(B2=("not_met", "座椅损坏")))
    finding = Finding.objects.get()
    assert finding.assignee == org.hank and finding.verifier == org.alice


def test_the_fix_is_submitted_by_the_assignee_and_verified_by_someone_else(org, lists):
    spot(org, B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    with pytest.raises(PermissionDenied):
        rectification.finding_submit(finding=finding, actor=org.bob, note="不是我的")
    with pytest.raises(ValidationError):
        rectification.finding_submit(finding=finding, actor=org.hank, note="  ")
    rectification.finding_submit(finding=finding, actor=org.hank, note="已更换座椅")
    with pytest.raises(PermissionDenied):  # nobody verifies their own fix
        rectification.finding_verify(finding=finding, actor=org.hank, accepted=True)
    with pytest.raises(PermissionDenied):  # 蛟河's quality manager has no say over 船营
        rectification.finding_verify(finding=finding, actor=org.charlie, accepted=True)
    with pytest.raises(ValidationError) as raised:  # sent back: a new deadline
        rectification.finding_verify(finding=finding, actor=org.alice, accepted=False, note="还差一把")
    assert "deadline" in raised.value.message_dict
    rectification.finding_verify(finding=finding, actor=org.alice, accepted=False, note="还差一把",
                                 deadline=TODAY + dt.timedelta(days=3))
    finding.refresh_from_db()
    assert finding.status == "open" and finding.deadline == TODAY + dt.timedelta(days=3)
    rectification.finding_submit(finding=finding, actor=org.hank, note="都换好了")
    rectification.finding_verify(finding=finding, actor=org.sam, accepted=True, note="复查合格")  # a sysadmin above
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.closed_at is not None
    assert list(finding.events.values_list("action", "actor__employee_no")) == [
        ("opened", "A001"), ("submitted", "H001"), ("returned", "A001"), ("submitted", "H001"), ("accepted", "S001")]
    with pytest.raises(ValidationError):
        rectification.finding_submit(finding=finding, actor=org.hank, note="再来")


def test_the_same_problem_within_a_year_escalates(org, lists, city_quality):
    spot(org, on=TODAY - dt.timedelta(days=200), B2=("not_met", "座椅损坏"))
    spot(org, on=TODAY - dt.timedelta(days=30), A2=("not_met", "牌子掉了"))  # another item: no repeat
    spot(org, B2=("not_met", "又坏了"))
    latest = Finding.objects.get(item_code="B2", repeats=1)
    assert latest.escalated and latest.repeat_of.repeats == 0 and latest.verifier == city_quality
    assert latest.events.filter(action="escalated").exists()
    assert not Finding.objects.get(item_code="A2").escalated
    with time_machine.travel(timezone.now() + dt.timedelta(days=400), tick=False):  # over a year later: a fresh start
        spot(org, on=TODAY + dt.timedelta(days=400), B2=("not_met", "第三次"))
    assert Finding.objects.filter(item_code="B2").order_by("-pk").first().repeats == 0


def test_a_manager_reassigns_and_the_history_keeps_the_first(org, lists):
    spot(org, B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    with pytest.raises(ValidationError) as raised:
        rectification.finding_reassign(finding=finding, actor=org.alice, assignee=org.erin,
                                       deadline=TODAY - dt.timedelta(days=1), note="换人")
    assert set(raised.value.message_dict) == {"assignee", "deadline"}  # 蛟河's clerk; a past day
    with pytest.raises(PermissionDenied):
        rectification.finding_reassign(finding=finding, actor=org.hank, assignee=org.bob, deadline=TODAY, note="x")
    rectification.finding_reassign(finding=finding, actor=org.alice, assignee=org.bob, deadline=TODAY, note="营业员负责")
    finding.refresh_from_db()
    assert finding.assignee == org.bob
    assert list(finding.events.values_list("action", "assignee__employee_no")) == [("opened", "H001"),
                                                                                   ("reassigned", "B001")]


def test_on_time_rate_counts_findings_due_this_year(org, lists):
    spot(org, on=TODAY - dt.timedelta(days=40), B2=("not_met", "座椅损坏"), A2=("not_met", "牌子掉了"))
    spot(org, outlet=org.o_jh, inspector=org.charlie, on=TODAY - dt.timedelta(days=2), B2=("not_met", "未到期"))
    on_time, late = Finding.objects.filter(outlet=org.o_cy).order_by("item_code")
    for finding, when in ((on_time, on_time.deadline - dt.timedelta(days=3)), (late, late.deadline + dt.timedelta(days=2))):
        at = timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
        rectification.finding_submit(finding=finding, actor=org.hank, note="已整改", at=at)
        rectification.finding_verify(finding=finding, actor=org.alice, accepted=True, at=at)
    total, children = on_time_by_child(org.jls, 2026, TODAY)
    assert (total.due, total.on_time, total.rate) == (2, 1, 50)  # 蛟河's is not due yet
    assert children[org.cy.pk].rate == 50 and org.jh.pk not in children
    card = next(c for c in cockpit(org.dora, org.jls).cards if c.kpi.code == "inspections.rectification")
    assert card.cell.measure.value == 50 and card.cell.measure.n == 2


def test_on_the_pages_and_the_phone(org, lists, as_):
    spot(org, B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    head = as_(org.hank)
    home = head.get(reverse("staff:home")).content.decode()
    assert "我的整改" in home and "1 项待办" in home
    task = reverse("inspections_staff:my_task", args=[finding.code])
    assert "座椅损坏" in head.get(reverse("inspections_staff:my_tasks")).content.decode()
    assert head.post(task, {"action": "submit", "note": ""}).status_code == 200  # the note is required
    assert head.post(task, {"action": "submit", "note": "已更换"}).status_code == 302
    manager = as_(org.alice)
    listing = manager.get(reverse("inspections:finding_list"), {"status": "submitted"}).content.decode()
    assert "座椅损坏" in listing and "韩克" in listing
    detail = reverse("inspections:finding_detail", args=[finding.code])
    assert "验证通过，销号" in manager.get(detail).content.decode()
    assert manager.post(detail, {"action": "accept", "note": "合格"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed"
    assert as_(org.charlie).get(detail).status_code == 404
    export = as_(org.alice).get(reverse("inspections:finding_list"), {"format": "xlsx"})
    assert export.status_code == 200


def test_through_the_api(org, lists, client):
    spot(org, B2=("not_met", "座椅损坏"))
    code = str(Finding.objects.get().code)

    def call(person, path, body=None):
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(staff=person, label='t')[0]}"}
        if body is None:
            return client.get(path, **auth)
        return client.post(path, json.dumps(body), content_type="application/json", **auth)

    mine = call(org.hank, "/api/v1/findings/mine").json()
    assert [f["code"] for f in mine["to_fix"]] == [code] and mine["to_fix"][0]["problem"] == "座椅损坏"
    assert call(org.bob, f"/api/v1/findings/{code}/submit", {"note": "x"}).status_code == 403
    assert call(org.hank, f"/api/v1/findings/{code}/submit", {"note": "已更换"}).json()["status"] == "submitted"
    assert call(org.hank, f"/api/v1/findings/{code}/verify", {"accepted": True}).status_code == 403
    assert call(org.alice, "/api/v1/findings/mine").json()["to_verify"][0]["code"] == code
    bad = call(org.alice, f"/api/v1/findings/{code}/verify", {"accepted": False, "note": "还差"})
    assert bad.status_code == 422 and "deadline" in bad.json()["fields"]
    assert call(org.alice, f"/api/v1/findings/{code}/verify", {"accepted": True}).json()["status"] == "closed"
    assert call(org.charlie, f"/api/v1/findings/{code}/submit", {"note": "x"}).status_code == 404
    assert FindingEvent.objects.count() == 3


def test_the_deadlines_are_configuration(org, lists, settings):
    settings.RECTIFY_DAYS_CRITICAL, settings.RECTIFY_DAYS = 2, 3
    spot(org, A1=("not_met", "未公示"), B2=("not_met", "座椅损坏"))
    assert dict(Finding.objects.values_list("item_code", "deadline")) == {
        "A1": TODAY + dt.timedelta(days=2), "B2": TODAY + dt.timedelta(days=3)}


def test_on_time_is_measured_against_the_first_deadline(org, lists):
    """Sending a fix back moves its deadline, not the one it is judged by."""
    spot(org, on=TODAY - dt.timedelta(days=40), B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    first = finding.due
    at = timezone.make_aware(dt.datetime.combine(first - dt.timedelta(days=1), dt.time(10)))
    rectification.finding_submit(finding=finding, actor=org.hank, note="已整改", at=at)
    rectification.finding_verify(finding=finding, actor=org.alice, accepted=False, note="还差", at=at,
                                 deadline=first + dt.timedelta(days=10))
    later = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=5), dt.time(10)))
    rectification.finding_submit(finding=finding, actor=org.hank, note="都换好了", at=later)
    rectification.finding_verify(finding=finding, actor=org.alice, accepted=True, at=later)
    finding.refresh_from_db()
    assert finding.deadline == first + dt.timedelta(days=10) and finding.due == first
    total, _children = on_time_by_child(org.jls, 2026, TODAY)
    assert (total.due, total.on_time) == (1, 0)  # closed by the moved deadline, late on the first


def test_an_escalated_finding_stays_with_the_unit_above(org, lists, city_quality):
    spot(org, on=TODAY - dt.timedelta(days=100), B2=("not_met", "座椅损坏"))
    spot(org, B2=("not_met", "又坏了"))
    escalated = Finding.objects.get(escalated=True)
    rectification.finding_submit(finding=escalated, actor=org.hank, note="已更换")
    with pytest.raises(PermissionDenied):  # 船营's quality manager, whom it was escalated away from
        rectification.finding_verify(finding=escalated, actor=org.alice, accepted=True)
    rectification.finding_verify(finding=escalated, actor=city_quality, accepted=True)


def test_a_reported_fix_is_verified_before_anyone_reassigns_it(org, lists):
    spot(org, B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    rectification.finding_submit(finding=finding, actor=org.hank, note="已更换")
    with pytest.raises(ValidationError):
        rectification.finding_reassign(finding=finding, actor=org.alice, assignee=org.bob, deadline=TODAY, note="x")


def test_the_reassign_form_names_only_people_of_my_subtree(org, lists, as_):
    spot(org, B2=("not_met", "座椅损坏"))
    finding = Finding.objects.get()
    page = as_(org.alice).post(reverse("inspections:finding_detail", args=[finding.code]),
                               {"action": "reassign", "assignee": "E001", "deadline": TODAY.isoformat(), "note": "x"})
    assert "本单位及下级单位没有这个工号的员工" in page.content.decode()  # 蛟河's clerk reads as unknown
    finding.refresh_from_db()
    assert finding.assignee == org.hank

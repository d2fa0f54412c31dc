"""The demo's 网点达标: the city's three checklists (一级/二级/三级, written for this project from the
city's service rules, each item tied to its clause) and this year's inspections of all 143 outlets.

Every outlet had a 抽查 (spot check) by a quality manager of its district or county (or the city's)
on a day between mid-January and a week ago; most branches also ran a 自查 (self-inspection) in
the last two months. Items are met with a high probability that depends a little on the outlet's
area (rural outlets miss more); a handful of outlets fail a critical item (否决项) or fall under the
pass rate, so the cockpit and the 达标 page have something to show, and each failed item pushed
its clause's questions into that outlet's staff's review (the loop closes as it does in use).

The 设施设备台账 as the seed tells it: "为全市143个普遍服务网点安装监控器等安防设备，配齐了普遍服务用品" —
every outlet has its 监控设备 (installed in 2018) and its supplies; first- and second-grade outlets
have their self-service terminals, first-grade ones an accessible entrance; a few cameras and
terminals are out of order and two second-grade outlets still wait for their terminal, so the
register and the cockpit's 设施配齐率 have something to show.

Needs the org demo (units, outlets, quality staff), the standards demo (clauses JLFW-…) and the
learning demo (questions to push).
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.org.models import Outlet, Staff, Unit, UnitClosure
from postqc.org.roles import Role

from .checklists import checklist_create, version_create, version_publish
from . import accountability, rectification
from .models import (Bulletin, BulletinEntry, BulletinRead, Checklist, FacilityChange, FacilityKind, Finding,
                     FindingEvent, Inspection, LedgerEntry, OutletFacility, Result)
from .services import inspection_submit

ROOT_CODE = "JLS"
AUTHOR = "22020004"  # 王丽娟, the city's quality manager
PASS_RATE = 90

# (code, section, text, clause, critical, allow_na, grades it applies to)
ITEMS = [
    ("BS-01", "标识公示", "门前设置统一的中国邮政标识和营业时间牌", "JLFW-2.10", False, False, "123"),
    ("BS-02", "标识公示", "在醒目位置公示服务种类和营业时间", "JLFW-2.9", True, False, "123"),
    ("BS-03", "标识公示", "公示资费标准，内容与现行资费一致", "JLFW-2.9", False, False, "123"),
    ("BS-04", "标识公示", "公示查询办法、损失赔偿办法（给据邮件赔偿规定醒目）", "JLFW-2.9", False, False, "123"),
    ("BS-05", "标识公示", "公示投诉办法及客服电话11183、申诉电话12305", "JLFW-2.9", False, False, "123"),
    ("BS-06", "标识公示", "公示禁止寄递和限制寄递物品目录", "JLFW-2.9", False, False, "123"),
    ("BS-07", "标识公示", "公示网点名称、支局长姓名和监督电话", "JLFW-2.9", False, False, "12"),
    ("YY-01", "营业时间", "每周营业天数不低于所在区域的标准", "JLFW-2.6", True, False, "123"),
    ("YY-02", "营业时间", "按公示时间开门营业，无迟开早关、无故停业", "JLFW-2.6", False, False, "123"),
    ("SS-01", "设施设备", "门前或附近设置邮筒（箱）并标明开取时间", "JLFW-2.10", False, False, "123"),
    ("SS-02", "设施设备", "营业厅配备书写台、书写笔、胶水、老花镜、座椅", "JLFW-2.10", False, False, "123"),
    ("SS-03", "设施设备", "备有邮政编码查询资料", "JLFW-2.10", False, False, "123"),
    ("SS-04", "设施设备", "称重计量器具在检定有效期内", "JLFW-2.10", True, False, "123"),
    ("SS-05", "设施设备", "自助服务设备正常可用", "JLFW-2.10", False, True, "12"),
    ("SS-06", "设施设备", "设置无障碍通道或提供无障碍服务", "JLFW-3.18", False, True, "1"),
    ("AF-01", "安全防范", "监控设备正常运行，录像按规定保存", "JLFW-2.10", True, False, "123"),
    ("AF-02", "安全防范", "消防器材配备齐全且在有效期内", "JLFW-2.10", False, False, "123"),
    ("YP-01", "普服用品", "普遍服务用品配齐（邮票、信封、明信片、包装箱）", "JLFW-1.3", False, False, "123"),
    ("FW-01", "服务规范", "营业员统一着工装、佩戴工号牌", "JLFW-3.12", False, False, "123"),
    ("FW-02", "服务规范", "使用文明用语，无服务忌语", "JLFW-3.13", False, False, "123"),
    ("FW-03", "服务规范", "收付现金唱收唱付", "JLFW-3.16", False, False, "12"),
    ("FW-04", "服务规范", "老年人、残疾人等优先办理", "JLFW-3.18", False, False, "123"),
    ("SJ-01", "收寄验视", "给据邮件当面验视，实名收寄信息登记完整", "JLFW-4.21", True, False, "123"),
    ("SJ-02", "收寄验视", "无收寄禁寄物品，限寄物品按规定收寄", "JLFW-4.23", True, False, "123"),
    ("TS-01", "特殊服务", "义务兵平常信函、盲人读物按规定免费寄递", "JLFW-8.47", False, False, "123"),
]
# (code, name, measure, required grades): the register's kinds and the 配备标准 of each grade
FACILITY_KINDS = [
    ("JK", "监控设备", "路", "123"), ("AF", "安防报警装置", "套", "123"), ("YT", "邮筒（箱）", "个", "123"),
    ("CL", "称重计量器具", "台", "123"), ("BM", "便民设施", "套", "123"), ("YP", "普遍服务用品", "套", "123"),
    ("ZZ", "自助服务终端", "台", "12"), ("WZ", "无障碍设施", "处", "1"),
]
CHECKLISTS = [("PF-G1", "一级普服网点达标检查表", "1"), ("PF-G2", "二级普服网点达标检查表", "2"),
              ("PF-G3", "三级普服网点达标检查表", "3")]
MISS = {Outlet.AreaType.CITY: 0.02, Outlet.AreaType.TOWNSHIP: 0.035, Outlet.AreaType.VILLAGE: 0.05}
CRITICAL_MISS = 0.004


def _demo_checklists():
    return Checklist.objects.filter(unit__code=ROOT_CODE, code__in=[c for c, _n, _g in CHECKLISTS])


def load(*, stdout, seed: int) -> None:
    if _demo_checklists().exists():
        stdout.write(_("网点达标：演示检查表已存在，未重复加载。") + "\n")
        return
    city = Unit.objects.filter(code=ROOT_CODE).first()
    author = Staff.objects.filter(employee_no=AUTHOR).first()
    if city is None or author is None:
        raise RuntimeError(f"The inspections demo needs the org demo (unit {ROOT_CODE}, staff {AUTHOR}).")
    for code, name, grade in CHECKLISTS:
        checklist = checklist_create(code=code, name=name, grade=grade, unit=city, actor=author)
        rows = [{"code": c, "section": s, "text": t, "clause": cl, "critical": cr, "allow_na": na}
                for c, s, t, cl, cr, na, grades in ITEMS if grade in grades]
        version = version_create(checklist=checklist, rows=rows, actor=author, pass_rate=PASS_RATE,
                                 note=_("依据《吉林市分公司普遍服务规范》制定"))
        version_publish(version=version, actor=author)
    spot, self_checks = _inspect(random.Random(seed + 4), city)
    passed = Inspection.objects.filter(kind=Inspection.Kind.SPOT, passed=True).count()
    stdout.write(_("网点达标：检查表 3 张；抽查 %(s)d 个网点（达标 %(p)d 个），自查 %(c)d 次。") % {
        "s": spot, "p": passed, "c": self_checks} + "\n")
    closed, open_ = _rectify(random.Random(seed + 5))
    stdout.write(_("整改问责：整改事项 %(n)d 项，已销号 %(c)d 项，未销号 %(o)d 项。") % {
        "n": closed + open_, "c": closed, "o": open_} + "\n")
    bulletins, entries = _account(random.Random(seed + 6), city, author)
    stdout.write(_("通报 %(b)d 份；奖惩台账 %(e)d 条。") % {"b": bulletins, "e": entries} + "\n")
    records, incomplete = _equip(random.Random(seed + 7), city, author)
    stdout.write(_("设施设备台账：%(r)d 条登记，%(i)d 个网点未配齐。") % {"r": records, "i": incomplete} + "\n")


def _equip(rng: random.Random, city: Unit, author: Staff) -> tuple[int, int]:
    """Every open outlet's facilities (bulk: written as the register's import would, one change each)."""
    from .facilities import outlet_states

    kinds = [FacilityKind.objects.update_or_create(code=code, defaults={
        "name": name, "measure": measure, "required_grades": grades, "sort_order": i})[0]
        for i, (code, name, measure, grades) in enumerate(FACILITY_KINDS)]
    by_code = {k.code: k for k in kinds}
    subtree = UnitClosure.objects.filter(ancestor=city).values("descendant_id")
    outlets = list(Outlet.objects.filter(unit_id__in=subtree).exclude(status=Outlet.Status.CLOSED).order_by("code"))
    now = timezone.now()
    records = []
    second_grade = [o for o in outlets if o.grade == Outlet.Grade.SECOND]
    waiting = {o.pk for o in rng.sample(second_grade, min(2, len(second_grade)))}  # terminal not yet delivered
    for outlet in outlets:
        big = outlet.grade == Outlet.Grade.FIRST
        plan = {"JK": (rng.randint(4, 8) if big else rng.randint(2, 4), dt.date(2018, rng.randint(4, 9), rng.randint(1, 28))),
                "AF": (1, dt.date(2018, rng.randint(4, 9), rng.randint(1, 28))),
                "YT": (rng.randint(1, 2), dt.date(rng.randint(2008, 2017), rng.randint(1, 12), 1)),
                "CL": (rng.randint(2, 3) if big else 1, dt.date(rng.randint(2019, 2025), rng.randint(1, 12), 1)),
                "BM": (1, dt.date(2018, rng.randint(3, 6), rng.randint(1, 28))),
                "YP": (1, dt.date(2018, rng.randint(3, 6), rng.randint(1, 28)))}
        if outlet.grade in (Outlet.Grade.FIRST, Outlet.Grade.SECOND) and outlet.pk not in waiting:
            plan["ZZ"] = (rng.randint(1, 2), dt.date(rng.randint(2019, 2024), rng.randint(1, 12), 1))
        if big or rng.random() < 0.3:
            plan["WZ"] = (1, dt.date(rng.randint(2016, 2022), rng.randint(1, 12), 1))
        for code, (quantity, installed_on) in plan.items():
            status, note = OutletFacility.Status.IN_SERVICE, ""
            if code == "JK" and rng.random() < 0.025:
                status, note = OutletFacility.Status.FAULTY, _("硬盘录像机故障，已报修")
            elif code == "ZZ" and rng.random() < 0.06:
                status, note = OutletFacility.Status.FAULTY, _("终端黑屏，待厂家上门")
            records.append(OutletFacility(outlet=outlet, kind=by_code[code], quantity=quantity, status=status,
                                          installed_on=installed_on, note=note, updated_by=author, updated_at=now))
    OutletFacility.objects.bulk_create(records, batch_size=1000)
    FacilityChange.objects.bulk_create([
        FacilityChange(outlet_id=r.outlet_id, kind=r.kind, quantity=r.quantity, status=r.status,
                       installed_on=r.installed_on, note=r.note, source="demo", changed_by=author, changed_at=now)
        for r in records], batch_size=1000)
    states = outlet_states(outlets, kinds)
    return len(records), sum(1 for s in states.values() if not s.complete)


def _inspectors() -> dict[int, list[Staff]]:
    """Quality managers by their unit id."""
    out: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(is_active=True, role_links__role=Role.QUALITY).order_by("employee_no"):
        out.setdefault(person.unit_id, []).append(person)
    return out


def _results(rng: random.Random, outlet: Outlet, items, *, strict: bool) -> dict[str, tuple[str, str]]:
    miss = MISS.get(outlet.area_type, 0.03) * (1.0 if strict else 0.6)
    out = {}
    for item in items:
        if item.allow_na and outlet.area_type != Outlet.AreaType.CITY and rng.random() < 0.6:
            out[item.code] = (Result.Value.NA, _("本网点未配置"))
        elif rng.random() < (CRITICAL_MISS if item.critical else miss):
            out[item.code] = (Result.Value.NOT_MET, _("现场检查发现：%(t)s 不符合要求") % {"t": item.text[:40]})
        else:
            out[item.code] = (Result.Value.MET, "")
    return out


def _inspect(rng: random.Random, city: Unit) -> tuple[int, int]:
    today = timezone.localdate()
    start, end = max(dt.date(today.year, 1, 2), today - dt.timedelta(days=300)), today - dt.timedelta(days=7)
    if end <= start:  # the first days of a year: this year's round has not started, show last year's
        start, end = today - dt.timedelta(days=300), today - dt.timedelta(days=7)
    span = (end - start).days
    inspectors = _inspectors()
    ancestry: dict[int, list[int]] = {}
    for descendant, ancestor, _depth in UnitClosure.objects.order_by("descendant_id", "depth").values_list(
            "descendant_id", "ancestor_id", "depth"):
        ancestry.setdefault(descendant, []).append(ancestor)
    heads = {s.unit_id: s for s in Staff.objects.filter(is_active=True, role_links__role=Role.BRANCH_HEAD)}
    outlets = list(Outlet.objects.filter(unit__in=UnitClosure.objects.filter(ancestor=city).values("descendant_id"))
                   .exclude(status=Outlet.Status.CLOSED).select_related("unit").order_by("code"))
    items_of = {c.grade: list(c.current.items.all()) for c in _demo_checklists().select_related("current")}
    spot = self_checks = 0
    for outlet in outlets:
        nearest = next((inspectors[u] for u in ancestry[outlet.unit_id] if u in inspectors), None)
        inspector = rng.choice(nearest)
        on = start + dt.timedelta(days=rng.randrange(span))
        items = items_of[outlet.grade]
        _backdate(inspection_submit(outlet=outlet, kind=Inspection.Kind.SPOT, inspector=inspector, inspected_on=on,
                                    results=_results(rng, outlet, items, strict=True),
                                    note=_("按%(g)s网点检查表逐项检查。") % {"g": outlet.get_grade_display()}))
        spot += 1
        head = next((heads[u] for u in ancestry[outlet.unit_id] if u in heads), None)
        if head is not None and rng.random() < 0.7:
            on = today - dt.timedelta(days=rng.randrange(1, 60))
            _backdate(inspection_submit(outlet=outlet, kind=Inspection.Kind.SELF, inspector=head, inspected_on=on,
                                        results=_results(rng, outlet, items, strict=False), note=_("月度自查。")))
            self_checks += 1
    return spot, self_checks


def _backdate(inspection: Inspection) -> dt.datetime:
    """The demo's inspections are recorded now but happened on their day: their records and the
    findings they opened are dated then, so every history reads in order."""
    at = timezone.make_aware(dt.datetime.combine(inspection.inspected_on, dt.time(16, 30)))
    Inspection.objects.filter(pk=inspection.pk).update(created_at=at, updated_at=at)
    findings = Finding.objects.filter(inspection=inspection)
    FindingEvent.objects.filter(finding__in=findings).update(at=at)
    findings.update(created_at=at)
    return at


def _rectify(rng: random.Random) -> tuple[int, int]:
    """Work the findings as people would: most fixed and verified in time, some late, some still open
    (the overdue ones the 整改 list and the cockpit point at); a few fixes sent back once."""
    now = timezone.now()
    closed = open_ = 0
    findings = (Finding.objects.select_related("assignee", "verifier", "inspection", "result__item")
                .order_by("inspection__inspected_on", "pk"))
    for finding in findings:
        opened = finding.created_at
        allowed = (finding.deadline - opened.date()).days
        took = dt.timedelta(days=rng.uniform(0.3, allowed * (1.6 if rng.random() < 0.15 else 0.9)), hours=2)
        fixed_at = opened + took
        if fixed_at > now - dt.timedelta(hours=6) or rng.random() < 0.06:
            open_ += 1  # not done yet
            continue
        rectification.finding_submit(finding=finding, actor=finding.assignee, at=fixed_at,
                                     note=_("已整改：%(t)s，照片已存档。") % {"t": finding.result.item.text[:40]})
        checked_at = fixed_at + dt.timedelta(days=rng.uniform(0.2, 2.5))
        if checked_at > now:
            open_ += 1  # waiting for verification
            continue
        if rng.random() < 0.12:
            again = checked_at.date() + dt.timedelta(days=5)
            rectification.finding_verify(finding=finding, actor=finding.verifier, accepted=False, at=checked_at,
                                         note=_("现场复查仍未达到要求，请继续整改。"), deadline=again)
            fixed_at = checked_at + dt.timedelta(days=rng.uniform(1, 4))
            checked_at = fixed_at + dt.timedelta(days=rng.uniform(0.2, 1.5))
            if checked_at > now:
                open_ += 1
                continue
            rectification.finding_submit(finding=finding, actor=finding.assignee, at=fixed_at,
                                         note=_("已按复查意见再次整改。"))
        rectification.finding_verify(finding=finding, actor=finding.verifier, accepted=True, at=checked_at,
                                     note=_("现场复查合格，同意销号。"))
        closed += 1
    return closed, open_


PRAISE_LIMIT = 6  # a monthly bulletin praises a handful of outlets, not every one that met every item


def _account(rng: random.Random, city: Unit, author: Staff) -> tuple[int, int]:
    """通报 and 奖惩 as the city runs them: a bulletin for each of the last two months, issued on the
    third working day after, drafted from the month's data (praise trimmed to a handful), read by
    most of the people named; this month's still a draft. The ledger: a 绩效扣分 for the person
    responsible for each repeat (屡查屡犯), a 约谈 for each fix more than 15 days late, a bonus for the
    head of each outlet praised; one penalty reversed on appeal."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    months = []
    end = this_month - dt.timedelta(days=1)
    for _i in range(2):
        months.append((end.replace(day=1), end))
        end = end.replace(day=1) - dt.timedelta(days=1)
    issued = []
    for start, end in reversed(months):
        proposal = accountability.bulletin_proposal(unit=city, start=start, end=end)
        praise = [e for e in proposal.entries if e.tone == BulletinEntry.Tone.PRAISE]
        entries = [e for e in proposal.entries if e.tone != BulletinEntry.Tone.PRAISE] + rng.sample(
            praise, min(PRAISE_LIMIT, len(praise)))
        if not entries:
            continue
        bulletin = accountability.bulletin_save(actor=author, unit=city, kind=proposal.kind, title=proposal.title,
                                                body=proposal.body, period_start=start, period_end=end,
                                                entries=entries)
        at = min(timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=4), dt.time(10, 0))),
                 timezone.now() - dt.timedelta(hours=1))
        Bulletin.objects.filter(pk=bulletin.pk).update(created_at=at - dt.timedelta(days=1))
        issued.append(accountability.bulletin_issue(bulletin=bulletin, actor=author, at=at))
    if today > this_month:
        proposal = accountability.bulletin_proposal(unit=city, start=this_month, end=today)
        if proposal.entries:
            accountability.bulletin_save(actor=author, unit=city, kind=proposal.kind, title=proposal.title,
                                         body=proposal.body, period_start=this_month, period_end=today,
                                         entries=proposal.entries[:PRAISE_LIMIT * 2])
    # Most people of the units named read the bulletin within a few days.
    reads = []
    for bulletin in issued:
        named = bulletin.entries.values("unit_id")
        people = Staff.objects.filter(is_active=True, unit__in=UnitClosure.objects.filter(ancestor__in=named)
                                      .values("descendant_id")).values_list("pk", flat=True)
        for person in people:
            if rng.random() < 0.8:
                reads.append(BulletinRead(bulletin=bulletin, staff_id=person,
                                          read_at=bulletin.issued_at + dt.timedelta(hours=rng.uniform(1, 96))))
    BulletinRead.objects.bulk_create(reads, ignore_conflicts=True)
    entries = 0
    late = today - dt.timedelta(days=accountability.OVERDUE_FOR_ACCOUNTABILITY)
    penalties = []
    for finding in (Finding.objects.select_related("assignee", "outlet", "result__item").order_by("created_at", "pk")):
        when = min(today, finding.created_at.date() + dt.timedelta(days=3))
        if finding.repeats:
            penalties.append(accountability.ledger_record(
                actor=author, person=finding.assignee, kind=LedgerEntry.Kind.PENALTY,
                measure=LedgerEntry.Measure.DEDUCTION, points=Decimal(2), occurred_on=when, finding=finding,
                reason=_("%(o)s“%(i)s”一年内再次被查出（屡查屡犯）") % {"o": finding.outlet.name,
                                                                 "i": finding.result.item.text[:40]},
                basis=_("《吉林市分公司普遍服务质量奖惩办法》第八条")))
        elif finding.due < late and (finding.closed_at is None or finding.closed_at.date() > finding.due +
                                     dt.timedelta(days=accountability.OVERDUE_FOR_ACCOUNTABILITY)):
            penalties.append(accountability.ledger_record(
                actor=author, person=finding.assignee, kind=LedgerEntry.Kind.PENALTY, measure=LedgerEntry.Measure.TALK,
                occurred_on=min(today, finding.due + dt.timedelta(days=16)), finding=finding,
                reason=_("%(o)s“%(i)s”整改严重逾期") % {"o": finding.outlet.name, "i": finding.result.item.text[:40]},
                basis=_("《吉林市分公司普遍服务质量奖惩办法》第九条")))
    entries += len(penalties)
    heads = {s.unit_id: s for s in Staff.objects.filter(is_active=True, role_links__role=Role.BRANCH_HEAD)}
    for bulletin in issued:
        for entry in bulletin.entries.filter(tone=BulletinEntry.Tone.PRAISE).select_related("outlet"):
            head = heads.get(entry.outlet.unit_id) if entry.outlet else None
            if head is None:
                continue
            accountability.ledger_record(
                actor=author, person=head, kind=LedgerEntry.Kind.REWARD, measure=LedgerEntry.Measure.BONUS,
                amount=Decimal(300), occurred_on=bulletin.issued_at.date(), bulletin=bulletin,
                reason=_("%(o)s抽查全部项目合格，通报表扬") % {"o": entry.outlet.name},
                basis=_("《吉林市分公司普遍服务质量奖惩办法》第五条"))
            entries += 1
    if penalties:
        appealed = rng.choice(penalties)
        accountability.ledger_reverse(entry=appealed, actor=author,
                                      reason=_("经复核，问题系设备厂家原因造成，申诉成立，撤销处罚。"))
        entries += 1
    return len(issued), entries


def reset(*, stdout) -> None:
    units = UnitClosure.objects.filter(ancestor__code=ROOT_CODE).values("descendant_id")
    FacilityChange.objects.filter(outlet__unit_id__in=units).delete()
    OutletFacility.objects.filter(outlet__unit_id__in=units).delete()
    (FacilityKind.objects.filter(code__in=[c for c, *_rest in FACILITY_KINDS])  # unless kept for another city's
     .exclude(pk__in=OutletFacility.objects.values("kind_id")).exclude(pk__in=FacilityChange.objects.values("kind_id"))
     .delete())
    LedgerEntry.objects.filter(unit_id__in=units, reverses__isnull=False).delete()
    LedgerEntry.objects.filter(unit_id__in=units).delete()
    bulletins = Bulletin.objects.filter(unit_id__in=units)
    BulletinRead.objects.filter(bulletin__in=bulletins).delete()
    BulletinEntry.objects.filter(bulletin__in=bulletins).delete()
    bulletins.filter(corrects__isnull=False).delete()
    bulletins.delete()
    findings = Finding.objects.filter(unit_id__in=units)
    FindingEvent.objects.filter(finding__in=findings).delete()
    findings.filter(repeat_of__isnull=False).update(repeat_of=None)
    findings.delete()
    Result.objects.filter(inspection__unit_id__in=units).delete()
    Inspection.objects.filter(unit_id__in=units).delete()
    for checklist in Checklist.objects.filter(unit_id__in=units):
        checklist.current = None
        checklist.save(update_fields=["current"])
        checklist.versions.all().delete()
        checklist.delete()
    stdout.write(_("网点达标：已删除演示数据。") + "\n")

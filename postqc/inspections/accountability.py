"""问责: 通报 (bulletins) and the 奖惩 ledger (rewards and penalties) — the "建立通报和奖罚制度 … 屡教不改必问责"
of the seed article.

通报 (Bulletin): a quality manager drafts one for a period — `bulletin_proposal` gathers what the
period's inspections and rectification say (outlets that failed a spot check or scored full marks,
findings overdue, repeats) into entries they edit — and issues it to the subtree of the issuing unit.
Issuing numbers it (〔year〕seq 号 per issuing unit) and freezes it; a mistake is put right by a
correction (更正) pointing at it. Everyone in the subtree reads it on the phone; the first opening is
recorded (阅知), and the page shows which named units have read it.

奖惩 (LedgerEntry): a reward or penalty of a person (or a unit), with a reason and what it rests on
(a bulletin, a finding). Entries are never edited or deleted; an entry recorded in error is reversed
by a second entry pointing at it. A person with a second penalty within a year is a repeat offender
(屡教不改) and is flagged; findings that are repeats or long overdue and have no ledger entry yet are
listed as 待问责 so nobody is forgotten.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.core.access import ancestor_unit_ids, is_in_scope, require, scoped, visible_unit_ids
from postqc.core.excel import (Choice, Column, Date, DecimalNumber, ImportReport, RowError, SheetSpec, Text,
                               read_sheet, zh_choices)
from postqc.org.models import Outlet, Staff, Unit
from postqc.org.roles import Capability

from .models import Bulletin, BulletinEntry, BulletinRead, Finding, FindingEvent, Inspection, LedgerEntry

TITLE_MAX, TEXT_MAX, REASON_MAX, BASIS_MAX = 120, 500, 500, 200
UNREAD_WINDOW = dt.timedelta(days=90)  # the staff home counts unread bulletins of the last 90 days
REPEAT_OFFENDER_WINDOW = dt.timedelta(days=365)
OVERDUE_FOR_ACCOUNTABILITY = 15  # days past the first deadline after which an open finding is 待问责

REWARD_MEASURES = frozenset({LedgerEntry.Measure.COMMENDATION, LedgerEntry.Measure.BONUS,
                             LedgerEntry.Measure.MERIT_POINTS})
PENALTY_MEASURES = frozenset(LedgerEntry.Measure) - REWARD_MEASURES
MONEY_MEASURES = frozenset({LedgerEntry.Measure.BONUS, LedgerEntry.Measure.FINE})
POINT_MEASURES = frozenset({LedgerEntry.Measure.MERIT_POINTS, LedgerEntry.Measure.DEDUCTION})


# --- 通报: writing -----------------------------------------------------------------------------------


@dataclass
class EntryDraft:
    """One entry as a form or the API gives it, before it is checked."""

    tone: str
    text: str
    unit: Unit | None = None
    outlet: Outlet | None = None
    person: Staff | None = None
    finding: Finding | None = None
    inspection: Inspection | None = None


def _require_issuer(actor, unit: Unit) -> None:
    require(actor, Capability.MANAGE_ACCOUNTABILITY)
    if not is_in_scope(actor, unit.pk):
        raise PermissionDenied(_("只能以本单位或下级单位的名义发通报。"))


def _check_bulletin(*, unit: Unit, kind: str, title: str, period_start, period_end,
                    entries: list[EntryDraft]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in Bulletin.Kind.values:
        errors["kind"] = [_("请选择通报类型。")]
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [_("标题不超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    if period_start and period_end and period_start > period_end:
        errors["period_end"] = [_("结束日期不能早于开始日期。")]
    subtree = set(Unit.objects.filter(ancestor_links__ancestor=unit).values_list("pk", flat=True))
    for i, entry in enumerate(entries, start=1):
        problems = []
        if entry.tone not in BulletinEntry.Tone.values:
            problems.append(_("请选择表扬、批评或情况。"))
        if not entry.text.strip():
            problems.append(_("请填写内容。"))
        elif len(entry.text.strip()) > TEXT_MAX:
            problems.append(_("内容不超过 %(n)d 个字。") % {"n": TEXT_MAX})
        named = entry.unit or (entry.outlet.unit if entry.outlet else None) or (entry.person.unit if entry.person
                                                                                else None)
        if named is None:
            problems.append(_("请写明涉及的单位、网点或人员。"))
        elif named.pk not in subtree:
            problems.append(_("“%(u)s”不在发文单位“%(i)s”的范围内。") % {"u": named.name, "i": unit.name})
        for thing, label in ((entry.outlet, _("网点")), (entry.person, _("人员"))):
            if thing is not None and thing.unit_id not in subtree:
                problems.append(_("%(what)s“%(name)s”不在发文单位的范围内。") % {"what": label, "name": thing.name})
        if problems:
            errors[f"entry-{i}"] = [_("第 %(n)d 条：%(p)s") % {"n": i, "p": p} for p in problems]
    return errors


def _entry_rows(bulletin: Bulletin, entries: list[EntryDraft]) -> list[BulletinEntry]:
    rows = []
    for i, entry in enumerate(entries, start=1):
        unit = entry.unit or (entry.outlet.unit if entry.outlet else None) or entry.person.unit
        rows.append(BulletinEntry(bulletin=bulletin, position=i, tone=entry.tone, text=entry.text.strip(), unit=unit,
                                  outlet=entry.outlet, person=entry.person, finding=entry.finding,
                                  inspection=entry.inspection))
    return rows


@transaction.atomic
def bulletin_save(*, actor, unit: Unit, kind: str, title: str, body: str = "", period_start: dt.date | None = None,
                  period_end: dt.date | None = None, entries: list[EntryDraft], bulletin: Bulletin | None = None,
                  corrects: Bulletin | None = None) -> Bulletin:
    """Create a draft (or rewrite the draft `bulletin`) with these entries. All or nothing: a
    ValidationError keyed by field (`title`, `entry-3`, …) and nothing written."""
    _require_issuer(actor, unit)
    if bulletin is not None and bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("已印发的通报不能修改；如有错误，请发更正通报。"))
    if corrects is not None and (corrects.status != Bulletin.Status.ISSUED or corrects.unit_id != unit.pk):
        raise ValidationError({"corrects": [_("只能更正本单位已印发的通报。")]})
    errors = _check_bulletin(unit=unit, kind=kind, title=title, period_start=period_start, period_end=period_end,
                             entries=entries)
    if errors:
        raise ValidationError(errors)
    if bulletin is None:
        bulletin = Bulletin(created_by=actor, corrects=corrects)
    else:
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.status != Bulletin.Status.DRAFT:
            raise ValidationError(_("已印发的通报不能修改；如有错误，请发更正通报。"))
        bulletin.entries.all().delete()
    bulletin.unit, bulletin.kind, bulletin.title, bulletin.body = unit, kind, title.strip(), body.strip()
    bulletin.period_start, bulletin.period_end = period_start, period_end
    bulletin.save()
    BulletinEntry.objects.bulk_create(_entry_rows(bulletin, entries))
    return bulletin


@transaction.atomic
def bulletin_issue(*, bulletin: Bulletin, actor, at: dt.datetime | None = None) -> Bulletin:
    """印发: number the draft (the issuing unit's next 〔year〕seq) and freeze it."""
    bulletin = Bulletin.objects.select_for_update().select_related("unit").get(pk=bulletin.pk)
    _require_issuer(actor, bulletin.unit)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("这份通报已经印发。"))
    if not bulletin.entries.exists() and not bulletin.body.strip():
        raise ValidationError({"body": [_("通报没有内容：请填写正文或通报事项。")]})
    at = at or timezone.now()
    year = timezone.localtime(at).year
    # Lock the issuing unit's row: two managers issuing at once get consecutive numbers, never the same.
    Unit.objects.select_for_update().filter(pk=bulletin.unit_id).first()
    last = Bulletin.objects.filter(unit_id=bulletin.unit_id, year=year).aggregate(m=Max("seq"))["m"] or 0
    bulletin.status, bulletin.year, bulletin.seq = Bulletin.Status.ISSUED, year, last + 1
    bulletin.issued_by, bulletin.issued_at = actor, at
    bulletin.save(update_fields=["status", "year", "seq", "issued_by", "issued_at"])
    return bulletin


@transaction.atomic
def bulletin_discard(*, bulletin: Bulletin, actor) -> None:
    """Throw a draft away (an issued bulletin stays for good)."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    _require_issuer(actor, bulletin.unit)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("已印发的通报不能删除。"))
    bulletin.entries.all().delete()
    bulletin.delete()


def bulletin_mark_read(*, bulletin: Bulletin, reader) -> bool:
    """Record that `reader` opened an issued bulletin; True the first time."""
    if bulletin.status != Bulletin.Status.ISSUED:
        return False
    _row, created = BulletinRead.objects.get_or_create(bulletin=bulletin, staff=reader)
    return created


# --- 通报: what a period's data proposes ---------------------------------------------------------------


@dataclass
class Proposal:
    title: str
    body: str
    kind: str
    entries: list[EntryDraft] = field(default_factory=list)


def bulletin_proposal(*, unit: Unit, start: dt.date, end: dt.date) -> Proposal:
    """A draft's content from the period's data in `unit`'s subtree: criticism of every spot check that
    failed, of every finding that was still open past its deadline at `end` (as things stood then) and
    of every repeat found in the period; praise of every outlet whose spot check met every item.
    Nothing is written."""
    subtree = Unit.objects.filter(ancestor_links__ancestor=unit).values("pk")
    entries: list[EntryDraft] = []
    spots = (Inspection.objects.filter(unit_id__in=subtree, kind=Inspection.Kind.SPOT,
                                       inspected_on__range=(start, end))
             .select_related("outlet__unit").order_by("outlet__code", "inspected_on"))
    failed, perfect = [], []
    spots = list(spots)
    for inspection in spots:
        if not inspection.passed:
            failed.append(inspection)
        elif inspection.met == inspection.applicable:
            perfect.append(inspection)
    for i in failed:
        entries.append(EntryDraft(
            tone=BulletinEntry.Tone.CRITICISM, unit=i.outlet.unit, outlet=i.outlet, inspection=i,
            text=_("%(date)s 抽查%(outlet)s，合格率 %(rate)s%%%(veto)s，未达标。") % {
                "date": f"{i.inspected_on:%m月%d日}", "outlet": i.outlet.name, "rate": i.rate,
                "veto": _("，否决项不合格 %(n)d 项") % {"n": i.critical_failed} if i.critical_failed else ""}))
    # The deadline in force at the period's end is the last one set by then (a fix sent back or a
    # finding reassigned after the end does not excuse being late at the end).
    deadline_then = Subquery(FindingEvent.objects.filter(finding=OuterRef("pk"), deadline__isnull=False,
                                                         at__date__lte=end).order_by("-at", "-pk").values("deadline")[:1])
    open_then = Q(created_at__date__lte=end) & (Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
    findings = (Finding.objects.filter(unit_id__in=subtree).annotate(deadline_then=deadline_then)
                .filter((open_then & Q(deadline_then__lt=end)) | Q(repeats__gt=0, created_at__date__range=(start, end)))
                .select_related("outlet__unit", "assignee", "result__item").order_by("outlet__code", "due", "pk"))
    for f in findings:
        overdue = f.deadline_then is not None and f.deadline_then < end and f.created_at.date() <= end and (
            f.closed_at is None or timezone.localtime(f.closed_at).date() > end)
        what = f"{f.item_code} {f.result.item.text}"
        if overdue:
            text = _("%(outlet)s“%(what)s”整改逾期（期限 %(deadline)s），责任人%(who)s。") % {
                "outlet": f.outlet.name, "what": what, "deadline": f"{f.deadline_then:%m月%d日}",
                "who": f.assignee.name}
        else:
            text = _("%(outlet)s“%(what)s”一年内第 %(n)d 次被查出，屡查屡犯，已升级督办，责任人%(who)s。") % {
                "outlet": f.outlet.name, "what": what, "n": f.repeats + 1, "who": f.assignee.name}
        entries.append(EntryDraft(tone=BulletinEntry.Tone.CRITICISM, unit=f.outlet.unit, outlet=f.outlet,
                                  person=f.assignee, finding=f, text=text))
    for i in perfect:
        entries.append(EntryDraft(
            tone=BulletinEntry.Tone.PRAISE, unit=i.outlet.unit, outlet=i.outlet, inspection=i,
            text=_("%(date)s 抽查%(outlet)s，%(n)d 项检查项目全部合格。") % {
                "date": f"{i.inspected_on:%m月%d日}", "outlet": i.outlet.name, "n": i.applicable}))
    praise = sum(e.tone == BulletinEntry.Tone.PRAISE for e in entries)
    criticism = len(entries) - praise
    title = _("关于 %(start)s 至 %(end)s 普遍服务质量检查情况的通报") % {"start": f"{start:%Y年%m月%d日}",
                                                                        "end": f"{end:%m月%d日}"}
    body = _("%(start)s 至 %(end)s，%(unit)s抽查网点 %(n)d 个，%(failed)d 个未达标。现将检查和整改情况通报如下，"
             "被通报批评的单位须在整改期限内完成整改并报验证人销号；屡查屡犯的，按奖惩办法严肃问责。") % {
        "start": f"{start:%Y年%m月%d日}", "end": f"{end:%m月%d日}", "unit": unit.name,
        "n": len(spots), "failed": len(failed)}
    kind = (Bulletin.Kind.SITUATION if praise and criticism else
            Bulletin.Kind.CRITICISM if criticism else Bulletin.Kind.PRAISE)
    return Proposal(title=title, body=body, kind=kind, entries=entries)


# --- 通报: reading -----------------------------------------------------------------------------------


def bulletins_for(user) -> QuerySet[Bulletin]:
    """Bulletins `user` may read: issued by their own unit or a unit above it (addressed to them), and
    every bulletin — drafts too — of the units in their subtree when they manage."""
    addressed = Q(status=Bulletin.Status.ISSUED, unit_id__in=ancestor_unit_ids(user))
    if user.can(Capability.VIEW_MANAGE):
        addressed |= Q(unit_id__in=visible_unit_ids(user))
    return Bulletin.objects.filter(addressed)


def is_addressed(user, bulletin: Bulletin) -> bool:
    """Whether `bulletin` was issued to `user`: by their own unit or a unit above it."""
    return bulletin.status == Bulletin.Status.ISSUED and ancestor_unit_ids(user).filter(
        ancestor_id=bulletin.unit_id).exists()


BULLETIN_SHEET = SheetSpec("通报事项", (
    Column("文号", "number", Text(32), width=14),
    Column("状态", "status", Choice(zh_choices(Bulletin.Status.choices)), width=8),
    Column("标题", "title", Text(120), width=30),
    Column("发文单位", "issuer", Text(64), width=16),
    Column("通报类型", "kind", Choice(zh_choices(Bulletin.Kind.choices)), width=10),
    Column("印发日期", "issued_on", Date(), width=12),
    Column("序号", "position", Text(8), width=6),
    Column("性质", "tone", Choice(zh_choices(BulletinEntry.Tone.choices)), width=8),
    Column("涉及单位", "unit", Text(64), width=16),
    Column("涉及网点", "outlet", Text(64), width=16),
    Column("责任人工号", "employee_no", Text(32), width=12),
    Column("责任人", "person", Text(32), width=10),
    Column("内容", "text", Text(500), width=50),
), help="每行一条通报事项；没有事项的通报占一行。")


def bulletin_records(bulletins) -> list[dict]:
    """BULLETIN_SHEET rows of `bulletins` (a queryset, in its order): a row per 通报事项, a bare row for a
    bulletin without any. Two queries."""
    bulletins = list(bulletins.select_related("unit"))
    entries: dict[int, list[BulletinEntry]] = {}
    for e in (BulletinEntry.objects.filter(bulletin__in=[b.pk for b in bulletins])
              .select_related("unit", "outlet", "person").order_by("bulletin_id", "position")):
        entries.setdefault(e.bulletin_id, []).append(e)
    out = []
    for b in bulletins:
        head = {"number": b.number, "status": b.status, "title": b.title, "issuer": b.unit.name, "kind": b.kind,
                "issued_on": timezone.localdate(b.issued_at) if b.issued_at else None}
        for e in entries.get(b.pk) or [None]:
            out.append(head if e is None else {
                **head, "position": str(e.position), "tone": e.tone, "unit": e.unit.name,
                "outlet": e.outlet.name if e.outlet else "", "employee_no": e.person.employee_no if e.person else "",
                "person": e.person.name if e.person else "", "text": e.text})
    return out


def addressed_to(user) -> QuerySet[Bulletin]:
    """Issued bulletins of `user`'s unit and the units above it, with `read` (opened by `user`), newest first."""
    return bulletins_with_read_flag(user).filter(unit_id__in=ancestor_unit_ids(user))


def bulletins_with_read_flag(user) -> QuerySet[Bulletin]:
    return (bulletins_for(user).filter(status=Bulletin.Status.ISSUED)
            .annotate(read=Exists(BulletinRead.objects.filter(bulletin=OuterRef("pk"), staff=user)))
            .select_related("unit").order_by("-issued_at", "-pk"))


def unread_count(user, *, now: dt.datetime | None = None) -> int:
    """Issued bulletins addressed to `user` in the last 90 days that they have not opened."""
    since = (now or timezone.now()) - UNREAD_WINDOW
    return (Bulletin.objects.filter(status=Bulletin.Status.ISSUED, unit_id__in=ancestor_unit_ids(user),
                                    issued_at__gte=since)
            .exclude(reads__staff=user).count())


@dataclass(frozen=True)
class NamedUnit:
    unit: Unit
    entries: int
    readers: int  # people of that unit (and below) who opened the bulletin


def read_summary(bulletin: Bulletin) -> tuple[int, list[NamedUnit]]:
    """(everyone who opened it, each unit it names with how many of that unit's people opened it)."""
    total = bulletin.reads.count()
    named = (bulletin.entries.values("unit_id").annotate(n=Count("pk")).order_by("unit_id"))
    counts = {row["unit_id"]: row["n"] for row in named}
    units = Unit.objects.filter(pk__in=counts).annotate(
        readers=Count("descendant_links__descendant__staff__pk",
                      filter=Q(descendant_links__descendant__staff__pk__in=bulletin.reads.values("staff_id")),
                      distinct=True)).order_by("code")
    return total, [NamedUnit(unit=u, entries=counts[u.pk], readers=u.readers) for u in units]


# --- 奖惩 ledger: writing ----------------------------------------------------------------------------


def _check_entry(*, actor, person: Staff | None, unit: Unit | None, kind: str, measure: str, amount, points,
                 reason: str, occurred_on, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    subject_unit = person.unit if person is not None else unit
    if subject_unit is None:
        errors["person"] = [_("请填写奖惩对象（人员工号或单位）。")]
    elif not is_in_scope(actor, subject_unit.pk):
        errors["person"] = [_("奖惩对象不在本单位及下级单位范围内。")]
    if kind not in LedgerEntry.Kind.values:
        errors["kind"] = [_("请选择奖励或处罚。")]
    elif measure not in LedgerEntry.Measure.values:
        errors["measure"] = [_("请选择措施。")]
    elif (measure in REWARD_MEASURES) != (kind == LedgerEntry.Kind.REWARD):
        errors["measure"] = [_("“%(m)s”不是%(k)s措施。") % {"m": LedgerEntry.Measure(measure).label,
                                                        "k": LedgerEntry.Kind(kind).label}]
    if measure in MONEY_MEASURES:
        if amount is None or amount <= 0:
            errors["amount"] = [_("奖金或考核扣款须填写大于 0 的金额。")]
    elif amount is not None:
        errors["amount"] = [_("这项措施不涉及金额，请留空。")]
    if measure in POINT_MEASURES:
        if points is None or points <= 0:
            errors["points"] = [_("绩效加分或扣分须填写大于 0 的分值。")]
    elif points is not None:
        errors["points"] = [_("这项措施不涉及分值，请留空。")]
    if not reason.strip():
        errors["reason"] = [_("请填写事由。")]
    elif len(reason.strip()) > REASON_MAX:
        errors["reason"] = [_("事由不超过 %(n)d 个字。") % {"n": REASON_MAX}]
    if occurred_on is None:
        errors["occurred_on"] = [_("请填写奖惩日期。")]
    elif occurred_on > today:
        errors["occurred_on"] = [_("奖惩日期不能晚于今天。")]
    return errors


@transaction.atomic
def ledger_record(*, actor, kind: str, measure: str, reason: str, occurred_on: dt.date | None,
                  person: Staff | None = None, unit: Unit | None = None, amount: Decimal | None = None,
                  points: Decimal | None = None, basis: str = "", bulletin: Bulletin | None = None,
                  finding: Finding | None = None) -> LedgerEntry:
    """Record a reward or penalty of `person` (or of `unit`). A ValidationError keyed by field, nothing
    written, when anything is wrong."""
    require(actor, Capability.MANAGE_ACCOUNTABILITY)
    errors = _check_entry(actor=actor, person=person, unit=unit, kind=kind, measure=measure, amount=amount,
                          points=points, reason=reason, occurred_on=occurred_on, today=timezone.localdate())
    if len(basis.strip()) > BASIS_MAX:
        errors["basis"] = [_("依据不超过 %(n)d 个字。") % {"n": BASIS_MAX}]
    if bulletin is not None and (bulletin.status != Bulletin.Status.ISSUED or not is_in_scope(actor, bulletin.unit_id)):
        errors["bulletin"] = [_("只能引用本单位及下级单位已印发的通报。")]
    if finding is not None and not is_in_scope(actor, finding.unit_id):
        errors["finding"] = [_("整改事项不在本单位及下级单位范围内。")]
    if errors:
        raise ValidationError(errors)
    return LedgerEntry.objects.create(
        unit=person.unit if person is not None else unit, person=person, kind=kind, measure=measure, amount=amount,
        points=points, reason=reason.strip(), basis=basis.strip(), occurred_on=occurred_on, bulletin=bulletin,
        finding=finding, recorded_by=actor)


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, actor, reason: str) -> LedgerEntry:
    """冲销: a second entry that cancels `entry` (recorded in error, or overturned on appeal). Both stay."""
    require(actor, Capability.MANAGE_ACCOUNTABILITY)
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if not is_in_scope(actor, entry.unit_id):
        raise PermissionDenied(_("这条记录不在本单位及下级单位范围内。"))
    if entry.reverses_id is not None:
        raise ValidationError(_("冲销记录不能再冲销。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("这条记录已经冲销。"))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写冲销原因。")]})
    return LedgerEntry.objects.create(
        unit_id=entry.unit_id, person_id=entry.person_id, kind=entry.kind, measure=entry.measure, amount=entry.amount,
        points=entry.points, reason=reason.strip()[:REASON_MAX], basis=entry.basis, occurred_on=timezone.localdate(),
        bulletin_id=entry.bulletin_id, finding_id=entry.finding_id, reverses=entry, recorded_by=actor)


# --- 奖惩 ledger: reading ----------------------------------------------------------------------------


def in_force(queryset: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """Entries that count: neither a reversal nor reversed."""
    return queryset.filter(reverses__isnull=True, reversed_by__isnull=True)


def ledger_for(user, *, year: int | None = None, kind: str = "", person: str = "") -> QuerySet[LedgerEntry]:
    qs = scoped(LedgerEntry.objects.all(), user)
    if year:
        qs = qs.filter(occurred_on__year=year)
    if kind in LedgerEntry.Kind.values:
        qs = qs.filter(kind=kind)
    if person:
        qs = qs.filter(Q(person__employee_no=person) | Q(person__name=person))
    return (qs.select_related("unit", "person", "bulletin", "finding__outlet", "recorded_by", "reverses")
            .annotate(reversed_flag=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))
            .order_by("-occurred_on", "-pk"))


@dataclass(frozen=True)
class Totals:
    rewards: int
    penalties: int
    bonus: Decimal
    fines: Decimal
    merit: Decimal
    deducted: Decimal


def totals(queryset: QuerySet[LedgerEntry]) -> Totals:
    """What the entries in force add up to (one query)."""
    zero = Decimal(0)
    row = in_force(queryset).aggregate(
        rewards=Count("pk", filter=Q(kind=LedgerEntry.Kind.REWARD)),
        penalties=Count("pk", filter=Q(kind=LedgerEntry.Kind.PENALTY)),
        bonus=Sum("amount", filter=Q(measure=LedgerEntry.Measure.BONUS)),
        fines=Sum("amount", filter=Q(measure=LedgerEntry.Measure.FINE)),
        merit=Sum("points", filter=Q(measure=LedgerEntry.Measure.MERIT_POINTS)),
        deducted=Sum("points", filter=Q(measure=LedgerEntry.Measure.DEDUCTION)))
    return Totals(row["rewards"], row["penalties"], row["bonus"] or zero, row["fines"] or zero, row["merit"] or zero,
                  row["deducted"] or zero)


def repeat_offenders(user, *, today: dt.date | None = None) -> QuerySet[Staff]:
    """People of `user`'s subtree with two or more penalties in force within the last year (屡教不改),
    most penalties first, annotated with `penalties`."""
    today = today or timezone.localdate()
    window = in_force(scoped(LedgerEntry.objects.all(), user)).filter(
        kind=LedgerEntry.Kind.PENALTY, person__isnull=False, occurred_on__gt=today - REPEAT_OFFENDER_WINDOW)
    return (Staff.objects.filter(pk__in=window.values("person_id"))
            .annotate(penalties=Count("ledger_entries", filter=Q(ledger_entries__in=window)))
            .filter(penalties__gte=2).select_related("unit").order_by("-penalties", "employee_no"))


def is_repeat_offender(person: Staff, *, today: dt.date | None = None) -> int:
    """How many penalties in force `person` has within the last year (2 or more: 屡教不改)."""
    today = today or timezone.localdate()
    return in_force(LedgerEntry.objects.filter(person=person, kind=LedgerEntry.Kind.PENALTY,
                                               occurred_on__gt=today - REPEAT_OFFENDER_WINDOW)).count()


def awaiting_accountability(user, *, today: dt.date | None = None) -> QuerySet[Finding]:
    """待问责: findings of `user`'s subtree that are repeats (屡查屡犯) or still open more than
    OVERDUE_FOR_ACCOUNTABILITY days past their first deadline, with no ledger entry yet."""
    today = today or timezone.localdate()
    late = ~Q(status=Finding.Status.CLOSED) & Q(due__lt=today - dt.timedelta(days=OVERDUE_FOR_ACCOUNTABILITY))
    return (scoped(Finding.objects.all(), user).filter(Q(repeats__gt=0) | late)
            .exclude(Exists(LedgerEntry.objects.filter(finding=OuterRef("pk"))))
            .select_related("outlet", "assignee", "result__item").order_by("due", "pk"))


# --- 奖惩 ledger: Excel ------------------------------------------------------------------------------

LEDGER_SHEET = SheetSpec("奖惩台账", (
    Column("工号", "employee_no", Text(32), help="奖惩对象的工号；奖惩单位时留空并填单位编码", width=12),
    Column("姓名", "name", Text(32), help="核对用：与工号不符时报错", width=10),
    Column("单位编码", "unit_code", Text(32), help="奖惩对象为单位时填写", width=12),
    Column("单位", "unit", Text(64), help="导出时填写；导入时不读", width=18),
    Column("奖惩", "kind", Choice(zh_choices(LedgerEntry.Kind.choices)), required=True, width=8),
    Column("措施", "measure", Choice(zh_choices(LedgerEntry.Measure.choices)), required=True, width=14),
    Column("金额（元）", "amount", DecimalNumber(2, 0, 1_000_000), default=None, width=10),
    Column("分值", "points", DecimalNumber(1, 0, 1000), default=None, width=8),
    Column("事由", "reason", Text(REASON_MAX), required=True, width=40),
    Column("依据", "basis", Text(BASIS_MAX), width=24),
    Column("奖惩日期", "occurred_on", Date(), required=True, width=12),
    Column("冲销", "reversal", Text(40), help="导出时标明冲销关系；导入时不读", width=16),
), example={"employee_no": "22020510", "name": "张三", "kind": "penalty", "measure": "deduction", "points": Decimal(2),
            "reason": "北京路营业所公示资费未更新，整改逾期", "basis": "《普遍服务奖惩办法》第八条",
            "occurred_on": dt.date(2026, 5, 10)},
    help="每行一条奖惩记录。导入只新增记录，不修改或删除已有记录；登记错误的记录请在系统中冲销。")


def ledger_records(entries) -> list[dict]:
    """LEDGER_SHEET rows of `entries` (read with ledger_for)."""
    out = []
    for e in entries:
        reversal = ""
        if e.reverses_id:
            reversal = _("冲销 %(d)s 的记录") % {"d": f"{e.reverses.occurred_on:%Y-%m-%d}"}
        elif getattr(e, "reversed_flag", False):
            reversal = _("已冲销")
        out.append({"employee_no": e.person.employee_no if e.person else "", "name": e.person.name if e.person else "",
                    "unit_code": "" if e.person else e.unit.code, "unit": e.unit.name, "kind": e.kind,
                    "measure": e.measure, "amount": e.amount, "points": e.points, "reason": e.reason,
                    "basis": e.basis, "occurred_on": e.occurred_on, "reversal": reversal})
    return out


def ledger_import(*, source, actor, skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Add the ledger entries of an Excel file in the LEDGER_SHEET layout. All or nothing unless
    `skip_invalid`: every error is named by row and column."""
    require(actor, Capability.MANAGE_ACCOUNTABILITY)
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    parsed = read_sheet(source, LEDGER_SHEET, report)
    if parsed is None or parsed.errors:
        return report
    sheet = LEDGER_SHEET.name
    numbers = [parsed.get(row, "employee_no") for row in parsed.rows]
    people = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=[n for n in numbers if n])
              .select_related("unit")}
    units = {u.code: u for u in Unit.objects.filter(code__in=[parsed.get(r, "unit_code") for r in parsed.rows])}
    today = timezone.localdate()
    good: list[LedgerEntry] = []
    for row in parsed.rows:
        row_errors = list(row.errors)
        if not row.errors:
            get = lambda f, row=row: parsed.get(row, f)  # noqa: E731
            person, unit = None, None
            if get("employee_no"):
                person = people.get(get("employee_no"))
                if person is None:
                    row_errors.append(RowError(sheet, row.number, "工号", _("没有工号为 %(n)s 的员工。") % {
                        "n": get("employee_no")}))
                elif get("name") and get("name") != person.name:
                    row_errors.append(RowError(sheet, row.number, "姓名", _("工号 %(n)s 是%(real)s，不是%(given)s。") % {
                        "n": person.employee_no, "real": person.name, "given": get("name")}))
            elif get("unit_code"):
                unit = units.get(get("unit_code"))
                if unit is None:
                    row_errors.append(RowError(sheet, row.number, "单位编码", _("没有编码为 %(c)s 的单位。") % {
                        "c": get("unit_code")}))
            if not row_errors:
                field_errors = _check_entry(actor=actor, person=person, unit=unit, kind=get("kind"),
                                            measure=get("measure"), amount=get("amount"), points=get("points"),
                                            reason=get("reason"), occurred_on=get("occurred_on"), today=today)
                headers = {"person": "工号", "kind": "奖惩", "measure": "措施", "amount": "金额（元）", "points": "分值",
                           "reason": "事由", "occurred_on": "奖惩日期"}
                row_errors += [RowError(sheet, row.number, headers[f], m) for f, ms in field_errors.items() for m in ms]
            if not row_errors:
                good.append(LedgerEntry(unit=person.unit if person else unit, person=person, kind=get("kind"),
                                        measure=get("measure"), amount=get("amount"), points=get("points"),
                                        reason=get("reason").strip(), basis=get("basis").strip(),
                                        occurred_on=get("occurred_on"), recorded_by=actor))
        if row_errors:
            report.errors += [e for e in row_errors if e not in report.errors]
            report.counts(sheet).skipped += 1 if skip_invalid else 0
    if not parsed.rows:
        report.errors.append(RowError(sheet, None, "", _("没有数据行。")))
    if (report.errors and not skip_invalid) or dry_run:
        report.counts(sheet).created = len(good)
        return report
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(good)
    report.counts(sheet).created = len(good)
    report.written = True
    return report

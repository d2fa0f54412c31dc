"""网点达标: the checklist of each outlet grade (versioned), and inspections of outlets against it.

A checklist (检查表) belongs to an outlet grade. Its items are versioned as a whole: editing a
published checklist makes a new draft version, publishing it retires the old one, and every
inspection points at the exact version it used, so last year's result can be recomputed and
audited. An inspection records, for every item of that version, met / not met / not applicable,
and freezes its figures when submitted: the share of applicable items met, the critical items
(否决项) failed, and whether the outlet passed (达标): no critical item failed and the share at
least the version's pass rate.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from postqc.core.models import TimeStampedModel
from postqc.org.models import Outlet


class Checklist(TimeStampedModel):
    code = models.CharField(_("检查表编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    grade = models.CharField(_("网点等级"), max_length=1, choices=Outlet.Grade.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="checklists", verbose_name=_("制定单位"))
    current = models.ForeignKey("ChecklistVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("现行版本"))

    scope_field = "unit"

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["grade", "code"]

    def __str__(self):
        return self.name


class ChecklistVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("现行")
        RETIRED = "retired", _("已停用")

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    pass_rate = models.DecimalField(_("达标线（%）"), max_digits=5, decimal_places=2, default=90,
                                    help_text=_("适用项中合格项所占比例不低于此值、且无否决项不合格，网点即为达标"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checklist", "number"], name="checklistversion_uniq")]
        ordering = ["checklist", "-number"]

    def __str__(self):
        return f"{self.checklist.name} 第{self.number}版"


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("项目编号"), max_length=16)
    section = models.CharField(_("类别"), max_length=32)
    text = models.CharField(_("检查内容"), max_length=300)
    clause = models.ForeignKey("standards.Clause", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("依据条款"))
    critical = models.BooleanField(_("否决项"), default=False)
    allow_na = models.BooleanField(_("可不适用"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="checklistitem_uniq")]
        ordering = ["version", "position"]

    def __str__(self):
        return f"{self.code} {self.text}"


class Inspection(TimeStampedModel):
    class Kind(models.TextChoices):
        SPOT = "spot", _("抽查")
        SELF = "self", _("自查")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("网点"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+",
                             help_text="The outlet's unit when inspected: the record's scope")
    grade = models.CharField(_("网点等级"), max_length=1, choices=Outlet.Grade.choices)
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="inspections",
                                verbose_name=_("检查表版本"))
    kind = models.CharField(_("检查类型"), max_length=8, choices=Kind.choices)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections",
                                  verbose_name=_("检查人"))
    inspected_on = models.DateField(_("检查日期"))
    note = models.TextField(_("检查意见"), blank=True)
    applicable = models.PositiveSmallIntegerField(_("适用项"))
    met = models.PositiveSmallIntegerField(_("合格项"))
    critical_failed = models.PositiveSmallIntegerField(_("否决项不合格"))
    rate = models.DecimalField(_("合格率（%）"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("达标"))

    scope_field = "unit"

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        indexes = [models.Index(fields=["outlet", "kind", "-inspected_on"], name="inspection_latest"),
                   models.Index(fields=["unit", "-inspected_on"], name="inspection_unit")]

    def __str__(self):
        return f"{self.outlet} {self.inspected_on}"


class Result(models.Model):
    class Value(models.TextChoices):
        MET = "met", _("合格")
        NOT_MET = "not_met", _("不合格")
        NA = "na", _("不适用")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("结果"), max_length=8, choices=Value.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="result_uniq")]


class Finding(models.Model):
    """整改: a problem an inspection found (an item not met), assigned to a named person with a deadline
    and closed only when someone else verifies the fix. Its status changes only through
    inspections.rectification, which writes a FindingEvent for every change: the history is kept
    whole (who was asked, what they said they did, who accepted or sent it back, when)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待验证")
        CLOSED = "closed", _("已销号")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    result = models.OneToOneField(Result, on_delete=models.PROTECT, related_name="finding")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="findings", verbose_name=_("网点"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(_("项目编号"), max_length=16)
    critical = models.BooleanField(_("否决项"), default=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_assigned",
                                 verbose_name=_("整改责任人"))
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_to_verify",
                                 verbose_name=_("验证人"))
    deadline = models.DateField(_("整改期限"))
    due = models.DateField(_("原定整改期限"), help_text="The first deadline, kept when a fix is sent back or "
                           "reassigned: 整改按期完成率 measures against it")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    repeat_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("上次同类问题"))
    repeats = models.PositiveSmallIntegerField(_("一年内同类问题次数"), default=0)
    escalated = models.BooleanField(_("已升级督办"), default=False)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        indexes = [models.Index(fields=["assignee", "status"], name="finding_assignee"),
                   models.Index(fields=["verifier", "status"], name="finding_verifier"),
                   models.Index(fields=["unit", "due"], name="finding_unit_due"),
                   models.Index(fields=["outlet", "item_code", "-created_at"], name="finding_repeat")]

    def __str__(self):
        return f"{self.outlet} {self.item_code}"


class FindingEvent(models.Model):
    class Action(models.TextChoices):
        OPENED = "opened", _("下发整改")
        SUBMITTED = "submitted", _("提交整改")
        ACCEPTED = "accepted", _("验证通过，销号")
        RETURNED = "returned", _("验证不通过，退回")
        REASSIGNED = "reassigned", _("改派")
        ESCALATED = "escalated", _("升级督办")

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["finding", "at", "pk"]


# --- 通报 and 奖惩 (inspections.accountability) ----------------------------------------------------------


class Bulletin(models.Model):
    """通报: a notice a unit issues to its subtree naming outlets, units and people — praised or criticised
    — usually for a month of inspections and rectification. A draft is edited freely; issuing gives it
    its number (文号, per issuing unit and year) and freezes it: an issued bulletin is never edited or
    withdrawn, a mistake is put right by issuing a correction (更正) that points at it."""

    class Kind(models.TextChoices):
        SITUATION = "situation", _("情况通报")
        PRAISE = "praise", _("表扬通报")
        CRITICISM = "criticism", _("批评通报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("发文单位"))
    kind = models.CharField(_("通报类型"), max_length=16, choices=Kind.choices, default=Kind.SITUATION)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), blank=True, help_text=_("导语和整改要求；通报事项逐条列在下面"))
    period_start = models.DateField(_("通报期间自"), null=True, blank=True)
    period_end = models.DateField(_("通报期间至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    seq = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("更正的通报"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("拟稿人"))
    created_at = models.DateTimeField(_("拟稿时间"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("签发人"))
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "seq"], name="bulletin_number_uniq")]
        indexes = [models.Index(fields=["unit", "status", "-issued_at"], name="bulletin_unit_issued")]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        """文号: 〔2026〕3 号 of the issuing unit; empty while a draft."""
        return f"〔{self.year}〕{self.seq} 号" if self.seq else ""


class BulletinEntry(models.Model):
    """One matter a bulletin names: praise or criticism of a unit, an outlet or a person, with the finding
    or inspection it rests on when there is one."""

    class Tone(models.TextChoices):
        PRAISE = "praise", _("表扬")
        CRITICISM = "criticism", _("批评")
        NOTE = "note", pgettext_lazy("通报事项的性质", "情况")

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="entries")
    position = models.PositiveSmallIntegerField(_("序号"))
    tone = models.CharField(_("性质"), max_length=16, choices=Tone.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("涉及单位"))
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("涉及网点"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="bulletin_entries", verbose_name=_("责任人"))
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("整改事项"))
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("检查"))
    text = models.CharField(_("内容"), max_length=500)

    class Meta:
        ordering = ["bulletin", "position"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "position"], name="bulletinentry_pos_uniq")]

    def __str__(self):
        return self.text


class BulletinRead(models.Model):
    """阅知: a person opened an issued bulletin (the first time counts)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="reads")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulletin", "staff"], name="bulletinread_uniq")]
        indexes = [models.Index(fields=["staff", "bulletin"], name="bulletinread_staff")]


class LedgerEntry(models.Model):
    """奖惩台账: one reward or penalty of a person or a unit, with its reason and what it rests on (a
    bulletin, a finding). Append-only: an entry is never edited or deleted; one recorded in error is
    reversed (冲销) by a second entry pointing at it, and both stay in the ledger."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("奖励")
        PENALTY = "penalty", _("处罚")

    class Measure(models.TextChoices):
        COMMENDATION = "commendation", _("通报表扬")
        BONUS = "bonus", _("奖金")
        MERIT_POINTS = "merit_points", _("绩效加分")
        CRITICISM = "criticism", _("通报批评")
        DEDUCTION = "deduction", _("绩效扣分")
        FINE = "fine", _("经济考核（扣款）")
        TALK = "talk", _("约谈")
        ADMONITION = "admonition", _("诫勉谈话")
        WRITTEN_REVIEW = "written_review", _("书面检查")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"),
                             help_text="The person's unit when recorded (or the unit rewarded/penalised): the scope")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="ledger_entries", verbose_name=_("人员"))
    kind = models.CharField(_("奖惩"), max_length=8, choices=Kind.choices)
    measure = models.CharField(_("措施"), max_length=16, choices=Measure.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=9, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=1, null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=500)
    basis = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("制度条款、会议纪要或文件"))
    occurred_on = models.DateField(_("奖惩日期"))
    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger",
                                 verbose_name=_("通报"))
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger",
                                verbose_name=_("整改事项"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("冲销的记录"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("奖惩记录")
        verbose_name_plural = _("奖惩台账")
        indexes = [models.Index(fields=["unit", "-occurred_on"], name="ledger_unit_date"),
                   models.Index(fields=["person", "-occurred_on"], name="ledger_person_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_measure_display()} {self.reason}"


# --- 设施设备台账: the outlets' facilities ------------------------------------------------------------


class FacilityKind(models.Model):
    """A kind of facility the branch keeps a register of (监控设备, 邮筒, 自助服务终端…) and the grades
    whose outlets must have one in service (配备标准). Configuration data, kept in the admin."""

    code = models.CharField(_("设施编码"), max_length=32, unique=True)
    name = models.CharField(_("设施名称"), max_length=32, unique=True)
    measure = models.CharField(_("计量单位"), max_length=8, default="台")
    required_grades = models.CharField(
        _("必配等级"), max_length=3, blank=True,
        help_text=_("须配备的网点等级，如 123 = 一级、二级、三级；留空 = 选配"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("设施类型")
        verbose_name_plural = _("设施类型")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def required_for(self, grade: str) -> bool:
        return bool(grade) and grade in self.required_grades


class OutletFacility(models.Model):
    """What an outlet has of one kind of facility now; every change is kept in FacilityChange."""

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("正常")
        FAULTY = "faulty", _("故障")
        RETIRED = "retired", _("停用")

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="facilities", verbose_name=_("网点"))
    kind = models.ForeignKey(FacilityKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("设施"))
    quantity = models.PositiveSmallIntegerField(_("数量"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.IN_SERVICE)
    installed_on = models.DateField(_("配备日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    updated_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    scope_field = "outlet__unit"

    class Meta:
        verbose_name = _("网点设施")
        verbose_name_plural = _("网点设施")
        constraints = [models.UniqueConstraint(fields=["outlet", "kind"], name="outletfacility_uniq")]

    @property
    def in_service(self) -> bool:
        return self.quantity > 0 and self.status == self.Status.IN_SERVICE


class FacilityChange(models.Model):
    """One change of an outlet's facility, as it was entered (append-only)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey(FacilityKind, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    status = models.CharField(_("状态"), max_length=16, choices=OutletFacility.Status.choices)
    installed_on = models.DateField(_("配备日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=16, default="form")  # form / excel / api / demo
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["outlet", "-changed_at"], name="facilitychange_outlet")]

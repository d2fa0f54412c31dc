"""Delivery quality: segments, frequency / depth / time-limit rules and their compliance."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.org.models import Outlet


class MailClass(models.TextChoices):
    """The mail classes a time limit is set for (寄递时限按邮件类别)."""

    LETTER = "letter", _("信函")
    PRINTED = "printed", _("印刷品")
    PARCEL = "parcel", _("包裹")
    EXPRESS = "express", _("特快专递")


class Route(models.TextChoices):
    """Where an item goes, seen from where it was posted."""

    LOCAL = "local", _("同城")
    PROVINCIAL = "provincial", _("省内")
    INTERPROVINCIAL = "interprovincial", _("跨省")


class TimeLimitRule(models.Model):
    """A time limit D+N (the item is due N days after the day it was posted) for a mail class and
    route, in force from a date, for a unit's subtree. Append-only: a change adds a row from its
    effective date, so last year's compliance is judged by last year's limits.

    The rule in force for a unit is the latest effective one of the unit itself, else of its nearest
    ancestor, else the platform's default (unit empty): the standard's figures were not published,
    so the defaults ship as data (migration 0001) and a manager supersedes them (delivery.rules).
    """

    unit = models.ForeignKey("org.Unit", verbose_name=_("制定单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="time_limit_rules",
                             help_text=_("空：平台默认值"))
    mail_class = models.CharField(_("邮件类别"), max_length=16, choices=MailClass.choices)
    route = models.CharField(_("寄递范围"), max_length=16, choices=Route.choices)
    days = models.PositiveSmallIntegerField(_("时限 (D+N 天)"), validators=[MaxValueValidator(60)])
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设定人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("设定时间"), default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("投递时限规则")
        verbose_name_plural = _("投递时限规则")
        indexes = [models.Index(fields=["mail_class", "route", "effective_from"], name="timelimit_lookup")]

    def __str__(self) -> str:
        return f"{self.get_mail_class_display()} {self.get_route_display()} D+{self.days}"


# The area a segment serves: the standard's three tiers, the same as an outlet's.
AreaType = Outlet.AreaType


class HandoverPoint(models.TextChoices):
    """投递深度: where an item is handed over (domain.md, "Delivery depth")."""

    DOOR = "door", _("按址投递到户")
    MAILBOX = "mailbox", _("楼下信报箱/智能信包箱")
    MAIL_ROOM = "mail_room", _("单位收发室")
    VILLAGE_POINT = "village_point", _("村邮站/村级固定点")
    TOWNSHIP_POINT = "township_point", _("乡镇固定投递点")
    AGENT = "agent", _("代投点（商户代收）")


class Segment(models.Model):
    """投递段道: one courier's round, run by a delivery department (投递部) or a branch (支局) that
    delivers itself. Its area type decides which frequency and depth rules apply to it."""

    code = models.CharField(_("段道编码"), max_length=32, unique=True)
    name = models.CharField(_("段道名称"), max_length=64)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="delivery_segments")
    area_type = models.CharField(_("区域类型"), max_length=16, choices=AreaType.choices)
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("投递员"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="delivery_segments")
    vehicle = models.ForeignKey("org.Vehicle", verbose_name=_("车辆"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="delivery_segments")
    handover_point = models.CharField(_("交接方式（投递深度）"), max_length=16, choices=HandoverPoint.choices)
    planned_per_week = models.PositiveSmallIntegerField(_("每周计划投递次数"),
                                                        validators=[MaxValueValidator(42)])
    households = models.PositiveIntegerField(_("服务户数/投递点数"), validators=[MaxValueValidator(1_000_000)])
    in_service_from = models.DateField(_("启用日期"))
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("投递段道")
        verbose_name_plural = _("投递段道")
        ordering = ["code"]
        indexes = [models.Index(fields=["unit", "is_active"], name="segment_unit_active"),
                   models.Index(fields=["courier", "is_active"], name="segment_courier"),
                   models.Index(fields=["area_type"], name="segment_area")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SegmentChange(models.Model):
    """A change of a segment — created, edited (on the page or by an Excel import), taken out of use or
    back into use — with who made it and each changed field's old and new value. Append-only: the
    segment's history, so that a jump in a unit's figures can be traced to the edit behind it, and
    the figures of a past period judge the segment by its area type, handover point and use as they
    were then (selectors.TermsHistory).

    `changes` is {field: [old, new]} with values as stored then: a choice's code, a date in ISO form,
    a number, and for the unit, courier and vehicle the text that named them then (rows_shown()
    turns codes into their labels)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("新建")
        EDITED = "edited", _("修改")
        DEACTIVATED = "deactivated", _("停用")
        REACTIVATED = "reactivated", _("恢复在用")

    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更"), max_length=12, choices=Kind.choices)
    changes = models.JSONField(_("变更内容"), default=dict)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)
    note = models.CharField(_("变更说明"), max_length=200, blank=True, help_text=_("为什么改：如城镇化、段道调整、交接点迁移"))

    scope_field = "segment__unit"

    class Meta:
        verbose_name = _("段道变更")
        verbose_name_plural = _("段道变更")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["segment", "changed_at"], name="segmentchange_segment")]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.kind} {self.changed_at:%Y-%m-%d %H:%M}"

    def rows_shown(self) -> list[tuple[str, str, str]]:
        """(field's name, old, new) for display, choice codes as their labels, in the form's order."""
        shown = []
        for name in SEGMENT_TRACKED_FIELDS:
            if name not in self.changes:
                continue
            field = Segment._meta.get_field(name)
            labels = dict(field.choices or ())
            old, new = (str(labels.get(v, v)) if v not in (None, "") else "—" for v in self.changes[name])
            shown.append((str(field.verbose_name), old, new))
        return shown


# The fields of a segment whose changes its history records (is_active is the change's kind).
SEGMENT_TRACKED_FIELDS = ("name", "unit", "area_type", "courier", "vehicle", "handover_point", "planned_per_week",
                          "households", "in_service_from")


class FrequencyRule(models.Model):
    """投递频次: at least `days_per_week` days with a delivery run and `runs_per_week` runs in each
    Monday–Sunday week, for segments of an area type. Append-only and inherited like TimeLimitRule:
    the latest effective rule of the segment's unit, else of its nearest ancestor, else the platform
    default (unit empty, migration 0002)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("制定单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="frequency_rules", help_text=_("空：平台默认值"))
    area_type = models.CharField(_("区域类型"), max_length=16, choices=AreaType.choices)
    days_per_week = models.PositiveSmallIntegerField(_("每周至少投递天数"), validators=[MaxValueValidator(7)])
    runs_per_week = models.PositiveSmallIntegerField(_("每周至少投递次数"), validators=[MaxValueValidator(42)])
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设定人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("设定时间"), default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("投递频次规则")
        verbose_name_plural = _("投递频次规则")
        indexes = [models.Index(fields=["area_type", "effective_from"], name="freqrule_lookup")]

    def __str__(self) -> str:
        return f"{self.get_area_type_display()} {self.days_per_week}天/{self.runs_per_week}次"


class DepthRule(models.Model):
    """投递深度: the handover points acceptable for segments of an area type, and whether tracked
    items (给据邮件) there must go to the door. Append-only and inherited like FrequencyRule."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("制定单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="depth_rules", help_text=_("空：平台默认值"))
    area_type = models.CharField(_("区域类型"), max_length=16, choices=AreaType.choices)
    accepted = models.JSONField(_("可接受的交接方式"), default=list)
    tracked_to_door = models.BooleanField(_("给据邮件须按址投递到户"), default=False)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("依据或说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设定人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("设定时间"), default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("投递深度规则")
        verbose_name_plural = _("投递深度规则")
        indexes = [models.Index(fields=["area_type", "effective_from"], name="depthrule_lookup")]

    def __str__(self) -> str:
        return f"{self.get_area_type_display()} {'、'.join(self.accepted)}"

    def accepts(self, point: str) -> bool:
        return point in self.accepted


class CurrentRecords(models.Manager):
    """The records in force: not superseded by a correction."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_at__isnull=True)


class DeliveryRecord(models.Model):
    """投递记录: one delivery run of a segment on a day. A measurement record: written once (by the
    courier on the phone, the API or a bulk import from the scanning system), never edited. A
    correction (services.run_correct) marks it superseded and adds the corrected run as a new row
    pointing at it, with the reason: the figures read `current`, the history keeps both. A run that did
    not take place (logged on the wrong segment or day) is withdrawn (services.run_withdraw): superseded
    by nothing, with who withdrew it and why.

    `unit` is the segment's unit when the run was recorded (the record's scope); `week_of` the Monday
    of `delivered_on`, kept so the frequency check groups by week in the database on any backend."""

    class Source(models.TextChoices):
        PHONE = "phone", _("手机登记")
        API = "api", _("接口")
        IMPORT = "import", _("批量导入")

    segment = models.ForeignKey(Segment, verbose_name=_("段道"), on_delete=models.PROTECT, related_name="records")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("投递日期"))
    week_of = models.DateField(_("所在周（周一）"))
    run_no = models.PositiveSmallIntegerField(_("频次（当日第几趟）"))
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("投递员"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    ordinary = models.PositiveIntegerField(_("平常邮件（件）"))
    tracked = models.PositiveIntegerField(_("给据邮件（件）"))
    delivered = models.PositiveIntegerField(_("妥投（件）"))
    on_time = models.PositiveIntegerField(_("时限内妥投（件）"))
    handover_point = models.CharField(_("交接方式"), max_length=16, choices=HandoverPoint.choices)
    note = models.CharField(_("异常说明"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    supersedes = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    superseded_at = models.DateTimeField(_("被更正时间"), null=True, blank=True)
    # 撤销: a run recorded that did not take place is superseded by nothing (services.run_withdraw)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = models.Manager()
    current = CurrentRecords()
    scope_field = "unit"

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        base_manager_name = "objects"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["segment", "delivered_on", "run_no"], name="deliveryrecord_run_uniq",
                                    condition=models.Q(superseded_at__isnull=True)),
            models.CheckConstraint(condition=models.Q(delivered__lte=models.F("ordinary") + models.F("tracked"))
                                   & models.Q(on_time__lte=models.F("delivered")), name="deliveryrecord_counts"),
        ]
        indexes = [models.Index(fields=["segment", "week_of"], name="deliveryrecord_week"),
                   models.Index(fields=["unit", "delivered_on"], name="deliveryrecord_unit_day")]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.delivered_on} #{self.run_no}"

    @property
    def items(self) -> int:
        return self.ordinary + self.tracked

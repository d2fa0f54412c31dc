"""Satisfaction surveys: the questionnaire (parts, weighted dimensions, items with stable
codes), the sample plan, the responses with their ratings, and their quality control.

Weights are frozen when collection starts (`Survey.frozen_at`): after that the
questionnaire's structure and weights never change, so a year's index can be
recomputed and audited later. A new year's survey is a copy of the last one with the
item codes kept, so years stay comparable item by item.
"""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel


class Survey(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        COLLECTING = "collecting", _("采集中")
        CLOSED = "closed", _("已结束")

    code = models.CharField(_("调查编码"), max_length=32, unique=True)
    title = models.CharField(_("名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(_("期次"), max_length=32, blank=True, help_text=_("如“上半年”；全年调查留空"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="surveys")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    target_index = models.DecimalField(_("规划目标（满意度指数）"), max_digits=5, decimal_places=2, null=True, blank=True)
    opens_on = models.DateField(_("开始日期"), null=True, blank=True)
    closes_on = models.DateField(_("结束日期"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("权重冻结时间"), null=True, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    intro = models.TextField(_("问卷说明"), blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class SurveyPart(models.Model):
    """A part of the questionnaire (e.g. 总体评价 / 服务评价 / 受访者信息)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="parts")
    code = models.CharField(max_length=16)
    title = models.CharField(_("标题"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="surveypart_code_uniq")]

    def __str__(self) -> str:
        return self.title


class Dimension(models.Model):
    """A scored dimension (邮政设施, 营业服务, …). Its weight in the overall index, frozen with the survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(max_length=16)
    name = models.CharField(_("维度"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4, validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="dimension_code_uniq")]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A rated question. `code` is stable across years. An item without a dimension is not scored
    into the index (e.g. the overall-satisfaction item, used for derived importance)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    part = models.ForeignKey(SurveyPart, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, null=True, blank=True, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("题目编码"), max_length=16)
    text = models.CharField(_("题目"), max_length=200)
    scale_min = models.PositiveSmallIntegerField(_("量表最小值"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("量表最大值"), default=5)
    scale_labels = models.JSONField(_("量表标签"), default=dict, blank=True)  # {"1": "很不满意", …}
    allow_na = models.BooleanField(_("允许“不适用”"), default=True)
    weight = models.DecimalField(_("题目权重"), max_digits=6, decimal_places=4, default=1, validators=[MinValueValidator(0)])
    is_overall = models.BooleanField(_("总体满意度题"), default=False)
    clause = models.ForeignKey("standards.Clause", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="item_code_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class ProfileQuestion(models.Model):
    """A respondent-profile question (性别, 年龄段, 文化程度, 职业, 使用过的业务)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="profile_questions")
    code = models.CharField(max_length=16)  # sex, age, education, occupation, services
    text = models.CharField(max_length=100)
    choices = models.JSONField(default=list)  # [["m", "男"], ["f", "女"]]
    multiple = models.BooleanField(default=False)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="profileq_code_uniq")]


class Quota(models.Model):
    """The sample plan: how many valid responses a unit must collect (optionally per channel / quarter)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, blank=True)
    quarter = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)])
    target = models.PositiveIntegerField()

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit", "channel", "quarter"], name="quota_uniq"),
            # A null quarter (the whole period) must be unique too; NULLs are distinct in a plain constraint.
            models.UniqueConstraint(fields=["survey", "unit", "channel"], condition=models.Q(quarter__isnull=True),
                                    name="quota_whole_period_uniq"),
        ]


class Response(models.Model):
    class Channel(models.TextChoices):
        INTERVIEWER = "interviewer", _("访员代填")
        QR = "qr", _("扫码自填")
        PAPER = "paper", _("纸质录入")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("有效")
        REJECTED = "rejected", _("无效")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    outlet = models.ForeignKey("org.Outlet", on_delete=models.PROTECT, related_name="survey_responses")
    # The sample-plan stratum: the district / county-level unit the outlet belongs to.
    stratum = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    flags = models.JSONField(default=list, blank=True)  # ["speeder", "straightline", "burst", "off_hours"]
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    review_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    scope_field = "outlet__unit"

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        constraints = [models.UniqueConstraint(fields=["survey", "client_id"], name="response_client_uniq")]
        indexes = [
            models.Index(fields=["survey", "status", "stratum"], name="response_status_idx"),
            models.Index(fields=["survey", "outlet", "submitted_at"], name="response_outlet_idx"),
            models.Index(fields=["survey", "device_hash", "submitted_at"], name="response_device_idx"),
        ]


class Rating(models.Model):
    """One item's answer in one response; `value` is null for 不适用."""

    # Indexed by rating_uniq (response first) and rating_item_idx: no single-column FK indexes on the
    # biggest table. On PostgreSQL rating_uniq also carries `value` (migration 0002), so the index
    # recompute reads ratings in response order from the index alone.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings", db_index=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ratings", db_index=False)
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="rating_uniq")]
        indexes = [models.Index(fields=["item"], name="rating_item_idx")]


class OutletLink(models.Model):
    """The unguessable token in an outlet's QR code: /s/<token> opens that outlet's current survey."""

    outlet = models.OneToOneField("org.Outlet", on_delete=models.CASCADE, related_name="survey_link")
    token = models.CharField(max_length=24, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "outlet__unit"

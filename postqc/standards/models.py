"""制度标准库: standards, their versions, and clauses with stable codes.

A Clause is the stable identity other modules point at (a question, a checklist
item, a survey item, a delivery rule). Its text lives in ClauseRevision, one per
published version, so an old answer or inspection can show the wording it was
made against, and publishing a new version can tell which clauses changed.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel


class Standard(TimeStampedModel):
    class Kind(models.TextChoices):
        LAW = "law", _("法律法规")
        INDUSTRY_STANDARD = "industry_standard", _("行业标准")
        COMPANY_RULE = "company_rule", _("企业制度")
        OPERATING_PROCEDURE = "operating_procedure", _("操作规范")

    code = models.CharField(_("标准编码"), max_length=32, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    issuer = models.CharField(_("发布机关"), max_length=100, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="standards")
    current_version = models.ForeignKey(
        "StandardVersion", verbose_name=_("现行版本"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("制度标准")
        verbose_name_plural = _("制度标准")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.title


class StandardVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("现行")
        SUPERSEDED = "superseded", _("已废止")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(_("版本"), max_length=32)
    effective_on = models.DateField(_("生效日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("来源/文号"), max_length=300, blank=True)
    notes = models.TextField(_("修订说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_field = "standard__unit"

    class Meta:
        verbose_name = _("标准版本")
        verbose_name_plural = _("标准版本")
        ordering = ["standard", "-effective_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["standard", "label"], name="stdversion_label_uniq")]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.label}"


class Clause(models.Model):
    """A clause's stable identity, e.g. `YZF-3.15`. Its wording per version is a ClauseRevision."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="clauses")
    code = models.CharField(_("条款编码"), max_length=48, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "standard__unit"

    class Meta:
        verbose_name = _("条款")
        verbose_name_plural = _("条款")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ClauseRevision(models.Model):
    """The wording of one clause in one version of its standard."""

    class Change(models.TextChoices):
        UNCHANGED = "unchanged", _("未变")
        ADDED = "added", _("新增")
        CHANGED = "changed", _("修改")

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="revisions")
    version = models.ForeignKey(StandardVersion, on_delete=models.CASCADE, related_name="revisions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    heading = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    body_hash = models.CharField(max_length=64)
    change = models.CharField(_("与上一版相比"), max_length=16, choices=Change.choices, default=Change.ADDED)

    scope_field = "version__standard__unit"

    class Meta:
        verbose_name = _("条款文本")
        verbose_name_plural = _("条款文本")
        ordering = ["version", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["version", "clause"], name="clauserev_version_clause_uniq")]
        indexes = [models.Index(fields=["version", "sort_order"], name="clauserev_order_idx")]

    def __str__(self) -> str:
        return f"{self.clause.code} {self.heading}"


class ClauseRead(models.Model):
    """A person has read a clause's wording (of one version): the reading progress."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clause_reads")
    revision = models.ForeignKey(ClauseRevision, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    scope_field = "staff__unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "revision"], name="clauseread_uniq")]

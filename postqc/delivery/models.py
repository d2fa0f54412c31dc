"""Delivery quality: segments, frequency / depth / time-limit rules and their compliance."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

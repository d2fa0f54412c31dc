from django.conf import settings
from django.db import models
from django.utils import timezone


class Target(models.Model):
    """A KPI's target for a unit and a year, as someone set it. Append-only: setting a target again
    adds a row, clearing it adds a row without a value, so the history of who expected what, when,
    is kept. The target in force is the latest row; a unit without one follows its nearest ancestor
    that has one (dashboard.targets)."""

    kpi = models.CharField("指标", max_length=64)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="kpi_targets", verbose_name="单位")
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("目标值", max_digits=7, decimal_places=2, null=True, blank=True,
                                help_text="空：撤销本单位的目标，沿用上级的")
    note = models.CharField("说明", max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name="设定人")
    set_at = models.DateTimeField("设定时间", default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = "指标目标"
        verbose_name_plural = "指标目标"
        indexes = [models.Index(fields=["year", "unit", "kpi", "set_at"], name="target_lookup")]

    def __str__(self):
        return f"{self.kpi} {self.unit_id} {self.year}: {self.value}"

"""邮驿站: rest stations for outdoor workers — stations, amenities, hours, public finder, usage log.

A station (邮驿站) is hosted by an outlet (most are) or by a unit, and belongs to that unit's
subtree (its scope). Its opening hours are structured per weekday (hours.py validates them and
answers "open now"); its amenities and the groups it serves are codes from the lists below, with a
note for anything else. What happened to a station is kept whole: every status change is a
StationStatusChange row, every supplies check an AmenityCheck row, every visit a Visit row. The
station row carries the current state of both (status, amenity_issues) so a list reads one row per
station.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel
from postqc.org.models import code_validator, reserved_code_validator


class Amenity(models.TextChoices):
    HOT_WATER = "hot_water", _("热水")
    MICROWAVE = "microwave", _("微波炉")
    CHARGING = "charging", _("手机充电")
    TOILET = "toilet", _("卫生间")
    SEATING = "seating", _("座椅休息")
    FIRST_AID = "first_aid", _("急救药箱")
    UMBRELLA = "umbrella", _("雨具/雨伞")
    READING_GLASSES = "reading_glasses", _("老花镜")
    WIFI = "wifi", _("无线网络")
    CLIMATE = "climate", _("空调/暖气")
    PUMP = "pump", _("打气筒")
    MEDICINE = "medicine", _("应急药品")
    OTHER = "other", _("其他")


class Group(models.TextChoices):
    SANITATION = "sanitation", _("环卫工人")
    RIDER = "rider", _("快递外卖骑手")
    DRIVER = "driver", _("出租车/网约车司机")
    POLICE = "police", _("交警/辅警")
    ELDERLY = "elderly", _("老年人")
    PARENTS = "parents", _("孕妇/带孩子的家长")
    PUBLIC = "public", _("其他公众")


class Station(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("开放")
        SUSPENDED = "suspended", _("暂停开放")
        CLOSED = "closed", _("已撤销")

    code = models.CharField(_("站点编码"), max_length=32, unique=True,
                            validators=[code_validator, reserved_code_validator])
    name = models.CharField(_("站点名称"), max_length=64)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="stations", verbose_name=_("所属单位"))
    outlet = models.ForeignKey("org.Outlet", on_delete=models.PROTECT, null=True, blank=True, related_name="stations",
                               verbose_name=_("依托网点"))
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("所在区县"),
                                 help_text="The district or county unit above `unit`, set by the services: the "
                                           "public finder groups by it when it does not know where the visitor is")
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    hours = models.JSONField(_("开放时间"), default=dict, blank=True,
                             help_text="ISO weekday ('1' Monday … '7' Sunday) → list of ['HH:MM', 'HH:MM'] ranges; "
                                       "a day absent or empty is closed (see stations.hours)")
    amenities = models.JSONField(_("服务设施"), default=list, blank=True)
    amenity_note = models.CharField(_("其他设施说明"), max_length=200, blank=True)
    groups = models.JSONField(_("服务人群"), default=list, blank=True)
    amenity_issues = models.JSONField(_("设施问题"), default=dict, blank=True,
                                      help_text="amenity → {'state', 'note', 'on'} for each amenity whose latest "
                                                "check is not OK; kept by services.amenity_check")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("邮驿站")
        verbose_name_plural = _("邮驿站")
        ordering = ["code"]
        indexes = [models.Index(fields=["unit", "status"], name="station_unit_status"),
                   models.Index(fields=["status", "latitude", "longitude"], name="station_geo"),
                   models.Index(fields=["district", "code"], name="station_district")]

    def __str__(self):
        return self.name

    @property
    def district_name(self) -> str:
        """The district or county as the public knows it: 船营区, not 船营区分公司."""
        return self.district.name.removesuffix("分公司") if self.district_id else ""

    @property
    def issue_list(self) -> list[dict]:
        """The amenities out of order or out of stock, with their labels, in the amenity order."""
        labels, states = dict(Amenity.choices), dict(AmenityCheck.State.choices)
        return [{"amenity": a, "label": labels.get(a, a), "state": v["state"], "state_label": states.get(v["state"]),
                 "note": v.get("note", ""), "on": v.get("on", "")}
                for a in Amenity.values if (v := self.amenity_issues.get(a))]

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels[a]) for a in self.amenities if a in labels and a != Amenity.OTHER]

    @property
    def group_labels(self) -> list[str]:
        labels = dict(Group.choices)
        return [str(labels[g]) for g in self.groups if g in labels]


class StationStatusChange(models.Model):
    """Append-only: every status a station had, who set it, when and why."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=16, choices=Station.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Station.Status.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_field = "station__unit"

    class Meta:
        verbose_name = _("邮驿站状态变更")
        verbose_name_plural = _("邮驿站状态变更")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["station", "-at"], name="station_status_history")]


class AmenityCheck(models.Model):
    """Append-only: a supplies / amenity check. The latest check of an amenity says whether it works."""

    class State(models.TextChoices):
        OK = "ok", _("正常")
        OUT_OF_ORDER = "out_of_order", _("故障")
        OUT_OF_STOCK = "out_of_stock", _("缺货")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="checks")
    amenity = models.CharField(_("设施"), max_length=24, choices=Amenity.choices)
    state = models.CharField(_("情况"), max_length=16, choices=State.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("检查人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope_field = "station__unit"

    class Meta:
        verbose_name = _("设施检查")
        verbose_name_plural = _("设施检查")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["station", "-at"], name="amenity_check_recent")]


class VisitEntry(models.Model):
    """What a 服务台账 entry says — a Visit, and a VisitWithdrawal's copy of the one it took back."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("服务人群"), max_length=16, choices=Group.choices)
    count = models.PositiveSmallIntegerField(_("人次"))
    services = models.JSONField(_("使用的服务"), default=list, blank=True)
    visited_on = models.DateField(_("日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))

    scope_field = "unit"

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.station} {self.visited_on} {self.get_group_display()} {self.count}"


class Visit(VisitEntry):
    """服务台账: one entry of the usage log — how many people of a group used the station on a day,
    and what they used. `unit` is the station's unit when recorded: the record's scope."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="visits", verbose_name=_("邮驿站"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务台账")
        verbose_name_plural = _("服务台账")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["station", "-visited_on"], name="visit_station_day"),
                   models.Index(fields=["unit", "visited_on"], name="visit_unit_day")]
        constraints = [models.CheckConstraint(condition=models.Q(count__gte=1), name="visit_count_positive")]

    @property
    def service_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels[s]) for s in self.services if s in labels]


class VisitWithdrawal(VisitEntry):
    """A 服务台账 entry taken back (撤销) because it was wrong — logged twice, the wrong group or
    number: the entry leaves the tallies and reports, and this keeps what it said, who entered it and
    who took it back, when and why. A wrong entry is taken back and entered again."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="withdrawals",
                                verbose_name=_("邮驿站"))
    visit_id = models.PositiveBigIntegerField(_("原台账编号"))
    recorded_at = models.DateTimeField(_("登记时间"))
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("撤销人"))
    withdrawn_at = models.DateTimeField(_("撤销时间"), default=timezone.now)
    reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("撤销的服务台账")
        verbose_name_plural = _("撤销的服务台账")
        ordering = ["-withdrawn_at", "-pk"]
        indexes = [models.Index(fields=["station", "-withdrawn_at"], name="withdrawal_station")]

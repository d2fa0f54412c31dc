"""给据邮件跟踪: tracked items (UPU S10 numbers), their events, returns (退回) and queries (查询).

An item's events are append-only: what the scanners and the national system reported, as they
reported it (an event seen twice — same item, code and time — is kept once). The item row holds
what is current (status, last event, delivering unit, delivered at, on time), recomputed from its
events set-based after every write (services.items_refresh), and what was fixed at posting: the
mail class and route, the postage and the due date D+N from the delivery app's time-limit rules
(postqc.delivery.rules) in force on the posting day.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel
from postqc.delivery.models import MailClass, Route


class EventCode(models.TextChoices):
    """UPU EMSEVT event codes, with the wording Chinese trace pages use."""

    EMA = "EMA", _("收寄")
    EMB = "EMB", _("到达出口互换局")
    EMC = "EMC", _("离开出口互换局")
    EMD = "EMD", _("到达进口互换局")
    EMF = "EMF", _("离开进口互换局")
    EDB = "EDB", _("已交海关")
    EME = "EME", _("海关查验中")
    EDC = "EDC", _("海关放行")
    EMJ = "EMJ", _("到达转运局")
    EMK = "EMK", _("离开转运局")
    EDD = "EDD", _("到达处理中心")
    EDE = "EDE", _("离开处理中心")
    EMG = "EMG", _("到达投递局")
    EDF = "EDF", _("在投递局滞留")
    EDG = "EDG", _("投递员正在投递")
    EDH = "EDH", _("到达自提点，待领取")
    EMH = "EMH", _("投递未成功")
    EMI = "EMI", _("妥投")


# Events that happen where the item is delivered: their unit is the item's delivering unit.
DELIVERY_SIDE = frozenset({"EMG", "EDF", "EDG", "EDH", "EMH", "EMI"})


class Reason(models.TextChoices):
    """Non-delivery reasons (UPU return labels), worded as on Chinese returned mail."""

    NO_SUCH_PERSON = "unknown", _("查无此人")
    NO_SUCH_ORG = "no_such_org", _("原址查无此单位")
    MOVED = "moved", _("迁移新址不明")
    ADDRESS = "address", _("地址不详")
    REFUSED = "refused", _("拒收")
    UNCLAIMED = "unclaimed", _("逾期未领")
    DECEASED = "deceased", _("收件人已故")
    UNREADABLE = "unreadable", _("地址字迹不清")
    ABSENT = "absent", _("收件人不在")


class Action(models.TextChoices):
    """What was done after an unsuccessful attempt."""

    RETRY = "retry", _("再次投递")
    HOLD = "hold", _("留局待领，已留投递通知")
    RETURN = "return", _("退回寄件人")
    REDIRECT = "redirect", _("按新址改寄")
    UNRETURNABLE = "unreturnable", _("无法退回，按无着邮件处理")


class TrackedItem(TimeStampedModel):
    class Status(models.TextChoices):
        POSTED = "posted", _("已收寄")
        IN_TRANSIT = "in_transit", _("运输中")
        AT_OFFICE = "at_office", _("到达投递局")
        OUT = "out", _("投递中")
        AWAITING = "awaiting", _("待领取")
        FAILED = "failed", _("投递未成功")
        RETURNING = "returning", _("退回中")
        RETURNED = "returned", _("已退回寄件人")
        UNRETURNABLE = "unreturnable", _("无法退回")
        DELIVERED = "delivered", _("已妥投")

    number = models.CharField(_("邮件号"), max_length=32, unique=True)
    indicator = models.CharField(_("业务代码"), max_length=2, blank=True)
    country = models.CharField(_("国家代码"), max_length=2, blank=True)
    mail_class = models.CharField(_("邮件类别"), max_length=16, choices=MailClass.choices, blank=True)
    route = models.CharField(_("寄达范围"), max_length=16, choices=Route.choices, blank=True)
    posted_at = models.DateTimeField(_("收寄时间"), null=True, blank=True)
    # No index of their own: nothing looks items up by posting outlet or unit, and the (unit, …)
    # indexes below serve the scope; each index more slows the bulk ingest down.
    posting_outlet = models.ForeignKey("org.Outlet", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", db_index=False, verbose_name=_("收寄网点"))
    posting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", db_index=False, verbose_name=_("收寄单位"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="tracked_items", db_index=False,
                             verbose_name=_("投递单位"),
                             help_text="The delivering unit when known (else the posting unit): the scope")
    sender = models.CharField(_("寄件人"), max_length=64, blank=True, help_text="Staff pages only, never public")
    addressee = models.CharField(_("收件人"), max_length=64, blank=True, help_text="Staff pages only, never public")
    postage = models.DecimalField(_("资费（元）"), max_digits=8, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("应妥投日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.POSTED)
    last_code = models.CharField(_("最新事件"), max_length=3, choices=EventCode.choices, blank=True)
    last_action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    last_event_at = models.DateTimeField(_("最新事件时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("未妥投次数"), default=0)
    returned = models.BooleanField(_("退回"), default=False)
    delivered_at = models.DateTimeField(_("妥投时间"), null=True, blank=True)
    on_time = models.BooleanField(_("按时妥投"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("给据邮件")
        verbose_name_plural = _("给据邮件")
        indexes = [models.Index(fields=["unit", "due_on"], name="trk_item_unit_due"),
                   models.Index(fields=["unit", "posted_at"], name="trk_item_unit_posted"),
                   models.Index(fields=["unit", "status", "last_event_at"], name="trk_item_unit_status")]

    def __str__(self):
        return self.number

    def compensation_limit(self):
        """A lost registered letter is compensated at 3 × its postage (Postal Law art. 47)."""
        return self.postage * 3 if self.postage is not None else None


class TrackingEvent(models.Model):
    """One scan or report of an item. Append-only; an EMH (unsuccessful attempt) carries the reason
    and the action taken."""

    class Source(models.TextChoices):
        INGEST = "ingest", _("批量导入")
        API = "api", _("接口")
        MANUAL = "manual", _("手工登记")

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="events", db_index=False)
    code = models.CharField(_("事件"), max_length=3, choices=EventCode.choices)
    occurred_at = models.DateTimeField(_("时间"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             db_index=False, verbose_name=_("机构"))
    office = models.CharField(_("机构"), max_length=32, help_text="The office code as reported")
    location = models.CharField(_("地点"), max_length=64, blank=True)
    reason = models.CharField(_("未妥投原因"), max_length=16, choices=Reason.choices, blank=True)
    action = models.CharField(_("处理"), max_length=16, choices=Action.choices, blank=True)
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", db_index=False, verbose_name=_("投递员"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.INGEST)
    recorded_at = models.DateTimeField(_("登记时间"))

    scope_field = "item__unit"

    class Meta:
        verbose_name = _("跟踪事件")
        verbose_name_plural = _("跟踪事件")
        constraints = [models.UniqueConstraint(fields=["item", "occurred_at", "code"], name="trk_event_uniq"),
                       models.CheckConstraint(condition=~models.Q(code="EMH") | (~models.Q(reason="") & ~models.Q(action="")),
                                              name="trk_event_emh_reason")]
        indexes = [models.Index(fields=["unit", "code", "occurred_at"], name="trk_event_unit_code")]

    def __str__(self):
        return f"{self.item_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


class ItemReturn(TimeStampedModel):
    """退回: an item that could not be delivered and goes back to its sender (one per item). An item
    that cannot be returned either is listed for destruction under supervision after 6 months."""

    item = models.OneToOneField(TrackedItem, on_delete=models.PROTECT, related_name="return_record")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.CharField(_("退回原因"), max_length=16, choices=Reason.choices)
    started_at = models.DateTimeField(_("退回时间"))
    back_to_sender_at = models.DateTimeField(_("退回妥投时间"), null=True, blank=True)
    unreturnable = models.BooleanField(_("无法退回"), default=False)
    destroy_after = models.DateField(_("可监督销毁日期"), null=True, blank=True)
    destroyed_on = models.DateField(_("销毁日期"), null=True, blank=True)
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", db_index=False, verbose_name=_("监销人"))
    destroy_note = models.CharField(_("监销记录"), max_length=200, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("退回邮件")
        verbose_name_plural = _("退回邮件")
        indexes = [models.Index(fields=["unit", "started_at"], name="trk_return_unit"),
                   models.Index(fields=["unit", "unreturnable", "destroy_after"], name="trk_return_destroy")]


class ItemQuery(TimeStampedModel):
    """查询: a customer's query about a tracked item, accepted within 1 year of posting, answered
    within 30 days; a lost registered letter is compensated at 3 × postage."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("已妥投")
        RETURNED = "returned", _("已退回")
        IN_TRANSIT = "in_transit", _("仍在途，已催办")
        LOST = "lost", _("丢失")
        DAMAGED = "damaged", _("损毁")

    class Enquirer(models.TextChoices):
        SENDER = "sender", _("寄件人")
        ADDRESSEE = "addressee", _("收件人")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="queries", db_index=False)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    enquirer = models.CharField(_("查询人"), max_length=16, choices=Enquirer.choices)
    received_on = models.DateField(_("受理日期"))
    reply_due = models.DateField(_("答复期限"))
    question = models.CharField(_("查询内容"), max_length=300)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, verbose_name=_("受理人"))
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    outcome = models.CharField(_("查询结果"), max_length=16, choices=Outcome.choices, blank=True)
    reply = models.CharField(_("答复内容"), max_length=300, blank=True)
    compensation = models.DecimalField(_("赔偿金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", db_index=False, verbose_name=_("答复人"))

    scope_field = "unit"

    class Meta:
        verbose_name = _("查询")
        verbose_name_plural = _("查询")
        indexes = [models.Index(fields=["unit", "replied_on", "reply_due"], name="trk_query_unit_due"),
                   models.Index(fields=["item", "-received_on"], name="trk_query_item")]

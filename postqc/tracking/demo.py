"""The demo's 给据邮件跟踪 (postqc.core.demo loader): about 4,000 tracked items and 20,000-odd events
over the last 60 days, delivered by the city's delivery units, written through the real ingest
(ingest.ingest_rows: the same checks and bulk path as a file).

Most items arrive in time (the delivery app's time limits D+N); about one in ten has a failed
attempt (收件人不在 mostly, 地址不详, 拒收, 查无此人, 迁移新址不明, 原址查无此单位) and is then
delivered on a second try, held for collection, or sent back; a few letters could not be
returned either, three of them long enough ago (7–8 months) to be due for supervised destruction;
a dozen customers' queries, answered or not, one for a lost letter compensated at 3 × postage.

The seed story: 刘进富, 80-odd, of 船营区 sent two registered letters to a magazine in Beijing
(北京某刊社编辑部); the Beijing office found 原址查无此单位 and sent them back; 苏阳, courier at
船营投递部, looked them up and handed them back to him (numbers STORY_NUMBERS).
"""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from postqc.delivery.rules import TimeLimits
from postqc.org.models import Outlet, Staff, StaffRole, Unit, UnitClosure
from postqc.org.roles import Role

from . import s10
from .ingest import LOCAL, ingest_rows
from .models import ItemQuery, ItemReturn, TrackedItem, TrackingEvent
from .services import query_open, query_reply

ROOT_CODE = "JL"
CITY_CODE = "JLS"
ITEMS = 4000
DAYS = 60
CENTRE = ("132000", "吉林市邮区中心局")
ORIGINS_PROVINCE = [("130000", "长春市邮区中心局"), ("136000", "四平市邮区中心局"), ("133000", "延吉市邮区中心局")]
ORIGINS_NATION = [("100000", "北京市邮区中心局"), ("200000", "上海市邮区中心局"), ("110000", "沈阳市邮区中心局"),
                  ("510000", "广州市邮区中心局"), ("150000", "哈尔滨市邮区中心局")]
CLASSES = [("RR", "letter", 55, "5.00"), ("CP", "parcel", 25, "18.00"), ("EA", "express", 20, "22.00")]
# Failed attempt: (reason, weight, what happens next)
FAILURES = [("absent", 45, "retry"), ("absent", 15, "hold"), ("address", 10, "retry"), ("refused", 8, "return"),
            ("unknown", 8, "return"), ("moved", 7, "return"), ("no_such_org", 7, "return")]
STORY_SENDER, STORY_ADDRESSEE = "刘进富", "北京某刊社编辑部"
STORY_SERIALS = (27140639, 27140721)
STORY_NUMBERS = tuple(s10.make("RR", n) for n in STORY_SERIALS)
STORY_COURIER = "22020002"  # 苏阳, 船营投递部
QUALITY = "22020004"  # 王丽娟, the city's quality manager


def _stamp(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL)


class _Plan:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        self.rows: list[dict] = []
        self.serial = 50_000_000 + rng.randint(0, 9_000_000)
        self.delivery = list(Unit.objects.filter(kind=Unit.Kind.DELIVERY, code__startswith=f"{CITY_CODE}-")
                             .order_by("code"))
        couriers: dict[int, list[str]] = {}
        for unit_id, no in (StaffRole.objects.filter(role=Role.COURIER, staff__unit__in=self.delivery, staff__is_active=True)
                            .order_by("staff__employee_no").values_list("staff__unit_id", "staff__employee_no")):
            couriers.setdefault(unit_id, []).append(no)
        self.couriers = couriers
        self.delivery = [u for u in self.delivery if u.pk in couriers]
        self.weights = [len(couriers[u.pk]) for u in self.delivery]
        self.outlets = list(Outlet.objects.filter(unit__code__startswith=f"{CITY_CODE}-").select_related("unit")
                            .order_by("code"))
        today = now.astimezone(LOCAL).date()
        self.limits = {u.pk: TimeLimits(u, today) for u in self.delivery}

    def number(self, indicator: str) -> str:
        self.serial += 1
        return s10.make(indicator, self.serial)

    def add(self, **row) -> None:
        at = row.pop("at")
        if at <= self.now:
            row["time"] = at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
            self.rows.append(row)

    def item(self) -> None:
        rng = self.rng
        unit = rng.choices(self.delivery, self.weights)[0]
        indicator, mail_class, _w, postage = rng.choices(CLASSES, [c[2] for c in CLASSES])[0]
        route = rng.choices(["local", "provincial", "interprovincial"], [45, 25, 30])[0]
        number = self.number(indicator)
        posted_day = (self.now - dt.timedelta(days=rng.uniform(0, DAYS))).astimezone(LOCAL).date()
        posted = _stamp(posted_day, rng.randint(8, 16), rng.randint(0, 59))
        days = self.limits[unit.pk].days(mail_class, route) or 3
        if route == "local":
            outlet = rng.choice(self.outlets)
            ema = {"office": outlet.unit.code, "location": outlet.name, "outlet": outlet.code}
        else:
            code, name = rng.choice(ORIGINS_PROVINCE if route == "provincial" else ORIGINS_NATION)
            ema = {"office": code, "location": name}
        self.add(number=number, code="EMA", at=posted, route={"local": "同城", "provincial": "省内",
                                                               "interprovincial": "跨省"}[route],
                 postage=postage, delivery_unit=unit.code, **ema)
        late = rng.random() < 0.07
        arrive = posted_day + dt.timedelta(days=rng.randint(days + 1, days + 3) if late else
                                           rng.randint(1 if route != "local" else 0, days) if days else 0)
        if route != "local":
            self.add(number=number, code="EDE", at=posted + dt.timedelta(hours=rng.randint(3, 8)),
                     office=ema["office"], location=ema["location"])
        self.add(number=number, code="EDD", at=_stamp(arrive, 5, rng.randint(0, 59)) if arrive > posted_day
                 else posted + dt.timedelta(hours=2), office=CENTRE[0], location=CENTRE[1])
        self.deliver(number, unit, arrive, max(posted, _stamp(arrive, 6)))

    def deliver(self, number: str, unit: Unit, day: dt.date, after: dt.datetime) -> None:
        rng = self.rng
        courier = rng.choice(self.couriers[unit.pk])
        at = max(after + dt.timedelta(minutes=30), _stamp(day, 7, rng.randint(0, 50)))
        self.add(number=number, code="EMG", at=at, office=unit.code, location=unit.name)
        out = at + dt.timedelta(minutes=rng.randint(40, 90))
        self.add(number=number, code="EDG", at=out, office=unit.code, location=unit.name, courier=courier)
        if rng.random() >= 0.1:
            self.add(number=number, code="EMI", at=out + dt.timedelta(minutes=rng.randint(30, 400)), office=unit.code,
                     location=unit.name, courier=courier)
            return
        reason, _weight, then = rng.choices(FAILURES, [f[1] for f in FAILURES])[0]
        failed = out + dt.timedelta(minutes=rng.randint(30, 300))
        action = {"retry": "retry", "hold": "hold", "return": "return"}[then]
        self.add(number=number, code="EMH", at=failed, office=unit.code, location=unit.name, courier=courier,
                 reason=reason, action=action)
        next_day = failed.astimezone(LOCAL).date() + dt.timedelta(days=1)
        if then == "retry":
            again = _stamp(next_day, 8, rng.randint(30, 59))
            self.add(number=number, code="EDG", at=again, office=unit.code, location=unit.name, courier=courier)
            self.add(number=number, code="EMI", at=again + dt.timedelta(minutes=rng.randint(30, 300)),
                     office=unit.code, location=unit.name, courier=courier)
        elif then == "hold":
            self.add(number=number, code="EDH", at=failed + dt.timedelta(hours=1), office=unit.code,
                     location=_("%(u)s 营业窗口") % {"u": unit.name})
            if rng.random() < 0.8:
                self.add(number=number, code="EMI", at=_stamp(next_day + dt.timedelta(days=rng.randint(0, 4)),
                                                              rng.randint(9, 17)),
                         office=unit.code, location=_("%(u)s 营业窗口") % {"u": unit.name})
            else:
                self.add(number=number, code="EMH", at=_stamp(next_day + dt.timedelta(days=7), 17),
                         office=unit.code, location=unit.name, reason="unclaimed", action="return")
        else:
            self.add(number=number, code="EDD", at=_stamp(next_day, 5, 30), office=CENTRE[0], location=CENTRE[1])

    def unreturnable(self, months_ago: float) -> None:
        rng = self.rng
        unit = rng.choice(self.delivery)
        number = self.number("RR")
        posted_day = (self.now - dt.timedelta(days=months_ago * 30.5)).astimezone(LOCAL).date()
        outlet = rng.choice(self.outlets)
        self.add(number=number, code="EMA", at=_stamp(posted_day, 10), office=outlet.unit.code, location=outlet.name,
                 outlet=outlet.code, route="同城", postage="5.00", delivery_unit=unit.code)
        self.add(number=number, code="EMG", at=_stamp(posted_day + dt.timedelta(days=1), 7, 30), office=unit.code,
                 location=unit.name)
        self.add(number=number, code="EMH", at=_stamp(posted_day + dt.timedelta(days=1), 11), office=unit.code,
                 location=unit.name, courier=rng.choice(self.couriers[unit.pk]), reason="address", action="return")
        self.add(number=number, code="EMH", at=_stamp(posted_day + dt.timedelta(days=4), 15), office=unit.code,
                 location=unit.name, reason="address", action="unreturnable")

    def lost(self, days_ago: int) -> None:
        """A letter that left the origin's sorting centre and was never seen again."""
        unit = self.rng.choice(self.delivery)
        number = self.number("RR")
        posted = self.now - dt.timedelta(days=days_ago)
        code, name = self.rng.choice(ORIGINS_NATION)
        self.add(number=number, code="EMA", at=posted, office=code, location=name, route="跨省", postage="8.00",
                 delivery_unit=unit.code)
        self.add(number=number, code="EDE", at=posted + dt.timedelta(hours=6), office=code, location=name)

    def story(self) -> None:
        """刘进富's two registered letters to Beijing, returned 原址查无此单位, handed back by 苏阳."""
        today = self.now.astimezone(LOCAL).date()
        cy = Unit.objects.get(code=f"{CITY_CODE}-CY-TD")
        outlet = (Outlet.objects.filter(unit__code__startswith=f"{CITY_CODE}-CY-").select_related("unit")
                  .order_by("code").first())
        for n, number in enumerate(STORY_NUMBERS):
            posted = today - dt.timedelta(days=24 - 2 * n)
            self.add(number=number, code="EMA", at=_stamp(posted, 9, 20 + n), office=outlet.unit.code,
                     location=outlet.name, outlet=outlet.code, mail_class="信函", route="跨省", postage="5.00",
                     sender=STORY_SENDER, addressee=STORY_ADDRESSEE)
            self.add(number=number, code="EDE", at=_stamp(posted, 20), office=CENTRE[0], location=CENTRE[1])
            self.add(number=number, code="EDD", at=_stamp(posted + dt.timedelta(days=2), 4), office="100000",
                     location="北京市邮区中心局")
            self.add(number=number, code="EMG", at=_stamp(posted + dt.timedelta(days=2), 8), office="100010",
                     location="北京市东城区投递部")
            self.add(number=number, code="EMH", at=_stamp(posted + dt.timedelta(days=3), 11), office="100010",
                     location="北京市东城区投递部", reason="no_such_org", action="return")
            self.add(number=number, code="EDE", at=_stamp(posted + dt.timedelta(days=4), 18), office="100000",
                     location="北京市邮区中心局")
            self.add(number=number, code="EDD", at=_stamp(today - dt.timedelta(days=6), 4), office=CENTRE[0],
                     location=CENTRE[1])
            self.add(number=number, code="EMG", at=_stamp(today - dt.timedelta(days=6), 7, 40), office=cy.code,
                     location=cy.name)
            self.add(number=number, code="EDG", at=_stamp(today - dt.timedelta(days=5), 8, 30), office=cy.code,
                     location=cy.name, courier=STORY_COURIER)
            self.add(number=number, code="EMI", at=_stamp(today - dt.timedelta(days=5), 9, 50), office=cy.code,
                     location=cy.name, courier=STORY_COURIER)


def is_loaded() -> bool:
    return TrackedItem.objects.filter(number=STORY_NUMBERS[0]).exists()


def load(*, stdout, seed: int) -> None:
    if is_loaded():
        stdout.write(_("给据邮件：演示数据已存在，未重复加载。") + "\n")
        return
    if not Unit.objects.filter(code=f"{CITY_CODE}-CY-TD").exists():
        stdout.write(_("给据邮件：缺少组织演示数据，跳过。") + "\n")
        return
    rng = random.Random(seed + 7)
    now = timezone.now()
    plan = _Plan(rng, now)
    plan.story()
    for _i in range(ITEMS):
        plan.item()
    for months in (8, 7.5, 7, 2, 1):
        plan.unreturnable(months)
    for days in (55, 48, 41):
        plan.lost(days)
    report = ingest_rows([(i, row) for i, row in enumerate(plan.rows, start=2)])
    if not report.ok:
        raise RuntimeError(f"tracking demo rows rejected: {report.errors[:3]}")
    _queries(rng, now)
    stdout.write(_("给据邮件：%(i)d 件邮件，%(e)d 条跟踪事件，%(r)d 件退回，%(q)d 件查询。") % {
        "i": TrackedItem.objects.count(), "e": TrackingEvent.objects.count(), "r": ItemReturn.objects.count(),
        "q": ItemQuery.objects.count()} + "\n")


def _queries(rng: random.Random, now: dt.datetime) -> None:
    """A dozen customers' queries: answered, open, overdue, and one lost letter compensated."""
    today = now.astimezone(LOCAL).date()
    manager = Staff.objects.get(employee_no=QUALITY)
    letters = list(TrackedItem.objects.filter(mail_class="letter", posted_at__lt=now - dt.timedelta(days=40),
                                              status="delivered").order_by("number")[:40])
    rng.shuffle(letters)
    for n, item in enumerate(letters[:10]):
        posted = timezone.localtime(item.posted_at).date()
        received = (min(today, posted + dt.timedelta(days=rng.randint(3, 10))) if n < 7
                    else today - dt.timedelta(days=rng.randint(1, 10)))  # the open ones came in lately
        query = query_open(item=item, actor=manager, enquirer=rng.choice(["sender", "addressee"]),
                           received_on=received, question=_("寄件人询问邮件是否已妥投"))
        if n < 7:
            query_reply(query=query, actor=manager, outcome=ItemQuery.Outcome.DELIVERED,
                        reply=_("经查，该邮件已于 %(d)s 妥投，收件人已签收。") % {
                            "d": timezone.localtime(item.delivered_at).date()},
                        replied_on=min(today, received + dt.timedelta(days=rng.randint(1, 12))))
    lost = (TrackedItem.objects.filter(mail_class="letter", posted_at__lt=now - dt.timedelta(days=45),
                                       status__in=["in_transit", "posted"]).order_by("-posted_at").first())
    stuck = list(TrackedItem.objects.filter(status__in=["in_transit", "at_office"], posted_at__lt=now - dt.timedelta(days=35))
                 .exclude(pk=getattr(lost, "pk", None)).order_by("number")[:2])
    for item in stuck:  # overdue replies: received 35 days ago, still open
        query_open(item=item, actor=manager, enquirer="sender", received_on=today - dt.timedelta(days=34),
                   question=_("寄件人反映邮件迟迟未到"))
    if lost is not None:
        query = query_open(item=lost, actor=manager, enquirer="sender", received_on=today - dt.timedelta(days=20),
                           question=_("挂号信寄出一个多月未到"))
        query_reply(query=query, actor=manager, outcome=ItemQuery.Outcome.LOST,
                    reply=_("经逐段查询未能找到，按丢失处理，按资费 3 倍赔偿。"), replied_on=today - dt.timedelta(days=2))


def reset(*, stdout) -> None:
    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is None:
        return
    units = UnitClosure.objects.filter(ancestor=root).values("descendant_id")
    ItemQuery.objects.filter(unit_id__in=units).delete()
    ItemReturn.objects.filter(unit_id__in=units).delete()
    TrackingEvent.objects.filter(item__unit_id__in=units).delete()
    TrackedItem.objects.filter(unit_id__in=units).delete()
    stdout.write(_("给据邮件：已删除演示数据。") + "\n")

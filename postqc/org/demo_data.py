"""What the demo city is made of: places, branches, outlets, people's names (used by org/demo.py).

District, county, township and main street names are those of 吉林市; villages, house numbers
and everyone except the people the seed article names are made up.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Outlet, Unit
from .roles import Role

A = Outlet.AreaType


@dataclass(frozen=True)
class OutletSpec:
    name: str
    area: str
    where: str = ""  # a street (城市) or a town (乡镇); villages and branch towns are filled in by the builder
    agency: bool = False  # 委办: run by an agent under contract


def street(name: str, at: str) -> OutletSpec:
    return OutletSpec(name, A.CITY, at)


def town(name: str, at: str = "") -> OutletSpec:
    return OutletSpec(name, A.TOWNSHIP, at)


def village(name: str, agency: bool = False) -> OutletSpec:
    return OutletSpec(f"{name}邮政{'代办所' if agency else '所'}", A.VILLAGE, name, agency)


@dataclass(frozen=True)
class BranchSpec:
    abbr: str  # code suffix: JLS-JH-HSD
    name: str
    lat: float
    lng: float
    outlets: tuple[OutletSpec, ...]  # the first is the branch's own counter
    town: str = ""  # township branches: the town its outlets and villages are in
    delivery: str = ""  # a 投递部 of its own under the branch


@dataclass(frozen=True)
class PlaceSpec:
    abbr: str  # JLS-CY
    name: str  # 船营区
    kind: str
    unit_name: str
    prefix: str  # how a township address starts: 永吉县
    city_prefix: str  # how a street address in the district / county seat starts: 永吉县口前镇
    lat: float
    lng: float
    delivery: str  # the district / county-seat 投递部
    branches: tuple[BranchSpec, ...]


def place_code(place: PlaceSpec) -> str:
    return f"JLS-{place.abbr}"


K = Unit.Kind

PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec("CY", "船营区", K.DISTRICT, "船营区分公司", "吉林市船营区", "吉林市船营区", 43.8420, 126.5400, "船营投递部", (
        BranchSpec("BJL", "北京路支局", 43.8448, 126.5463, (
            street("北京路邮政支局", "北京路"), street("河南街邮政所", "河南街"), street("青岛街邮政所", "青岛街"))),
        BranchSpec("DD", "大东支局", 43.8505, 126.5540, (
            street("大东邮政支局", "松江中路"), street("致和邮政所", "致和街"))),
        BranchSpec("XY", "向阳支局", 43.8560, 126.5360, (
            street("向阳邮政支局", "光华路"), street("德胜邮政所", "德胜路"))),
        BranchSpec("BJ", "北极支局", 43.8490, 126.5300, (
            street("北极邮政支局", "北极街"), street("临江邮政所", "临江街"))),
        BranchSpec("NJ", "南京街支局", 43.8400, 126.5380, (
            street("南京街邮政支局", "南京街"), street("长春路邮政所", "长春路"))),
        BranchSpec("BS", "北山支局", 43.8480, 126.5180, (
            street("北山邮政支局", "北山路"), street("越山路邮政所", "越山路"))),
        BranchSpec("SDZ", "搜登站支局", 43.9010, 126.3520, (town("搜登站邮政支局"),), town="搜登站镇"),
        BranchSpec("YB", "越北支局", 43.9720, 126.4380, (town("越北邮政支局"),), town="越北镇"),
        BranchSpec("DSH", "大绥河支局", 43.7720, 126.3210, (town("大绥河邮政支局"),), town="大绥河镇"),
        BranchSpec("HX", "欢喜支局", 43.7930, 126.4520, (town("欢喜邮政所"),), town="欢喜乡"),
    )),
    PlaceSpec("CHY", "昌邑区", K.DISTRICT, "昌邑区分公司", "吉林市昌邑区", "吉林市昌邑区", 43.8820, 126.5740, "昌邑投递部", (
        BranchSpec("JFL", "解放路支局", 43.8690, 126.5610, (
            street("解放路邮政支局", "解放中路"), street("东市场邮政所", "东市场街"), street("重庆路邮政所", "重庆路"))),
        BranchSpec("ZQ", "站前支局", 43.8760, 126.5540, (
            street("站前邮政支局", "站前街"), street("中兴街邮政所", "中兴街"))),
        BranchSpec("WM", "文庙支局", 43.8620, 126.5700, (
            street("文庙邮政支局", "南昌路"), street("通江邮政所", "通江路"))),
        BranchSpec("XDH", "新地号支局", 43.8850, 126.5690, (
            street("新地号邮政支局", "新地号街"), street("延安邮政所", "延安路"))),
        BranchSpec("HDW", "哈达湾支局", 43.9000, 126.5560, (
            street("哈达湾邮政支局", "哈达湾路"), street("兴华邮政所", "兴华街")), delivery="哈达湾投递部"),
        BranchSpec("DJZ", "东局子支局", 43.8930, 126.5830, (street("东局子邮政支局", "东局子街"),)),
        BranchSpec("GDZ", "孤店子支局", 44.0520, 126.4710, (
            town("孤店子邮政支局"), village("兴隆村", agency=True)), town="孤店子镇"),
        BranchSpec("HPC", "桦皮厂支局", 43.9930, 126.2830, (town("桦皮厂邮政支局"),), town="桦皮厂镇"),
        BranchSpec("ZJ", "左家支局", 44.0810, 126.0830, (town("左家邮政支局"),), town="左家镇"),
        BranchSpec("LJZ", "两家子支局", 44.1580, 126.4020, (town("两家子邮政所"),), town="两家子满族乡"),
        BranchSpec("TCZ", "土城子支局", 44.0030, 126.5420, (town("土城子邮政所"),), town="土城子满族朝鲜族乡"),
    )),
    PlaceSpec("LT", "龙潭区", K.DISTRICT, "龙潭区分公司", "吉林市龙潭区", "吉林市龙潭区", 43.9100, 126.5620, "龙潭投递部", (
        BranchSpec("ZY", "遵义路支局", 43.9060, 126.5620, (
            street("遵义路邮政支局", "遵义东路"), street("龙华邮政所", "龙华街"), street("湘潭街邮政所", "湘潭街"))),
        BranchSpec("XJL", "新吉林支局", 43.9160, 126.5520, (
            street("新吉林邮政支局", "新吉林街"), street("铁东邮政所", "铁东街"))),
        BranchSpec("HY", "汉阳街支局", 43.9110, 126.5740, (
            street("汉阳街邮政支局", "汉阳街"), street("泡子沿邮政所", "泡子沿街"))),
        BranchSpec("CD", "承德街支局", 43.9220, 126.5650, (
            street("承德街邮政支局", "承德街"), street("山前邮政所", "山前街"))),
        BranchSpec("DC", "东城支局", 43.9050, 126.5880, (street("东城邮政支局", "东城街"),), delivery="东城投递部"),
        BranchSpec("WLJ", "乌拉街支局", 44.0580, 126.4830, (
            town("乌拉街邮政支局"), village("韩屯村")), town="乌拉街满族镇"),
        BranchSpec("JZ", "金珠支局", 43.9560, 126.6230, (town("金珠邮政支局"),), town="金珠镇"),
        BranchSpec("JMF", "江密峰支局", 43.8720, 126.8480, (town("江密峰邮政支局"),), town="江密峰镇"),
        BranchSpec("DKQ", "大口钦支局", 43.9830, 126.8210, (town("大口钦邮政支局"),), town="大口钦满族镇"),
        BranchSpec("GY", "缸窑支局", 44.1960, 126.6480, (town("缸窑邮政支局"),), town="缸窑镇"),
    )),
    PlaceSpec("FM", "丰满区", K.DISTRICT, "丰满区分公司", "吉林市丰满区", "吉林市丰满区", 43.8180, 126.5620, "丰满投递部", (
        BranchSpec("JN", "江南支局", 43.8250, 126.5550, (
            street("江南邮政支局", "吉林大街"), street("华山路邮政所", "华山路"), street("滨江东路邮政所", "滨江东路"))),
        BranchSpec("TS", "泰山路支局", 43.8150, 126.5480, (
            street("泰山路邮政支局", "泰山路"), street("沿丰邮政所", "沿丰街"))),
        BranchSpec("HQ", "红旗街支局", 43.8090, 126.5690, (
            street("红旗街邮政支局", "红旗街"), street("深圳街邮政所", "深圳街"))),
        BranchSpec("FM", "丰满支局", 43.7250, 126.6830, (
            street("丰满邮政支局", "丰满路"), town("松花湖邮政所", "松花湖"))),
        BranchSpec("GX", "高新支局", 43.8010, 126.5410, (street("高新区邮政支局", "恒山西路"),)),
        BranchSpec("WQ", "旺起支局", 43.6230, 126.8020, (
            town("旺起邮政支局"), village("长岭村"), village("榆树村", agency=True)), town="旺起镇"),
        BranchSpec("QED", "前二道支局", 43.7030, 126.5520, (town("前二道邮政所"),), town="前二道乡"),
        BranchSpec("XBS", "小白山支局", 43.7680, 126.5980, (town("小白山邮政所"),), town="小白山乡"),
    )),
    PlaceSpec("YJ", "永吉县", K.COUNTY, "永吉县分公司", "永吉县", "永吉县口前镇", 43.6720, 126.4980, "口前投递部", (
        BranchSpec("YYB", "永吉营业部", 43.6720, 126.4980, (
            street("永吉县邮政营业部", "人民大街"), street("口前城东邮政所", "新华街"), street("口前城西邮政所", "建设街"))),
        BranchSpec("CLH", "岔路河支局", 43.7830, 126.1520, (
            town("岔路河邮政支局"), village("新立村"), village("永安村", agency=True)), town="岔路河镇"),
        BranchSpec("XY", "西阳支局", 43.6050, 126.3880, (town("西阳邮政支局"),), town="西阳镇"),
        BranchSpec("BDH", "北大湖支局", 43.4290, 126.6020, (town("北大湖邮政支局"),), town="北大湖镇"),
        BranchSpec("WC", "万昌支局", 43.6930, 126.2790, (
            town("万昌邮政支局"), village("太平村")), town="万昌镇"),
        BranchSpec("YLX", "一拉溪支局", 43.5840, 126.2010, (
            town("一拉溪邮政支局"), village("东兴村", agency=True)), town="一拉溪镇"),
        BranchSpec("SH", "双河支局", 43.5320, 126.5540, (town("双河邮政支局"),), town="双河镇"),
        BranchSpec("JJ", "金家支局", 43.6420, 126.6820, (town("金家邮政所"),), town="金家满族乡"),
        BranchSpec("HY", "黄榆支局", 43.4930, 126.4160, (town("黄榆邮政所"),), town="黄榆乡"),
    )),
    PlaceSpec("JH", "蛟河市", K.COUNTY, "蛟河市分公司", "蛟河市", "蛟河市", 43.7240, 127.3440, "蛟河城区投递部", (
        BranchSpec("YYB", "蛟河营业部", 43.7240, 127.3440, (
            street("蛟河市邮政营业部", "民主大街"), street("河南街邮政所", "河南街"), street("长安邮政所", "长安街"))),
        BranchSpec("NZS", "奶子山支局", 43.7050, 127.3150, (street("奶子山邮政支局", "胜利街"),)),
        BranchSpec("LF", "拉法支局", 43.8270, 127.3300, (town("拉法邮政支局"),), town="拉法街道"),
        BranchSpec("XZ", "新站支局", 43.9280, 127.4780, (
            town("新站邮政支局"), village("保安村")), town="新站镇"),
        BranchSpec("TG", "天岗支局", 43.5810, 127.3290, (
            town("天岗邮政支局"), village("福安村", agency=True)), town="天岗镇"),
        BranchSpec("HSD", "黄松甸支局", 43.6020, 127.6530, (
            town("黄松甸邮政支局"), village("胜利村")), town="黄松甸镇"),
        BranchSpec("BSS", "白石山支局", 43.5540, 127.5620, (town("白石山邮政支局"),), town="白石山镇"),
        BranchSpec("PH", "漂河支局", 43.2830, 127.2980, (
            town("漂河邮政支局"), village("红光村", agency=True)), town="漂河镇"),
        BranchSpec("TB", "天北支局", 43.8520, 127.1530, (town("天北邮政支局"),), town="天北镇"),
        BranchSpec("SJ", "松江支局", 43.6280, 127.8030, (town("松江邮政支局"),), town="松江镇"),
        BranchSpec("QL", "庆岭支局", 43.6810, 127.0820, (town("庆岭邮政所"),), town="庆岭镇"),
    )),
    PlaceSpec("PS", "磐石市", K.COUNTY, "磐石市分公司", "磐石市", "磐石市", 42.9460, 126.0600, "磐石城区投递部", (
        BranchSpec("YYB", "磐石营业部", 42.9460, 126.0600, (
            street("磐石市邮政营业部", "人民大街"), street("城北邮政所", "北环路"))),
        BranchSpec("DNJ", "东宁街营业所", 42.9500, 126.0680, (street("东宁街营业所", "东宁街"),)),
        BranchSpec("HL", "呼兰支局", 43.0610, 126.1710, (
            town("呼兰邮政支局"), village("和平村")), town="呼兰镇"),
        BranchSpec("YTS", "烟筒山支局", 43.2750, 126.0040, (
            town("烟筒山邮政支局"), village("长兴村")), town="烟筒山镇", delivery="烟筒山投递部"),
        BranchSpec("MC", "明城支局", 43.1040, 125.7930, (
            town("明城邮政支局"), village("三合村", agency=True)), town="明城镇"),
        BranchSpec("HQL", "红旗岭支局", 42.8790, 126.4020, (town("红旗岭邮政支局"),), town="红旗岭镇"),
        BranchSpec("JC", "吉昌支局", 43.0020, 125.9010, (town("吉昌邮政支局"),), town="吉昌镇"),
        BranchSpec("QCH", "取柴河支局", 43.0910, 126.4320, (town("取柴河邮政支局"),), town="取柴河镇"),
        BranchSpec("SZ", "石嘴支局", 42.8530, 126.1430, (town("石嘴邮政支局"),), town="石嘴镇"),
        BranchSpec("YM", "驿马支局", 43.1620, 126.2530, (town("驿马邮政所"),), town="驿马镇"),
        BranchSpec("ZYS", "朝阳山支局", 42.8210, 126.0490, (town("朝阳山邮政所"),), town="朝阳山镇"),
        BranchSpec("HS", "黑石支局", 42.8820, 125.9980, (town("黑石邮政所"),), town="黑石镇"),
    )),
    PlaceSpec("SL", "舒兰市", K.COUNTY, "舒兰市分公司", "舒兰市", "舒兰市", 44.4060, 126.9650, "舒兰城区投递部", (
        BranchSpec("YYB", "舒兰营业部", 44.4060, 126.9650, (
            street("舒兰市邮政营业部", "人民路"), street("南城邮政所", "南环路"), street("吉舒邮政所", "吉舒街"))),
        BranchSpec("JM", "金马支局", 44.2390, 126.9480, (
            town("金马邮政支局"), village("双山村")), town="金马镇"),
        BranchSpec("PA", "平安支局", 44.2510, 126.7720, (
            town("平安邮政支局"), village("新华村")), town="平安镇"),
        BranchSpec("FT", "法特支局", 44.3810, 126.5820, (
            town("法特邮政支局"), village("团结村", agency=True)), town="法特镇"),
        BranchSpec("BQ", "白旗支局", 44.4530, 126.6010, (town("白旗邮政支局"),), town="白旗镇"),
        BranchSpec("XH", "溪河支局", 44.3010, 127.1030, (town("溪河邮政支局"),), town="溪河镇"),
        BranchSpec("SQL", "水曲柳支局", 44.5680, 126.9520, (town("水曲柳邮政支局"),), town="水曲柳镇"),
        BranchSpec("SY", "上营支局", 44.1620, 127.2630, (town("上营邮政支局"),), town="上营镇"),
        BranchSpec("CY", "朝阳支局", 44.5120, 127.1010, (town("朝阳邮政所"),), town="朝阳镇"),
        BranchSpec("XC", "小城支局", 44.3590, 127.2480, (town("小城邮政所"),), town="小城镇"),
        BranchSpec("TDX", "天德支局", 44.4820, 126.7790, (town("天德邮政所"),), town="天德乡"),
    )),
    PlaceSpec("HD", "桦甸市", K.COUNTY, "桦甸市分公司", "桦甸市", "桦甸市", 42.9720, 126.7460, "桦甸城区投递部", (
        BranchSpec("YYB", "桦甸营业部", 42.9720, 126.7460, (
            street("桦甸市邮政营业部", "明桦街"), street("新华邮政所", "新华街"), street("胜利邮政所", "胜利街"))),
        BranchSpec("JPG", "夹皮沟支局", 42.8530, 127.4830, (
            town("夹皮沟邮政支局"), village("东升村")), town="夹皮沟镇"),
        BranchSpec("HSLZ", "红石砬子支局", 42.9930, 126.9810, (town("红石砬子邮政支局"),), town="红石砬子镇"),
        BranchSpec("BDHZ", "八道河子支局", 42.7410, 126.9020, (town("八道河子邮政支局"),), town="八道河子镇"),
        BranchSpec("HDHZ", "横道河子支局", 42.9180, 126.4030, (town("横道河子邮政所"),), town="横道河子镇"),
        BranchSpec("EDDZ", "二道甸子支局", 43.1010, 126.8530, (
            town("二道甸子邮政支局"), village("四合村", agency=True)), town="二道甸子镇"),
        BranchSpec("CS", "常山支局", 42.9120, 126.5780, (town("常山邮政所"),), town="常山镇"),
        BranchSpec("JS", "金沙支局", 43.1010, 126.6280, (town("金沙邮政所"),), town="金沙镇"),
        BranchSpec("HJ", "桦郊支局", 42.9510, 126.7020, (town("桦郊邮政所"),), town="桦郊乡"),
    )),
)

CITY_DEPARTMENTS = (("BGS", "综合办公室"), ("RL", "人力资源部"), ("CW", "财务部"), ("SC", "市场经营部"),
                    ("YY", "运营管理部"), ("PF", "普遍服务部"))
PLACE_DEPARTMENTS = (("BGS", "综合办公室"), ("SC", "市场部"))

# Grade history: five third-grade township outlets upgraded by one document in 2018 (the seed article),
# and two city outlets brought up to first grade after their refit in 2021.
UPGRADED_2018 = (("JH", "黄松甸邮政支局"), ("PS", "呼兰邮政支局"), ("SL", "金马邮政支局"),
                 ("YJ", "岔路河邮政支局"), ("HD", "夹皮沟邮政支局"))
UPGRADE_2018_ON = dt.date(2018, 7, 1)
UPGRADE_2018_REASON = "吉邮普〔2018〕36号 三级网点升级为二级网点"
UPGRADED_2021 = (("CY", "河南街邮政所"), ("CHY", "站前邮政支局"))
UPGRADE_2021_ON = dt.date(2021, 4, 1)
UPGRADE_2021_REASON = "吉邮普〔2021〕12号 网点标准化改造后升级"


@dataclass(frozen=True)
class NamedPerson:
    """Someone placed by hand: the people of the seed article and the demo sign-in accounts."""

    employee_no: str
    name: str
    role: str
    unit: str  # unit code
    outlet: str = ""  # outlet name, for counter clerks (and a 所长 who works at the counter)
    login: bool = False  # listed in the printed sign-in table


NAMED_PEOPLE = (
    NamedPerson("22020001", "曹磊", Role.CLERK, "JLS-JH-HSD", "黄松甸邮政支局", login=True),
    NamedPerson("22020002", "苏阳", Role.COURIER, "JLS-CY-TD", login=True),
    NamedPerson("22020011", "韩雪梅", Role.OFFICE, "JLS-BGS", login=True),
    NamedPerson("22020003", "刘颖", Role.BRANCH_HEAD, "JLS-PS-DNJ", "东宁街营业所", login=True),
    NamedPerson("22020004", "王丽娟", Role.QUALITY, "JLS", login=True),
    NamedPerson("22020005", "赵宏伟", Role.QUALITY, "JLS-JH", login=True),
    NamedPerson("22020006", "孙东明", Role.LEADER, "JLS", login=True),
    NamedPerson("22020007", "李明远", Role.SYSADMIN, "JLS", login=True),
    NamedPerson("22020008", "常雨昌", Role.LEADER, "JLS"),
    NamedPerson("22020009", "詹立信", Role.COURIER, "JLS-PS-HL"),
    NamedPerson("22020010", "刘春秋", Role.CLERK, "JLS-SL-JM", "金马邮政支局"),
)
FIRST_GENERATED_EMPLOYEE_NO = 22020012

# Addresses and numbers.
TOWN_STREETS = ("中心街", "人民大街", "站前街", "兴华街", "新华街", "建设街", "光明街", "胜利街", "和平街", "朝阳街",
                "东大街", "西大街", "繁荣路", "前进路")
MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
                   "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates

# Names: common surnames of Jilin with rough weights (the Northeast's 于, 姜, 曲, 隋, 鞠, 关, 佟, 朴 included),
# and given names people born 1960-2000 commonly carry.
SURNAMES = (
    ("王", 70), ("李", 68), ("张", 64), ("刘", 58), ("赵", 30), ("孙", 28), ("杨", 26), ("陈", 24), ("于", 22),
    ("徐", 18), ("马", 18), ("高", 18), ("周", 16), ("吴", 14), ("郭", 14), ("姜", 14), ("朱", 12), ("曲", 10),
    ("董", 12), ("韩", 12), ("崔", 10), ("金", 10), ("宋", 10), ("付", 10), ("林", 9), ("梁", 9), ("郑", 9),
    ("唐", 8), ("冯", 8), ("曹", 8), ("许", 8), ("邓", 7), ("吕", 8), ("苏", 7), ("蒋", 6), ("田", 7), ("丁", 7),
    ("任", 7), ("魏", 7), ("范", 6), ("石", 6), ("姚", 5), ("谭", 4), ("邹", 5), ("白", 6), ("孟", 7), ("秦", 5),
    ("侯", 6), ("邵", 5), ("常", 6), ("武", 6), ("乔", 5), ("贺", 5), ("关", 6), ("佟", 4), ("隋", 3), ("鞠", 3),
    ("栾", 3), ("初", 2), ("朴", 4), ("闫", 6), ("薛", 5), ("杜", 5), ("潘", 4), ("胡", 8), ("何", 6), ("罗", 5),
    ("谢", 5), ("袁", 4), ("程", 5), ("沈", 4), ("郝", 5), ("康", 4), ("史", 4), ("葛", 3), ("尹", 4), ("牛", 3),
)
MALE_GIVEN = (
    "建国", "建军", "建华", "建伟", "志强", "志刚", "志勇", "志军", "国庆", "国华", "国栋", "海涛", "海波", "海龙",
    "晓东", "晓明", "晓峰", "晓光", "立新", "立军", "立伟", "永刚", "永胜", "春雷", "春生", "春明", "宏伟", "宏亮",
    "宏宇", "俊杰", "俊峰", "文博", "文涛", "文斌", "明辉", "明亮", "振宇", "振华", "振国", "庆祥", "庆林", "长海",
    "长青", "东升", "东旭", "浩然", "浩宇", "宇航", "鹏飞", "鹏程", "天宇", "天翔", "博文", "家辉", "继东", "继伟",
    "福生", "金龙", "铁军", "学军", "学文", "兴华", "瑞峰", "瑞祥", "启明", "景涛", "景春", "树林", "树森", "万里",
    "松涛", "云龙", "云鹏", "洪波", "洪涛", "卫东", "卫国", "广才", "广文", "利民", "永强", "世杰", "世伟", "子豪",
    "子轩", "嘉豪", "冬冬", "凤山", "德胜", "德志", "成林", "连生", "玉林", "宝林", "春江", "伟东", "旭东", "忠良",
)
MALE_SINGLE = ("伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "鹏", "斌", "浩", "亮", "东", "海", "波",
               "辉", "刚", "健", "峰", "宇", "鑫", "凯", "龙", "俊", "晨", "阳", "博", "林", "彬", "旭", "锋",
               "岩", "震", "坤", "帅", "毅", "松", "野", "冰")
FEMALE_GIVEN = (
    "丽华", "丽娟", "丽娜", "丽红", "秀英", "秀兰", "秀梅", "秀芳", "桂兰", "桂芝", "桂英", "晓燕", "晓梅", "晓丽",
    "晓红", "晓静", "春梅", "春燕", "春艳", "春华", "淑珍", "淑华", "淑梅", "淑芬", "玉兰", "玉梅", "玉珍", "玉霞",
    "海燕", "海霞", "雪梅", "雪莲", "丹丹", "婷婷", "佳琪", "欣怡", "雨欣", "思雨", "梦瑶", "美玲", "凤霞", "凤英",
    "艳红", "艳华", "艳玲", "红梅", "红霞", "红艳", "金凤", "明月", "月华", "慧敏", "慧娟", "文静", "文娟", "雅琴",
    "亚楠", "佳慧", "佳怡", "冬梅", "秋月", "秋菊", "素芳", "立华", "立平", "晶晶", "莹莹", "婉婷", "诗涵", "雨婷",
    "丽萍", "翠兰", "翠萍", "彩霞", "巧玲", "兰英", "玉洁", "冬雪", "海英", "淑艳", "凤琴", "秀娟", "宏艳", "晓雪",
)
FEMALE_SINGLE = ("丽", "静", "敏", "燕", "艳", "娟", "霞", "芳", "娜", "婷", "雪", "玲", "红", "梅", "莉", "琳",
                 "颖", "慧", "晶", "洁", "萍", "倩", "欣", "悦", "宁", "楠", "蕾", "爽", "娇", "媛", "琪", "薇",
                 "妍", "丹", "岚", "露")
# Combinations that read as a pun or as a famous person's name.
AVOID_NAMES = frozenset({"杨伟", "吴用", "范剑", "范统", "马超", "李鹏", "李强", "李刚", "史珍香", "朱逸群", "杜子腾",
                         "黄海波", "郭晶晶", "刘强", "王刚", "孙丽", "沈静"})

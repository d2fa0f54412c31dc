"""The shipped questionnaire, after the Jilin City 2016 precedent (docs/surveys.md).

Three parts: 一、总体评价 (overall satisfaction and expectations, not scored into a
dimension), 二、服务评价 (21 rated items over the precedent's seven dimensions) and
三、受访者信息 (the respondent's profile). Item codes are stable: a new year's survey is a
copy of the last one and keeps them, so years compare item by item.

Dimension weights (they sum to 1 and are frozen with the survey; managers may change them
before collection starts): the counter and delivery are what every customer meets, so they
weigh most; facilities, queries and compensation are met by fewer customers.

    邮政设施 0.10 · 营业服务 0.20 · 投递服务 0.20 · 查询服务 0.10
    邮件丢失或损毁 0.15 · 邮件赔偿 0.10 · 投诉处理 0.15

Items link to the clause of the company's service rule (制度标准库) that governs them; a link
is made only when the clause exists in the database.
"""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as N_

SATISFACTION_LABELS = {"1": N_("很不满意"), "2": N_("不满意"), "3": N_("一般"), "4": N_("满意"), "5": N_("很满意")}
EXPECTATION_LABELS = {"1": N_("很低"), "2": N_("较低"), "3": N_("一般"), "4": N_("较高"), "5": N_("很高")}

PARTS = [
    ("P1", N_("一、总体评价")),
    ("P2", N_("二、服务评价")),
    ("P3", N_("三、受访者信息")),
]

# (code, name, weight)
DIMENSIONS = [
    ("FAC", N_("邮政设施"), Decimal("0.1000")),
    ("CTR", N_("营业服务"), Decimal("0.2000")),
    ("DLV", N_("投递服务"), Decimal("0.2000")),
    ("QRY", N_("查询服务"), Decimal("0.1000")),
    ("LOSS", N_("邮件丢失或损毁"), Decimal("0.1500")),
    ("COMP", N_("邮件赔偿"), Decimal("0.1000")),
    ("CMPL", N_("投诉处理"), Decimal("0.1500")),
]

# Part 1: not scored into a dimension. OV01 is the overall item used for derived importance.
# (code, text, labels, is_overall)
OVERALL_ITEMS = [
    ("OV01", N_("总的来说，您对邮政普遍服务的满意程度如何"), SATISFACTION_LABELS, True),
    ("EX01", N_("在接受服务之前，您对邮政服务质量的期望如何"), EXPECTATION_LABELS, False),
]

# Part 2: (code, dimension, text, allow 不适用, clause code)
SERVICE_ITEMS = [
    ("SF01", "FAC", N_("营业网点的位置和营业时间方便您办理业务"), False, "JLFW-2.6"),
    ("SF02", "FAC", N_("营业厅干净整洁，书写台、笔、座椅等便民用品齐全好用"), False, "JLFW-2.10"),
    ("SF03", "FAC", N_("信筒信箱设置合理，开取时间清楚"), True, "JLFW-2.10"),
    ("SF04", "CTR", N_("营业员态度热情，用语文明礼貌"), False, "JLFW-3.13"),
    ("SF05", "CTR", N_("办理业务排队等候的时间可以接受"), False, "JLFW-3.15"),
    ("SF06", "CTR", N_("营业员业务熟练，收寄验视规范"), False, "JLFW-4.20"),
    ("SF07", "CTR", N_("服务种类、资费标准和服务承诺公示清楚"), False, "JLFW-2.9"),
    ("SF08", "DLV", N_("邮件寄送速度快，能按承诺的时限送到"), False, "JLTD-4.13"),
    ("SF09", "DLV", N_("投递员能把邮件送到家门口或约定的地点"), False, "JLTD-3.9"),
    ("SF10", "DLV", N_("投递员态度好，签收手续规范"), False, "JLTD-5.21"),
    ("SF11", "DLV", N_("没能投递时，能及时通知您并再次投递"), True, "JLTD-5.20"),
    ("SF12", "QRY", N_("查询邮件的渠道（电话、网站、营业厅）方便"), True, "JLFW-6.35"),
    ("SF13", "QRY", N_("查询到的邮件信息准确、及时"), True, "JLFW-6.36"),
    ("SF14", "QRY", N_("查询时工作人员解释清楚、耐心"), True, "JLFW-6.35"),
    ("SF15", "LOSS", N_("您寄出或收到的邮件没有丢失"), False, "JLTD-7.27"),
    ("SF16", "LOSS", N_("您收到的邮件包装完好，物品没有损坏"), False, "JLFW-4.27"),
    ("SF17", "COMP", N_("邮件丢失或损毁后，赔偿手续简便"), True, "JLFW-6.39"),
    ("SF18", "COMP", N_("赔偿金额合理，赔付及时"), True, "JLFW-6.37"),
    ("SF19", "CMPL", N_("投诉的渠道畅通，容易找到投诉电话或地点"), True, "JLFW-7.41"),
    ("SF20", "CMPL", N_("投诉后能在承诺的时间内得到答复"), True, "JLFW-7.42"),
    ("SF21", "CMPL", N_("您对投诉处理的结果满意"), True, "JLFW-7.44"),
]

# Part 3: (code, text, choices, multiple)
PROFILE_QUESTIONS = [
    ("sex", N_("性别"), [["m", N_("男")], ["f", N_("女")]], False),
    ("age", N_("年龄段"), [["u20", N_("20岁以下")], ["20_29", N_("20–29岁")], ["30_39", N_("30–39岁")],
                         ["40_49", N_("40–49岁")], ["50_59", N_("50–59岁")], ["60p", N_("60岁及以上")]], False),
    ("education", N_("文化程度"), [["primary", N_("小学及以下")], ["junior", N_("初中")], ["senior", N_("高中/中专")],
                                ["college", N_("大专")], ["bachelor", N_("本科及以上")]], False),
    ("occupation", N_("职业"), [["official", N_("机关事业单位人员")], ["employee", N_("企业职工")],
                              ["business", N_("个体经营者")], ["farmer", N_("农民")], ["student", N_("学生")],
                              ["retired", N_("离退休人员")], ["other", N_("其他")]], False),
    ("services", N_("使用过的业务"), [["letters", N_("信件")], ["parcels", N_("包裹")], ["printed", N_("印刷品")],
                                  ["remittance", N_("汇兑")], ["newspapers", N_("报刊订阅")], ["express", N_("快递包裹")]],
     True),
]

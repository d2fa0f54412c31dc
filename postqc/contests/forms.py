"""Forms of the exam manager pages: the exam's settings and its blueprint as a formset of rule
lines. They convert input; the rules (enough questions, pools, banks offered, who may take
part) live in services."""
from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import offered_to, scoped
from postqc.learning.models import Bank, Question, QuestionVersion, Tag
from postqc.org.forms import ListFilterForm, UnitChoiceField
from postqc.org.models import Staff, Unit
from postqc.org.roles import Role
from postqc.org.selectors import in_tree_order
from postqc.standards.models import Clause

from .models import Exam
from .results import STATUSES

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DIFFICULTIES = [(n, str(n)) for n in range(1, 6)]
RULE_ROWS = 8

# The usual paper: 20 单选 ×2, 10 多选 ×3, 10 判断 ×2, 5 填空 ×2 = 100 points.
DEFAULT_RULES = [
    {"question_type": "single", "count": 20, "points": 2},
    {"question_type": "multiple", "count": 10, "points": 3},
    {"question_type": "true_false", "count": 10, "points": 2},
    {"question_type": "fill", "count": 5, "points": 2},
]


class MockExamForm(forms.Form):
    title = forms.CharField(label=_l("名称"), max_length=120)
    description = forms.CharField(label=_l("说明"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    unit = UnitChoiceField(Unit.objects.none(), label=_l("主办单位"),
                           help_text=_l("本单位及下级单位的员工都可以参加。"))
    time_limit_minutes = forms.IntegerField(label=_l("答题时长（分钟）"), min_value=1, max_value=600, initial=30)
    attempts_allowed = forms.IntegerField(label=_l("允许作答次数"), min_value=0, max_value=99, initial=0,
                                          help_text=_l("0 表示不限次数。"))
    reveal = forms.ChoiceField(label=_l("公布答案与解析"), choices=Exam.Reveal.choices, initial=Exam.Reveal.AFTER_SUBMIT)
    pass_score = forms.DecimalField(label=_l("及格分"), required=False, min_value=0, max_digits=6, decimal_places=2,
                                    initial=60, help_text=_l("不填则不判定及格。"))
    paper_mode = forms.ChoiceField(label=_l("组卷方式"), choices=Exam.PaperMode.choices,
                                   initial=Exam.PaperMode.PER_PERSON)
    shuffle_questions = forms.BooleanField(label=_l("题目乱序"), required=False, initial=True,
                                           help_text=_l("同一题型内的题目顺序每人不同。"))
    shuffle_options = forms.BooleanField(label=_l("选项乱序"), required=False, initial=True)
    opens_at = forms.DateTimeField(label=_l("开始时间"), required=False, widget=DATETIME_WIDGET,
                                   help_text=_l("不填表示发布后即可参加。"))
    closes_at = forms.DateTimeField(label=_l("结束时间"), required=False, widget=DATETIME_WIDGET,
                                    help_text=_l("不填表示长期开放；到结束时间仍在作答的试卷按时交卷。"))
    publish = forms.BooleanField(label=_l("保存后立即发布"), required=False, initial=True,
                                 help_text=_l("不勾选则保存为草稿，员工看不到。"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user)

    def settings(self) -> dict:
        """Keyword arguments of services.exam_create, besides the rules."""
        data = self.cleaned_data
        return {
            "title": data["title"], "unit": data["unit"], "time_limit_seconds": data["time_limit_minutes"] * 60,
            "publish": data["publish"], "description": data["description"],
            "attempts_allowed": data["attempts_allowed"], "reveal": data["reveal"], "pass_score": data["pass_score"],
            "paper_mode": data["paper_mode"], "shuffle_questions": data["shuffle_questions"],
            "shuffle_options": data["shuffle_options"], "opens_at": data["opens_at"], "closes_at": data["closes_at"],
        }


class _TreeOrder(ModelChoiceIterator):
    def __iter__(self):
        for unit in in_tree_order(self.queryset):
            yield self.choice(unit)


class UnitsField(forms.ModelMultipleChoiceField):
    """Units picked by code from a tree-ordered, indented list (the manager's subtree)."""

    iterator = _TreeOrder

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, unit: Unit) -> str:
        return "\u3000" * getattr(unit, "tree_level", 0) + unit.name


class PeopleField(forms.CharField):
    """Staff named by employee number, separated by spaces, commas, 、 or new lines; each must be a
    person of the manager's subtree (the service then checks the organising unit)."""

    SEPARATORS = re.compile(r"[\s,，、;；]+")

    def __init__(self, *args, **kwargs):
        self.people = Staff.objects.none()
        super().__init__(*args, **kwargs)

    def clean(self, value):
        numbers = list(dict.fromkeys(n for n in self.SEPARATORS.split(super().clean(value) or "") if n))
        if not numbers:
            return []
        found = {s.employee_no: s for s in self.people.filter(employee_no__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(_("工号 %(numbers)s 不存在或不在本单位管辖范围内。")
                                        % {"numbers": "、".join(unknown)})
        return [found[n] for n in numbers]


class CompetitionForm(forms.Form):
    """A 竞赛 or 考试: what, when, who takes part, how it counts and what is shown, the prizes."""

    kind = forms.ChoiceField(label=_l("类型"), choices=[(Exam.Kind.CONTEST, _l("竞赛")), (Exam.Kind.EXAM, _l("考试"))],
                             initial=Exam.Kind.CONTEST)
    title = forms.CharField(label=_l("名称"), max_length=120)
    description = forms.CharField(label=_l("说明"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    unit = UnitChoiceField(Unit.objects.none(), label=_l("主办单位"),
                           help_text=_l("参赛范围不超出主办单位及其下级单位。"))
    opens_at = forms.DateTimeField(label=_l("开始时间"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=_l("结束时间"), widget=DATETIME_WIDGET,
                                    help_text=_l("到结束时间仍在作答的试卷按时交卷。"))
    time_limit_minutes = forms.IntegerField(label=_l("答题时长（分钟）"), min_value=1, max_value=600, initial=30)
    audience_units = UnitsField(Unit.objects.none(), label=_l("参赛单位"), required=False,
                                widget=forms.SelectMultiple(attrs={"size": 8}),
                                help_text=_l("可多选（按住 Ctrl）；所选单位及其下级单位的员工参加。不选即主办单位全体员工。"))
    audience_roles = forms.MultipleChoiceField(label=_l("参赛岗位"), required=False, choices=Role.choices,
                                               widget=forms.CheckboxSelectMultiple,
                                               help_text=_l("不选即不限岗位。"))
    invitees = PeopleField(label=_l("指定人员（工号）"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_l("填写后只有这些人参加，参赛单位和岗位不再适用；工号之间用空格、逗号或换行分隔。"))
    attempts_allowed = forms.IntegerField(label=_l("允许作答次数"), min_value=0, max_value=99, initial=1,
                                          help_text=_l("0 表示不限次数。"))
    counting = forms.ChoiceField(label=_l("计分方式"), choices=Exam.Counting.choices, initial=Exam.Counting.BEST,
                                 help_text=_l("多次作答时哪一次计入排名。"))
    reveal = forms.ChoiceField(label=_l("公布答案与解析"), choices=Exam.Reveal.choices, initial=Exam.Reveal.AFTER_CLOSE,
                               help_text=_l("公布前，参赛者也看不到每题对错（判断题的对错就是答案）。"))
    pass_score = forms.DecimalField(label=_l("及格分"), required=False, min_value=0, max_digits=6, decimal_places=2,
                                    initial=60, help_text=_l("不填则不判定及格。"))
    paper_mode = forms.ChoiceField(label=_l("组卷方式"), choices=Exam.PaperMode.choices,
                                   initial=Exam.PaperMode.PER_PERSON)
    shuffle_questions = forms.BooleanField(label=_l("题目乱序"), required=False, initial=True,
                                           help_text=_l("同一题型内的题目顺序每人不同。"))
    shuffle_options = forms.BooleanField(label=_l("选项乱序"), required=False, initial=True)
    speed_bonus = forms.BooleanField(label=_l("启用用时加分"), required=False,
                                     help_text=_l("最多加卷面分的 10%，按剩余时间占答题时长的比例计；不启用时用时只在同分时决定名次。"))
    prize_people = forms.IntegerField(label=_l("个人奖项名额"), min_value=0, max_value=1000, initial=10)
    prize_units = forms.IntegerField(label=_l("单位奖项名额"), min_value=0, max_value=1000, initial=3)
    publish = forms.BooleanField(label=_l("保存后立即发布"), required=False, initial=True,
                                 help_text=_l("不勾选则保存为草稿，员工看不到。"))

    def __init__(self, user, *args, exam: Exam | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user)
        self.fields["audience_units"].queryset = scoped(Unit.objects.filter(is_active=True), user)
        self.fields["invitees"].people = scoped(Staff.objects.filter(is_active=True), user)
        if exam is not None:
            del self.fields["publish"]
            self.fields["unit"].disabled = True

    @staticmethod
    def initial_for(exam: Exam) -> dict:
        """The form's values for an existing exam."""
        return {
            "kind": exam.kind, "title": exam.title, "description": exam.description, "unit": exam.unit,
            "opens_at": exam.opens_at, "closes_at": exam.closes_at, "time_limit_minutes": exam.time_limit_seconds // 60,
            "audience_units": list(exam.audience_units.all()), "audience_roles": exam.audience_roles,
            "invitees": " ".join(exam.invitees.values_list("employee_no", flat=True)),
            "attempts_allowed": exam.attempts_allowed, "counting": exam.counting, "reveal": exam.reveal,
            "pass_score": exam.pass_score, "paper_mode": exam.paper_mode, "shuffle_questions": exam.shuffle_questions,
            "shuffle_options": exam.shuffle_options, "speed_bonus": exam.speed_bonus,
            "prize_people": exam.prize_people, "prize_units": exam.prize_units,
        }

    def settings(self) -> dict:
        """Keyword arguments of services.exam_create / exam_update, besides the rules (and publish)."""
        data = self.cleaned_data
        names = ("kind", "title", "description", "opens_at", "closes_at", "audience_units", "audience_roles",
                 "invitees", "attempts_allowed", "counting", "reveal", "pass_score", "paper_mode",
                 "shuffle_questions", "shuffle_options", "speed_bonus", "prize_people", "prize_units")
        return {**{name: data[name] for name in names}, "time_limit_seconds": data["time_limit_minutes"] * 60}


class ClauseCodeField(forms.CharField):
    """A clause picked by its code, e.g. YZF-3 (its sub-clauses count too)."""

    def clean(self, value):
        code = super().clean(value).strip()
        if not code:
            return None
        clause = Clause.objects.filter(code=code).first()
        if clause is None:
            raise forms.ValidationError(_("没有编码为 %(code)s 的条款。") % {"code": code})
        return clause


class RuleForm(forms.Form):
    """One line of the blueprint. A line left without a type and count is ignored."""

    question_type = forms.ChoiceField(label=_l("题型"), required=False,
                                      choices=[("", "—"), *QuestionVersion.Type.choices])
    count = forms.IntegerField(label=_l("题数"), required=False, min_value=1, max_value=300)
    points = forms.DecimalField(label=_l("每题分值"), required=False, min_value=0, max_digits=5, decimal_places=2)
    bank = forms.ModelChoiceField(Bank.objects.none(), label=_l("题库"), required=False, to_field_name="code",
                                  empty_label=_l("全部开放题库"))
    tag = forms.ModelChoiceField(Tag.objects.all(), label=_l("标签"), required=False, to_field_name="name",
                                 empty_label=_l("不限"))
    clause = ClauseCodeField(label=_l("条款"), required=False, max_length=48)
    difficulty_min = forms.TypedChoiceField(label=_l("最低难度"), choices=DIFFICULTIES, coerce=int, initial=1)
    difficulty_max = forms.TypedChoiceField(label=_l("最高难度"), choices=DIFFICULTIES, coerce=int, initial=5)
    pool = forms.ChoiceField(label=_l("题池"), required=False, choices=[("", _l("默认")), *Question.Pool.choices],
                             help_text=_l("默认：竞赛和考试用竞赛专用题，模拟考试用练习题。"))

    def __init__(self, *args, banks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks if banks is not None else Bank.objects.none()
        self.fields["clause"].widget.attrs.update(placeholder=_("如 YZF-3"), autocomplete="off")
        self.fields["count"].widget.attrs.update(inputmode="numeric")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("question_type") and not data.get("count")

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("question_type"):
            self.add_error("question_type", _("请选择题型。"))
        if not data.get("count"):
            self.add_error("count", _("请填写题数。"))
        if data.get("points") is None:
            self.add_error("points", _("请填写每题分值。"))
        return data

    def rule(self, line: int) -> dict:
        data = self.cleaned_data
        return {"line": line, "question_type": data["question_type"], "count": data["count"],
                "points": data["points"], "bank": data.get("bank"), "tag": data.get("tag"),
                "clause": data.get("clause"), "difficulty_min": data["difficulty_min"],
                "difficulty_max": data["difficulty_max"], "pool": data.get("pool") or None}


class BaseRuleFormSet(forms.BaseFormSet):
    """The blueprint's lines. Banks to choose from: those offered to the manager (their unit and
    above) and those of their subtree; the service checks the choice against the exam's unit."""

    def __init__(self, *args, user=None, **kwargs):
        self.banks = None
        if user is not None:
            visible = Q(pk__in=offered_to(Bank.objects.all(), user)) | Q(pk__in=scoped(Bank.objects.all(), user))
            self.banks = (Bank.objects.filter(visible, is_active=True).select_related("unit")
                          .order_by("unit__depth", "code"))
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "banks": self.banks}

    def rules(self) -> list[dict]:
        """The filled lines, each with the row number the page shows."""
        return [form.rule(line) for line, form in enumerate(self.forms, start=1) if not form.is_blank()]

    def clean(self):
        if any(self.errors):
            return
        if not any(not form.is_blank() for form in self.forms):
            raise forms.ValidationError(_("试卷至少需要一行抽题规则。"))


RuleFormSet = forms.formset_factory(RuleForm, formset=BaseRuleFormSet, extra=0, min_num=RULE_ROWS, max_num=RULE_ROWS,
                                    validate_max=True)


class ResultFilterForm(ListFilterForm):
    """The results table's filters: a name or 工号, a unit's subtree, the status, passed, flagged."""

    search_hint = _l("姓名/工号")
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=_l("全部单位"), label=_l("单位"))
    status = forms.ChoiceField(required=False, label=_l("状态"), choices=[("", _l("全部状态")), *STATUSES])
    passed = forms.ChoiceField(required=False, label=_l("及格"),
                               choices=[("", _l("及格与否")), ("yes", _l("及格")), ("no", _l("未及格"))])
    flagged = forms.ChoiceField(required=False, label=_l("复核标记"),
                                choices=[("", _l("有无标记")), ("yes", _l("有标记")), ("no", _l("无标记"))])

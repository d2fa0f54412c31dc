"""Forms of the exam manager pages: the exam's settings and its blueprint as a formset of rule
lines. They convert input; the rules (enough questions, pools, banks offered) live in services."""
from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import offered_to, scoped
from postqc.learning.models import Bank, QuestionVersion, Tag
from postqc.org.forms import UnitChoiceField
from postqc.org.models import Unit
from postqc.standards.models import Clause

from .models import Exam

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
                "difficulty_max": data["difficulty_max"]}


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

"""Forms of the question bank's manager pages. The rules live in services; these convert input."""
from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from postqc.core.access import scoped
from postqc.core.excel import CellError
from postqc.core.forms import check_upload_size
from postqc.org.forms import ListFilterForm, UnitChoiceField
from postqc.org.models import Unit
from postqc.org.roles import Role

from .exporters import answer_text
from .importers import FORMATS
from .importers.excel import CLAUSE_SEPARATORS, LIST_SEPARATORS, parse_answer
from .models import OPTION_KEYS, Bank, Question, QuestionVersion
from .services import EXPLANATION_MAX, KEEP_IMAGE, OPTION_MAX, STEM_MAX

Type = QuestionVersion.Type


def _blank(choices, label):
    return [("", label), *choices]


# --- Banks ------------------------------------------------------------------------------------------


class BankForm(forms.Form):
    code = forms.CharField(label=_l("题库编码"), max_length=20,
                           help_text=_l("字母、数字、连字符，如 JLS-PF；建立后不可修改，试题编号由它生成。"))
    name = forms.CharField(label=_l("题库名称"), max_length=100)
    unit = UnitChoiceField(Unit.objects.none(), label=_l("所属单位"),
                           help_text=_l("本单位及下级单位的员工可以练习这个题库。"))
    description = forms.CharField(label=_l("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_l("启用"), required=False, initial=True,
                                   help_text=_l("停用的题库不出现在员工的练习中，试题和作答记录保留。"))

    def __init__(self, user, *args, bank: Bank | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user)
        if bank is None:
            del self.fields["is_active"]
        else:
            del self.fields["code"]


# --- Question list filters ----------------------------------------------------------------------------


class QuestionFilterForm(ListFilterForm):
    search_hint = _l("题干或试题编号")
    type = forms.ChoiceField(choices=_blank(Type.choices, _l("全部题型")), required=False, label=_l("题型"))
    tag = forms.ChoiceField(choices=(), required=False, label=_l("标签"))
    clause = forms.CharField(required=False, max_length=48, label=_l("条款"))
    difficulty = forms.TypedChoiceField(choices=_blank([(str(n), str(n)) for n in range(1, 6)], _l("全部难度")),
                                        coerce=int, empty_value=None, required=False, label=_l("难度"))
    status = forms.ChoiceField(choices=_blank(Question.Status.choices, _l("全部状态")), required=False,
                               label=_l("状态"))
    pool = forms.ChoiceField(choices=_blank(Question.Pool.choices, _l("全部题池")), required=False, label=_l("题池"))
    red_line = forms.ChoiceField(choices=[("", _l("必知必会：不限")), ("1", _l("必知必会")), ("0", _l("非必知必会"))],
                                 required=False, label=_l("必知必会"))

    def __init__(self, user, data, *, tags: list[str], reserved_visible: bool = True):
        super().__init__(user, data)
        self.fields["tag"].choices = _blank([(t, t) for t in tags], _("全部标签"))
        self.fields["clause"].widget.attrs.update(placeholder=_("条款编码，如 YZF-3"), autocomplete="off")
        if not reserved_visible:
            del self.fields["pool"]

    def filters(self) -> dict:
        red_line = self.text("red_line")
        return {"q": self.text("q"), "type": self.text("type"), "tag": self.text("tag"),
                "clause": self.text("clause"), "difficulty": self.value("difficulty"), "status": self.text("status"),
                "pool": self.text("pool") if "pool" in self.fields else "",
                "red_line": None if red_line == "" else red_line == "1"}


# --- One question --------------------------------------------------------------------------------------


class QuestionForm(forms.Form):
    """A question's content. The 答案 field reads as in the Excel layout: `B`, `ACD`, 对/错, or
    填空 variants separated by |, so one habit serves the form and the spreadsheet."""

    type = forms.ChoiceField(label=_l("题型"), choices=Type.choices)
    stem = forms.CharField(label=_l("题干"), max_length=STEM_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_l("填空题用“＿＿”或“（）”标出填空位置。"))
    answer = forms.CharField(label=_l("答案"), max_length=1000,
                             help_text=_l("单选填一个字母如 B；多选填多个字母如 ACD；判断填“对”或“错”；"
                                          "填空填标准答案，多个可接受的答案用 | 分隔。"))
    explanation = forms.CharField(label=_l("解析"), max_length=EXPLANATION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    difficulty = forms.TypedChoiceField(label=_l("难度"), choices=[(n, str(n)) for n in range(1, 6)], coerce=int,
                                        initial=3, help_text=_l("1 最易，5 最难。"))
    tags = forms.CharField(label=_l("标签"), required=False, max_length=300, help_text=_l("多个用“、”分隔。"))
    clause_codes = forms.CharField(label=_l("条款"), required=False, max_length=500,
                                   help_text=_l("制度标准库中的条款编码，如 YZF-3.15；多个用“、”分隔。"))
    roles = forms.MultipleChoiceField(label=_l("适用岗位"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
                                      help_text=_l("不选表示所有岗位。"))
    red_line = forms.BooleanField(label=_l("必知必会"), required=False,
                                  help_text=_l("必知必会的题目按更高的记忆保持率安排复习。"))
    pool = forms.ChoiceField(label=_l("题池"), choices=Question.Pool.choices, initial=Question.Pool.PRACTICE,
                             help_text=_l("竞赛专用的题目不出现在练习中。"))
    image = forms.ImageField(label=_l("图片"), required=False)

    def __init__(self, *args, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key in OPTION_KEYS:
            self.fields[f"option_{key}"] = forms.CharField(label=_("选项%(key)s") % {"key": key}, required=False,
                                                           max_length=OPTION_MAX)
        self.order_fields(["type", "stem", *(f"option_{k}" for k in OPTION_KEYS), "answer", "explanation"])
        if question is None:
            self.fields["publish"] = forms.BooleanField(label=_l("保存后立即发布"), required=False, initial=True,
                                                        help_text=_l("不勾选则保存为草稿，员工练习中看不到。"))
        elif question.status == Question.Status.REVIEW:
            self.fields["republish"] = forms.BooleanField(
                label=_l("保存后复核完毕并重新发布"), required=False, initial=True,
                help_text=_l("重新发布后，所有人对这道题的记忆进度重新开始。"))

    @staticmethod
    def initial_for(question: Question) -> dict:
        version = question.current
        initial = {
            "type": version.type, "stem": version.stem, "answer": answer_text(version),
            "explanation": version.explanation, "difficulty": version.difficulty,
            "tags": "、".join(t.name for t in version.tags.all()),
            "clause_codes": "、".join(c.code for c in version.clauses.all()),
            "roles": list(version.roles), "red_line": version.red_line, "pool": question.pool,
            "image": version.image or None,
        }
        for key, text in version.option_pairs():
            initial[f"option_{key}"] = text
        return initial

    def clean(self):
        data = super().clean()
        if "type" not in data or "answer" not in data:
            return data
        options = [data.get(f"option_{key}", "").strip() for key in OPTION_KEYS]
        try:
            data["answer_list"], data["option_list"] = parse_answer(data["type"], data["answer"], options)
        except CellError as exc:
            self.add_error("answer", str(exc))
        return data

    def content(self) -> dict:
        """The keyword arguments of services.question_create / question_edit."""
        data = self.cleaned_data
        return {
            "type": data["type"], "stem": data["stem"], "options": data["option_list"], "answer": data["answer_list"],
            "explanation": data["explanation"], "difficulty": data["difficulty"],
            "tags": [t for t in LIST_SEPARATORS.split(data["tags"]) if t.strip()],
            "clause_codes": [c for c in CLAUSE_SEPARATORS.split(data["clause_codes"]) if c.strip()],
            "roles": data["roles"], "red_line": data["red_line"], "pool": data["pool"],
        }

    def image_change(self):
        """KEEP_IMAGE, a new upload, or None when the picture was cleared."""
        value = self.cleaned_data.get("image")
        if value is False:
            return None
        if isinstance(value, UploadedFile):
            return value
        return KEEP_IMAGE


# --- Import ----------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("试题文件"),
                           help_text=_l("Excel（.xlsx）、CSV、Moodle GIFT 或 Aiken 文本文件。"))
    format = forms.ChoiceField(label=_l("文件格式"), choices=[("auto", _l("自动识别")), *FORMATS.items()],
                               initial="auto")
    skip_invalid = forms.BooleanField(label=_l("跳过有错误的题目，导入其余题目"), required=False,
                                      help_text=_l("不勾选时，文件中只要有一处错误就不导入任何题目。"))
    dry_run = forms.BooleanField(label=_l("仅校验不写入"), required=False,
                                 help_text=_l("检查文件并列出全部错误和将导入的题数，不修改题库。"))
    default_explanation = forms.CharField(
        label=_l("缺省解析"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_l("仅用于 GIFT、Aiken 文件中没有反馈（解析）的题目；不填则这些题目报错。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        return upload

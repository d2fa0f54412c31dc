"""Forms of the survey pages. They validate and convert input; writes go through surveys.services.

`QuestionnaireForm` is the questionnaire itself, built from a survey's items and profile
questions, for the customer's QR page and the interviewer's page alike. Each rating is a radio
group (`r_<item code>`, values on the item's scale or "na" for 不适用), so the page works without
JavaScript. The form also carries the submission id (`client_id`, made by the page's script, or
by the server for a page without it) and `started`, the time the server served the form, signed
so the questionnaire's duration (a quality-control signal) cannot be forged.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postqc.core.access import scoped
from postqc.core.excel import looks_like_workbook
from postqc.core.forms import check_upload_size
from postqc.org.forms import DATE_WIDGET, UnitChoiceField
from postqc.org.models import Unit

from . import qc
from .models import Item, ProfileQuestion, Response, Survey

NA = "na"
STARTED_SALT = "surveys.questionnaire.started"
STARTED_MAX_AGE = 12 * 3600  # a form served more than half a day ago carries no duration
COMMENT_MAX = 2000
RESERVED_CODES = {"new", "copy", "posters"}  # words the survey URLs use after /manage/surveys/


def sign_started(moment: dt.datetime | None = None) -> str:
    """The hidden `started` value: when the server served the form, signed."""
    moment = moment or timezone.now()
    return signing.dumps(moment.timestamp(), salt=STARTED_SALT)


def read_started(value: str) -> dt.datetime | None:
    """The serving time back from a `started` value; None when missing, forged or stale."""
    try:
        stamp = signing.loads(value or "", salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    try:
        return dt.datetime.fromtimestamp(float(stamp), tz=dt.timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


# --- The questionnaire ------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    number: int
    label: str
    checked: bool


@dataclass
class Question:
    """One rated item as the template draws it."""

    number: int
    item: Item
    name: str
    text: str
    options: list[Option]
    allow_na: bool
    na_checked: bool
    errors: list[str]
    wide: bool  # a scale longer than 5 points wraps to rows of 6


@dataclass
class Part:
    title: str
    questions: list[Question] = field(default_factory=list)


@dataclass
class Profile:
    question: ProfileQuestion
    name: str
    text: str
    multiple: bool
    required: bool
    choices: list[tuple[str, str, bool]]  # (value, label, checked)
    errors: list[str]


class QuestionnaireForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput(attrs={"data-sv-id": ""}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(label=gettext_lazy("意见和建议"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX,
                                                           "placeholder": gettext_lazy("选填：您希望我们改进什么？")}))

    def __init__(self, survey: Survey, data=None, *, items: list[Item], profile_questions: list[ProfileQuestion],
                 **kwargs):
        super().__init__(data, **kwargs)
        self.survey = survey
        self.items = items
        self.profile_questions = profile_questions
        for item in items:
            choices = [(str(v), str(v)) for v in range(item.scale_min, item.scale_max + 1)]
            if item.allow_na:
                choices.append((NA, _("不适用")))
            self.fields[f"r_{item.code}"] = forms.ChoiceField(
                label=_(item.text), choices=choices, widget=forms.RadioSelect,
                error_messages={"required": _("请作答此题或选择“不适用”。") if item.allow_na else _("请作答此题。")})
        for q in profile_questions:
            choices = [(str(value), _(label)) for value, label in q.choices]
            kind = forms.MultipleChoiceField if q.multiple else forms.ChoiceField
            widget = forms.CheckboxSelectMultiple if q.multiple else forms.RadioSelect
            self.fields[f"p_{q.code}"] = kind(label=_(q.text), choices=choices, required=q.required, widget=widget,
                                              error_messages={"required": _("请选择。")})

    # What the services take.

    def ratings(self) -> dict[str, int | None]:
        out = {}
        for item in self.items:
            raw = self.cleaned_data[f"r_{item.code}"]
            out[item.code] = None if raw == NA else int(raw)
        return out

    def profile(self) -> dict:
        out = {}
        for q in self.profile_questions:
            value = self.cleaned_data.get(f"p_{q.code}")
            if value:
                out[q.code] = value
        return out

    def started_at(self) -> dt.datetime | None:
        return read_started(self.cleaned_data.get("started", ""))

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal, on the question it names ({"SF05": …}) or on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            for target in (f"r_{name}", f"p_{name}", name):
                if target in self.fields:
                    self.add_error(target, errors)
                    break
            else:
                self.add_error(None, errors)

    # What the template draws.

    def _chosen(self, name: str) -> list[str]:
        """The values the person picked for a field (to show them again with the errors)."""
        if not self.is_bound:
            return []
        return self.data.getlist(name) if hasattr(self.data, "getlist") else list(filter(None, [self.data.get(name)]))

    def _field_errors(self, name: str) -> list[str]:
        return list(self.errors.get(name, [])) if self.is_bound else []

    def parts(self) -> list[Part]:
        parts: dict[int, Part] = {}
        for number, item in enumerate(self.items, start=1):
            name = f"r_{item.code}"
            chosen = (self._chosen(name) or [""])[-1]
            labels = item.scale_labels or {}
            options = [Option(str(v), v, _(labels[str(v)]) if labels.get(str(v)) else "", chosen == str(v))
                       for v in range(item.scale_min, item.scale_max + 1)]
            part = parts.setdefault(item.part_id, Part(_(item.part.title)))
            part.questions.append(Question(
                number=number, item=item, name=name, text=_(item.text), options=options, allow_na=item.allow_na,
                na_checked=chosen == NA, errors=self._field_errors(name), wide=len(options) > 5))
        return list(parts.values())

    def profile_fields(self) -> list[Profile]:
        out = []
        for q in self.profile_questions:
            name = f"p_{q.code}"
            chosen = set(self._chosen(name))
            out.append(Profile(
                question=q, name=name, text=_(q.text), multiple=q.multiple, required=q.required,
                choices=[(str(v), _(label), str(v) in chosen) for v, label in q.choices],
                errors=self._field_errors(name)))
        return out

    def error_count(self) -> int:
        return len([name for name in self.errors if name != "__all__"]) if self.is_bound else 0


def questionnaire(survey: Survey, data=None, *, initial=None) -> QuestionnaireForm:
    """The survey's questionnaire form, with its items and profile questions read in two queries."""
    items = list(survey.items.select_related("part").order_by("position", "pk"))
    profile_questions = list(survey.profile_questions.order_by("position", "pk"))
    return QuestionnaireForm(survey, data, items=items, profile_questions=profile_questions, initial=initial)


# --- Manager forms ----------------------------------------------------------------------------


def _check_code(code: str) -> str:
    code = code.strip()
    if code.lower() in RESERVED_CODES:
        raise ValidationError(_("该编码为系统保留字，请换一个。"))
    return code


class SurveyCreateForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("调查编码"), max_length=32,
                           help_text=gettext_lazy("如 JLS-2019，用于网址和导出"))
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    unit = UnitChoiceField(Unit.objects.none(), label=gettext_lazy("组织单位"),
                           help_text=gettext_lazy("该单位及下级单位的网点参加调查"))
    target_index = forms.DecimalField(label=gettext_lazy("规划目标（满意度指数）"), required=False, min_value=0,
                                      max_value=100, decimal_places=2, max_digits=5)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user).exclude(
            kind__in=[Unit.Kind.BRANCH, Unit.Kind.DELIVERY, Unit.Kind.DEPARTMENT])

    def clean_code(self):
        return _check_code(self.cleaned_data["code"])


class SurveyCopyForm(forms.Form):
    source = forms.ModelChoiceField(Survey.objects.none(), label=gettext_lazy("复制自"), to_field_name="code",
                                    empty_label=None)
    code = forms.SlugField(label=gettext_lazy("新调查编码"), max_length=32)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120, required=False,
                            help_text=gettext_lazy("留空则为“某年度邮政普遍服务满意度调查”"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = scoped(Survey.objects.select_related("unit"), user).order_by("-year", "code")
        self.fields["source"].label_from_instance = lambda s: f"{s.year} · {s.title}（{s.code}）"

    def clean_code(self):
        return _check_code(self.cleaned_data["code"])


class SurveyEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    period = forms.CharField(label=gettext_lazy("期次"), max_length=32, required=False,
                             help_text=gettext_lazy("如“上半年”；全年调查留空"))
    opens_on = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DATE_WIDGET)
    closes_on = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=DATE_WIDGET)
    target_index = forms.DecimalField(label=gettext_lazy("规划目标（满意度指数）"), required=False, min_value=0,
                                      max_value=100, decimal_places=2, max_digits=5)
    intro = forms.CharField(label=gettext_lazy("问卷说明"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=gettext_lazy("显示在问卷开头，如调查目的和匿名承诺"))


class WeightsForm(forms.Form):
    """One weight per dimension; the service checks they sum to 1."""

    def __init__(self, dimensions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        for d in self.dimensions:
            self.fields[f"w_{d.code}"] = forms.DecimalField(
                label=_(d.name), min_value=0, max_value=1, decimal_places=4, max_digits=6, initial=d.weight,
                widget=forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal"}))

    def weights(self) -> dict[str, Decimal]:
        return {d.code: self.cleaned_data[f"w_{d.code}"] for d in self.dimensions}

    def rows(self):
        return [(d, self[f"w_{d.code}"]) for d in self.dimensions]


PLAN_CHANNELS = [("", gettext_lazy("合计")), *Response.Channel.choices]


class QuotaTableForm(forms.Form):
    """The sample plan as a table: a row per unit, a column for the total and one per channel.
    Blank or 0 means no quota for that cell."""

    def __init__(self, units, quotas, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        current = {(q.unit_id, q.channel): q.target for q in quotas if q.quarter is None}
        for unit in self.units:
            for channel, label in PLAN_CHANNELS:
                self.fields[self.key(unit, channel)] = forms.IntegerField(
                    label=f"{unit.name} {label}", required=False, min_value=0, max_value=100000,
                    initial=current.get((unit.pk, channel)),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qt-input"}))

    @staticmethod
    def key(unit: Unit, channel: str) -> str:
        return f"q_{unit.pk}_{channel or 'all'}"

    def rows(self):
        return [(unit, [self[self.key(unit, channel)] for channel, _label in PLAN_CHANNELS]) for unit in self.units]

    def targets(self):
        """(unit, channel, target) for every cell; 0 for a blank one (the service removes it)."""
        for unit in self.units:
            for channel, _label in PLAN_CHANNELS:
                yield unit, channel, self.cleaned_data.get(self.key(unit, channel)) or 0


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("有效")), ("reject", gettext_lazy("无效"))])
    reason = forms.CharField(label=gettext_lazy("原因"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写判为无效的原因。"))
        return data


def _blank(choices, label):
    return [("", label), *choices]


FLAG_LABELS = {
    qc.SPEEDER: gettext_lazy("答题过快"),
    qc.STRAIGHTLINE: gettext_lazy("全部同分"),
    qc.BURST: gettext_lazy("同一设备集中提交"),
    qc.OFF_HOURS: gettext_lazy("非营业时间"),
}


class ResponseFilterForm(forms.Form):
    """The responses list's GET filters (selectors.responses takes them; `q` searches the outlet).
    Invalid values are dropped, so a stale link still opens."""

    q = forms.CharField(required=False, max_length=64, label=gettext_lazy("网点"),
                        widget=forms.TextInput(attrs={"type": "search"}))
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=gettext_lazy("全部单位"),
                           label=gettext_lazy("单位"))
    channel = forms.ChoiceField(choices=_blank(Response.Channel.choices, gettext_lazy("全部渠道")), required=False,
                                label=gettext_lazy("渠道"))
    status = forms.ChoiceField(choices=_blank(Response.Status.choices, gettext_lazy("全部状态")), required=False,
                               label=gettext_lazy("状态"))
    flag = forms.ChoiceField(choices=_blank(list(FLAG_LABELS.items()), gettext_lazy("全部质控标记")), required=False,
                             label=gettext_lazy("质控标记"))
    date_from = forms.DateField(required=False, label=gettext_lazy("起"), widget=DATE_WIDGET)
    date_to = forms.DateField(required=False, label=gettext_lazy("止"), widget=DATE_WIDGET)

    def __init__(self, user, data):
        super().__init__(data)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user).exclude(
            kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DELIVERY])
        self.fields["q"].widget.attrs["placeholder"] = _("网点编码或名称")
        for name, f in self.fields.items():
            f.widget.attrs["aria-label"] = f.label
            if name in ("unit", "channel", "status", "flag"):
                f.widget.attrs["data-autosubmit"] = True

    def filters(self) -> dict:
        """What selectors.responses filters on (without `q`)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in ("unit", "channel", "status", "flag", "date_from", "date_to")
                if data.get(name) not in (None, "")}

    def text(self) -> str:
        self.is_valid()
        return (getattr(self, "cleaned_data", {}).get("q") or "").strip()

    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class OutletPosterFilterForm(forms.Form):
    """The poster list's GET filters: a unit of the subtree and a search."""

    q = forms.CharField(required=False, max_length=64, label=gettext_lazy("搜索"),
                        widget=forms.TextInput(attrs={"type": "search"}))
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=gettext_lazy("全部单位"),
                           label=gettext_lazy("所属单位"))

    def __init__(self, user, data):
        super().__init__(data)
        self.fields["unit"].queryset = scoped(Unit.objects.filter(is_active=True), user).exclude(
            kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.DELIVERY])
        self.fields["q"].widget.attrs.update(placeholder=_("网点编码/名称/地址"), **{"aria-label": _("搜索")})
        self.fields["unit"].widget.attrs.update({"aria-label": _("所属单位"), "data-autosubmit": True})

    def value(self, name: str):
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get(name)

    def text(self) -> str:
        return (self.value("q") or "").strip()

    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    skip_invalid = forms.BooleanField(label=gettext_lazy("跳过错误行，导入其余问卷"), required=False,
                                      help_text=gettext_lazy("不勾选时，文件中只要有一处错误就不写入任何问卷。"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅校验不写入"), required=False,
                                 help_text=gettext_lazy("检查文件并列出全部错误，不写入任何问卷。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload)
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件（可用 Excel 或 WPS “另存为” .xlsx）。"))
        head = upload.read(8)
        upload.seek(0)
        if not looks_like_workbook(head):
            raise ValidationError(_("不是有效的 Excel 文件，请上传 .xlsx 格式的工作簿。"))
        return upload

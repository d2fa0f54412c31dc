"""Forms of the /manage/ pages. They validate and scope input; writes go through org.services.

Every choice of a unit, outlet or courier is drawn from the signed-in manager's subtree,
so a forged value outside it fails validation like any unknown value.
"""
from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.core.access import scoped

from .models import Outlet, OutletGradeChange, Staff, Unit, Vehicle
from .roles import PRIVILEGED_ROLES, Capability, Role
from .selectors import in_tree_order

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
OUT_OF_SCOPE = _("不存在或不在本单位管辖范围内。")


def model_field(model, name: str, **overrides) -> forms.Field:
    """The form field Django derives from the model field (label, length, choices, validators)."""
    return model._meta.get_field(name).formfield(**overrides)


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied, field: str | None = None) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it, else on top."""
    if isinstance(error, PermissionDenied):
        form.add_error(field, str(error))
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


# --- Choice fields limited to the manager's subtree ------------------------------------------


class _TreeOrderIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in in_tree_order(self.queryset):
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picked by its code from a tree-ordered, indented list."""

    iterator = _TreeOrderIterator
    default_error_messages = {"invalid_choice": OUT_OF_SCOPE}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, unit: Unit) -> str:
        return "\u3000" * getattr(unit, "tree_level", 0) + unit.name


class OutletChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": OUT_OF_SCOPE}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, outlet: Outlet) -> str:
        return f"{outlet.name}（{outlet.code}）"


class CourierField(forms.ModelChoiceField):
    """A courier typed by employee number (the page offers a datalist of the subtree's couriers)."""

    default_error_messages = {"invalid_choice": _("该工号不存在、不在本单位管辖范围内，或不是在职投递员。")}

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "employee_no")
        kwargs.setdefault("widget", forms.TextInput(attrs={"list": "courier-options", "autocomplete": "off"}))
        super().__init__(queryset, **kwargs)


def scoped_units(user, *, keep: Unit | None = None):
    """Active units of the subtree, plus `keep` (a record's current unit) even when inactive."""
    active = Q(is_active=True) | Q(pk=keep.pk) if keep is not None else Q(is_active=True)
    return scoped(Unit.objects.all(), user).filter(active)


# --- List filters ------------------------------------------------------------------------------


class ActiveChoiceField(forms.ChoiceField):
    """在用 / 停用 / 全部; absent means 在用, so lists open on the records in use."""

    def __init__(self, active_label, inactive_label, **kwargs):
        super().__init__(choices=[("1", active_label), ("0", inactive_label), ("all", _("全部"))], required=False,
                         label=_("状态"), **kwargs)


def _blank(choices, label):
    return [("", label), *choices]


class ListFilterForm(forms.Form):
    """A GET form of a list page. Invalid values are dropped, not raised: a stale link still opens."""

    q = forms.CharField(required=False, max_length=64, label=_("搜索"), widget=forms.TextInput(attrs={"type": "search"}))
    search_hint = _("编码/名称/地址/电话")

    def __init__(self, user, data):
        super().__init__(data)
        self.user = user
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = field.label
            if name in ("unit", "under"):
                field.queryset = scoped(Unit.objects.all(), user)
            if name != "q":
                field.widget.attrs["data-autosubmit"] = True
        self.fields["q"].widget.attrs["placeholder"] = self.search_hint

    def value(self, name: str):
        self.is_valid()
        return self.cleaned_data.get(name)

    def active(self) -> bool | None:
        raw = self.value("active") or "1"
        return None if raw == "all" else raw == "1"

    def text(self, name: str) -> str:
        return (self.value(name) or "").strip()

    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class UnitFilterForm(ListFilterForm):
    kind = forms.ChoiceField(choices=_blank(Unit.Kind.choices, _("全部层级")), required=False, label=_("层级类型"))
    under = UnitChoiceField(Unit.objects.none(), required=False, empty_label=_("全部单位"), label=_("所属范围"))
    active = ActiveChoiceField(_("启用"), _("停用"))

    def filters(self) -> dict:
        return {"q": self.text("q"), "kind": self.text("kind"), "under": self.value("under"), "active": self.active()}


class OutletFilterForm(ListFilterForm):
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=_("全部单位"), label=_("所属单位"))
    grade = forms.ChoiceField(choices=_blank(Outlet.Grade.choices, _("全部等级")), required=False, label=_("网点等级"))
    area_type = forms.ChoiceField(choices=_blank(Outlet.AreaType.choices, _("全部区域")), required=False,
                                  label=_("区域类型"))
    operation = forms.ChoiceField(choices=_blank(Outlet.Operation.choices, _("全部经营方式")), required=False,
                                  label=_("经营方式"))
    status = forms.ChoiceField(choices=_blank(Outlet.Status.choices, _("全部状态")), required=False, label=_("状态"))

    def filters(self) -> dict:
        return {"q": self.text("q"), "unit": self.value("unit"),
                **{name: self.text(name) for name in ("grade", "area_type", "operation", "status")}}


class StaffFilterForm(ListFilterForm):
    search_hint = _("工号/姓名/手机号")
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=_("全部单位"), label=_("所属单位"))
    role = forms.ChoiceField(choices=_blank(Role.choices, _("全部角色")), required=False, label=_("角色"))
    active = ActiveChoiceField(_("在职"), _("已停用"))

    def filters(self) -> dict:
        return {"q": self.text("q"), "unit": self.value("unit"), "role": self.text("role"), "active": self.active()}


class VehicleFilterForm(ListFilterForm):
    search_hint = _("车牌/编号、投递员姓名或工号")
    ownership = forms.ChoiceField(choices=_blank(Vehicle.Ownership.choices, _("全部产权")), required=False,
                                  label=_("产权"))
    vehicle_type = forms.ChoiceField(choices=_blank(Vehicle.Type.choices, _("全部车型")), required=False,
                                     label=_("车型"))
    unit = UnitChoiceField(Unit.objects.none(), required=False, empty_label=_("全部单位"), label=_("所属单位"))
    active = ActiveChoiceField(_("在用"), _("已停用"))

    def filters(self) -> dict:
        return {"q": self.text("q"), "ownership": self.text("ownership"), "vehicle_type": self.text("vehicle_type"),
                "unit": self.value("unit"), "active": self.active()}


# --- Units -------------------------------------------------------------------------------------


class UnitForm(forms.Form):
    """Create a unit under a parent in the subtree, or edit one (its code stays; a new parent moves it)."""

    code = model_field(Unit, "code")
    name = model_field(Unit, "name")
    kind = model_field(Unit, "kind")
    parent = UnitChoiceField(Unit.objects.none(), label=_("上级单位"))
    sort_order = model_field(Unit, "sort_order", required=False)
    address = model_field(Unit, "address")
    phone = model_field(Unit, "phone")

    def __init__(self, user, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        parents = scoped_units(user, keep=unit.parent if unit else None)
        if unit is None:
            self.fields["parent"].queryset = parents
            return
        del self.fields["code"]
        if unit.pk == user.unit_id or unit.parent_id is None:
            # The manager's own unit (or the root) hangs above the subtree: it is not moved from here.
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = parents.exclude(pk__in=unit.descendant_links.values("descendant_id"))

    def clean_sort_order(self) -> int:
        return self.cleaned_data.get("sort_order") or 0

    def particulars(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "kind", "sort_order", "address", "phone")}


# --- Outlets -----------------------------------------------------------------------------------


class OutletForm(forms.Form):
    """An outlet's particulars. Its grade is set at creation and changed only by a dated 等级变更."""

    code = model_field(Outlet, "code")
    name = model_field(Outlet, "name")
    unit = UnitChoiceField(Unit.objects.none(), label=_("所属单位"))
    grade = model_field(Outlet, "grade", label=_("初始等级"))
    effective_on = forms.DateField(label=_("等级生效日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    area_type = model_field(Outlet, "area_type")
    operation = model_field(Outlet, "operation")
    address = model_field(Outlet, "address")
    phone = model_field(Outlet, "phone")
    open_days_per_week = model_field(Outlet, "open_days_per_week")
    opens_at = model_field(Outlet, "opens_at", widget=TIME_WIDGET)
    closes_at = model_field(Outlet, "closes_at", widget=TIME_WIDGET)
    latitude = model_field(Outlet, "latitude")
    longitude = model_field(Outlet, "longitude")
    services = forms.MultipleChoiceField(label=_("业务范围"), choices=Outlet.Service.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}))

    EDITABLE = ("name", "unit", "area_type", "operation", "address", "phone", "open_days_per_week", "opens_at",
                "closes_at", "latitude", "longitude", "services")

    def __init__(self, user, *args, outlet: Outlet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, keep=outlet.unit if outlet else None)
        if outlet is not None:
            for name in ("code", "grade", "effective_on"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("关门时间须晚于开门时间。"))
        return data

    def particulars(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.EDITABLE}


class GradeChangeForm(forms.Form):
    to_grade = model_field(OutletGradeChange, "to_grade")
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    reason = model_field(OutletGradeChange, "reason", required=True,
                         help_text=_("如：市分公司〔2024〕12 号文；原因写清楚便于追溯。"))

    def __init__(self, *args, outlet: Outlet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = [(v, label) for v, label in Outlet.Grade.choices if v != outlet.grade]


class OutletStatusForm(forms.Form):
    status = model_field(Outlet, "status", label=_("新状态"))
    note = forms.CharField(label=_("批准文号/说明"), max_length=200, required=False,
                           help_text=_("撤并普服网点须经批准，必须填写批准文号或说明。"))

    def __init__(self, *args, outlet: Outlet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(v, label) for v, label in Outlet.Status.choices if v != outlet.status]


# --- Staff -------------------------------------------------------------------------------------


class NewPasswordMixin:
    """Two password fields checked against each other and the site's password rules."""

    password_required = True

    def _password_fields(self, label1, label2):
        attrs = {"autocomplete": "new-password"}
        self.fields["new_password1"] = forms.CharField(label=label1, required=self.password_required, strip=False,
                                                       widget=forms.PasswordInput(attrs=attrs))
        self.fields["new_password2"] = forms.CharField(label=label2, required=self.password_required, strip=False,
                                                       widget=forms.PasswordInput(attrs=attrs))

    def _clean_password(self, data, user):
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if not p1 and not p2:
            return
        if p1 != p2:
            self.add_error("new_password2", _("两次输入的密码不一致。"))
            return
        try:
            validate_password(p1, user)
        except ValidationError as e:
            self.add_error("new_password1", e)


class StaffForm(NewPasswordMixin, forms.Form):
    """A person's account. Roles are checkboxes; the service refuses privileged roles to non-sysadmins."""

    employee_no = model_field(Staff, "employee_no")
    name = model_field(Staff, "name")
    phone = model_field(Staff, "phone")
    unit = UnitChoiceField(Unit.objects.none(), label=_("所属单位"))
    outlet = OutletChoiceField(Outlet.objects.none(), required=False, label=_("所在网点"), empty_label=_("（无）"),
                               help_text=_("营业员请选择所在网点；网点须在所属单位之下。"))
    roles = forms.MultipleChoiceField(label=_("角色"), choices=Role.choices,
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}))
    password_required = False

    def __init__(self, user, *args, staff: Staff | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, keep=staff.unit if staff else None)
        outlets = ~Q(status=Outlet.Status.CLOSED)
        if staff is not None and staff.outlet_id:
            outlets |= Q(pk=staff.outlet_id)
        self.fields["outlet"].queryset = scoped(Outlet.objects.filter(outlets), user)
        if not user.can(Capability.ASSIGN_PRIVILEGED_ROLES):
            privileged = "、".join(str(label) for value, label in Role.choices if value in PRIVILEGED_ROLES)
            self.fields["roles"].help_text = _("%(roles)s只能由系统管理员授予或取消。") % {"roles": privileged}
        if staff is None:
            self._password_fields(_("初始密码"), _("确认初始密码"))
            self.fields["new_password1"].help_text = _("留空则暂不能登录，之后可“重置密码”。首次登录须修改密码。")
        else:
            del self.fields["employee_no"]

    def clean(self):
        data = super().clean()
        if "new_password1" in self.fields:
            self._clean_password(data, Staff(employee_no=data.get("employee_no", ""), name=data.get("name", "")))
        return data

    def particulars(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "phone", "unit", "outlet")}


class PasswordResetForm(NewPasswordMixin, forms.Form):
    """A temporary password a manager sets; the person must change it at the next sign-in."""

    def __init__(self, *args, staff: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self._password_fields(_("临时密码"), _("确认临时密码"))

    def clean(self):
        data = super().clean()
        self._clean_password(data, self.staff)
        return data


# --- Vehicles ----------------------------------------------------------------------------------


class VehicleForm(forms.Form):
    plate_no = model_field(Vehicle, "plate_no", help_text=_("车牌号；电动车无牌照时填单位自编号。"))
    ownership = model_field(Vehicle, "ownership")
    vehicle_type = model_field(Vehicle, "vehicle_type")
    unit = UnitChoiceField(Unit.objects.none(), label=_("所属单位"))
    courier = CourierField(Staff.objects.none(), required=False, label=_("使用投递员（工号）"),
                           help_text=_("自备公助车辆必填；投递员须在车辆所属单位之下。"))
    acquired_on = model_field(Vehicle, "acquired_on", widget=DATE_WIDGET)

    FIELDS = ("plate_no", "ownership", "vehicle_type", "unit", "courier", "acquired_on")

    def __init__(self, user, *args, vehicle: Vehicle | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoped_units(user, keep=vehicle.unit if vehicle else None)
        couriers = Q(is_active=True, role_links__role=Role.COURIER)
        if vehicle is not None and vehicle.courier_id:
            couriers |= Q(pk=vehicle.courier_id)
        self.fields["courier"].queryset = scoped(Staff.objects.filter(couriers).distinct(), user)

    def courier_options(self):
        """The datalist behind the courier box: active couriers of the subtree."""
        return (self.fields["courier"].queryset.filter(is_active=True).select_related("unit")
                .only("employee_no", "name", "unit__name").order_by("employee_no"))

    def particulars(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.FIELDS}

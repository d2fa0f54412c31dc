"""The organisation: units in a tree, outlets, staff and their roles, vehicles."""
from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel

from .roles import Role, roles_grant

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("编码只能包含字母、数字、点、下划线和连字符。"))
# Words the management URLs use after a list's path (/manage/outlets/new/ …): no record may be called so.
reserved_code_validator = RegexValidator(r"^(?i:new|export|import|template)$", _("该编码为系统保留字，请换一个。"), inverse_match=True)


class Unit(TimeStampedModel):
    """One node of the organisation tree (省分公司 → 市分公司 → 区/县分公司 → 支局/所 → 投递部).

    Ancestry lives in UnitClosure, so "this unit and everything under it" is one
    indexed query on any database. Create and move units through org.services,
    which keep the closure rows right.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省分公司")
        CITY = "city", _("市分公司")
        DISTRICT = "district", _("区分公司")
        COUNTY = "county", _("县(市)分公司")
        BRANCH = "branch", _("支局/所")
        DELIVERY = "delivery", _("投递部")
        DEPARTMENT = "department", _("职能部门")

    code = models.CharField(_("单位编码"), max_length=32, unique=True, validators=[code_validator, reserved_code_validator])
    name = models.CharField(_("单位名称"), max_length=64)
    kind = models.CharField(_("层级类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_field = "pk"

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["depth", "sort_order", "code"]
        indexes = [models.Index(fields=["parent", "sort_order"], name="unit_parent_idx")]

    def __str__(self) -> str:
        return self.name


class UnitClosure(models.Model):
    """Every (ancestor, descendant) pair of the unit tree, including (u, u) at depth 0."""

    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ancestor_links")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="unitclosure_pair_uniq"),
        ]
        indexes = [models.Index(fields=["descendant", "depth"], name="unitclosure_desc_idx")]


class Outlet(TimeStampedModel):
    """A universal-service outlet (普服网点)."""

    class Grade(models.TextChoices):
        FIRST = "1", _("一级")
        SECOND = "2", _("二级")
        THIRD = "3", _("三级")

    class AreaType(models.TextChoices):
        CITY = "city", _("城市")
        TOWNSHIP = "township", _("乡镇")
        VILLAGE = "village", _("农村")

    class Operation(models.TextChoices):
        SELF = "self", _("自办")
        AGENCY = "agency", _("委办")

    class Status(models.TextChoices):
        OPEN = "open", _("营业")
        SUSPENDED = "suspended", _("暂停营业")
        CLOSED = "closed", _("已撤并")

    class Service(models.TextChoices):
        LETTERS = "letters", _("信件")
        PRINTED = "printed", _("印刷品")
        PARCELS = "parcels", _("包裹")
        REMITTANCE = "remittance", _("汇兑")
        NEWSPAPERS = "newspapers", _("报刊发行")
        CONFIDENTIAL = "confidential", _("机要通信")
        CONSCRIPT_MAIL = "conscript_mail", _("义务兵平常信函")
        BLIND_READING = "blind_reading", _("盲人读物")
        MARTYR_BELONGINGS = "martyr_belongings", _("革命烈士遗物")
        EXPRESS = "express", _("快递包裹")

    code = models.CharField(_("网点编码"), max_length=32, unique=True, validators=[code_validator, reserved_code_validator])
    name = models.CharField(_("网点名称"), max_length=64)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="outlets")
    grade = models.CharField(_("网点等级"), max_length=1, choices=Grade.choices)
    area_type = models.CharField(_("区域类型"), max_length=16, choices=AreaType.choices)
    operation = models.CharField(_("经营方式"), max_length=16, choices=Operation.choices, default=Operation.SELF)
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    open_days_per_week = models.PositiveSmallIntegerField(
        _("每周营业天数"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    opens_at = models.TimeField(_("开门时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关门时间"), null=True, blank=True)
    services = models.JSONField(_("业务范围"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("普服网点")
        verbose_name_plural = _("普服网点")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["unit", "status"], name="outlet_unit_status_idx"),
            models.Index(fields=["grade"], name="outlet_grade_idx"),
            models.Index(fields=["area_type"], name="outlet_area_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        labels = dict(self.Service.choices)
        return [str(labels.get(code, code)) for code in self.services]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class OutletGradeChange(models.Model):
    """A dated change of an outlet's grade. Append-only: the outlet's history of grades."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="grade_changes")
    from_grade = models.CharField(_("原等级"), max_length=1, choices=Outlet.Grade.choices, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=1, choices=Outlet.Grade.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因/文号"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_field = "outlet__unit"

    class Meta:
        verbose_name = _("网点等级变更")
        verbose_name_plural = _("网点等级变更")
        ordering = ["outlet", "effective_on", "id"]
        indexes = [models.Index(fields=["outlet", "effective_on"], name="gradechange_outlet_idx")]

    def __str__(self) -> str:
        return f"{self.outlet} {self.from_grade or '-'}→{self.to_grade} {self.effective_on}"


class StaffManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, employee_no: str, password: str | None = None, **fields):
        if not employee_no:
            raise ValueError("employee_no is required")
        user = self.model(employee_no=employee_no, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, employee_no: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if "unit" not in fields and "unit_id" not in fields:
            root = Unit.objects.filter(parent__isnull=True).order_by("id").first()
            if root is None:
                raise ValueError("Create the root unit first (postqc load_demo or import_org).")
            fields["unit"] = root
        user = self.create_user(employee_no, password, **fields)
        StaffRole.objects.get_or_create(staff=user, role=Role.SYSADMIN)
        return user


class Staff(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: employee number + password. Roles are in StaffRole."""

    employee_no = models.CharField(_("工号"), max_length=32, unique=True, validators=[code_validator, reserved_code_validator])
    name = models.CharField(_("姓名"), max_length=32)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="staff")
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("所在网点"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    is_active = models.BooleanField(_("在职"), default=True)
    is_staff = models.BooleanField(_("可进入后台"), default=False)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    date_joined = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = StaffManager()

    USERNAME_FIELD = "employee_no"
    REQUIRED_FIELDS = ["name"]
    scope_field = "unit"

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["employee_no"]
        indexes = [
            models.Index(fields=["unit", "is_active"], name="staff_unit_active_idx"),
            models.Index(fields=["name"], name="staff_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @cached_property
    def roles(self) -> frozenset[str]:
        """The person's role codes; uses prefetched role_links when the list page prefetched them."""
        return frozenset(link.role for link in self.role_links.all())

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels[r]) for r in Role if r in self.roles]

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def can(self, capability: str) -> bool:
        return self.is_active and roles_grant(self.roles, capability)


class StaffRole(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="role_links")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    scope_field = "staff__unit"

    class Meta:
        verbose_name = _("员工角色")
        verbose_name_plural = _("员工角色")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staffrole_uniq")]
        indexes = [models.Index(fields=["role", "staff"], name="staffrole_role_idx")]

    def __str__(self) -> str:
        return f"{self.staff_id}:{self.role}"


class Vehicle(TimeStampedModel):
    """A delivery vehicle: the courier's own with a company subsidy (自备公助) or a company vehicle."""

    class Ownership(models.TextChoices):
        SUBSIDISED = "subsidised", _("自备公助")
        COMPANY = "company", _("公司车辆")

    class Type(models.TextChoices):
        E_TRICYCLE = "e_tricycle", _("电动三轮车")
        E_BIKE = "e_bike", _("电动自行车")
        MOTORCYCLE = "motorcycle", _("摩托车")
        VAN = "van", _("厢式货车")
        CAR = "car", _("汽车")

    plate_no = models.CharField(_("车牌/编号"), max_length=20, unique=True)
    ownership = models.CharField(_("产权"), max_length=16, choices=Ownership.choices)
    vehicle_type = models.CharField(_("车型"), max_length=16, choices=Type.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="vehicles")
    courier = models.ForeignKey(
        Staff, verbose_name=_("使用投递员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="vehicles"
    )
    acquired_on = models.DateField(_("配备日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        ordering = ["plate_no"]
        indexes = [models.Index(fields=["unit", "is_active"], name="vehicle_unit_idx")]

    def __str__(self) -> str:
        return self.plate_no

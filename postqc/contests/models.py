"""One engine for 竞赛, 考试 and 模拟考试: an exam, its blueprint, attempts and their items.

The paper of an attempt is fixed on the server when the attempt starts: the exact
question versions, their order and each question's option order are stored in
AttemptItem. The client only ever sees the stem and the options in that order;
answers are graded here, never in the browser. The server keeps the time.
"""
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel
from postqc.learning.models import Question, QuestionVersion


class Exam(TimeStampedModel):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("竞赛")
        EXAM = "exam", _("考试")
        MOCK = "mock", _("模拟考试")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        ARCHIVED = "archived", _("已归档")

    class PaperMode(models.TextChoices):
        SAME = "same", _("统一试卷")
        PER_PERSON = "per_person", _("每人随机抽题")

    class Counting(models.TextChoices):
        BEST = "best", _("取最高分")
        FIRST = "first", _("取首次")
        LAST = "last", _("取最后一次")

    class Reveal(models.TextChoices):
        NEVER = "never", _("不公布")
        AFTER_SUBMIT = "after_submit", _("交卷后")
        AFTER_CLOSE = "after_close", _("结束后")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="exams")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    time_limit_seconds = models.PositiveIntegerField(_("答题时长（秒）"), validators=[MinValueValidator(60)])
    grace_seconds = models.PositiveSmallIntegerField(_("网络宽限（秒）"), default=15)
    paper_mode = models.CharField(_("组卷方式"), max_length=16, choices=PaperMode.choices, default=PaperMode.PER_PERSON)
    shuffle_questions = models.BooleanField(_("题目乱序"), default=True)
    shuffle_options = models.BooleanField(_("选项乱序"), default=True)
    attempts_allowed = models.PositiveSmallIntegerField(_("允许作答次数（0 为不限）"), default=1)
    counting = models.CharField(_("计分方式"), max_length=8, choices=Counting.choices, default=Counting.BEST)
    reveal = models.CharField(_("公布答案与解析"), max_length=16, choices=Reveal.choices, default=Reveal.AFTER_SUBMIT)
    pass_score = models.DecimalField(_("及格分"), max_digits=6, decimal_places=2, null=True, blank=True)
    paper_seed = models.BigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who takes part: staff of these unit subtrees (none = the organising unit's subtree), with one of
    # these roles (empty = any role); or, if invitees are named, exactly those people.
    audience_units = models.ManyToManyField("org.Unit", verbose_name=_("参赛单位"), blank=True, related_name="+")
    audience_roles = models.JSONField(_("参赛岗位"), default=list, blank=True)
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("指定人员"), blank=True, related_name="+")
    speed_bonus = models.BooleanField(_("启用用时加分"), default=False)
    prize_people = models.PositiveSmallIntegerField(_("个人奖项名额"), default=0)
    prize_units = models.PositiveSmallIntegerField(_("单位奖项名额"), default=0)
    # Integrity: an answer given faster than base + per-character reading time is flagged.
    reading_floor_ms = models.PositiveIntegerField(_("最短作答时间（毫秒）"), default=1500)
    reading_ms_per_char = models.PositiveSmallIntegerField(_("每字最短阅读时间（毫秒）"), default=40)

    scope_field = "unit"

    class Meta:
        verbose_name = _("考试/竞赛")
        verbose_name_plural = _("考试/竞赛")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "opens_at"], name="exam_kind_status_idx")]

    def __str__(self) -> str:
        return self.title


class BlueprintRule(models.Model):
    """One line of the paper's blueprint: draw `count` questions of `question_type`, each worth `points`."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(default=0)
    question_type = models.CharField(_("题型"), max_length=16, choices=QuestionVersion.Type.choices)
    count = models.PositiveSmallIntegerField(_("题数"), validators=[MinValueValidator(1)])
    points = models.DecimalField(_("每题分值"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)])
    bank = models.ForeignKey("learning.Bank", verbose_name=_("题库"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey("learning.Tag", verbose_name=_("标签"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clause = models.ForeignKey("standards.Clause", verbose_name=_("条款"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    difficulty_min = models.PositiveSmallIntegerField(_("最低难度"), default=1)
    difficulty_max = models.PositiveSmallIntegerField(_("最高难度"), default=5)
    pool = models.CharField(_("题池"), max_length=16, choices=Question.Pool.choices, default=Question.Pool.PRACTICE)

    class Meta:
        ordering = ["exam", "position", "id"]


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("作答中")
        SUBMITTED = "submitted", _("已交卷")
        EXPIRED = "expired", _("超时自动交卷")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The counted score: the paper's points plus, when the exam turns it on, the speed bonus (kept
    # apart in `bonus` so the paper score, which the pass mark judges, stays known).
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    bonus = models.DecimalField(_("用时加分"), max_digits=6, decimal_places=2, default=0)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    # The answer sheet as (question version, response) pairs, hashed: equal digests in one exam are
    # identical sheets. Blank when the sheet is too short, too empty or all correct to compare.
    sequence_digest = models.CharField(max_length=64, blank=True)
    excluded_at = models.DateTimeField(_("取消成绩时间"), null=True, blank=True)

    scope_field = "staff__unit"

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "staff"], condition=Q(status="in_progress"), name="attempt_one_active"
            ),
            models.UniqueConstraint(fields=["exam", "staff", "number"], name="attempt_number_uniq"),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="attempt_due_idx"),
            models.Index(fields=["staff", "-started_at"], name="attempt_staff_idx"),
            models.Index(fields=["exam", "sequence_digest"], name="attempt_digest_idx"),
            models.Index(fields=["exam", "device_hash"], name="attempt_device_idx"),
        ]

    @property
    def paper_score(self):
        """The points earned on the paper, without the speed bonus: what the pass mark judges."""
        return None if self.score is None else self.score - self.bonus


class AttemptItem(models.Model):
    """One question of an attempt's paper, as this person sees it, and their answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    option_order = models.JSONField(default=list)  # displayed position i shows original option option_order[i]
    points = models.DecimalField(max_digits=5, decimal_places=2)
    response = models.JSONField(null=True, blank=True)  # in original option keys
    client_id = models.UUIDField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    awarded = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="attemptitem_pos_uniq")]


class BoardEntry(models.Model):
    """A person's counted result in an exam (per the exam's best/first/last rule): the database
    leaderboard, and the truth the Redis board is rebuilt from. One row per person per exam."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="board")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="board_entry")
    score = models.DecimalField(max_digits=7, decimal_places=2)
    duration_seconds = models.PositiveIntegerField()
    submitted_at = models.DateTimeField()

    scope_field = "unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exam", "staff"], name="boardentry_person_uniq")]
        indexes = [
            models.Index(fields=["exam", "-score", "duration_seconds", "submitted_at"], name="boardentry_rank_idx"),
            models.Index(fields=["exam", "unit"], name="boardentry_unit_idx"),
        ]


class IntegrityFlag(models.Model):
    """A suspicion about an attempt. A manager confirms (the attempt leaves the rankings, its history
    stays) or dismisses it, with a reason. Flags are never deleted."""

    class Kind(models.TextChoices):
        FAST_ANSWER = "fast_answer", _("答题过快")
        IDENTICAL_SEQUENCE = "identical_sequence", _("答案序列雷同")
        SHARED_DEVICE = "shared_device", _("同一设备多账号")

    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        CONFIRMED = "confirmed", _("已确认")
        DISMISSED = "dismissed", _("已排除")

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("复核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "attempt__staff__unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "kind"], name="integrityflag_kind_uniq")]
        indexes = [models.Index(fields=["status", "created_at"], name="integrityflag_status_idx")]

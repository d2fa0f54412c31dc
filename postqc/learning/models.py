"""The question bank and everything a person's practice leaves behind.

Questions are versioned: a published QuestionVersion is never edited; editing
creates the next version and moves `Question.current`. Every Answer points at the
exact version answered, so statistics and audits can be recomputed later.

Responses are lists of strings for every type: option keys ("A".."H") for 单选/多选,
"T"/"F" for 判断, the typed text for 填空. `QuestionVersion.answer` uses the same
shape (for 填空, every accepted variant).
"""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from postqc.core.models import TimeStampedModel

OPTION_KEYS = "ABCDEFGH"


class Bank(TimeStampedModel):
    """题库: owned by a unit; its staff and everyone below practise from it."""

    code = models.CharField(_("题库编码"), max_length=32, unique=True)
    name = models.CharField(_("题库名称"), max_length=100)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="banks")
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        REVIEW = "review", _("待复核")
        RETIRED = "retired", _("已停用")

    class Pool(models.TextChoices):
        PRACTICE = "practice", _("练习题")
        RESERVED = "reserved", _("竞赛专用")

    bank = models.ForeignKey(Bank, verbose_name=_("题库"), on_delete=models.PROTECT, related_name="questions")
    code = models.CharField(_("试题编号"), max_length=32, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    pool = models.CharField(_("题池"), max_length=16, choices=Pool.choices, default=Pool.PRACTICE)
    current = models.ForeignKey(
        "QuestionVersion", verbose_name=_("当前版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)
    review_reason = models.CharField(_("待复核原因"), max_length=300, blank=True)
    flagged_at = models.DateTimeField(_("标记时间"), null=True, blank=True)

    scope_field = "bank__unit"

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["bank", "sort_order", "id"]
        indexes = [models.Index(fields=["bank", "status", "pool", "sort_order"], name="question_bank_order_idx")]

    def __str__(self) -> str:
        return self.code


class QuestionVersion(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        TRUE_FALSE = "true_false", _("判断")
        FILL = "fill", _("填空")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    type = models.CharField(_("题型"), max_length=16, choices=Type.choices)
    stem = models.TextField(_("题干"))
    options = models.JSONField(_("选项"), default=list, blank=True)
    answer = models.JSONField(_("答案"))
    explanation = models.TextField(_("解析"))
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="versions")
    clauses = models.ManyToManyField("standards.Clause", verbose_name=_("条款"), blank=True, related_name="question_versions")
    roles = models.JSONField(_("适用岗位"), default=list, blank=True)
    red_line = models.BooleanField(_("必知必会"), default=False)
    image = models.ImageField(_("图片"), upload_to="questions/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "question__bank__unit"

    class Meta:
        verbose_name = _("试题版本")
        verbose_name_plural = _("试题版本")
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="qversion_number_uniq")]

    def __str__(self) -> str:
        return f"{self.question.code} v{self.number}"

    def option_pairs(self) -> list[tuple[str, str]]:
        return list(zip(OPTION_KEYS, self.options))


class Answer(models.Model):
    """One answer given in practice. `client_id` makes a resend after a dropped connection harmless."""

    class Mode(models.TextChoices):
        SEQUENTIAL = "sequential", _("顺序练习")
        RANDOM = "random", _("随机练习")
        TOPIC = "topic", _("专项练习")
        WRONG = "wrong", _("错题本")
        FAVORITE = "favorite", _("收藏")
        REVIEW = "review", _("每日复习")

    # Every practice answer is a row here: no single-column indexes for staff and question, which
    # answer_client_uniq (staff first) and answer_question_idx (question first) already serve.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers",
                              db_index=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", db_index=False)
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="answers")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    response = models.JSONField()
    is_correct = models.BooleanField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    hinted = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    client_id = models.UUIDField()
    answered_at = models.DateTimeField()

    scope_field = "staff__unit"

    class Meta:
        verbose_name = _("练习作答")
        verbose_name_plural = _("练习作答")
        constraints = [models.UniqueConstraint(fields=["staff", "client_id"], name="answer_client_uniq")]
        indexes = [
            models.Index(fields=["staff", "answered_at"], name="answer_staff_time_idx"),
            models.Index(fields=["question", "staff", "answered_at"], name="answer_question_idx"),
            models.Index(fields=["answered_at"], name="answer_time_idx"),
        ]


class ReviewCard(models.Model):
    """A person's FSRS memory state for one question (the 每日复习 queue is `due <= now`)."""

    class State(models.IntegerChoices):
        LEARNING = 1, _("学习中")
        REVIEW = 2, _("复习")
        RELEARNING = 3, _("重新学习")

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards",
                              db_index=False)  # reviewcard_uniq and reviewcard_due_idx start with staff
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)

    scope_field = "staff__unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "question"], name="reviewcard_uniq")]
        indexes = [models.Index(fields=["staff", "due"], name="reviewcard_due_idx")]


class WrongEntry(models.Model):
    """错题本: a wrong answer puts the question here; a streak of right answers takes it out."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wrong_entries",
                              db_index=False)  # wrongentry_uniq and wrongentry_open_idx start with staff
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="wrong_entries")
    wrong_count = models.PositiveIntegerField(default=0)
    right_streak = models.PositiveSmallIntegerField(default=0)
    last_wrong_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    scope_field = "staff__unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "question"], name="wrongentry_uniq")]
        indexes = [models.Index(fields=["staff", "cleared_at", "last_wrong_at"], name="wrongentry_open_idx")]


class Favorite(models.Model):
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "staff__unit"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "question"], name="favorite_uniq")]
        indexes = [models.Index(fields=["staff", "-created_at"], name="favorite_recent_idx")]


class PracticeCursor(models.Model):
    """Where 顺序练习 resumes: per person, bank and (optionally) chapter."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_cursors")
    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="+")
    chapter = models.ForeignKey("standards.Clause", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    last_question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "bank", "chapter"], name="cursor_uniq"),
            models.UniqueConstraint(
                fields=["staff", "bank"], condition=models.Q(chapter__isnull=True), name="cursor_bank_uniq"
            ),
        ]


class LearningPolicy(TimeStampedModel):
    """Tunable learning rules for a unit and everything under it (the nearest ancestor's applies)."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="learning_policy")
    wrong_clear_streak = models.PositiveSmallIntegerField(
        _("连续答对几次移出错题本"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    daily_review_limit = models.PositiveSmallIntegerField(_("每日复习上限"), default=50)
    daily_new_limit = models.PositiveSmallIntegerField(_("每日新题上限"), default=20)
    desired_retention = models.FloatField(
        _("目标记忆保持率"), default=0.90, validators=[MinValueValidator(0.7), MaxValueValidator(0.99)]
    )
    red_line_retention = models.FloatField(
        _("必知必会目标保持率"), default=0.95, validators=[MinValueValidator(0.7), MaxValueValidator(0.99)]
    )
    slow_answer_seconds = models.PositiveSmallIntegerField(_("作答超过几秒记为“困难”"), default=40)
    weekly_goal = models.PositiveSmallIntegerField(_("每周练习目标（题）"), default=100)

    scope_field = "unit"

    class Meta:
        verbose_name = _("学习规则")
        verbose_name_plural = _("学习规则")


class ReviewPush(models.Model):
    """A record that a clause's questions were pushed into the review queues of a unit's staff."""

    clause = models.ForeignKey("standards.Clause", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cards = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "unit"

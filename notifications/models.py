"""Messages (inbox and outbox), channel preferences, editable templates, and 好差评.

A `Message` row is written in the same transaction as the workflow event it reports;
inbox messages are delivered by being written, e-mail and SMS rows are the outbox the
background worker sends (see `notifications.tasks`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from applications.models import Application
from catalogue.models import Department

from .events import event_label


class NotificationTemplate(models.Model):
    """The text of one event's message: Django template strings staff can edit."""

    # Event names are data (notifications.events), not choices: a new event needs no
    # schema migration, only its template row.
    event = models.CharField("事件", max_length=40, unique=True)
    subject = models.CharField(
        "标题", max_length=200, help_text="Django 模板语法，如 {{ reference }}"
    )
    body = models.TextField("站内信/邮件正文", help_text="可用变量见每个事件的说明。")
    sms_text = models.CharField("短信内容", max_length=300, blank=True)
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "通知模板"
        verbose_name_plural = "通知模板"
        ordering = ["event"]

    def __str__(self):
        return self.event_label

    @property
    def event_label(self) -> str:
        return event_label(self.event)


class Preference(models.Model):
    """Which channels a person wants besides the inbox (always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField("电子邮件", default=True)
    sms = models.BooleanField("短信", default=False)

    class Meta:
        verbose_name = "通知方式"
        verbose_name_plural = "通知方式"

    def __str__(self):
        return str(self.user)


class Message(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", "站内信"
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    MAX_ATTEMPTS = 3

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    event = models.CharField("事件", max_length=40)
    application = models.ForeignKey(
        Application,
        verbose_name="申请",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField("发送地址", max_length=254, blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("错误", max_length=500, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知消息"
        verbose_name_plural = "通知消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"])]

    def __str__(self):
        return self.subject


# --- 好差评 ---------------------------------------------------------------------------


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    FAIR = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Rating(models.Model):
    """一事一评: one online rating per case; staff add ratings given by phone or at the window."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上评价"
        PHONE = "phone", "电话评价"
        WINDOW = "window", "窗口评价"

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    comment = models.CharField("评价意见", max_length=500, blank=True)
    channel = models.CharField("评价渠道", max_length=10, choices=Channel.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="涉及部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("评价时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(channel="online"),
                name="one_online_rating_per_case",
            )
        ]

    def __str__(self):
        return f"{self.application.reference} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class Rectification(models.Model):
    """差评整改: the responsible department answers within a working-day deadline; the
    applicant accepts or appeals once, and an appeal gets a final answer."""

    class State(models.TextChoices):
        OPEN = "open", "待整改"
        REPLIED = "replied", "已答复"
        ACCEPTED = "accepted", "申请人已认可"
        APPEALED = "appealed", "申请人申诉中"
        CLOSED = "closed", "已办结"

    DEFAULT_DAYS = 5

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="rectifications"
    )
    state = models.CharField(
        "整改状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    opened_at = models.DateTimeField("交办时间", default=timezone.now)
    due_date = models.DateField("整改期限", null=True, blank=True)
    reply = models.TextField("整改答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appeal_reason = models.TextField("申诉理由", blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    final_reply = models.TextField("申诉答复", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["state", "due_date", "pk"]

    def __str__(self):
        return f"{self.rating.application.reference} {self.department} 整改"

    @property
    def awaits_department(self) -> bool:
        return self.state in (self.State.OPEN, self.State.APPEALED)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state == self.State.OPEN and self.due_date is not None and today > self.due_date


class DailyFigure(models.Model):
    """One cell of the statistics summary (统计汇总): a count per measure and key.

    Maintained by :mod:`notifications.summary` from the workflow events and rebuilt by
    ``manage.py rebuild_statistics``. ``key`` identifies the cell (measure and every
    dimension), the typed columns are what the statistics page groups by:

    ========== ====================== ==========================================
    measure    dimensions             n counts
    ========== ====================== ==========================================
    county     region                 cases
    state      state                  cases
    intake     day (submitted)        cases
    finished   day (decided)          cases with a decision time
    item       item                   (case, item) pairs
    review     department             department reviews of cases
    open       day (due date)         open reviews (待审核/审核中) with a due date
    dept_done  department, day        decided reviews, on their decided day;
               (decided), other_year  ``on_time`` those decided by their due
               (received)             date (or without one)
    dept_recv  department, day        the same reviews on their received day
               (received), other_year
               (decided)
    item_done, item, …                the same per (review, item); a review
    item_recv                         without items counts once with no item
    ========== ====================== ==========================================
    """

    measure = models.CharField(max_length=12)
    key = models.CharField(max_length=80, unique=True)
    day = models.DateField(null=True)
    other_year = models.SmallIntegerField(null=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, null=True, related_name="+"
    )
    state = models.CharField(max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", on_delete=models.CASCADE, null=True, related_name="+"
    )
    n = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计汇总"
        indexes = [models.Index(fields=["measure", "day"], name="dailyfigure_measure_day")]

    def __str__(self):
        return f"{self.key}: {self.n}"


class FigureContribution(models.Model):
    """What one case currently adds to the summary ({key: [n, on_time]}), so the next
    event can subtract it before adding the new contribution."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    cells = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.application_id}: {len(self.cells)}"

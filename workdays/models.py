"""The Chinese working-day calendar: covered years and their special days.

A date is a working day when it is Mon–Fri and not a statutory holiday, or when it is
an adjusted working weekend (调休上班). Only years listed in ``CalendarYear`` are
known; deadline arithmetic refuses to guess for any other year (see ``calendar.py``).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarYear(models.Model):
    """A year whose holiday arrangement (国务院办公厅通知) has been entered."""

    year = models.PositiveSmallIntegerField(
        "年度",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages={"unique": "该年度已登记。"},
    )
    published_on = models.DateField(
        "通知发布日期",
        null=True,
        blank=True,
        help_text="国务院办公厅关于该年度部分节假日安排的通知的发布日期。",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年"


class SpecialDay(models.Model):
    """A statutory holiday (rest day) or an adjusted working weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True, error_messages={"unique": "该日期已登记。"})
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, help_text="所属节日，例如“国庆节”。")

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"

    @property
    def weekday_label(self) -> str:
        return WEEKDAY_NAMES[self.date.weekday()] if self.date else ""

    def clean(self):
        super().clean()
        if self.date is None:
            return
        if not CalendarYear.objects.filter(year=self.date.year).exists():
            raise ValidationError(
                {
                    "date": f"{self.date.year} 年尚未在“日历年度”中登记，"
                    "请先添加该年度，再录入节假日与调休。"
                },
                code="year_not_covered",
            )
        if self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": "调休上班日应为周六或周日"}, code="workday_not_weekend")

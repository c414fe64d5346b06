"""One year's holiday notice (国务院办公厅关于某年部分节假日安排的通知) in one form.

Staff type or paste the notice's arrangements, one line each, as date ranges with the
festival's name::

    元旦：1月1日至3日
    春节 2027-02-15 至 2027-02-21

(放假 and 调休上班 in separate boxes). ``NoticeForm`` parses and checks the lines;
``year_preview`` shows the resulting working days month by month before anything is
saved; ``save_notice`` replaces the year's special days in one transaction and computes
the deadlines that were waiting for the year, and again the open ones its days move.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
import re
from dataclasses import dataclass

from django import forms
from django.db import transaction

from .coverage import recompute_deadlines_spanning, recompute_flagged_deadlines
from .models import WEEKDAY_NAMES, CalendarYear, SpecialDay

ONE_DAY = datetime.timedelta(days=1)
# The longest block one line may give (春节 with its weekends is 8–9 days).
MAX_RANGE_DAYS = 15
MAX_NAME_LENGTH = SpecialDay._meta.get_field("name").max_length

_DATE = r"(?:(?:(?P<{p}y>\d{{4}})[年/.-])?(?P<{p}m>\d{{1,2}})[月/.-])?(?P<{p}d>\d{{1,2}})日?"
_RANGE = re.compile(
    r"^(?P<name>[^\d]*?)[\s：:，,]*"
    + _DATE.format(p="a")
    + r"(?:\s*(?:至|到|—|–|~|～|-)\s*"
    + _DATE.format(p="b")
    + r")?$"
)
# What a line copied from the notice carries besides names and dates.
_ENUMERATION = re.compile(r"^\s*[一二三四五六七八九十]+、")
_NOISE = re.compile(r"[（(][^）)]*[）)]|共\s*\d+\s*天")
_TAIL = re.compile(r"(?:[\s，,。.；;]|放假调休|放假|调休上班|上班|调休)+$")


class NoticeError(ValueError):
    pass


@dataclass(frozen=True)
class NoticeDay:
    date: datetime.date
    kind: str
    name: str


def _date(match, prefix: str, year: int, default: datetime.date | None) -> datetime.date:
    month = match.group(f"{prefix}m")
    if month is None and default is None:
        raise NoticeError("请写明月份，例如“1月1日”或“2027-01-01”")
    try:
        return datetime.date(
            int(match.group(f"{prefix}y") or year),
            int(month) if month else default.month,
            int(match.group(f"{prefix}d")),
        )
    except ValueError:
        raise NoticeError("日期不存在") from None


def parse_line(line: str, year: int) -> tuple[str, datetime.date, datetime.date]:
    """``(name, first, last)`` of one notice line; raises ``NoticeError`` (Chinese).
    A date without a year is in ``year``; an end day without a month is in the first
    date's month (“2月15日至21日”)."""
    text = _TAIL.sub("", _NOISE.sub("", _ENUMERATION.sub("", line)))
    match = _RANGE.match(text.strip())
    if match is None:
        raise NoticeError("无法识别，请写成“节日名称 开始日期 至 结束日期”")
    name = match.group("name").strip(" ：:，,、")
    if not name:
        raise NoticeError("请写明节日名称")
    if len(name) > MAX_NAME_LENGTH:
        raise NoticeError(f"节日名称不能超过 {MAX_NAME_LENGTH} 个字")
    first = _date(match, "a", year, None)
    last = _date(match, "b", year, first) if match.group("bd") else first
    for day in (first, last):
        if day.year != year:
            raise NoticeError(f"日期 {day:%Y-%m-%d} 不在 {year} 年内")
    if last < first:
        raise NoticeError("结束日期早于开始日期")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise NoticeError(f"一行的日期范围不能超过 {MAX_RANGE_DAYS} 天")
    return name, first, last


def parse_days(text: str, year: int, kind: str) -> tuple[list[NoticeDay], list[str]]:
    """Every day the lines of ``text`` give, and the problems (line by line)."""
    days, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            name, first, last = parse_line(line, year)
        except NoticeError as exc:
            problems.append(f"第 {number} 行“{line.strip()}”：{exc}。")
            continue
        day = first
        while day <= last:
            if kind == SpecialDay.Kind.WORKDAY and day.weekday() < 5:
                problems.append(
                    f"第 {number} 行：{day:%Y-%m-%d} 是{WEEKDAY_NAMES[day.weekday()]}，"
                    "调休上班日应为周六或周日。"
                )
            days.append(NoticeDay(day, kind, name))
            day += ONE_DAY
    return days, problems


def _lines_for(days: list[SpecialDay]) -> str:
    """The form text for saved days: consecutive days of one name on one line."""
    lines, run = [], []
    for day in days:
        if run and (day.name != run[-1].name or day.date != run[-1].date + ONE_DAY):
            lines.append(run)
            run = []
        run.append(day)
    if run:
        lines.append(run)
    return "\n".join(
        f"{r[0].name} {r[0].date:%Y-%m-%d}" + (f" 至 {r[-1].date:%Y-%m-%d}" if len(r) > 1 else "")
        for r in lines
    )


class NoticeForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "请填写年度。",
            "invalid": "请填写四位数的年度。",
            "min_value": "年度应在 2000 至 2100 之间。",
            "max_value": "年度应在 2000 至 2100 之间。",
        },
    )
    published_on = forms.DateField(
        label="通知发布日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请填写正确的日期，例如 2026-11-04。"},
    )
    holidays = forms.CharField(
        label="放假安排",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一个节日：名称和日期范围，例如“春节：2月15日至21日”或"
        "“国庆节 2027-10-01 至 2027-10-07”。周末也照通知写进范围。",
        error_messages={"required": "请填写放假安排。"},
    )
    workdays = forms.CharField(
        label="调休上班",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一天（或相连的几天）：所属节日和日期，例如“春节 2月14日”。须为周六或周日。",
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    @classmethod
    def initial_for(cls, year: int) -> dict:
        """The form's initial data for an entered year (to correct it), else just the year."""
        entry = CalendarYear.objects.filter(year=year).first()
        if entry is None:
            return {"year": year}
        days = list(SpecialDay.objects.filter(date__year=year).order_by("date"))
        return {
            "year": year,
            "published_on": entry.published_on,
            "note": entry.note,
            "holidays": _lines_for([d for d in days if d.kind == SpecialDay.Kind.HOLIDAY]),
            "workdays": _lines_for([d for d in days if d.kind == SpecialDay.Kind.WORKDAY]),
        }

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year is None or self.errors:
            return data
        holidays, problems = parse_days(data.get("holidays", ""), year, SpecialDay.Kind.HOLIDAY)
        for problem in problems:
            self.add_error("holidays", problem)
        workdays, problems = parse_days(data.get("workdays", ""), year, SpecialDay.Kind.WORKDAY)
        for problem in problems:
            self.add_error("workdays", problem)
        seen: dict[datetime.date, NoticeDay] = {}
        for day in holidays + workdays:
            other = seen.get(day.date)
            if other is not None:
                field = "workdays" if day.kind == SpecialDay.Kind.WORKDAY else "holidays"
                what = "重复出现" if other.kind == day.kind else "既是放假日又是调休上班日"
                self.add_error(field, f"{day.date:%Y-%m-%d} {what}。")
            seen[day.date] = day
        data["days"] = sorted(seen.values(), key=lambda d: d.date)
        return data


@dataclass(frozen=True)
class PreviewDay:
    date: datetime.date
    working: bool
    name: str  # the festival for a special day, else ""
    kind: str  # "holiday", "workday" or ""


@dataclass(frozen=True)
class PreviewMonth:
    month: int
    weeks: list[list[PreviewDay | None]]  # Monday first; None outside the month
    working_days: int


def year_preview(year: int, days: list[NoticeDay]) -> dict:
    """The year as it will be: month grids, the count of working days, and the list."""
    special = {d.date: d for d in days}
    months, total = [], 0
    for month in range(1, 13):
        weeks, count = [], 0
        for week in month_calendar.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                entry = special.get(day)
                working = entry.kind == SpecialDay.Kind.WORKDAY if entry else day.weekday() < 5
                count += working
                row.append(
                    PreviewDay(
                        day, working, entry.name if entry else "", entry.kind if entry else ""
                    )
                )
            weeks.append(row)
        months.append(PreviewMonth(month, weeks, count))
        total += count
    return {"year": year, "months": months, "working_days": total, "days": days}


@transaction.atomic
def save_notice(cleaned: dict) -> tuple[CalendarYear, int]:
    """Store the year and replace its special days; compute the deadlines flagged for
    want of it. Returns the year and how many deadlines were computed."""
    year = cleaned["year"]
    entry, _ = CalendarYear.objects.update_or_create(
        year=year,
        defaults={"published_on": cleaned.get("published_on"), "note": cleaned.get("note", "")},
    )
    SpecialDay.objects.filter(date__year=year).delete()
    SpecialDay.objects.bulk_create(
        SpecialDay(date=d.date, kind=d.kind, name=d.name) for d in cleaned["days"]
    )
    # bulk_create sends no signal: the new days' open deadlines here (the old days'
    # through the deletions' signals, workdays/signals.py).
    recompute_deadlines_spanning(d.date for d in cleaned["days"])
    return entry, recompute_flagged_deadlines()

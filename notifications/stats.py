"""Figures for managers (统计分析).

Counts, on-time rates, durations and the monthly trend are read from the statistics
summary (:mod:`notifications.summary`, a few thousand rows however many cases there
are); durations are (group, received day, decided day) sums turned into working days
with one pass over the calendar. The overdue list (it depends on the reference day),
ratings and rectifications are read from their own, indexed or small, tables.
:mod:`notifications.stats_raw` computes the summary-backed figures from the raw rows;
tests and ``rebuild_statistics --check`` compare both.

Cases are submitted applications of every kind but 账号注册 (drafts are not cases).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Sum

from applications.models import Application, DepartmentReview, State
from catalogue.models import ApplicationKind
from workdays.calendar import Calendar, CalendarNotCovered
from workdays.models import CalendarYear

from .models import DailyFigure, Level, Rating, Rectification

ONE_DAY = datetime.timedelta(days=1)
OVERDUE_LIST_LIMIT = 100


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = "bar"  # bar: first column label, second column value; line: months
    value_column: int = 1
    slug: str = ""


def cases():
    return Application.objects.exclude(state=State.DRAFT).exclude(kind=ApplicationKind.ACCOUNT)


def reviews():
    return DepartmentReview.objects.exclude(application__state=State.DRAFT).exclude(
        application__kind=ApplicationKind.ACCOUNT
    )


def _summed(measure: str, *fields, ordering=None):
    """Summary rows of one measure, summed per ``fields``."""
    return (
        DailyFigure.objects.filter(measure=measure)
        .values(*fields)
        .annotate(n=Sum("n"))
        .order_by(*(ordering or ("-n", *fields)))
    )


def by_item() -> Table:
    rows = _summed("item", "item__name")
    return Table(
        "按事项统计办件量",
        ["事项", "办件量"],
        [[r["item__name"], r["n"]] for r in rows],
        slug="item",
    )


def by_department() -> Table:
    rows = _summed("review", "department__name")
    return Table(
        "按部门统计办件量",
        ["部门", "办件量"],
        [[r["department__name"] or "—", r["n"]] for r in rows],
        slug="dept",
    )


def by_county() -> Table:
    rows = _summed(
        "county", "region__name", "region__parent__name", ordering=("-n", "region__name")
    )
    return Table(
        "按县区统计办件量",
        ["县区", "办件量"],
        [[f"{r['region__parent__name'] or ''}{r['region__name']}", r["n"]] for r in rows],
        slug="county",
    )


def by_state() -> Table:
    labels = dict(State.choices)
    rows = _summed("state", "state")
    return Table(
        "按状态统计办件量",
        ["状态", "办件量"],
        [[labels.get(r["state"], r["state"]) or "—", r["n"]] for r in rows],
        slug="state",
    )


class WorkdayIndex:
    """Working-day ordinal of each date in a range, for durations by subtraction."""

    def __init__(self, lo: datetime.date, hi: datetime.date):
        calendar = Calendar()
        self.lo, self.hi = lo, hi
        self._by_text: dict[str, int | None] | None = None
        self.index: dict[datetime.date, int | None] = {}
        count = 0
        day = lo
        try:
            calendar.load(lo, hi)
        except CalendarNotCovered:
            pass
        while day <= hi:
            try:
                if calendar.is_working_day(day):
                    count += 1
                self.index[day] = count
            except CalendarNotCovered:
                self.index[day] = None
            day += ONE_DAY

    def ordinal(self, day) -> int | None:
        """The index of a date, or of its ISO text (SQLite returns dates as text)."""
        if isinstance(day, str):
            if self._by_text is None:
                self._by_text = {d.isoformat(): i for d, i in self.index.items()}
            return self._by_text.get(day)
        return self.index.get(day)

    def between(self, start, end) -> int | None:
        a, b = self.index.get(start), self.index.get(end)
        return None if a is None or b is None else b - a


def _covered_range():
    years = sorted(CalendarYear.objects.values_list("year", flat=True))
    if not years:
        return None
    return datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)


def _plain_rows(queryset):
    """The rows of `queryset` as the driver returns them, without Django's per-value
    converters (on SQLite, parsing thousands of dates costs more than the query)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def workday_index() -> WorkdayIndex | None:
    """The working-day index of every covered year (None without any calendar year)."""
    covered = _covered_range()
    return WorkdayIndex(*covered) if covered is not None else None


def _performance(
    group_field: str, prefix: str, title: str, label: str, slug: str, index=None
) -> Table:
    """On-time rate and average working days of decided reviews, per group.

    A duration is index(decided) − index(received) on the working-day index, so the sum
    per group is Σ index(decided) − Σ index(received): two small (group, day) sums over
    the summary (``<prefix>_done`` rows by decided day, ``<prefix>_recv`` by received
    day; each row's other year says whether the review's other end is covered).
    Durations touching a year the calendar lacks are left out of the average (they
    count for the on-time rate)."""
    headers = [label, "办结数", "按时办结率（%）", "平均用时（工作日）"]
    done = DailyFigure.objects.filter(measure=f"{prefix}_done")
    counts = {
        row[group_field] or "—": row
        for row in done.values(group_field).annotate(n=Sum("n"), on_time=Sum("on_time"))
    }
    if not counts:
        return Table(title, headers, slug=slug)
    index = index or workday_index()
    sums = defaultdict(lambda: [0, 0])  # Σ working-day index difference, reviews counted
    if index is not None:
        sides = (
            (done.filter(day__lte=index.hi, other_year__gte=index.lo.year), 1),
            (
                DailyFigure.objects.filter(
                    measure=f"{prefix}_recv", day__gte=index.lo, other_year__lte=index.hi.year
                ),
                -1,
            ),
        )
        for rows, sign in sides:
            grouped = rows.values_list(group_field, "day").annotate(n=Sum("n"))
            for name, day, n in _plain_rows(grouped):
                day_index = index.ordinal(day)
                if day_index is None:
                    continue
                entry = sums[name or "—"]
                entry[0] += sign * day_index * n
                if sign == 1:
                    entry[1] += n
    return Table(title, headers, performance_rows(counts, sums), value_column=2, slug=slug)


def performance_rows(counts: dict, sums: dict) -> list[list]:
    rows = []
    for name, row in sorted(counts.items(), key=lambda kv: (-kv[1]["n"], kv[0])):
        total, n_days = sums.get(name, (0, 0))
        rows.append(
            [
                name,
                row["n"],
                round(100 * row["on_time"] / row["n"], 1),
                round(total / n_days, 1) if n_days else "—",
            ]
        )
    return rows


def department_performance(index=None) -> Table:
    return _performance(
        "department__name", "dept", "各部门按时办结率与平均用时", "部门", "dept-perf", index
    )


def item_performance(index=None) -> Table:
    return _performance(
        "item__name", "item", "各事项按时办结率与平均用时", "事项", "item-perf", index
    )


def overdue_count(today: datetime.date) -> int:
    """Open reviews of cases past their due date, from the summary."""
    rows = DailyFigure.objects.filter(measure="open", day__lt=today)
    return rows.aggregate(n=Sum("n"))["n"] or 0


def overdue(today: datetime.date) -> tuple[int, Table]:
    """The count from the summary; the first rows read through the partial index on
    open reviews' due dates (``review_open_due``)."""
    open_reviews = reviews().filter(
        status__in=[DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW],
        due_date__lt=today,
    )
    total = overdue_count(today)
    rows = open_reviews.select_related("application", "department", "application__region").order_by(
        "due_date", "pk"
    )[:OVERDUE_LIST_LIMIT]
    table = Table(
        "超期未办结",
        ["申请编号", "部门", "县区", "办理期限", "超期天数"],
        [
            [
                r.application.reference,
                r.department.name,
                r.application.region.name,
                r.due_date,
                (today - r.due_date).days,
            ]
            for r in rows
        ],
        chart="",
        slug="overdue",
    )
    return total, table


def satisfaction() -> Table:
    counts = dict(Rating.objects.values_list("level").annotate(n=Count("pk")))
    return Table(
        "满意度分布",
        ["评价等级", "评价数"],
        [[label, counts.get(value, 0)] for value, label in Level.choices],
        slug="satisfaction",
    )


def rectification_status(today: datetime.date) -> Table:
    counts = dict(Rectification.objects.values_list("state").annotate(n=Count("pk")))
    rows = [[label, counts.get(value, 0)] for value, label in Rectification.State.choices]
    late = Rectification.objects.filter(state=Rectification.State.OPEN, due_date__lt=today).count()
    rows.append(["其中超期未答复", late])
    return Table("差评整改情况", ["整改状态", "件数"], rows, slug="rectification")


def _months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def monthly(today: datetime.date) -> Table:
    months = _months(today)
    counts = {}
    for measure in ("intake", "finished"):
        per_month = counts[measure] = defaultdict(int)
        rows = DailyFigure.objects.filter(measure=measure, day__gte=months[0])
        for day, n in rows.values_list("day", "n"):
            per_month[day.replace(day=1)] += n
    rows = [[f"{m:%Y-%m}", counts["intake"][m], counts["finished"][m]] for m in months]
    return Table("月度趋势", ["月份", "受理量", "办结量"], rows, chart="line", slug="monthly")


def summary_totals() -> tuple[int, int]:
    """(cases, finished cases) from the summary."""
    states = dict(_summed("state", "state").values_list("state", "n"))
    finished = states.get(State.APPROVED, 0) + states.get(State.REJECTED, 0)
    return sum(states.values()), finished


def summary(today: datetime.date) -> dict:
    total, finished = summary_totals()
    bad = Rating.objects.filter(level__lte=Level.DISSATISFIED).count()
    overdue_count, overdue_table = overdue(today)
    index = workday_index()
    return {
        "today": today,
        "total": total,
        "finished": finished,
        "ratings": Rating.objects.count(),
        "bad": bad,
        "overdue_count": overdue_count,
        "tables": [
            by_item(),
            by_department(),
            by_county(),
            by_state(),
            department_performance(index),
            item_performance(index),
            satisfaction(),
            rectification_status(today),
            monthly(today),
        ],
        "overdue": overdue_table,
    }

"""The summary-backed figures of :mod:`notifications.stats`, computed from the raw
rows (applications, reviews and their items) with grouped queries.

The reference the summary is checked against: the tests compare both on generated
data, ``manage.py rebuild_statistics --check`` on a live database, and
``bench/statistics_page.py`` times it as the baseline. Slow at 100 000 cases (joins,
per-row local dates); the page itself never uses it.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from applications.models import Application, DepartmentReview, State

from . import stats
from .stats import (
    Table,
    WorkdayIndex,
    _covered_range,
    _months,
    cases,
    performance_rows,
    reviews,
)


def _counted(queryset, label, ordering="-n"):
    return [
        [row[label] or "—", row["n"]]
        for row in queryset.values(label).annotate(n=Count("pk")).order_by(ordering, label)
    ]


def by_item() -> Table:
    through = Application.items.through
    rows = (
        through.objects.filter(application__in=cases())
        .values(name=F("serviceitem__name"))
        .annotate(n=Count("pk"))
        .order_by("-n", "name")
    )
    return Table(
        "按事项统计办件量", ["事项", "办件量"], [[r["name"], r["n"]] for r in rows], slug="item"
    )


def by_department() -> Table:
    return Table(
        "按部门统计办件量", ["部门", "办件量"], _counted(reviews(), "department__name"), slug="dept"
    )


def by_county() -> Table:
    rows = (
        cases()
        .values("region__name", "region__parent__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "region__name")
    )
    return Table(
        "按县区统计办件量",
        ["县区", "办件量"],
        [[f"{r['region__parent__name'] or ''}{r['region__name']}", r["n"]] for r in rows],
        slug="county",
    )


def by_state() -> Table:
    labels = dict(State.choices)
    rows = _counted(cases(), "state")
    return Table(
        "按状态统计办件量",
        ["状态", "办件量"],
        [[labels.get(s, s), n] for s, n in rows],
        slug="state",
    )


def _performance(group_field: str, base, title: str, label: str, slug: str) -> Table:
    """On-time rate and average working days of decided reviews, per group.

    A duration is index(decided) − index(received) on the working-day index, so the sum
    per group is Σ index(decided) − Σ index(received): two small (group, date) count
    queries instead of one row per review. Durations touching a year the calendar lacks
    are left out of the average (they count for the on-time rate)."""
    headers = [label, "办结数", "按时办结率（%）", "平均用时（工作日）"]
    decided = base.filter(
        status__in=[DepartmentReview.Status.APPROVED, DepartmentReview.Status.REJECTED],
        decided_at__isnull=False,
    ).annotate(received=TruncDate("received_at"), decided=TruncDate("decided_at"))
    counts = {
        row[group_field] or "—": row
        for row in decided.values(group_field).annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(due_date__isnull=True) | Q(decided__lte=F("due_date"))),
        )
    }
    if not counts:
        return Table(title, headers, slug=slug)
    covered = _covered_range()
    sums = defaultdict(lambda: [0, 0])  # Σ working-day index difference, reviews counted
    if covered is not None:
        within = decided.filter(received__gte=covered[0], decided__lte=covered[1])
        index = WorkdayIndex(*covered)
        for column, sign in (("decided", 1), ("received", -1)):
            for row in within.values(group_field, column).annotate(n=Count("pk")):
                day_index = index.index.get(row[column])
                if day_index is None:
                    continue
                entry = sums[row[group_field] or "—"]
                entry[0] += sign * day_index * row["n"]
                if sign == 1:
                    entry[1] += row["n"]
    return Table(title, headers, performance_rows(counts, sums), value_column=2, slug=slug)


def department_performance() -> Table:
    return _performance(
        "department__name", reviews(), "各部门按时办结率与平均用时", "部门", "dept-perf"
    )


def item_performance() -> Table:
    return _performance("items__name", reviews(), "各事项按时办结率与平均用时", "事项", "item-perf")


def monthly(today: datetime.date) -> Table:
    months = _months(today)
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()))
    base = cases()
    submitted = dict(
        base.filter(submitted_at__gte=since)
        .annotate(m=TruncMonth("submitted_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    finished = dict(
        base.filter(decided_at__gte=since)
        .annotate(m=TruncMonth("decided_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    submitted = {_month_key(k): v for k, v in submitted.items()}
    finished = {_month_key(k): v for k, v in finished.items()}
    rows = [[f"{m:%Y-%m}", submitted.get(m, 0), finished.get(m, 0)] for m in months]
    return Table("月度趋势", ["月份", "受理量", "办结量"], rows, chart="line", slug="monthly")


def _month_key(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def totals() -> tuple[int, int]:
    """(cases, finished cases)."""
    total = cases().count()
    finished = cases().filter(state__in=[State.APPROVED, State.REJECTED]).count()
    return total, finished


def tables(today: datetime.date) -> list[Table]:
    """The tables :mod:`notifications.stats` reads from the summary, from raw rows."""
    return [
        by_item(),
        by_department(),
        by_county(),
        by_state(),
        department_performance(),
        item_performance(),
        monthly(today),
    ]


def differences(today: datetime.date) -> list[str]:
    """Where the summary-backed figures differ from the raw ones (empty when equal)."""
    summary = [
        stats.by_item(),
        stats.by_department(),
        stats.by_county(),
        stats.by_state(),
        stats.department_performance(),
        stats.item_performance(),
        stats.monthly(today),
    ]
    found = []
    for mine, raw in zip(summary, tables(today), strict=True):
        if mine.rows != raw.rows:
            found.append(f"{raw.title}：汇总 {mine.rows[:5]}… ≠ 明细 {raw.rows[:5]}…")
    raw_overdue = (
        reviews()
        .filter(
            status__in=[DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW],
            due_date__lt=today,
        )
        .count()
    )
    if stats.overdue_count(today) != raw_overdue:
        found.append(f"超期未办结：汇总 {stats.overdue_count(today)} ≠ 明细 {raw_overdue}")
    summary_totals = stats.summary_totals()
    if summary_totals != totals():
        found.append(f"办件总数/办结数：汇总 {summary_totals} ≠ 明细 {totals()}")
    return found

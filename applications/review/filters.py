"""Filters of the reviewers' list (审核工作台) in the Wagtail admin."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet

from catalogue.models import ApplicationKind
from regions.models import Region

from ..access import reviewer_departments
from ..models import DepartmentReview, State

YES_NO = [("yes", "是"), ("no", "否")]
OPEN_STATUSES = (DepartmentReview.Status.PENDING, DepartmentReview.Status.UNDER_REVIEW)


def overdue_q(today=None) -> Q:
    """Open reviews whose working-day deadline has passed (same rule as is_overdue)."""
    today = today or timezone.localdate()
    return Q(status__in=OPEN_STATUSES, due_date__lt=today)


def city_choices():
    """Henan's cities (济源 included), by code: a city covers its counties."""
    return [
        (code, name)
        for code, name in Region.objects.filter(level=Region.Level.CITY)
        .order_by("code")
        .values_list("code", "name")
    ]


class ReviewFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label="申请类型",
        field_name="application__kind",
        choices=ApplicationKind.choices,
        empty_label="全部类型",
    )
    status = django_filters.ChoiceFilter(
        label="审核状态", choices=DepartmentReview.Status.choices, empty_label="全部"
    )
    state = django_filters.ChoiceFilter(
        label="申请状态",
        field_name="application__state",
        choices=[c for c in State.choices if c[0] != State.DRAFT],
        empty_label="全部",
    )
    department = django_filters.ModelChoiceFilter(
        label="部门",
        queryset=lambda request: reviewer_departments(request.user),
        empty_label="全部部门",
    )
    region = django_filters.ChoiceFilter(
        label="地区", choices=city_choices, empty_label="全部地区", method="filter_region"
    )
    overdue = django_filters.ChoiceFilter(
        label="是否超期",
        choices=[("yes", "已超期"), ("no", "未超期")],
        empty_label="全部",
        method="filter_overdue",
    )
    calendar_missing = django_filters.ChoiceFilter(
        label="日历未覆盖",
        choices=[("yes", "期限无法计算（日历未覆盖）"), ("no", "期限已计算")],
        empty_label="全部",
        method="filter_calendar_missing",
    )

    class Meta:
        model = DepartmentReview
        fields = []

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(application__region__code=value) | Q(application__region__parent__code=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(overdue_q())
        if value == "no":
            return queryset.exclude(overdue_q())
        return queryset

    def filter_calendar_missing(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(calendar_missing_year__isnull=False)
        if value == "no":
            return queryset.filter(calendar_missing_year__isnull=True)
        return queryset

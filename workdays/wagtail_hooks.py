"""Wagtail admin: the working-day calendar (工作日历) as a snippet group."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import CalendarYear, SpecialDay


def _year_choices():
    years = CalendarYear.objects.order_by("-year").values_list("year", flat=True)
    return [(year, f"{year} 年") for year in years]


class SpecialDayFilterSet(WagtailFilterSet):
    year = django_filters.ChoiceFilter(
        label="年度", field_name="date__year", choices=_year_choices, empty_label="全部年度"
    )
    kind = django_filters.ChoiceFilter(
        label="类型", choices=SpecialDay.Kind.choices, empty_label="全部类型"
    )

    class Meta:
        model = SpecialDay
        fields = ["year", "kind"]


class CalendarYearViewSet(SnippetViewSet):
    model = CalendarYear
    icon = "date"
    menu_label = "日历年度"
    list_display = ["year", "published_on", "note"]
    ordering = ["-year"]


class SpecialDayViewSet(SnippetViewSet):
    model = SpecialDay
    icon = "date"
    menu_label = "节假日与调休"
    list_display = ["date", Column("weekday_label", label="星期"), "kind", "name"]
    filterset_class = SpecialDayFilterSet
    ordering = ["date"]
    list_per_page = 50


class WorkdaysViewSetGroup(SnippetViewSetGroup):
    menu_label = "工作日历"
    menu_icon = "date"
    items = (SpecialDayViewSet, CalendarYearViewSet)


register_snippet(WorkdaysViewSetGroup)

"""Wagtail admin: the working-day calendar (工作日历) as a snippet group, the form for a
year's holiday notice, and the dashboard warning when a year's calendar is missing."""

import django_filters
from django.urls import path
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import CalendarYear, SpecialDay
from .views import NoticeView, can_enter_notice, missing_calendar_context


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


class NoticeMenuItem(MenuItem):
    def is_shown(self, request):
        return can_enter_notice(request.user)


class NoticeViewSet(ViewSet):
    """录入年度安排: one year's notice in one form (workdays/notice.py)."""

    name = "workdays_notice"
    url_prefix = "workdays/notice"
    icon = "date"
    menu_label = "录入年度安排"
    menu_item_class = NoticeMenuItem

    def get_urlpatterns(self):
        return [path("", NoticeView.as_view(), name="index")]


class WorkdaysViewSetGroup(SnippetViewSetGroup):
    menu_label = "工作日历"
    menu_icon = "date"
    items = (NoticeViewSet, SpecialDayViewSet, CalendarYearViewSet)


register_snippet(WorkdaysViewSetGroup)


class MissingCalendarPanel(Component):
    """Dashboard: a year's 工作日历 is missing (from 1 October for the next year)."""

    name = "missing_calendar"
    order = 50  # above Wagtail's own panels
    template_name = "workdays/includes/missing_calendar.html"

    def get_context_data(self, parent_context=None):
        return missing_calendar_context(parent_context["request"].user)


@hooks.register("construct_homepage_panels")
def add_missing_calendar_panel(request, panels):
    panels.append(MissingCalendarPanel())

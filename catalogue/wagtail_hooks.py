"""Wagtail admin: departments and service items (办事事项) as a snippet group.

Materials are edited inline on their item (the InlinePanel in ServiceItem.panels).
"""

from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Department, ServiceItem


class ServiceItemViewSet(SnippetViewSet):
    model = ServiceItem
    icon = "list-ul"
    menu_label = "办事事项"
    list_display = ["name", "department", "kind", Column("time_limit_label", label="办理时限")]
    list_filter = ["department", "kind"]
    search_fields = ["name"]
    search_backend_name = None  # not a Wagtail-indexed model: search with the ORM
    ordering = ["sort_order", "pk"]
    list_per_page = 50

    def get_queryset(self, request):
        return ServiceItem.objects.select_related("department")


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = "审核部门"
    list_display = ["name", "full_name", "code"]
    search_fields = ["name", "full_name"]
    search_backend_name = None
    ordering = ["pk"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = "办事事项"
    menu_icon = "list-ul"
    items = (ServiceItemViewSet, DepartmentViewSet)


register_snippet(CatalogueViewSetGroup)

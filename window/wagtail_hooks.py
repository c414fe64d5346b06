"""综合窗口 in the admin: which county windows exist and who staffs them (the role)."""

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WindowDesk


class WindowDeskViewSet(SnippetViewSet):
    model = WindowDesk
    icon = "home"
    menu_label = "综合窗口"
    add_to_admin_menu = True
    list_display = ["name", "region"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["region__code"]
    panels = [FieldPanel("region"), FieldPanel("name"), FieldPanel("members")]


register_snippet(WindowDeskViewSet)

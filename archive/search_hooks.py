"""Wagtail hooks of the reviewer's archive search (档案检索), imported by ArchiveConfig.ready.

Kept apart from archive/wagtail_hooks.py (the extraction progress admin)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from applications.access import is_reviewer

from . import urls


class ArchiveSearchMenuItem(MenuItem):
    """Shown to superusers and department members only."""

    def is_shown(self, request):
        return is_reviewer(request.user)


@hooks.register("register_admin_urls")
def register_archive_search_urls():
    return [path("archive/search/", include(urls, namespace=urls.app_name))]


@hooks.register("register_admin_menu_item")
def register_archive_search_menu_item():
    return ArchiveSearchMenuItem(
        "档案检索",
        reverse("archive_search:index"),
        name="archive-search",
        icon_name="search",
        order=60,
    )

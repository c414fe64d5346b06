"""Admin URLs of the archive search, mounted at /admin/archive/search/ by search_hooks."""

from django.urls import path

from . import views

app_name = "archive_search"

urlpatterns = [
    path("", views.ArchiveSearchView.as_view(), name="index"),
    path("file/<int:pk>/", views.entry_file, name="file"),
]

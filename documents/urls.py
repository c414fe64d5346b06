"""Mounted at /documents/ (before Wagtail's own document URLs, whose ids are numbers)."""

from django.urls import path, re_path

from . import views

app_name = "documents"

KIND = r"(?P<kind>[a-z_]{1,40})"
REFERENCE = r"(?P<reference>SQ\d{8,16})"

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    re_path(rf"^{REFERENCE}/$", views.document_list, name="list"),
    re_path(rf"^{REFERENCE}/{KIND}\.pdf$", views.document_pdf, name="pdf"),
    re_path(rf"^{REFERENCE}/{KIND}/$", views.document_html, name="html"),
    re_path(
        rf"^{REFERENCE}/deliveries/(?P<pk>[0-9]{{1,18}})/$",
        views.record_delivery,
        name="record_delivery",
    ),
]

from django.urls import path

from . import views

app_name = "window"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.new, name="new"),
    path("claim/", views.claim_view, name="claim"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/materials/<int:requirement_pk>/upload/", views.upload, name="upload"),
    path("<str:reference>/<slug:action>/", views.act, name="act"),
]

from django.urls import path

from . import views

app_name = "connection"

urlpatterns = [
    path("<str:reference>/", views.page, name="page"),
    path("<str:reference>/signed-scan/", views.signed_scan, name="signed_scan"),
    path("<str:reference>/<slug:action>/", views.act, name="act"),
]

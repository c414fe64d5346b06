from django.urls import path

from . import views

app_name = "evcs"

urlpatterns = [path("v1/<str:interface>", views.receive, name="receive")]

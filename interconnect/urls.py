from django.urls import path

from . import views

app_name = "interconnect"

urlpatterns = [path("v1/<str:interface>", views.receive, name="receive")]

from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("<str:reference>/orders/", views.orders, name="orders"),
    path("<str:reference>/order-list.xlsx", views.order_list_xlsx, name="order_list_xlsx"),
]

"""The applicant portal, mounted at /my/."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("stations/", views.stations, name="stations"),
    path("applications/new/<slug:kind>/", views.new_application, name="new"),
    path("applications/<str:reference>/", views.detail, name="detail"),
    path("applications/<str:reference>/items/", views.change_items, name="change_items"),
    path(
        "applications/<str:reference>/materials/<int:requirement_pk>/upload/",
        views.upload,
        name="upload",
    ),
    path(
        "applications/<str:reference>/files/<int:pk>/delete/",
        views.remove_file,
        name="remove_file",
    ),
    path(
        "applications/<str:reference>/technicians/add/",
        views.add_technician,
        name="add_technician",
    ),
    path(
        "applications/<str:reference>/technicians/<int:pk>/delete/",
        views.remove_technician,
        name="remove_technician",
    ),
    path(
        "applications/<str:reference>/invoices/add/",
        views.add_invoice_line,
        name="add_invoice_line",
    ),
    path(
        "applications/<str:reference>/invoices/<int:pk>/delete/",
        views.remove_invoice_line,
        name="remove_invoice_line",
    ),
    path("applications/<str:reference>/submit/", views.submit, name="submit"),
    path("applications/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<str:reference>/delete/", views.delete, name="delete"),
    path("applications/<str:reference>/rate/", views.rate, name="rate"),
    path("applications/<str:reference>/orders.xlsx", views.orders_xlsx, name="orders_xlsx"),
    path("applications/<str:reference>/orders.csv", views.orders_csv, name="orders_csv"),
    path("files/<int:pk>/", views.download, name="download"),
    path("files/<int:pk>/preview/", views.preview, name="preview"),
]

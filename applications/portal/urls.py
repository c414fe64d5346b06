"""The applicant portal, mounted at /my/."""

from django.urls import path

from . import detail, exports, files, pages, rows

app_name = "portal"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("stations/", pages.stations, name="stations"),
    path("applications/new/<slug:kind>/", pages.new_application, name="new"),
    path("applications/<str:reference>/", detail.detail, name="detail"),
    path("applications/<str:reference>/items/", pages.change_items, name="change_items"),
    path(
        "applications/<str:reference>/materials/<int:requirement_pk>/upload/",
        files.upload,
        name="upload",
    ),
    path(
        "applications/<str:reference>/files/<int:pk>/delete/",
        files.remove_file,
        name="remove_file",
    ),
    path(
        "applications/<str:reference>/technicians/add/",
        rows.add_technician,
        name="add_technician",
    ),
    path(
        "applications/<str:reference>/technicians/<int:pk>/delete/",
        rows.remove_technician,
        name="remove_technician",
    ),
    path(
        "applications/<str:reference>/invoices/add/",
        rows.add_invoice_line,
        name="add_invoice_line",
    ),
    path(
        "applications/<str:reference>/invoices/<int:pk>/delete/",
        rows.remove_invoice_line,
        name="remove_invoice_line",
    ),
    path("applications/<str:reference>/submit/", pages.submit, name="submit"),
    path("applications/<str:reference>/withdraw/", pages.withdraw, name="withdraw"),
    path("applications/<str:reference>/delete/", pages.delete, name="delete"),
    path("applications/<str:reference>/rate/", pages.rate, name="rate"),
    path("applications/<str:reference>/orders.xlsx", exports.orders_xlsx, name="orders_xlsx"),
    path("applications/<str:reference>/orders.csv", exports.orders_csv, name="orders_csv"),
    path("files/<int:pk>/", files.download, name="download"),
    path("files/<int:pk>/preview/", files.preview, name="preview"),
]

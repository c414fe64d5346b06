"""Portal pages of notifications, mounted at /my/notifications/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message_detail, name="message"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("rectifications/<int:pk>/accept/", views.accept, name="accept"),
    path("rectifications/<int:pk>/appeal/", views.appeal, name="appeal"),
]

# 好差评 is given on an application's page, so its URL lives in the applicant portal's
# namespace ("portal:rate"); cms/urls.py adds it there (applications may not import us).
portal_urlpatterns = [
    path("applications/<str:reference>/rate/", views.rate, name="rate"),
]

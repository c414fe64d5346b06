from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "通知与好差评"

    def ready(self):
        from . import signals, summary  # noqa: F401

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "档案检索"

    def ready(self):
        from . import (
            search_hooks,  # noqa: F401
            signals,
        )

        signals.connect()

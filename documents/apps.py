from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "办理文书"

    def ready(self):
        from notifications.progress import DOCUMENT_LISTERS

        from . import signals  # noqa: F401
        from .public import public_documents

        if public_documents not in DOCUMENT_LISTERS:
            DOCUMENT_LISTERS.append(public_documents)
        self._add_api_routes()

    @staticmethod
    def _add_api_routes():
        """Our router on the portal API (/api/v1/), added once, before its URLs are built."""
        from applications.api import api

        from .api import router

        if all(attached is not router for _, attached in api._routers):
            api.add_router("", router)

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

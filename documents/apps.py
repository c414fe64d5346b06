from django.apps import AppConfig

DOCUMENT_LABELS = {
    "documents_ready": "文书已出具",
    "document_handed_over": "文书窗口领取",
    "document_posted": "文书邮寄",
}


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "办理文书"

    def ready(self):
        from applications.api import attach_router
        from applications.history import register_labels
        from notifications.progress import DOCUMENT_LISTERS

        from . import signals  # noqa: F401
        from .api import router
        from .public import public_documents

        if public_documents not in DOCUMENT_LISTERS:
            DOCUMENT_LISTERS.append(public_documents)
        register_labels(DOCUMENT_LABELS)
        attach_router(router)

from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "装表接电"

    def ready(self):
        from applications import workflow

        from .steps import needs_connection

        if needs_connection not in workflow.COMPLETION_STEPS:
            workflow.COMPLETION_STEPS.append(needs_connection)

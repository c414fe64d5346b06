from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "装表接电"

    def ready(self):
        from applications import workflow
        from notifications import progress

        from .steps import needs_connection, progress_steps

        if needs_connection not in workflow.COMPLETION_STEPS:
            workflow.COMPLETION_STEPS.append(needs_connection)
        if progress_steps not in progress.STEP_PROVIDERS:
            progress.STEP_PROVIDERS.append(progress_steps)

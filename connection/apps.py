from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "装表接电"

    def ready(self):
        from applications import extensions, workflow

        from .steps import needs_connection, portal_links, progress_steps

        if needs_connection not in workflow.COMPLETION_STEPS:
            workflow.COMPLETION_STEPS.append(needs_connection)
        if progress_steps not in extensions.STEP_PROVIDERS:
            extensions.STEP_PROVIDERS.append(progress_steps)
        if portal_links not in extensions.PORTAL_LINKS:
            extensions.PORTAL_LINKS.append(portal_links)

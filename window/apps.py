from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "window"
    verbose_name = "综合窗口"

    def ready(self):
        from applications import workflow

        from .acceptance import needs_window_acceptance

        if needs_window_acceptance not in workflow.ACCEPTANCE_GATES:
            workflow.ACCEPTANCE_GATES.append(needs_window_acceptance)

from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "window"
    verbose_name = "综合窗口"

    def ready(self):
        from applications import workflow
        from notifications import progress

        from .acceptance import needs_window_acceptance, progress_steps

        if needs_window_acceptance not in workflow.ACCEPTANCE_GATES:
            workflow.ACCEPTANCE_GATES.append(needs_window_acceptance)
        if progress_steps not in progress.STEP_PROVIDERS:
            progress.STEP_PROVIDERS.append(progress_steps)

from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "window"
    verbose_name = "综合窗口"

    def ready(self):
        from applications import extensions, workflow

        from .acceptance import needs_window_acceptance, progress_steps
        from .intake import portal_links, staff_filing_url

        if needs_window_acceptance not in workflow.ACCEPTANCE_GATES:
            workflow.ACCEPTANCE_GATES.append(needs_window_acceptance)
        if progress_steps not in extensions.STEP_PROVIDERS:
            extensions.STEP_PROVIDERS.append(progress_steps)
        for registry, hook in (
            (extensions.PORTAL_LINKS, portal_links),
            (extensions.STAFF_FILING, staff_filing_url),
        ):
            if hook not in registry:
                registry.append(hook)

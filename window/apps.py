from django.apps import AppConfig

WINDOW_LABELS = {"claimed": "申请人网上认领", "claim_code_reissued": "重新出具认领码"}


class WindowConfig(AppConfig):
    name = "window"
    verbose_name = "综合窗口"

    def ready(self):
        from applications import hooks
        from applications.api import attach_router
        from applications.history import register_labels

        from .acceptance import needs_window_acceptance, progress_steps
        from .api import router
        from .intake import acts_on_behalf, portal_links, staff_filing_url

        hooks.register(hooks.ACCEPTANCE_GATES, needs_window_acceptance)
        hooks.register(hooks.STEP_PROVIDERS, progress_steps)
        hooks.register(hooks.PORTAL_LINKS, portal_links)
        hooks.register(hooks.STAFF_FILING, staff_filing_url)
        hooks.register(hooks.ON_BEHALF, acts_on_behalf)
        attach_router(router)
        register_labels(WINDOW_LABELS)

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "办事申请"

    def ready(self):
        # Imported here, not at the top: models are not ready when apps.py is loaded.
        from accounts import hooks as account_hooks
        from cms.exports import install
        from workdays.coverage import register_deadline_source

        from .deadlines import FlaggedDeadlines
        from .registration import AccountReview

        install()  # CSV exports of the admin (review list, reports) neutralise formulas
        register_deadline_source(FlaggedDeadlines)  # workdays warns about / recomputes these
        account_hooks.install(AccountReview())  # accounts files its 账号注册 through us

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "办事申请"

    def ready(self):
        from cms.exports import install
        from workdays.coverage import register_deadline_source

        from .workflow import FlaggedDeadlines

        install()  # CSV exports of the admin (review list, reports) neutralise formulas
        register_deadline_source(FlaggedDeadlines)

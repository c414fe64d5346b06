from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "办事申请"

    def ready(self):
        from cms.exports import install

        install()  # CSV exports of the admin (review list, reports) neutralise formulas

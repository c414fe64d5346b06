from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "补贴规则与核算"

    def ready(self):
        from . import hooks

        hooks.install()  # the submit checks and summaries applications consults
        from . import purge

        purge.connect()  # policy pages and guides show which rules apply: purge them

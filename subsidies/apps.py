from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "补贴规则与核算"

    def ready(self):
        from . import hooks

        hooks.install()  # the submit checks and summaries applications consults
        from django.db.models.signals import post_delete, post_save

        from cms.cache import bump_generation

        from .models import SubsidyRuleSet

        def changed(**kwargs):
            bump_generation()  # policy pages and guides show which rules apply

        post_save.connect(changed, sender=SubsidyRuleSet, dispatch_uid="subsidy_rules_saved")
        post_delete.connect(changed, sender=SubsidyRuleSet, dispatch_uid="subsidy_rules_deleted")

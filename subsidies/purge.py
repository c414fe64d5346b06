"""A rule-set change reaches the pages that print it, through the front cache.

The policy page says "本政策适用于：建设补贴（2025 年度）" and the subsidy service guides
link back to it. Creating, editing or deleting a SubsidyRuleSet purges, at commit and
through ``cms.invalidation`` (the same path as a publish), the policy page it is linked
to, the one it was linked to before the edit, and the subsidy guides; the content
generation is renewed with it, so the cached fragments are rebuilt as well. Publishing,
unpublishing, moving or deleting a policy page that rules are linked to purges the guides
too (their link back names the page's title and address, and only live pages).
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalogue.models import ApplicationKind, ServiceItem
from cms import invalidation
from policies.models import PolicyPage

from .models import SubsidyRuleSet

SUBSIDY_KINDS = (ApplicationKind.CONSTRUCTION_SUBSIDY, ApplicationKind.OPERATION_SUBSIDY)


def guide_urls() -> set[str]:
    """Full URLs of the subsidy service guides on every site."""
    codes = ServiceItem.objects.filter(kind__in=SUBSIDY_KINDS).values_list("code", flat=True)
    paths = [reverse("catalogue:guide", args=[code]) for code in codes]
    return {site.root_url + path for site in Site.objects.all() for path in paths}


def policy_urls(*page_ids) -> set[str]:
    pages = PolicyPage.objects.filter(pk__in=[pk for pk in page_ids if pk])
    return {url for url in (page.get_full_url() for page in pages) if url}


def affected_urls(rule_set) -> set[str]:
    before = rule_set.__dict__.pop("_policy_before", None)  # this save's, never a later one's
    return policy_urls(rule_set.policy_id, before) | guide_urls()


def remember_policy(sender, instance, raw=False, **kwargs):
    """Before a save: which policy page the stored row names (the page to purge too)."""
    if instance.pk is not None and not raw:
        instance._policy_before = (
            SubsidyRuleSet.objects.filter(pk=instance.pk)
            .values_list("policy_id", flat=True)
            .first()
        )


def changed(sender, instance, raw=False, **kwargs):
    if not raw:
        invalidation.after_commit(affected_urls(instance))


def policy_changed(sender, instance, **kwargs):
    """A policy page the guides link back to was published, unpublished, moved or deleted."""
    if SubsidyRuleSet.objects.filter(policy_id=instance.pk).exists():
        invalidation.after_commit(guide_urls())


def connect() -> None:
    pre_save.connect(remember_policy, sender=SubsidyRuleSet, dispatch_uid="subsidy_rules_before")
    post_save.connect(changed, sender=SubsidyRuleSet, dispatch_uid="subsidy_rules_saved")
    post_delete.connect(changed, sender=SubsidyRuleSet, dispatch_uid="subsidy_rules_deleted")
    for name, signal in (("published", page_published), ("unpublished", page_unpublished)):
        signal.connect(policy_changed, sender=PolicyPage, dispatch_uid=f"subsidy_policy_{name}")
    post_page_move.connect(policy_changed, dispatch_uid="subsidy_policy_moved")
    pre_delete.connect(policy_changed, sender=Page, dispatch_uid="subsidy_policy_deleted")

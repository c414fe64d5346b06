"""Links between a policy page, its subsidy rules and the service guides.

`{% subsidy_rules_for_policy page %}` on a policy page: 本政策适用于：建设补贴（2025 年度）
with links to the service guides; `{% subsidy_policies_for_item item %}` on a service
guide: the policies whose rules apply to that item, linking back.
"""

from django import template
from django.urls import reverse

from catalogue.models import ApplicationKind, ServiceItem

from ..models import SubsidyKind, SubsidyRuleSet

register = template.Library()

ITEM_KIND = {
    SubsidyKind.CONSTRUCTION.label: ApplicationKind.CONSTRUCTION_SUBSIDY,
    SubsidyKind.OPERATION.label: ApplicationKind.OPERATION_SUBSIDY,
}


def _guide_url(kind) -> str:
    item = ServiceItem.objects.filter(kind=kind, live=True).order_by("sort_order").first()
    return reverse("catalogue:guide", args=[item.code]) if item else ""


@register.inclusion_tag("subsidies/policy_applies.html")
def subsidy_rules_for_policy(page):
    entries = []
    for rule_set in SubsidyRuleSet.objects.filter(policy=page).order_by("year"):
        for label in rule_set.kinds:
            entries.append(
                {
                    "text": f"{label}（{rule_set.year} 年度）",
                    "url": _guide_url(ITEM_KIND[label]),
                    "example": rule_set.is_example,
                }
            )
    return {"entries": entries}


@register.inclusion_tag("subsidies/item_policies.html")
def subsidy_policies_for_item(item):
    kinds = {v: k for k, v in ITEM_KIND.items()}
    label = kinds.get(item.kind)
    if label is None:
        return {"rules": []}
    field = (
        "construction_enabled" if label == SubsidyKind.CONSTRUCTION.label else "operation_enabled"
    )
    rules = (
        SubsidyRuleSet.objects.filter(**{field: True}, policy__isnull=False, policy__live=True)
        .select_related("policy")
        .order_by("-year")
    )
    return {"rules": list(rules), "label": label}

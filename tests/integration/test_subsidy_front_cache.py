"""A subsidy rule-set change is visible through the real Varnish on the next request: the
policy page's "本政策适用于：…" line and the subsidy guide's link back are purged at commit
(subsidies.purge through cms.invalidation), for the page the rules were linked to before
and the one they are linked to now; the guide also when the linked page is unpublished
or published again."""

import pytest

from tests.applications import factories
from tests.integration.test_front_cache import varnish  # noqa: F401 (fixture)


@pytest.fixture
def policies(varnish, policy_index):  # noqa: F811
    from policies.models import PolicyPage

    factories.ensure_reference_data()
    pages = []
    for number, slug in enumerate(("construction-2025", "rules-2025"), start=1):
        page = PolicyPage(
            title=f"充电设施补贴通知{number}", slug=slug, document_number=f"豫充〔2025〕{number}号"
        )
        policy_index.add_child(instance=page)
        page.save_revision().publish()
        pages.append(page)
    return pages


def cached(varnish, path) -> str:  # noqa: F811
    varnish.get(path)
    status, headers, body = varnish.get(path)
    assert status == 200 and headers["X-Cache"] == "HIT", path
    return body


def fresh(varnish, path) -> str:  # noqa: F811
    status, headers, body = varnish.get(path)
    assert status == 200 and headers["X-Cache"] == "MISS", f"{path} served from the cache"
    return body


def test_rule_set_edits_reach_the_policy_pages_and_guides_through_varnish(
    varnish,  # noqa: F811
    policies,
):
    from policies.models import PolicyPage
    from subsidies.models import SubsidyRuleSet

    first, second = policies
    rule_set = SubsidyRuleSet.objects.create(
        year=2025, title="2025 年度补贴规则", policy=first, operation_enabled=False
    )
    construction, operation = "/services/construction-subsidy/", "/services/operation-subsidy/"
    body = cached(varnish, first.url)
    assert "本政策适用于：" in body and "建设补贴（2025 年度）" in body
    assert "运营补贴（2025 年度）" not in body
    assert first.title in cached(varnish, construction)
    assert first.title not in cached(varnish, operation)
    assert "本政策适用于" not in cached(varnish, second.url)

    rule_set.operation_enabled = True  # an edit: the page now also names 运营补贴
    rule_set.save()
    assert "运营补贴（2025 年度）" in fresh(varnish, first.url)
    assert first.title in fresh(varnish, operation)

    rule_set.policy = second  # linked to another page: the old one drops the line
    rule_set.save()
    assert "本政策适用于" not in fresh(varnish, first.url)
    assert "建设补贴（2025 年度）" in fresh(varnish, second.url)
    guide = fresh(varnish, construction)
    assert second.title in guide and first.title not in guide

    page = PolicyPage.objects.get(pk=second.pk)  # the guide links only to live pages
    page.unpublish()
    assert second.title not in fresh(varnish, construction)
    page.save_revision().publish()
    assert second.title in fresh(varnish, construction)

    rule_set.delete()
    assert "本政策适用于" not in fresh(varnish, second.url)
    assert second.title not in fresh(varnish, construction)

"""Policy page ↔ rule set ↔ service guide, and the admin snippet of the rules."""

import pytest

from policies.models import PolicyPage
from subsidies.models import SubsidyRuleSet
from tests.applications import factories

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def policy(policy_index):
    factories.ensure_reference_data()
    page = policy_index.add_child(
        instance=PolicyPage(
            title="充电设施建设补贴申报材料要求（示例）", document_number="豫充示〔2025〕1号"
        )
    )
    page.save_revision().publish()
    return page


def test_policy_page_says_which_subsidy_it_sets_and_the_guide_links_back(policy, client):
    from subsidies import demo

    (rule_set,) = demo.load(years=(2025,))
    assert rule_set.policy_id == policy.pk and rule_set.is_example
    rule_set.operation_enabled = False
    rule_set.save()
    page = client.get(policy.url)
    assert "本政策适用于：" in page.text
    assert 'href="/services/construction-subsidy/">建设补贴（2025 年度）</a>（示例）' in page.text
    guide = client.get("/services/construction-subsidy/")
    assert f'href="{policy.url}">2025 年度建设补贴：{policy.title}</a>（示例）' in guide.text
    # The operation guide does not claim this policy: the rule set gives no 运营补贴.
    assert policy.title not in client.get("/services/operation-subsidy/").text


def test_ratios_read_in_words_and_every_save_is_a_new_version(db):
    from subsidies import demo

    (rule_set,) = demo.load(years=(2030,))
    labels = [str(r) for r in rule_set.ratios.all()]
    assert labels[0] == "公共 · 交通枢纽：30%"
    assert "公共 · 所有建设场所：20%" in labels
    assert rule_set.eligible_equipment_labels == "直流充电桩、交流充电桩、变压器、配电设备"
    version = rule_set.version
    rule_set.save()
    assert SubsidyRuleSet.objects.get(pk=rule_set.pk).version == version + 1


def test_editors_edit_rules_in_the_admin(admin_client, db):
    from subsidies import demo

    (rule_set,) = demo.load(years=(2031,))
    listing = admin_client.get("/admin/snippets/subsidies/subsidyruleset/")
    assert listing.status_code == 200 and "2031 年度充电基础设施补贴规则" in listing.text
    edit = admin_client.get(f"/admin/snippets/subsidies/subsidyruleset/edit/{rule_set.pk}/")
    assert edit.status_code == 200
    assert "奖补比例" in edit.text and "可补贴设备种类" in edit.text

"""A rule-set change purges, at commit, the policy pages that print it (old and new) and
the subsidy service guides that link back, through the front cache like a publish."""

import pytest

from cms.cache import generation
from policies.models import PolicyPage
from subsidies.models import SubsidyRuleSet
from tests import test_cache_invalidation as recording
from tests.applications import factories
from tests.test_cache_invalidation import paths

pytestmark = [pytest.mark.django_db]
GUIDES = {"services/construction-subsidy/", "services/operation-subsidy/"}


@pytest.fixture
def purged(settings):
    """What the front cache was asked to purge (tests.test_cache_invalidation's backend)."""
    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": "tests.test_cache_invalidation.RecordingBackend"}
    }
    recording.PURGED.clear()
    return recording.PURGED


@pytest.fixture
def policies(policy_index, django_capture_on_commit_callbacks):
    factories.ensure_reference_data()
    made = []
    with django_capture_on_commit_callbacks(execute=True):  # their own purges run here
        for slug in ("subsidy-2025", "subsidy-2026"):
            page = PolicyPage(title=f"补贴通知 {slug}", slug=slug)
            policy_index.add_child(instance=page)
            page.save_revision().publish()
            made.append(page)
    return made


def test_create_edit_relink_and_delete_purge_the_policy_pages_and_guides(
    purged, policies, django_capture_on_commit_callbacks
):
    old, new = policies
    purged.clear()
    before = generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rule_set = SubsidyRuleSet.objects.create(year=2025, title="2025 年度规则", policy=old)
    assert purged == [], "purged before the commit"
    for callback in callbacks:
        callback()
    assert paths(purged) == {"policies/subsidy-2025/"} | GUIDES
    assert generation() != before

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rule_set.operation_enabled = False
        rule_set.save()
    assert paths(purged) == {"policies/subsidy-2025/"} | GUIDES

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rule_set = SubsidyRuleSet.objects.get(pk=rule_set.pk)
        rule_set.policy = new
        rule_set.save()
    assert paths(purged) == {"policies/subsidy-2025/", "policies/subsidy-2026/"} | GUIDES

    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rule_set.delete()
    assert paths(purged) == {"policies/subsidy-2026/"} | GUIDES


def test_a_rule_set_without_a_policy_purges_the_guides(
    purged, policies, django_capture_on_commit_callbacks
):
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        SubsidyRuleSet.objects.create(year=2026, title="2026 年度规则")
    assert paths(purged) == GUIDES


def test_an_edit_in_the_admin_purges_the_policy_page(
    purged, policies, admin_client, django_capture_on_commit_callbacks
):
    from subsidies import demo

    (rule_set,) = demo.load(years=(2027,))
    SubsidyRuleSet.objects.filter(pk=rule_set.pk).update(policy=policies[0])
    edit = admin_client.get(f"/admin/snippets/subsidies/subsidyruleset/edit/{rule_set.pk}/")
    assert edit.context["form"].initial["policy"] == policies[0].pk
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            f"/admin/snippets/subsidies/subsidyruleset/edit/{rule_set.pk}/",
            _post_data(edit, policy=policies[1].pk),
        )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert SubsidyRuleSet.objects.get(pk=rule_set.pk).policy_id == policies[1].pk
    assert {"policies/subsidy-2025/", "policies/subsidy-2026/"} | GUIDES <= paths(purged)


def _post_data(response, **changes) -> dict:
    """The edit form's current values as a POST, with ``changes``."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = value
    for formset in form.formsets.values():
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[f"{sub.prefix}-{name}"] = value
    data.update(changes)
    return data


def test_publishing_or_unpublishing_a_linked_policy_purges_the_guides(
    purged, policies, django_capture_on_commit_callbacks
):
    linked, unlinked = policies
    with django_capture_on_commit_callbacks(execute=True):
        SubsidyRuleSet.objects.create(year=2025, title="2025 年度规则", policy=linked)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=unlinked.pk).save_revision().publish()
    assert not GUIDES & paths(purged)  # no rules name this page: the guides stay
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=linked.pk).save_revision().publish()
    assert GUIDES <= paths(purged)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=linked.pk).unpublish()
    assert GUIDES <= paths(purged)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=linked.pk).delete()
    assert GUIDES <= paths(purged)

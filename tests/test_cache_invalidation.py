"""Publish, unpublish, move and delete purge the right URLs and renew the shared cache."""

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend

from cms.cache import generation
from policies.models import IssuingBody, PolicyIndexPage, PolicyPage

pytestmark = pytest.mark.django_db

PURGED: list[str] = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        PURGED.append(url)


@pytest.fixture
def purged(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": "tests.test_cache_invalidation.RecordingBackend"}
    }
    PURGED.clear()
    return PURGED


@pytest.fixture
def policy(policy_index):
    page = PolicyPage(title="补贴通知", slug="notice")
    policy_index.add_child(instance=page)
    page.save_revision().publish()
    return page


def paths(urls):
    return {url.split("://", 1)[1].split("/", 1)[1] for url in urls}


def test_publish_purges_page_indexes_home_and_feeds_after_commit(
    purged, policy, django_capture_on_commit_callbacks
):
    before = generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        policy.save_revision().publish()
    assert purged == [] and generation() == before  # nothing happens before the commit
    for callback in callbacks:
        callback()
    assert {"policies/notice/", "policies/", "", "policies/feed/rss/", "policies/feed/atom/"} <= (
        paths(purged)
    )
    assert {"sitemap.xml", "search/"} <= paths(purged)
    assert generation() != before


def test_unpublish_and_delete_purge_the_page(purged, policy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy.unpublish()
    assert "policies/notice/" in paths(purged)
    purged.clear()
    policy.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        policy.save_revision().publish()
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=policy.pk).delete()
    assert {"policies/notice/", "policies/", ""} <= paths(purged)


def test_move_purges_old_and_new_addresses(
    purged, policy, home_page, django_capture_on_commit_callbacks
):
    archive = home_page.add_child(instance=PolicyIndexPage(title="旧政策", slug="archive"))
    with django_capture_on_commit_callbacks(execute=True):
        PolicyPage.objects.get(pk=policy.pk).move(archive, pos="last-child")
    assert {"policies/notice/", "archive/notice/", "policies/", "archive/"} <= paths(purged)


def test_snippet_edit_renews_the_generation(purged, policy, django_capture_on_commit_callbacks):
    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        IssuingBody.objects.create(name="河南省发展和改革委员会")
    assert generation() != before
    assert "policies/" in paths(purged)

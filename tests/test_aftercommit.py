"""A publish purges the front cache before Wagtail's index updates run (cms.aftercommit)."""

import pytest
from django.db import transaction
from django_tasks.signals import task_started
from wagtail.contrib.frontend_cache.backends import BaseBackend

from cms import aftercommit
from policies.models import PolicyPage

EVENTS: list[tuple] = []


class RecordingBackend(BaseBackend):
    def purge(self, url):
        EVENTS.append(("purge", url))


def _started(sender, task_result, **kwargs):
    EVENTS.append(("task", task_result.task.name, tuple(task_result.args)))


@pytest.fixture
def events(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "recording": {"BACKEND": "tests.test_aftercommit.RecordingBackend"}
    }
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "cms.aftercommit.AfterCommitBackend"},
    }
    EVENTS.clear()
    task_started.connect(_started, dispatch_uid="test-aftercommit")
    yield EVENTS
    task_started.disconnect(dispatch_uid="test-aftercommit")


@pytest.mark.django_db
def test_publish_purges_first_and_indexes_once_after_the_commit(
    events, policy_index, django_capture_on_commit_callbacks
):
    page = PolicyPage(title="补贴通知", slug="notice")
    policy_index.add_child(instance=page)
    events.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            page.save_revision().publish()  # two saves of the page, each starting tasks
        assert events == [], "nothing runs before the commit"
    for callback in callbacks:
        callback()

    purges = [i for i, event in enumerate(events) if event[0] == "purge"]
    index_tasks = [e for e in events if e[0] == "task" and e[1] != "purge_urls_from_cache_task"]
    assert purges and index_tasks, events
    assert events.index(index_tasks[0]) > max(purges), "an index update ran before the purge"
    assert len(index_tasks) == len(set(index_tasks)), f"a task ran twice: {index_tasks}"
    tasks = index_tasks
    assert ("task", "insert_or_update_object_task", ("policies", "policypage", str(page.pk))) in (
        tasks
    )


def test_outside_a_transaction_work_runs_at_once():
    ran = []
    aftercommit.schedule(lambda: ran.append(1), first=True)
    assert ran == [1]


@pytest.mark.django_db
def test_work_of_a_rolled_back_transaction_never_runs(events, django_capture_on_commit_callbacks):
    ran = []
    try:
        with transaction.atomic():
            aftercommit.schedule(lambda: ran.append("rolled back"), key="a")
            raise RuntimeError
    except RuntimeError:
        pass
    with django_capture_on_commit_callbacks(execute=True):
        aftercommit.schedule(lambda: ran.append("committed"), key="b")
    assert ran == ["committed"]


@pytest.mark.django_db
def test_in_a_request_the_rest_waits_for_the_response(django_capture_on_commit_callbacks):
    """An editor's publish is two transactions: the index update of the first must not
    delay the purge of the second."""
    ran = []
    aftercommit._request_started()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            aftercommit.schedule(lambda: ran.append("index 1"), key="index")
        with django_capture_on_commit_callbacks(execute=True):
            aftercommit.schedule(lambda: ran.append("index 2"), key="index")
            aftercommit.schedule(lambda: ran.append("purge"), first=True)
        assert ran == ["purge"]
    finally:
        aftercommit._request_finished()
    assert ran == ["purge", "index 1"]  # the same work once


@pytest.mark.django_db
def test_work_left_by_a_request_without_its_end_signal_runs_at_the_next(
    django_capture_on_commit_callbacks,
):
    ran = []
    aftercommit._request_started()
    with django_capture_on_commit_callbacks(execute=True):
        aftercommit.schedule(lambda: ran.append("index"), key="index")
    aftercommit._request_started()  # the first request's end was never signalled
    try:
        assert ran == ["index"]
    finally:
        aftercommit._request_finished()

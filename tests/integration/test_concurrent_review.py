"""Two departments deciding the same application at the same moment, on PostgreSQL with
two real connections: the application must end approved, never stuck in review with
every department approved."""

import threading

import pytest
from django.db import connection

from applications import workflow
from applications.models import Application, State
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    ensure_reference_data,
    make_applicant,
    make_reviewer,
    ready_joint_application,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def private_folder_settings(settings, tmp_path):
    """Uploads in a local folder: this test is about the database, not the bucket."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def test_two_departments_approving_at_once_leave_the_application_approved(
    private_folder_settings, monkeypatch
):
    assert connection.vendor == "postgresql"
    ensure_reference_data()
    application = submit(ready_joint_application(make_applicant(), [POWER_ITEM, ROAD_ITEM]))
    power, urban = make_reviewer("power"), make_reviewer("urban")

    first_recomputed = threading.Event()
    second_done = threading.Event()
    real_recompute = workflow._recompute_state

    def recompute_then_wait(app):
        real_recompute(app)
        if threading.current_thread().name == "first":
            # Hold the first transaction open until the second decision has run (or
            # could not run because it waits for the lock).
            first_recomputed.set()
            second_done.wait(timeout=3)

    monkeypatch.setattr(workflow, "_recompute_state", recompute_then_wait)
    errors = []

    def run(user, after=None):
        try:
            if after is not None:
                after.wait(timeout=10)
            workflow.decide(Application.objects.get(pk=application.pk), user=user, approve=True)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            if threading.current_thread().name == "second":
                second_done.set()
            connection.close()

    first = threading.Thread(target=run, args=(power,), name="first")
    second = threading.Thread(target=run, args=(urban, first_recomputed), name="second")
    first.start()
    second.start()
    first.join(20)
    second.join(20)

    assert errors == []
    application.refresh_from_db()
    assert set(application.reviews.values_list("status", flat=True)) == {"approved"}
    assert application.state == State.CONNECTING  # 办结 after 装表接电 (issue 15)

"""Two archive paths: deleting an imported entry (no attachment) removes its stored
object, and ``archive_retry --stuck MINUTES`` requeues only entries still "running"
after that long.

Times are offsets from ``timezone.now()``; nothing here depends on today's date.
"""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks import task_backends

from applications.models import private_storage
from archive.models import ArchiveEntry
from catalogue.models import ApplicationKind
from tests.applications import factories
from tests.applications.conftest import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_folder(settings, tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def queue():
    backend = task_backends["archive"]
    backend.clear()
    yield backend.results
    backend.clear()


def imported_entry(name="验收报告.pdf", *, store=True, **values) -> ArchiveEntry:
    """An entry as archive_import makes it: its own stored object, no attachment."""
    data = factories.pdf_bytes()
    key = f"archive/imports/{hashlib.sha256(name.encode()).hexdigest()[:16]}.pdf"
    stored = private_storage().save(key, ContentFile(data)) if store else key
    return ArchiveEntry.objects.create(
        file=stored,
        kind="report",
        original_name=name,
        format="pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **values,
    )


# --- deleting an imported entry --------------------------------------------------------


def test_deleting_an_imported_entry_removes_its_stored_object(
    private_folder, django_capture_on_commit_callbacks, caplog
):
    entry = imported_entry()
    other = imported_entry("另一份报告.pdf")
    assert stored_files(private_folder) == {entry.file.name, other.file.name}

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        entry.delete()

    assert stored_files(private_folder) == {other.file.name}
    assert list(ArchiveEntry.objects.values_list("pk", flat=True)) == [other.pk]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_object_stays_until_the_deletion_commits(
    private_folder, django_capture_on_commit_callbacks
):
    entry = imported_entry()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ArchiveEntry.objects.filter(pk=entry.pk).delete()
    assert (private_folder / entry.file.name).exists()  # a rollback would keep the row
    for callback in callbacks:
        callback()
    assert stored_files(private_folder) == set()


def test_an_entry_whose_object_is_already_gone_deletes_without_error(
    private_folder, django_capture_on_commit_callbacks, caplog
):
    entry = imported_entry(store=False)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        entry.delete()
    assert not ArchiveEntry.objects.exists()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_deleting_an_attachments_entry_leaves_the_attachments_file(
    private_folder, django_capture_on_commit_callbacks
):
    owner = factories.make_applicant()
    application = factories.make_application(owner, ApplicationKind.ACCOUNT)
    attachment = factories.attach(application, "business-licence", factories.png_upload())
    before = stored_files(private_folder)
    assert attachment.file.name in before

    with django_capture_on_commit_callbacks(execute=True):
        ArchiveEntry.objects.filter(attachment=attachment).delete()

    assert stored_files(private_folder) == before


# --- archive_retry --stuck --------------------------------------------------------------


def retry(*args) -> str:
    out = io.StringIO()
    call_command("archive_retry", *args, stdout=out)
    return out.getvalue()


def test_retry_stuck_requeues_only_entries_running_longer_than_the_threshold(
    private_folder, queue, django_capture_on_commit_callbacks
):
    now = timezone.now()
    running = ArchiveEntry.Status.RUNNING
    stuck = imported_entry(
        "卡住.pdf", status=running, attempts=1, started_at=now - timedelta(minutes=31)
    )
    older = imported_entry(
        "更久.pdf", status=running, attempts=2, started_at=now - timedelta(hours=5)
    )
    fresh = imported_entry(
        "刚开始.pdf", status=running, attempts=1, started_at=now - timedelta(minutes=29)
    )
    failed = imported_entry("失败.pdf", status=ArchiveEntry.Status.FAILED, attempts=3)
    pending = imported_entry("排队.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        out = retry("--stuck", "30")

    assert out.strip().splitlines() == [
        f"[1/2] 卡住.pdf（档案编号 {stuck.pk}）… 已重新排队",
        f"[2/2] 更久.pdf（档案编号 {older.pk}）… 已重新排队",
        "共 2 个已重新排队，由后台 db_worker 识别。",
    ]
    assert sorted(r.args[0] for r in queue) == [stuck.pk, older.pk]
    for entry in (stuck, older):
        entry.refresh_from_db()
        assert (entry.status, entry.attempts, entry.started_at) == ("pending", 0, None)
    for entry, status, attempts in (
        (fresh, "running", 1),
        (failed, "failed", 3),
        (pending, "pending", 0),
    ):
        entry.refresh_from_db()
        assert (entry.status, entry.attempts) == (status, attempts)


def test_retry_stuck_with_nothing_stuck_says_so(
    private_folder, queue, django_capture_on_commit_callbacks
):
    imported_entry(
        status=ArchiveEntry.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        out = retry("--stuck", "30")
    assert out.strip() == "没有需要重新识别的材料。"
    assert list(queue) == []


def test_retry_stuck_refuses_a_threshold_below_one_minute(private_folder):
    with pytest.raises(CommandError, match="--stuck 的分钟数应大于 0。"):
        retry("--stuck", "0")

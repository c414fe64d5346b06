"""Background work of the archive, run by ``manage.py db_worker --backend archive``.

:func:`extract_entry` reads one entry's file (see :func:`archive.pipeline.run_extraction`)
and, when that fails, tries again later -- 30 s after the first attempt, 60 s after
the second -- until :attr:`ArchiveEntry.MAX_ATTEMPTS` attempts were made. The failure
and its reason stay visible to staff in 识别进度, where they can start it again.

Call :func:`enqueue_extraction` rather than the task itself: it enqueues once the
current transaction commits, so the worker never looks for a row that is not there yet.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import ArchiveEntry
from .pipeline import run_extraction

logger = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=30)  # times the number of attempts made so far


@task(backend="archive")
def extract_entry(entry_id: int) -> str | None:
    """Extract one entry; returns its status, or None when the entry no longer exists."""
    entry = ArchiveEntry.objects.select_related("attachment").filter(pk=entry_id).first()
    if entry is None:
        return None
    if entry.status == ArchiveEntry.Status.DONE:
        return entry.status  # enqueued twice; the first run did the work
    entry = run_extraction(entry)
    if entry.status == ArchiveEntry.Status.FAILED and entry.attempts < ArchiveEntry.MAX_ATTEMPTS:
        schedule_retry(entry)
    return entry.status


def schedule_retry(entry: ArchiveEntry):
    """Enqueue the entry again after 30 s × the attempts made so far."""
    run_after = timezone.now() + RETRY_DELAY * max(entry.attempts, 1)
    return extract_entry.using(run_after=run_after).enqueue(entry.pk)


def _enqueue(entry_id: int) -> None:
    try:
        extract_entry.enqueue(entry_id)
    except Exception:  # the queue is down: the entry stays pending, archive_retry finds it
        logger.exception("could not enqueue extraction of archive entry %s", entry_id)


def enqueue_extraction(entry: ArchiveEntry) -> None:
    """Queue the entry's extraction once the current transaction commits."""
    entry_id = entry.pk
    transaction.on_commit(lambda: _enqueue(entry_id))

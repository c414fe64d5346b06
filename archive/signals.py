"""Keeping the archive in step with applications (connected in ArchiveConfig.ready).

* an uploaded attachment gets its archive entry at once (one insert, in the upload's
  transaction) and its extraction is queued when that transaction commits;
* a deleted entry (directly, or with its attachment or application) leaves the index
  when the deletion commits, and the stored object of an imported entry is removed
  then too;
* a saved entry's row in the database engine's search table is rewritten at once, and
  so are the reviewing departments on its rows when a review is added or removed;
* what the index filters and shows by is refreshed when it changes and the change
  commits: an application's state (and with it the reviewing departments), the
  invoice lines that name an invoice file, an applicant's name, credit code or region.

Index updates wait for the commit so that a rolled-back change never reaches the
index; what :mod:`archive.indexing` does with them (nothing on the embedded default)
is decided there.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import Applicant
from applications.files import discard_objects
from applications.models import Application, Attachment, DepartmentReview, InvoiceLine

from . import indexing
from .models import ArchiveEntry
from .pipeline import create_entry_for_attachment
from .search import table
from .tasks import enqueue_extraction

logger = logging.getLogger(__name__)

# Applicant fields an archive document carries (name, credit code, region).
APPLICANT_FIELDS = {"name", "credit_code", "region", "region_id"}


def _after_commit(hook, *args) -> None:
    def run():
        try:
            hook(*args)
        except Exception:  # an index problem must never surface in the user's request
            logger.exception("archive index update %s%r failed", hook.__name__, args)

    transaction.on_commit(run)


def attachment_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    enqueue_extraction(create_entry_for_attachment(instance))


def entry_saved(sender, instance, raw=False, **kwargs):
    """The database engine's search row, in the saving transaction."""
    if not raw:
        table.store([instance.pk])


def entry_deleted(sender, instance, **kwargs):
    _after_commit(indexing.entry_deleted, instance.pk)
    if instance.attachment_id or not instance.file.name:
        return  # an attachment's objects are removed by applications.materials
    names = [instance.file.name]
    transaction.on_commit(lambda: discard_objects(names))


def application_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if created or raw:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    _after_commit(indexing.application_changed, instance.pk)


def invoice_line_changed(sender, instance, raw=False, **kwargs):
    if raw or not instance.invoice_file_id:
        return
    _after_commit(indexing.attachment_changed, instance.invoice_file_id)


def review_changed(sender, instance, raw=False, created=True, **kwargs):
    """A review added or removed: the departments on the search rows, at once (the index
    follows with the application's state, which changes with its reviews)."""
    if created and not raw:
        table.reviews_changed(instance.application_id)


def applicant_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if created or raw:
        return
    if update_fields is not None and not APPLICANT_FIELDS & set(update_fields):
        return  # status, last login and the like are not in the index
    _after_commit(indexing.applicant_changed, instance.pk)


def connect() -> None:
    post_save.connect(attachment_saved, sender=Attachment, dispatch_uid="archive_attachment_saved")
    post_save.connect(entry_saved, sender=ArchiveEntry, dispatch_uid="archive_entry_saved")
    post_delete.connect(entry_deleted, sender=ArchiveEntry, dispatch_uid="archive_entry_deleted")
    post_save.connect(
        application_saved, sender=Application, dispatch_uid="archive_application_saved"
    )
    post_save.connect(
        invoice_line_changed, sender=InvoiceLine, dispatch_uid="archive_invoice_line_saved"
    )
    post_delete.connect(
        invoice_line_changed, sender=InvoiceLine, dispatch_uid="archive_invoice_line_deleted"
    )
    post_save.connect(applicant_saved, sender=Applicant, dispatch_uid="archive_applicant_saved")
    post_save.connect(review_changed, sender=DepartmentReview, dispatch_uid="archive_review_saved")
    post_delete.connect(
        review_changed, sender=DepartmentReview, dispatch_uid="archive_review_deleted"
    )

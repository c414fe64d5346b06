"""Keeping the archive in step with applications (connected in ArchiveConfig.ready).

* an uploaded attachment gets its archive entry at once (one insert, in the upload's
  transaction) and its extraction is queued when that transaction commits;
* a deleted entry (directly, or with its attachment or application) leaves the index
  at once, and the stored object of an imported entry is removed after the commit;
* an application whose state changes re-indexes its entries (the index may filter by
  state).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from applications.models import Application, Attachment, private_storage

from . import indexing
from .models import ArchiveEntry

logger = logging.getLogger(__name__)


def attachment_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from .pipeline import create_entry_for_attachment
    from .tasks import enqueue_extraction

    enqueue_extraction(create_entry_for_attachment(instance))


def entry_deleted(sender, instance, **kwargs):
    try:
        indexing.entry_deleted(instance.pk)
    except Exception:
        logger.exception("removing archive entry %s from the index failed", instance.pk)
    if instance.attachment_id or not instance.file.name:
        return  # an attachment's objects are removed by applications.materials
    name = instance.file.name

    def delete_object():
        try:
            private_storage().delete(name)
        except Exception:
            logger.error("stored object %s could not be deleted; remove it by hand", name)

    transaction.on_commit(delete_object)


def application_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if created or raw:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    for entry in ArchiveEntry.objects.filter(attachment__application=instance):
        try:
            indexing.entry_changed(entry)
        except Exception:
            logger.exception("re-indexing archive entry %s failed", entry.pk)


def connect() -> None:
    post_save.connect(attachment_saved, sender=Attachment, dispatch_uid="archive_attachment_saved")
    post_delete.connect(entry_deleted, sender=ArchiveEntry, dispatch_uid="archive_entry_deleted")
    post_save.connect(
        application_saved, sender=Application, dispatch_uid="archive_application_saved"
    )

"""Hooks from the extraction pipeline to the archive's search index.

The pipeline (and the signals in :mod:`archive.signals`) call these two functions and
nothing else; what "indexing" means is decided here, so extraction never depends on
the search side:

* with OpenSearch configured (``WAGTAILSEARCH_BACKENDS["default"]`` has ``URLS``), the
  entry's document is written to the archive index (:mod:`archive.documents`);
* on the embedded default the database engine reads ArchiveEntry rows directly, so
  there is nothing to do.

* :func:`entry_changed` -- an entry's text, fields or status changed (extraction
  finished), or something it is filtered by changed (its application's state, and
  with it the reviewing departments).
* :func:`entry_deleted` -- the entry's row was deleted; only the primary key is left.

Neither raises for index trouble: an unreachable or failing OpenSearch is logged as a
warning and the caller goes on; ``manage.py archive_reindex`` repairs the index.
"""

from __future__ import annotations

import logging

from opensearchpy.exceptions import ImproperlyConfigured, OpenSearchException

from . import documents

logger = logging.getLogger(__name__)

INDEX_ERRORS = (OpenSearchException, ImproperlyConfigured, OSError)


def entry_changed(entry) -> None:
    """(Re)index one ArchiveEntry."""
    if not documents.is_configured():
        return
    try:
        documents.index_entry(entry)
    except INDEX_ERRORS as exc:
        logger.warning(
            "archive entry %s was not indexed (OpenSearch: %s); run `manage.py archive_reindex`",
            entry.pk,
            exc,
        )


def entry_deleted(entry_id: int) -> None:
    """Remove the entry with this primary key from the index."""
    if not documents.is_configured():
        return
    try:
        documents.delete_entry(entry_id)
    except INDEX_ERRORS as exc:
        logger.warning(
            "archive entry %s was not removed from the index (OpenSearch: %s); "
            "run `manage.py archive_reindex`",
            entry_id,
            exc,
        )


def application_changed(application) -> None:
    """Re-index every entry of an application (its state or departments changed)."""
    from .models import ArchiveEntry

    for entry in ArchiveEntry.objects.filter(attachment__application=application):
        entry_changed(entry)

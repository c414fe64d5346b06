"""Hooks from the extraction pipeline to the archive's search index.

The pipeline (and the signals in :mod:`archive.signals`) call the functions below and
nothing else; what "indexing" means is decided here, so extraction never depends on
the search side:

* with OpenSearch configured (``WAGTAILSEARCH_BACKENDS["default"]`` has ``URLS``), the
  entry's document is written to the archive index (:mod:`archive.documents`);
* always, the database engine's search table (:mod:`archive.search.table`) is
  rewritten for the entries (it is also written when an entry row is saved): it
  copies the application's state, region and codes and the invoice lines' codes.

* :func:`entry_changed` -- an entry's text, fields or status changed (extraction
  finished), or something it is filtered by changed (its application's state, and
  with it the reviewing departments).
* :func:`entry_deleted` -- the entry's row was deleted; only the primary key is left.
* :func:`application_changed`, :func:`attachment_changed`, :func:`applicant_changed`
  -- something the documents of those entries carry changed (state and departments,
  invoice lines, applicant name/credit code/region); :mod:`archive.signals` calls
  them once the change is committed.

None of them raises for index trouble: an unreachable or failing OpenSearch is logged as a
warning and the caller goes on; ``manage.py archive_reindex`` repairs the index. After
a connection failure OpenSearch is left alone for a short cool-down
(``documents.COOLDOWN_SECONDS``), so a hung cluster does not slow every request down.
"""

from __future__ import annotations

import logging

from django.db.models import Q
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import ImproperlyConfigured, OpenSearchException

from . import documents
from .models import ArchiveEntry
from .search import table

logger = logging.getLogger(__name__)

INDEX_ERRORS = (OpenSearchException, ImproperlyConfigured, OSError)
REPAIR = "run `manage.py archive_reindex` once OpenSearch is back"


def _call(action, what: str, entry_id) -> None:
    if not documents.is_configured():
        return
    if not documents.available():
        logger.warning(
            "archive entry %s was not %s: OpenSearch was unreachable moments ago; %s",
            entry_id,
            what,
            REPAIR,
        )
        return
    try:
        action()
    except INDEX_ERRORS as exc:
        if isinstance(exc, OpenSearchConnectionError | OSError):
            documents.mark_unreachable()
        logger.warning(
            "archive entry %s was not %s (OpenSearch: %s); %s", entry_id, what, exc, REPAIR
        )


def entry_changed(entry) -> None:
    """(Re)index one ArchiveEntry."""
    table.store([entry.pk])
    _call(lambda: documents.index_entry(entry), "indexed", entry.pk)


def entry_deleted(entry_id: int) -> None:
    """Remove the entry with this primary key from the index."""
    _call(lambda: documents.delete_entry(entry_id), "removed from the index", entry_id)


def _entries_changed(*conditions, **lookup) -> None:
    """Rewrite the search-table rows of these entries and, with OpenSearch, their
    documents (:func:`entry_changed` does both, one entry at a time)."""
    entries = ArchiveEntry.objects.filter(*conditions, **lookup).order_by("pk")
    if not documents.is_configured():
        table.store(entries.values_list("pk", flat=True))
        return
    for entry in entries:
        entry_changed(entry)


def application_changed(application) -> None:
    """Re-index every entry of an application (its state or departments changed);
    takes the application or its primary key."""
    _entries_changed(attachment__application=getattr(application, "pk", application))


def attachment_changed(attachment_id: int) -> None:
    """Re-index the entry of one attachment (an invoice line naming it changed)."""
    _entries_changed(attachment_id=attachment_id)


def applicant_changed(applicant_id: int) -> None:
    """Re-index the entries of an applicant (name, credit code or region changed):
    their own imported entries and those of their applications."""

    theirs = Q(applicant_id=applicant_id) | Q(attachment__application__applicant_id=applicant_id)
    _entries_changed(theirs)

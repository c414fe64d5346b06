"""The reviewer's archive search: one service, two engines that give the same answers.

`archive_search(user, query, ...)` asks OpenSearch when it is configured (the archive
index of :mod:`archive.documents`) and the database otherwise — or when OpenSearch
does not answer, with a warning in the log. Both engines follow the same rules:

* The query is split into words (at most ``MAX_WORDS``, ``MAX_QUERY_CHARS`` characters;
  longer queries raise :class:`QueryTooLong` with a Chinese message). Every word must
  match. Each chunk of a word (search/text.py) must occur as written in the entry's
  text, file name or applicant name: Han characters adjacent (目标准 is not found
  where only 目标 and 标准 occur), letters and digits as a whole run.
* A word that looks like a code (4+ letters/digits with a digit: 9141…, an invoice
  number, a reference, a SHA-256) also matches exactly or by prefix on the codes of
  the material (invoice code/number, SHA-256, 8–20 character codes in the text) and
  of its application (credit code, reference). Those matches are boosted far above
  text relevance, material codes above application codes and exact above prefix, so
  the very licence or invoice that carries the code comes first.
* Text relevance: file-name/applicant matches weigh 3 (per word on the database), then
  BM25 on OpenSearch; the database engine orders equal scores newest first, so it never
  scores every match of a common word in Python or SQL beyond those constants.
* Visibility: superusers see every entry (also imported paper archives without an
  application); department members see entries whose application is under review
  by one of their departments (not drafts); anybody else sees nothing.
* Facets (kind, application type, state, department, city, year) count the results
  with every other selected filter applied, so several values of one facet can be
  ticked together.

After a connection failure the database answers for a short cool-down
(``documents.COOLDOWN_SECONDS``) before OpenSearch is tried again.

Highlighted fragments and duplicate flags are computed in Python from the database
rows of the page's hits, the same way for both engines.

Layout: ``_query`` (words, limits, scope, filters), ``_database`` and ``_opensearch``
(the engines, each ``run(words, scope, filters, page, per_page)``; the database engine's
facet sums in ``_facets``, its tables in ``table``), ``_hits`` (what a reviewer sees). Duplicate detection lives in :mod:`archive.duplicates`.
"""

from __future__ import annotations

import logging

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import OpenSearchException

from .. import documents
from . import _database, _opensearch
from ._hits import ArchiveResults, Hit, build_hits
from ._query import (
    FACETS,
    MAX_QUERY_CHARS,
    MAX_WORDS,
    QueryTooLong,
    Word,
    clean_filters,
    parse_query,
    scope_for,
)

__all__ = [
    "FACETS",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "MAX_WORDS",
    "ArchiveResults",
    "Hit",
    "QueryTooLong",
    "Word",
    "archive_search",
    "parse_query",
]

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # OpenSearch's default max_result_window


def archive_search(
    user,
    query: str,
    *,
    kind=None,
    application_kind=None,
    state=None,
    department=None,
    region=None,
    year=None,
    page: int = 1,
    per_page: int = 20,
    engine: str | None = None,
) -> ArchiveResults:
    """Search the archive as `user` sees it. `engine` forces "opensearch" or "database"."""
    query = (query or "").strip()
    filters = clean_filters(
        kind=kind,
        application_kind=application_kind,
        state=state,
        department=department,
        region=region,
        year=year,
    )
    per_page = max(1, min(int(per_page or 20), MAX_PER_PAGE))
    page = max(1, int(page or 1))
    page = min(page, max(1, MAX_WINDOW // per_page))
    words = parse_query(query)
    scope = scope_for(user)
    use_opensearch = documents.is_configured() if engine is None else engine == "opensearch"

    if scope.nothing:
        name = "opensearch" if use_opensearch else "database"
        return ArchiveResults(query, [], 0, {f: {} for f in FACETS}, name, page, per_page, filters)

    if use_opensearch and engine is None and not documents.available():
        logger.warning("archive search: OpenSearch was unreachable moments ago, using the database")
        use_opensearch = False
    if use_opensearch:
        try:
            ranked, total, facets = _opensearch.run(words, scope, filters, page, per_page)
            name = "opensearch"
        except (OpenSearchException, OSError) as exc:
            if isinstance(exc, OpenSearchConnectionError | OSError):
                documents.mark_unreachable()
            logger.warning("archive search: OpenSearch failed, using the database: %s", exc)
            use_opensearch = False
    if not use_opensearch:
        ranked, total, facets = _database.run(words, scope, filters, page, per_page)
        name = "database"

    hits = build_hits(ranked, query, words)
    return ArchiveResults(query, hits, total, facets, name, page, per_page, filters)

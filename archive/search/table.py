"""The database engine's search table (:class:`archive.models.SearchText`).

Each entry's file name, applicant name and text become one stream of index terms
(search/text.py: chunk pair sequences, then units), so a query chunk of three or more
units is a phrase of its pairs and matches only where those characters stand together,
exactly like site search. The engines:

* SQLite: an FTS5 table ``archive_search_fts`` over the ``terms`` column (external
  content; insert/update/delete triggers keep it in step, created by migration
  ``archive/0003``); a word is ``"p1 p2 p3" AND "t"`` in FTS5's query language.
* PostgreSQL: a GIN index on ``to_tsvector('simple', terms)``; a word is
  ``phraseto_tsquery(group) && …`` ('simple' keeps the terms as they are).

PostgreSQL stores positions up to 16 383, so a stream is cut at ``MAX_TERMS`` terms
(file and applicant names come first and are always whole) and the row is marked
``truncated``: for those few rows the query also scans the raw text, so nothing is
lost. Rows are written whenever an entry is saved, extracted (``indexing``) or its
applicant renamed; ``manage.py archive_reindex --database`` rebuilds them all.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import CharField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from search.text import index_terms

from ..models import ArchiveEntry, SearchText

MAX_TERMS = 16_000
BATCH = 1000
FTS_TABLE = "archive_search_fts"


def terms_for(original_name: str, applicant_name: str, text: str) -> tuple[str, bool]:
    """(the space-separated term stream, whether it was cut at MAX_TERMS)."""
    terms = [*index_terms(original_name), *index_terms(applicant_name), *index_terms(text)]
    return " ".join(terms[:MAX_TERMS]), len(terms) > MAX_TERMS


def _sources(entry_ids):
    return (
        ArchiveEntry.objects.filter(pk__in=entry_ids)
        .annotate(
            x_name=Coalesce(
                "applicant__name",
                "attachment__application__applicant__name",
                Value(""),
                output_field=CharField(),
            )
        )
        .values_list("pk", "original_name", "x_name", "text")
    )


def store(entry_ids) -> None:
    """(Re)write the rows of these entries (missing entries are skipped)."""
    entry_ids = list(entry_ids)
    for start in range(0, len(entry_ids), BATCH):
        batch = entry_ids[start : start + BATCH]
        rows = []
        for pk, name, applicant, text in _sources(batch):
            terms, truncated = terms_for(name or "", applicant or "", text or "")
            rows.append(SearchText(entry_id=pk, terms=terms, truncated=truncated))
        SearchText.objects.filter(entry_id__in=[r.entry_id for r in rows]).delete()
        SearchText.objects.bulk_create(rows)


def rebuild(stdout=None) -> int:
    """Every entry's row again; returns how many were written."""
    SearchText.objects.all().delete()
    ids = list(ArchiveEntry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH * 10):
        store(ids[start : start + BATCH * 10])
        if stdout is not None:
            stdout.write(f"  {min(start + BATCH * 10, len(ids)):,} / {len(ids):,}")
    return len(ids)


def matching(groups: list[tuple[str, ...]]) -> RawSQL:
    """Entry ids whose terms hold every group (a term, or a phrase of terms)."""
    if connection.vendor == "postgresql":
        query = " && ".join(["phraseto_tsquery('simple'::regconfig, %s)"] * len(groups))
        return RawSQL(
            "SELECT entry_id FROM archive_searchtext "
            f"WHERE to_tsvector('simple'::regconfig, terms) @@ ({query})",
            [" ".join(group) for group in groups],
        )
    expression = " AND ".join('"' + " ".join(group) + '"' for group in groups)
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])

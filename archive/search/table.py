"""The database engine's search tables: terms (:class:`archive.models.SearchText`),
narrow rows (:class:`archive.models.SearchRow`) and codes
(:class:`archive.models.SearchCode`), one set per entry.

``SearchRow`` holds what the engine filters, counts and orders by, copied from the
entry, its application and applicant (kind, application type and state, county and
city, year, upload time, the application and the codes of its reviewing departments),
so a search reads small rows, never the joins behind them. ``SearchText`` holds the
entry's file name, applicant name and text as one stream of index terms (search/text.py:
chunk pair sequences, then units, then every chunk's triples), so a query chunk of four
or more units is a phrase of its pairs and matches only where those characters stand
together, exactly like site search, and a chunk of three units is the same phrase on
SQLite and its one triple term on PostgreSQL; ``names`` holds the terms of the two
names alone, for ranking. A text row also carries copies of the row's scope,
facet-group, region and time columns (``SearchText.COPIED``), written with the row and
when a review changes, so that PostgreSQL answers words without codes from the text
rows alone. The facet groups themselves are rows of ``SearchFacetGroup``. The engines:

* SQLite: an FTS5 table ``archive_search_fts`` over ``names`` and ``terms`` (external
  content; insert/update/delete triggers keep it in step, created by migration
  ``archive/0004``); a word is ``terms : ("p1 p2 p3" AND "t")`` in FTS5's query language.
* PostgreSQL: stored generated ``tsvector`` columns ``terms_tsv`` and ``names_tsv``
  (migration ``archive/0006``; not model fields: PostgreSQL computes them) with GIN
  indexes; a word is ``phraseto_tsquery(group) && …`` ('simple' keeps the terms as they
  are; a three-unit group is its triple, :func:`holding`). Stored, so a phrase's
  recheck reads the vector instead of parsing the text again. The rows are narrow
  (``toast_tuple_target`` 128, migration ``archive/0011``): the vectors, terms and names
  live out of line, so the matches of a common word are read from a few hundred pages,
  and only a phrase (a chunk of four or more units) reads its candidates' vectors from
  TOAST. (Migration 0008 had kept the vectors in the row for that recheck, when every
  chunk of three units was a phrase and the matches were read from ``SearchRow``.)

The material's codes (SHA-256, invoice code and number recognised or declared on an
invoice line, the 8–20 character codes in the text) are rows of ``SearchCode``,
upper-cased, found exactly or by prefix through a B-tree index; the application's codes
(the applicant's credit code, the reference) are columns of ``SearchRow``, so a prefix
that every credit code shares (9141) is a test on the row, not a look-up per match.

PostgreSQL stores positions up to 16 383, so a stream is cut at ``MAX_TERMS`` terms
(file and applicant names come first and are always whole; the triples come last, so
they are cut first: a text of more than about 5 300 characters) and the row is marked
``truncated``: for those few rows the query also scans the raw text, so nothing is
lost. Rows are written whenever an entry is saved, extracted (``indexing``), its
application's state or invoice lines change or its applicant is renamed;
``manage.py archive_reindex --database`` rebuilds them all.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from applications.models import DepartmentReview
from search.text import index_terms, triple, triples

from .. import documents
from ..models import ArchiveEntry, SearchCode, SearchFacetGroup, SearchRow, SearchText
from ._facets import GROUPED, group_key

MAX_TERMS = 16_000
BATCH = 1000
FTS_TABLE = "archive_search_fts"
TEXT_TABLE = SearchText._meta.db_table


def terms_for(original_name: str, applicant_name: str, text: str) -> tuple[str, bool]:
    """(the space-separated term stream, whether it was cut at MAX_TERMS): the sequences
    and units of the names and the text, then their triples (see the module docstring)."""
    values = (original_name, applicant_name, text)
    terms = [term for value in values for term in index_terms(value)]
    terms += [term for value in values for term in triples(value)]
    return " ".join(terms[:MAX_TERMS]), len(terms) > MAX_TERMS


def names_for(original_name: str, applicant_name: str) -> str:
    """The ``names`` stream: the two names' sequences and units, then their triples."""
    values = (original_name, applicant_name)
    terms = [term for value in values for term in index_terms(value)]
    return " ".join(terms + [term for value in values for term in triples(value)])


def _codes(entry, lines) -> set[tuple[str, str]]:
    """(code, source) pairs of the material, upper-cased (see :class:`SearchCode`)."""
    Source = SearchCode.Source
    found = {(entry.sha256, Source.SHA), (entry.invoice_code, Source.INVOICE)}
    found.add((entry.invoice_number, Source.INVOICE))
    for line in lines:
        found |= {(line.invoice_code, Source.INVOICE), (line.invoice_number, Source.INVOICE)}
    found |= {(code, Source.TEXT) for code in documents.find_codes(entry.text)}
    return {(code.upper(), source) for code, source in found if code}


def departments_column(codes) -> str:
    """The reviewing departments as SearchRow stores them: "|housing|power|" or ""."""
    codes = sorted(set(codes))
    return f"|{'|'.join(codes)}|" if codes else ""


def _reviewing(entries) -> dict[int, list[str]]:
    """Department codes reviewing each application of these entries."""
    ids = {entry.attachment.application_id for entry in entries if entry.attachment_id}
    pairs = DepartmentReview.objects.filter(application_id__in=ids).values_list(
        "application_id", "department__code"
    )
    found: dict[int, list[str]] = {}
    for application_id, code in pairs:
        found.setdefault(application_id, []).append(code)
    return found


def _rows(entry, lines, departments):
    """The SearchText, SearchRow and SearchCode rows of one entry."""
    application = entry.application
    applicant = entry.applicant or (application.applicant if application else None)
    region = application.region if application else (applicant.region if applicant else None)
    _regions, city = documents.region_codes(region)
    applicant_name = applicant.name if applicant else ""
    terms, truncated = terms_for(entry.original_name or "", applicant_name, entry.text or "")
    text = SearchText(
        entry_id=entry.pk,
        truncated=truncated,
        names=names_for(entry.original_name or "", applicant_name),
        terms=terms,
    )
    row = SearchRow(
        entry_id=entry.pk,
        application_id=application.pk if application else None,
        kind=entry.kind,
        app_kind=application.kind if application else "",
        state=application.state if application else "",
        city=city or "",
        county=region.code if region is not None and region.level == 3 else "",
        year=documents.entry_year(entry),
        time=documents.entry_time(entry),
        credit_code=(applicant.credit_code or "").upper() if applicant else "",
        reference=(application.reference or "").upper() if application else "",
        departments=departments_column(departments),
    )
    row.facet_group = facet_group(row)
    copy_row(row, text)
    codes = [
        SearchCode(entry_id=entry.pk, code=code, source=source)
        for code, source in sorted(_codes(entry, lines))
    ]
    return text, row, codes


def _entries(entry_ids):
    return ArchiveEntry.objects.filter(pk__in=entry_ids).select_related(
        "applicant__region__parent",
        "attachment__application__applicant",
        "attachment__application__region__parent",
    )


def store(entry_ids) -> None:
    """(Re)write the rows of these entries (missing entries are skipped)."""
    entry_ids = list(entry_ids)
    for start in range(0, len(entry_ids), BATCH):
        batch = entry_ids[start : start + BATCH]
        entries = list(_entries(batch))
        lines = documents.invoice_lines_by_attachment(entries)
        reviewing = _reviewing(entries)
        texts, rows, codes = [], [], []
        for entry in entries:
            application = entry.application
            departments = reviewing.get(application.pk, []) if application else []
            text, row, entry_codes = _rows(entry, lines.get(entry.attachment_id, []), departments)
            texts.append(text)
            rows.append(row)
            codes += entry_codes
        with transaction.atomic():
            for model in (SearchText, SearchRow, SearchCode):
                model.objects.filter(entry_id__in=batch).delete()
            SearchText.objects.bulk_create(texts)
            SearchRow.objects.bulk_create(rows)
            SearchCode.objects.bulk_create(codes)
            add_groups(rows)


def rebuild(stdout=None) -> int:
    """Every entry's row again, then the planner's statistics of the tables; returns how
    many were written."""
    for model in (SearchText, SearchRow, SearchCode):
        model.objects.all().delete()
    ids = list(ArchiveEntry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH * 10):
        store(ids[start : start + BATCH * 10])
        if stdout is not None:
            stdout.write(f"  {min(start + BATCH * 10, len(ids)):,} / {len(ids):,}")
    refresh_statistics()
    return len(ids)


STATISTICS_TABLES = (SearchRow, SearchText, SearchCode, SearchFacetGroup)


def refresh_statistics() -> None:
    """PostgreSQL, after rewriting every row: the planner's statistics of the search
    tables, and outside a transaction their visibility maps (VACUUM), at once instead of
    whenever autovacuum comes round. The engine's plans depend on them: without them a
    code prefix's estimate is a guess, and the probe of one entry's codes that a broad
    prefix makes for each row it misses ANDs in a bitmap of every code of the prefix
    (7 ms a row instead of 3 µs); without a visibility map no scan is index-only."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(model._meta.db_table for model in STATISTICS_TABLES)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def _fts_expression(column: str, groups: list[tuple[str, ...]]) -> str:
    phrases = " AND ".join('"' + " ".join(group) + '"' for group in groups)
    return f"{column} : ({phrases})"


def matching(groups: list[tuple[str, ...]], column: str = "terms") -> RawSQL:
    """Entry ids whose `column` (terms: names and text; names: the names alone) holds
    every group (a term, or a phrase of terms)."""
    if connection.vendor == "postgresql":
        test = holding(groups, column)
        return RawSQL(f"SELECT entry_id FROM {TEXT_TABLE} WHERE {test.sql}", test.params)
    return RawSQL(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
        [_fts_expression(column, groups)],
    )


def holding(groups: list[tuple[str, ...]], column: str = "terms") -> RawSQL:
    """PostgreSQL: the test that a text row's `column` holds every group, for a filter
    on :class:`SearchText` itself. A group of a three-unit chunk is its triple term, so
    the GIN index answers it without a phrase recheck."""
    query = " && ".join(["phraseto_tsquery('simple'::regconfig, %s)"] * len(groups))
    terms = [triple(group) or " ".join(group) for group in groups]
    # The query as a sub-select: PostgreSQL then plans with its default selectivity and
    # reads the GIN index even for a term in most rows; with the statistics of the column
    # it would scan the table and unpack every row's vector (1.0 s against 0.3 s for 补贴
    # at 100 000).
    return RawSQL(
        f'"{TEXT_TABLE}"."{column}_tsv" @@ (SELECT {query})',
        terms,
        output_field=BooleanField(),
    )


def facet_group(row: SearchRow) -> int:
    """The row's facet group, from its grouped columns (see :func:`._facets.group_key`)."""
    return group_key(getattr(row, column) for column in GROUPED)


def add_groups(rows) -> None:
    """The facet groups of these rows, added where missing (:class:`SearchFacetGroup`)."""
    groups = {
        row.facet_group: SearchFacetGroup(
            key=row.facet_group, **{column: getattr(row, column) for column in GROUPED}
        )
        for row in rows
    }
    SearchFacetGroup.objects.bulk_create(list(groups.values()), ignore_conflicts=True)


def copy_row(row: SearchRow, text: SearchText) -> None:
    """The row's values that a text search reads from the text row (SearchText.COPIED)."""
    for column in SearchText.COPIED:
        setattr(text, column, getattr(row, column))


def reviews_changed(application_id: int) -> None:
    """Rewrite the reviewing departments, and with them the facet group, on the rows of
    this application's entries and on their text rows (a review was added or removed),
    in the changing transaction."""
    codes = DepartmentReview.objects.filter(application_id=application_id).values_list(
        "department__code", flat=True
    )
    departments = departments_column(codes)
    changed = ["departments", "facet_group"]
    with transaction.atomic():  # locked: the key is computed from the columns read
        rows = SearchRow.objects.select_for_update().filter(application_id=application_id)
        rows = list(rows.only(*GROUPED))
        for row in rows:
            row.departments = departments
            row.facet_group = facet_group(row)
        SearchRow.objects.bulk_update(rows, changed, batch_size=BATCH)
        add_groups(rows)
        texts = [SearchText(entry_id=row.entry_id) for row in rows]
        for row, text in zip(rows, texts, strict=True):
            text.departments, text.facet_group = row.departments, row.facet_group
        SearchText.objects.bulk_update(texts, changed, batch_size=BATCH)

"""The database engine of the archive search (SQLite or PostgreSQL, no OpenSearch).

Everything is read from the search tables (:mod:`.table`): one narrow row per entry
with the columns the filters, facets and ordering use (``SearchRow``), its index terms
(``SearchText``: SQLite FTS5 or a PostgreSQL GIN index over the terms of
search/text.py, so a Han chunk matches only where its characters stand together —
目标准 is not 目标 + 标准 — and a code only as a whole run) and its material's codes
(``SearchCode``, exact or prefix through a B-tree); the application's codes (credit
code, reference) and the reviewing departments ("|housing|power|", rewritten when a
review is added or removed) are columns of the row. Rows whose text was too long to
index whole are also tested with substring and regular-expression lookups on the
entry's text, file name and applicant name.

No statement joins the entry, application, applicant, region or review tables. The
conditions and scores are built in :mod:`._match`: the words without codes are one
query of the search table (the index intersects them); a code word is one IN over a
UNION ALL of its ways to match, or for a prefix of most credit codes (9141, SQLite) a
test on every row. A code boost is membership of a set computed once per statement or
a test on the row, never a look-up per match; the score is one flat sum (a + b + c …),
so long queries neither exhaust Python's recursion limit nor SQLite's parser stack.

* SQLite: two statements. The counts walk the covering facet index in group order,
  probing each row in the matches (:func:`._match.walk_rows`), and sum the facets from
  the groups (:mod:`._facets`); the page looks the matches up by rowid and orders them
  (code boosts, then names, then newest first) with LIMIT — for a broad code prefix
  from the few boosted rows and four newest-first tiers (:func:`._broad.page`).
* PostgreSQL: one statement. The matches with their score, time and facet group are
  materialised once — for words without codes straight from the text rows the GIN
  index points at, which carry copies of the columns needed (``SearchText.COPIED``,
  migration 0010); otherwise the narrow rows scanned against a hash of the matches —
  counted per facet group (whose columns are ``SearchFacetGroup`` rows), and both the
  facet counts and the numbered page come from them, so a phrase is rechecked once;
  the text rows are narrow and a three-character chunk is one term there (migration
  0011). What matches most rows lists none of them (:mod:`._broad`): browsing counts
  every row of the scope per group from an index and reads the page newest first, and
  a broad code (9141) counts every row less the few it misses.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Sum

from ..models import SearchFacetGroup
from . import _broad, _facets
from ._facets import GROUPED
from ._match import (
    broad_codes,
    filter_q,
    filtered,
    matches,
    scored,
    shared_sets,
    sql_of,
    text_matches,
    walk_rows,
    when,
)


def _region_sum(filters: dict) -> dict:
    """``n_region``: the matches of a group in the selected region (a county is not a
    grouped column, so a group can be partly in it)."""
    if "region" not in filters:
        return {}
    return {"n_region": Sum(when(filter_q("region", filters["region"]), 1))}


def _counts(base, filters: dict) -> tuple[int, dict]:
    """(total, facets) in one statement: the matches grouped by the facet columns in one
    pass (on SQLite over the covering facet index), then each facet summed from the
    groups that pass the other selected filters (:mod:`._facets`)."""
    counted = {"n": Count("*"), **_region_sum(filters)}
    grouped, params = sql_of(base.order_by().values_list(*GROUPED).annotate(**counted))
    sql, facet_params = _facets.selects(filters)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH g AS MATERIALIZED ({grouped}) {sql}", [*params, *facet_params])
        total, facets, _page = _facets.read(cursor.fetchall())
    return total, facets


def _counts_and_page(words, scope, filters, start: int, stop: int, broad: frozenset[str]):
    """PostgreSQL: counts and page in one statement over one materialised match set
    (``m``), so the text query (a phrase rechecks every candidate) runs once; the
    matches are counted per facet group (:func:`._facets.grouped`)."""
    if words and not any(word.code for word in words):
        parts = text_matches(words, scope)
    else:
        parts = [matches(words, scope, broad, walk=walk_rows(words))]
    fields = ("entry_id", "time", "x_score", "facet_group", "city", "county")
    score = scored(words, broad)
    parts = [part.annotate(x_score=score).order_by().values(*fields) for part in parts]
    m, params = sql_of(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])
    shared, shared_params = shared_sets(words, broad)
    groups, group_params = _facets.grouped(SearchFacetGroup._meta.db_table, filters)
    sql, facet_params = _facets.selects(filters)
    page, page_params = _facets.page_select(filters, start, stop)
    ctes = ", ".join([*shared, f"m AS MATERIALIZED ({m})", groups])
    statement = f"WITH {ctes} {sql} UNION ALL {page}"
    params = [*shared_params, *params, *group_params, *facet_params, *page_params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return _facets.read(cursor.fetchall())


def _page(words, scope, filters, start: int, stop: int, broad: frozenset[str]) -> list:
    """[(entry id, score)] of one page: code boosts, then names, then newest first. The
    matches are looked up directly (a page reads the time and scores, which the facet
    index does not hold)."""
    if _only_broad(words, broad):
        return _broad.page(words[0], scope, filters, stop)[start:stop]
    results = filtered(matches(words, scope, broad), filters)
    results = results.annotate(x_score=scored(words, broad))
    order = ("-x_score", "-time", "-entry_id")
    return list(results.order_by(*order).values_list("entry_id", "x_score")[start:stop])


def _only_broad(words, broad: frozenset[str]) -> bool:
    """The query is one code that prefixes most applications' codes (:mod:`._broad`)."""
    return len(words) == 1 and words[0].code in broad


def run(words, scope, filters, page, per_page):
    """(ranked [(entry id, score)], total, facets) for one page."""
    start, stop = (page - 1) * per_page, page * per_page
    broad = broad_codes(words)
    if connection.vendor == "postgresql" and not words:
        total, facets, ranked = _broad.browse(scope, filters, start, stop)
    elif connection.vendor == "postgresql" and _only_broad(words, broad):
        total, facets, ranked = _broad.counts_and_page(words[0], scope, filters, start, stop)
    elif connection.vendor == "postgresql":
        total, facets, ranked = _counts_and_page(words, scope, filters, start, stop, broad)
    else:
        total, facets = _counts(matches(words, scope, broad, walk=walk_rows(words)), filters)
        ranked = _page(words, scope, filters, start, stop, broad) if total else []
    return [(pk, float(score)) for pk, score in ranked], total, facets

"""Queries that match most of the archive: browsing (no words), and a code that
prefixes most applications' codes (9141: :func:`._match.is_broad`).

A broad code matches nearly every row, so neither engine scores and sorts every match.
Besides the few rows with a rare boost (the code in their names, exactly on their
material or exactly the application's), a match scores by two memberships only — the
code as a prefix on its material (MATERIAL_PREFIX) and on its application's codes
(APPLICATION_PREFIX) — which make four tiers. Each tier is read newest first and cut at
the page's end, and their merge is the order :func:`._match.score_of` gives.

* SQLite (:func:`page`): the counts come from the general statement, the page from the
  rare rows and the four tiers, one query each.
* PostgreSQL (:func:`counts_and_page`): one statement. The counts are those of every
  row in the scope (an index-only pass over ``archive_row_groups``, migration 0013)
  less those of the rows that do not match: the few whose credit code lies outside the
  prefix's range (a B-tree range) and whose reference, material and text do not hold
  the code either. The 94 000 matches of 9141 at 100 000 entries are neither listed nor
  scored (91 against 261 ms for the general statement, timed interleaved).
* PostgreSQL, browsing (:func:`browse`): the counts of every row in the scope, the page
  newest first from the time index (32 against 137 ms at 100 000 entries).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import BooleanField, F, Func, IntegerField, Q, Subquery, Value
from django.db.models.expressions import RawSQL

from ..models import SearchFacetGroup, SearchRow
from . import _facets, table
from ._match import (
    APPLICATION_PREFIX,
    MATERIAL_PREFIX,
    NEWEST,
    application_clauses,
    code_rows,
    entries_holding,
    filtered,
    material_clauses,
    material_code,
    own_codes,
    scope_q,
    score_of,
    sql_of,
)
from ._query import Scope, Word

_EPOCH = datetime.min.replace(tzinfo=UTC)  # no upload time: last, as NULL in SQLite
_TIER_FIELDS = ("entry_id", "time", "x_score")


def _rare(word: Word) -> RawSQL:
    """Entries with a rare boost: the code in their names, exactly on their material, or
    exactly the application's credit code or reference (one UNION ALL of look-ups)."""
    names = table.matching(word.groups, "names")
    parts = [
        (names.sql, tuple(names.params)),
        sql_of(code_rows(word, material_clauses(word)[0][0])),
        sql_of(SearchRow.objects.filter(application_clauses(word)[0][0]).values("entry_id")),
    ]
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS r{i}" for i, (part, _p) in enumerate(parts)
    )
    return RawSQL(sql, tuple(p for _part, params in parts for p in params))


def _range_test(column: str, operator: str, value: str) -> Q:
    """A byte-order comparison the column's pattern-ops index serves (PostgreSQL)."""
    test = Func(F(column), Value(value), arg_joiner=f" {operator} ", template="%(expressions)s")
    return Q(Func(test, template="(%(expressions)s)", output_field=BooleanField()))


def _outside(word: Word) -> Q:
    """The application's codes do not start with the code. On PostgreSQL the credit
    code's half is the two B-tree ranges around the prefix (codes are ASCII letters and
    digits, so the prefix's range ends where its last character is one higher), which
    the index reads for the few rows outside them."""
    on_application = application_clauses(word, scan=True)[1][0]
    if connection.vendor != "postgresql":
        return ~on_application
    code = word.code
    after = code[:-1] + chr(ord(code[-1]) + 1)
    below_or_above = _range_test("credit_code", "~<~", code) | _range_test(
        "credit_code", "~>=~", after
    )
    return below_or_above & ~Q(reference__startswith=code)


def _no_material_code(word: Word) -> Q:
    """The row's material does not carry the code: one probe of its own codes (LIMIT 1
    keeps the planner from hashing every code of the prefix, 54 000 for 9141, to test
    the 10 000 rows outside its range: 34 against 52–59 ms at 100 000 entries)."""
    first = Subquery(own_codes(word).values("entry_id")[:1])  # index-only
    return Q(Func(first, template="(%(expressions)s) IS NULL", output_field=BooleanField()))


def _tiers(word: Word, others) -> list[tuple[int, object]]:
    """(score, rows) of the four tiers of `others`, the matches without a rare boost."""
    on_material = material_code(word, material_clauses(word)[1][0])
    on_application = application_clauses(word, scan=True)[1][0]
    held = entries_holding(word, broad=True)
    return [
        (MATERIAL_PREFIX + APPLICATION_PREFIX, others.filter(on_material & on_application)),
        (MATERIAL_PREFIX, others.filter(on_material & _outside(word))),
        (APPLICATION_PREFIX, others.filter(on_application).exclude(on_material)),
        (0, others.filter(_outside(word), entry_id__in=held).exclude(on_material)),
    ]


def page(word: Word, scope: Scope, filters: dict, stop: int) -> list:
    """SQLite: [(entry id, score)] of the first `stop` matches, in the engine's order."""
    rows = filtered(SearchRow.objects.filter(scope_q(scope)), filters)
    rare = _rare(word)
    scored = rows.filter(entry_id__in=rare).annotate(
        x_score=score_of([word], frozenset([word.code]), few=True)
    )
    scored = scored.order_by("-x_score", *NEWEST)
    ranked = list(scored.values_list("entry_id", "x_score", "time")[:stop])
    for score, tier in _tiers(word, rows.exclude(entry_id__in=rare)):
        found = tier.order_by(*NEWEST).values_list("entry_id", "time")[:stop]
        ranked += [(pk, score, time) for pk, time in found]
    ranked.sort(key=lambda r: (r[1], r[2] or _EPOCH, r[0]), reverse=True)
    return [(pk, score) for pk, score, _time in ranked]


def _scope_rows(scope: Scope):
    """Every row of the scope, tested on its facet group (the scope's columns, departments
    and state, are grouped ones), so the rows are read from ``archive_row_groups`` alone."""
    if scope.everything:
        return SearchRow.objects.all()
    groups = SearchFacetGroup.objects.filter(scope_q(scope)).values("key")
    return SearchRow.objects.filter(facet_group__in=groups)


def _listed(word: Word, scope: Scope, filters: dict, stop: int) -> tuple[str, list]:
    """SQL of the rows a page is cut from, with their scores: every rarely boosted row
    and the first `stop` of each tier that pass the filters. The rare rows and the last
    tier, both few, are not ordered in their own select, which would let the planner
    walk the time index in search of them."""
    rows = filtered(SearchRow.objects.filter(scope_q(scope)), filters)
    rare = _rare(word)
    boosted = rows.filter(entry_id__in=rare).annotate(
        x_score=score_of([word], frozenset([word.code]), few=True)
    )
    parts = [sql_of(boosted.order_by().values(*_TIER_FIELDS))]
    for score, tier in _tiers(word, rows.exclude(entry_id__in=rare)):
        tier = tier.annotate(x_score=Value(score, output_field=IntegerField()))
        if score:
            tier = tier.order_by(*NEWEST).values(*_TIER_FIELDS)[:stop]
        else:
            tier = tier.order_by().values(*_TIER_FIELDS)
        parts.append(sql_of(tier))
    sql = " UNION ALL ".join(f"({part})" for part, _params in parts)
    return sql, [p for _part, params in parts for p in params]


def _statement(groups: tuple[str, list], listed: tuple[str, list], filters, start, stop):
    """(total, facets, page): the facets from ``g`` and the page from ``t`` (`listed`)."""
    (groups_sql, group_params), (listed_sql, listed_params) = groups, listed
    sql, facet_params = _facets.selects(filters)
    page_sql, page_params = _facets.page_select({}, start, stop, source="t")
    statement = f"WITH {groups_sql}, t AS MATERIALIZED ({listed_sql}) {sql} UNION ALL {page_sql}"
    with connection.cursor() as cursor:
        cursor.execute(statement, [*group_params, *listed_params, *facet_params, *page_params])
        return _facets.read(cursor.fetchall())


_GROUP_FIELDS = ("facet_group", "city", "county")


def counts_and_page(word: Word, scope: Scope, filters: dict, start: int, stop: int):
    """PostgreSQL, a broad code: (total, facets, page) in one statement, the counts as
    every row of the scope less the rows that do not match (:func:`._facets.grouped_rows`)."""
    missed = (
        SearchRow.objects.filter(scope_q(scope))
        .filter(_outside(word))
        .exclude(entry_id__in=entries_holding(word, broad=True))
        .filter(_no_material_code(word))
    )
    groups = _facets.grouped_rows(
        SearchFacetGroup._meta.db_table,
        filters,
        sql_of(_scope_rows(scope).order_by().values(*_GROUP_FIELDS)),
        sql_of(missed.order_by().values(*_GROUP_FIELDS)),
    )
    return _statement(groups, _listed(word, scope, filters, stop), filters, start, stop)


def browse(scope: Scope, filters: dict, start: int, stop: int):
    """PostgreSQL, no words: (total, facets, page) in one statement, the counts those of
    every row of the scope, the page the first `stop` rows that pass the filters read
    newest first from the time index."""
    groups = _facets.grouped_rows(
        SearchFacetGroup._meta.db_table,
        filters,
        sql_of(_scope_rows(scope).order_by().values(*_GROUP_FIELDS)),
    )
    rows = filtered(SearchRow.objects.filter(scope_q(scope)), filters)
    newest = rows.annotate(x_score=Value(0, output_field=IntegerField())).order_by(*NEWEST)
    listed = sql_of(newest.values(*_TIER_FIELDS)[:stop])
    return _statement(groups, listed, filters, start, stop)

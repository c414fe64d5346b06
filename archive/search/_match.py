"""Which search rows match a query, and how they score: the conditions both database
engines (SQLite, PostgreSQL) compile into their statements (:mod:`._database`,
:mod:`._broad`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, In, LessThan

from applications.models import State

from .. import documents
from ..models import SearchCode, SearchRow, SearchText
from . import table
from ._facets import FACET_COLUMNS
from ._query import CODE_PREFIX_MIN, SHA_PREFIX_MIN, Scope, Word

NAME_WEIGHT = 3
MATERIAL_EXACT = 1000  # the code is on this very material
MATERIAL_PREFIX = 400
APPLICATION_EXACT = 600  # the code is the application's (credit code, reference)
APPLICATION_PREFIX = 200
BROAD_ROWS = 5000  # a code prefix of more rows than this is tested on every row
NEWEST = ("-time", "-entry_id")

_NOT_ALNUM = "[^0-9A-Za-z]"
_Source = SearchCode.Source


def _has(field: str, needle: str, pattern: str) -> Q:
    """`field` matches `pattern` (which contains `needle`). A plain substring test runs
    first: the database evaluates it in C and skips the regular expression (a Python
    function on SQLite) for every row without the needle."""
    return Q(**{f"{field}__icontains": needle}) & Q(**{f"{field}__iregex": pattern})


def _part_in(part: str, fields: Iterable[str]) -> Q:
    """A chunk as written: Han characters as a substring, letters and digits as whole runs."""
    q = Q()
    if not re.search("[0-9a-z]", part):
        for name in fields:
            q |= Q(**{f"{name}__icontains": part})
        return q
    head = rf"(^|{_NOT_ALNUM})" if re.match("[0-9a-z]", part) else ""
    tail = rf"($|{_NOT_ALNUM})" if re.search("[0-9a-z]$", part) else ""
    pattern = head + re.escape(part) + tail
    for name in fields:
        q |= _has(name, part, pattern)
    return q


SCANNED_FIELDS = ("entry__text", "entry__original_name", "x_applicant_name")


def _scanned(words: list[Word]):
    """Entries whose text was too long to index whole and that hold the words as written."""
    rows = SearchText.objects.filter(truncated=True).annotate(
        x_applicant_name=Coalesce(
            F("entry__applicant__name"),
            F("entry__attachment__application__applicant__name"),
            Value(""),
            output_field=CharField(),
        )
    )
    for word in words:
        for part in word.parts:
            rows = rows.filter(_part_in(part, SCANNED_FIELDS))
    return rows.values("entry_id")


def _column(field: str, scan: bool, output_field=None):
    """The column, or on SQLite with `scan` the column behind a no-op unary plus, which
    keeps the planner from walking an index for a range that covers most rows
    (PostgreSQL's planner has statistics to tell)."""
    if not scan or connection.vendor != "sqlite":
        return F(field)
    return Func(F(field), template="+%(expressions)s", output_field=output_field or CharField())


SELECTIVE_CODE = 8  # a code word this long matches a handful of entries


def walk_rows(words: list[Word]) -> bool:
    """Whether to walk the rows and look each one up in the matches (:func:`_member`),
    rather than look up each match: the walk costs the same for any query and wins once
    matches run into the tens of thousands; a query with a long code matches a few
    rows, found directly."""
    return not any(word.code and len(word.code) >= SELECTIVE_CODE for word in words)


def _member(found: RawSQL, walk: bool) -> Q:
    """Rows whose entry is among `found`. Walking, SQLite reads the covering facet index
    in group order (the entry behind a no-op unary plus, so it cannot drive the look-up)
    and PostgreSQL scans the narrow rows against a hash of the matches (IS TRUE keeps
    the planner from turning the IN into a join, which it would size from a guess: a
    text query's estimate is a constant, see :func:`.table.matching`)."""
    if not walk:
        return Q(In(F("entry_id"), found))
    if connection.vendor == "postgresql":
        test = In(F("entry_id"), found)
        return Q(Func(test, template="(%(expressions)s) IS TRUE", output_field=BooleanField()))
    return Q(In(_column("entry_id", True, IntegerField()), found))


def _prefix(code: str, field: str = "code", scan: bool = False) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": code})  # served by the pattern-ops indexes
    column = _column(field, scan)  # a B-tree range
    return Q(GreaterThanOrEqual(column, code)) & Q(LessThan(column, code + "\U0010ffff"))


def material_clauses(word: Word) -> list[tuple[Q, int]]:
    """(condition on a SearchCode row, weight) of each way the word matches a code of the
    material, as OpenSearch has them. Every condition implies the code's prefix range."""
    code = word.code
    material = [_Source.SHA, _Source.INVOICE, _Source.TEXT]
    clauses = [(Q(code=code, source__in=material), MATERIAL_EXACT)]
    if len(code) >= CODE_PREFIX_MIN:
        prefixed = [_Source.INVOICE]
        if len(code) <= documents.CODE_MAX:
            prefixed.append(_Source.TEXT)
        if len(code) >= SHA_PREFIX_MIN:
            prefixed.append(_Source.SHA)
        clauses.append((_prefix(code) & Q(source__in=prefixed), MATERIAL_PREFIX))
    return clauses


def application_clauses(word: Word, scan: bool = False) -> list[tuple[Q, int]]:
    """(condition on a SearchRow, weight) of each way the word matches the application's
    codes (the applicant's credit code, the reference): column tests, no look-up."""
    code = word.code
    exact = Q(Exact(_column("credit_code", scan), code)) | Q(
        Exact(_column("reference", scan), code)
    )
    clauses = [(exact, APPLICATION_EXACT)]
    if len(code) >= CODE_PREFIX_MIN:
        either = _prefix(code, "credit_code", scan) | _prefix(code, "reference", scan)
        clauses.append((either, APPLICATION_PREFIX))
    return clauses


def is_broad(word: Word) -> bool:
    """Whether the word's code is a prefix of many applications' codes (9141: nearly
    every credit code)."""
    if len(word.code) < CODE_PREFIX_MIN:
        return False
    rows = SearchRow.objects.filter(_prefix(word.code, "credit_code")).values("pk")
    return rows[:BROAD_ROWS].count() >= BROAD_ROWS


def broad_codes(words: list[Word]) -> frozenset[str]:
    """The codes of the words that are broad (:func:`is_broad`), asked once per search."""
    return frozenset(word.code for word in words if word.code and is_broad(word))


def _shared(word: Word) -> str:
    """PostgreSQL, a broad code: the name of the statement's CTE of the entries whose
    material carries the code as a prefix (see :func:`shared_sets`). A code is letters
    and digits only (``_query._CODE_WORD``), so the name needs no quoting."""
    return f"material_prefix_{word.code.lower()}"


def shared_sets(words: list[Word], broad: frozenset[str]) -> tuple[list[str], list]:
    """PostgreSQL: one CTE per broad code of the entries whose material carries it as a
    prefix (tens of thousands for 9141), computed once and read by both the match and
    the score, where each would otherwise scan the codes for the same set."""
    ctes, params = [], []
    for word in words:
        if word.code in broad:
            sql, code_params = sql_of(code_rows(word, material_clauses(word)[1][0]))
            ctes.append(f"{_shared(word)} AS MATERIALIZED ({sql})")
            params += code_params
    return ctes, params


def _shared_rows(word: Word) -> RawSQL:
    return RawSQL(f"SELECT entry_id FROM {_shared(word)}", ())


def code_rows(word: Word, clause: Q | None = None):
    """Entry ids of the SearchCode rows the word's code matches (a range on the index):
    by any material clause, or by `clause` alone."""
    if clause is None:
        clause = Q()
        for q, _weight in material_clauses(word):
            clause |= q
    return SearchCode.objects.filter(_prefix(word.code)).filter(clause).values("entry_id")


def sql_of(queryset) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _application_rows(word: Word):
    """Rows whose application's codes the word's code matches (B-tree ranges)."""
    clause = Q()
    for q, _weight in application_clauses(word):
        clause |= q
    return SearchRow.objects.filter(clause).values("entry_id")


def entries_holding(word: Word, broad: bool) -> RawSQL:
    """Entry ids holding the word by its text (the search table, or the raw text of the
    rare rows too long to index whole) and by its material's and its application's
    codes: one UNION ALL (duplicates do not matter to IN, so nothing is sorted to remove
    them). A `broad` code leaves out the application's codes (a test on the row then)
    and its material's prefix matches (on PostgreSQL the shared set, on SQLite looked up
    per row undecided), and on SQLite its exact matches too."""
    fts = table.matching(word.groups)
    parts = [(fts.sql, tuple(fts.params)), sql_of(_scanned([word]))]
    if word.code and not broad:
        parts.append(sql_of(code_rows(word)))
    elif word.code and connection.vendor == "postgresql":
        parts.append(sql_of(code_rows(word, material_clauses(word)[0][0])))
    if word.code and not broad:
        parts.append(sql_of(_application_rows(word)))
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) AS u{i}" for i, (part, _p) in enumerate(parts)
    )
    return RawSQL(sql, tuple(p for _part, params in parts for p in params))


def application_prefix(word: Word) -> Q:
    """The row tests of the application's codes, on every row (a broad code)."""
    q = Q()  # the prefix first: it decides most rows without the other tests
    for clause, _weight in reversed(application_clauses(word, scan=True)):
        q |= clause
    return q


def own_codes(word: Word, clause: Q | None = None):
    """The codes of the row's own material (an outer reference) that the word's code
    matches by any material clause, or by `clause`."""
    if clause is None:
        clause = Q()
        for q, _weight in material_clauses(word):
            clause |= q
    codes = SearchCode.objects.filter(entry_id=OuterRef("entry_id")).filter(_prefix(word.code))
    return codes.filter(clause)


def material_code(word: Word, clause: Q | None = None) -> Q:
    """The row's material carries the code (by any material clause, or `clause`): a
    look-up of that entry's codes, for the few rows a broad prefix leaves undecided,
    instead of listing the tens of thousands of materials that carry it."""
    return Q(Exists(own_codes(word, clause)))


def _word_q(word: Word, broad: frozenset[str], walk: bool = False) -> Q:
    """Entries holding the word (:func:`entries_holding`). A code in `broad`, a prefix of most
    applications' codes (9141), is tested on every row's application codes instead,
    ahead of the look-up (a set of 90 000 entries would be built and probed), and its
    material's prefix matches are the shared set on PostgreSQL, looked up for the rows
    still undecided on SQLite. `walk`: see :func:`walk_rows`."""
    if word.code not in broad:
        return _member(entries_holding(word, False), walk)
    matched = _member(entries_holding(word, True), walk)
    if connection.vendor == "postgresql":
        return application_prefix(word) | _member(_shared_rows(word), walk) | matched
    return application_prefix(word) | matched | material_code(word)


def _code_score(word: Word, broad: frozenset[str], few: bool = False) -> list:
    """The weights of the code clauses the entry meets: membership in the (computed once)
    set of entries whose material carries the code — for `few` rows, a look-up of each
    row's own codes instead; for a broad code's prefix on PostgreSQL, the shared set —
    or a test on the row's application codes."""
    if few:
        parts = [when(material_code(word, q), w) for q, w in material_clauses(word)]
    else:
        parts = [when(Q(entry_id__in=code_rows(word, q)), w) for q, w in material_clauses(word)]
    if not few and word.code in broad and connection.vendor == "postgresql":
        parts[1] = when(Q(entry_id__in=_shared_rows(word)), MATERIAL_PREFIX)
    return parts + [when(q, w) for q, w in application_clauses(word)]


def _flat_sum(expressions: list):
    """a + b + c … as one SQL expression (Django would nest one level per '+')."""
    if not expressions:
        return Value(0, output_field=IntegerField())
    return Func(
        *expressions, template="(%(expressions)s)", arg_joiner=" + ", output_field=IntegerField()
    )


def when(q: Q, weight: int):
    return Case(When(q, then=Value(weight)), default=Value(0), output_field=IntegerField())


def score_of(words: list[Word], broad: frozenset[str], few: bool = False):
    """Code boosts, then the file and applicant names (the text match is a filter)."""
    parts = []
    for word in words:
        parts.append(when(Q(entry_id__in=table.matching(word.groups, "names")), NAME_WEIGHT))
        if word.code:
            parts += _code_score(word, broad, few)
    return _flat_sum(parts)


def _reviewed(department_codes) -> Q:
    """Rows of applications reviewed by one of these departments."""
    q = Q(pk__in=[])
    for code in department_codes:
        q |= Q(departments__contains=f"|{code}|")
    return q


def filter_q(name: str, values: list) -> Q:
    if name == "department":
        return _reviewed(values)
    if name == "region":
        return Q(county__in=values) | Q(city__in=values)
    return Q(**{f"{FACET_COLUMNS[name]}__in": values})


def scope_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    return _reviewed(scope.departments) & ~Q(state=State.DRAFT)


def _text_q(words: list[Word], walk: bool) -> Q:
    """Rows holding every one of these words (none a code): one query of the search
    table for all their chunks, so the index intersects them (one look-up list, not
    one per word), and the rows too long to index whole that hold them as written."""
    fts = table.matching([group for word in words for group in word.groups])
    scanned, params = sql_of(_scanned(words))
    sql = f"SELECT * FROM ({fts.sql}) AS u0 UNION ALL SELECT * FROM ({scanned}) AS u1"
    return _member(RawSQL(sql, (*fts.params, *params)), walk)


def text_matches(words: list[Word], scope: Scope) -> list:
    """PostgreSQL, words without codes: the matches (two parts of one UNION ALL) read
    from the text rows alone, which carry the columns a search needs besides the terms
    (``SearchText.COPIED``) — the rows whose terms hold every word, and the rows too
    long to index whole that hold them as written but not by their terms (so that none
    is counted twice). Reading the rows instead would build a hash of every match and
    scan the rows against it."""
    groups = [group for word in words for group in word.groups]
    rows = SearchText.objects.filter(scope_q(scope))
    scanned = rows.filter(truncated=True, entry_id__in=_scanned(words))
    return [rows.filter(table.holding(groups)), scanned.exclude(table.holding(groups))]


def matches(words: list[Word], scope: Scope, broad: frozenset[str], walk: bool = False):
    rows = SearchRow.objects.filter(scope_q(scope))
    text = [word for word in words if not word.code]
    if text:
        rows = rows.filter(_text_q(text, walk))
    for word in words:
        if word.code:
            rows = rows.filter(_word_q(word, broad, walk))
    return rows


def filtered(rows, filters: dict):
    for name, values in filters.items():
        rows = rows.filter(filter_q(name, values))
    return rows


def scored(words: list[Word], broad: frozenset[str]):
    return score_of(words, broad) if words else Value(0, output_field=IntegerField())

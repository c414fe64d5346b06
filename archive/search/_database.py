"""The database engine of the archive search (SQLite or PostgreSQL, no OpenSearch).

Everything is read from the search tables (:mod:`.table`): one narrow row per entry
with the columns the filters, facets and ordering use (``SearchRow``), its index terms
(``SearchText``: SQLite FTS5 or a PostgreSQL GIN index over the terms of
search/text.py, so a Han chunk matches only where its characters stand together —
目标准 is not 目标 + 标准 — and a code only as a whole run) and its material's codes
(``SearchCode``, exact or prefix through a B-tree); the application's codes (credit
code, reference) are columns of the row. Rows whose text was too long to
index whole are also tested with substring and regular-expression lookups on the
entry's text, file name and applicant name. Departments come from the application's
reviews (never copied, so scope and facets always follow the current reviews).

A search is two statements, neither of which joins the entry, application, applicant
or region tables: the counts over a materialised match set (total and five facets, with
a flag per selected filter; the department facet from the matches per application
joined with the reviews), and the page, ordered by the engine (code boosts, then
names, then newest first) with LIMIT. A word is one IN over a UNION of its ways to
match (or a test of the row's application codes); a code boost is membership of a set
computed once per statement or a test on the row, never a look-up per match. The score is one flat sum (a + b + c …), never a nested expression per term, so
long queries neither exhaust Python's recursion limit nor SQLite's parser stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan

from applications.models import DepartmentReview, State
from catalogue.models import Department

from .. import documents
from ..models import SearchCode, SearchRow, SearchText
from . import table
from ._query import CODE_PREFIX_MIN, FACETS, SHA_PREFIX_MIN, Scope, Word, sorted_counts

NAME_WEIGHT = 3
MATERIAL_EXACT = 1000  # the code is on this very material
MATERIAL_PREFIX = 400
APPLICATION_EXACT = 600  # the code is the application's (credit code, reference)
APPLICATION_PREFIX = 200
BROAD_ROWS = 5000  # a code prefix of more rows than this is tested on every row

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


def _scanned(word: Word):
    """Entries whose text was too long to index whole and that hold the word as written."""
    rows = SearchText.objects.filter(truncated=True).annotate(
        x_applicant_name=Coalesce(
            F("entry__applicant__name"),
            F("entry__attachment__application__applicant__name"),
            Value(""),
            output_field=CharField(),
        )
    )
    for part in word.parts:
        rows = rows.filter(_part_in(part, SCANNED_FIELDS))
    return rows.values("entry_id")


def _column(field: str, scan: bool):
    """The column, or on SQLite with `scan` the column behind a no-op unary plus, which
    keeps the planner from walking an index for a range that covers most rows."""
    if not scan:
        return F(field)
    return Func(F(field), template="+%(expressions)s", output_field=CharField())


def _prefix(code: str, field: str = "code", scan: bool = False) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": code})  # served by the pattern-ops indexes
    column = _column(field, scan)  # a B-tree range
    return Q(GreaterThanOrEqual(column, code)) & Q(LessThan(column, code + "\U0010ffff"))


def _material_clauses(word: Word) -> list[tuple[Q, int]]:
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


def _application_clauses(word: Word, scan: bool = False) -> list[tuple[Q, int]]:
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


def _broad(word: Word) -> bool:
    """Whether the word's code is a prefix of many applications' codes (9141: nearly
    every credit code). SQLite has no statistics to tell; PostgreSQL's planner has."""
    if connection.vendor != "sqlite" or len(word.code) < CODE_PREFIX_MIN:
        return False
    rows = SearchRow.objects.filter(_prefix(word.code, "credit_code")).values("pk")
    return rows[:BROAD_ROWS].count() >= BROAD_ROWS


def _code_rows(word: Word, clause: Q | None = None):
    """Entry ids of the SearchCode rows the word's code matches (a range on the index):
    by any material clause, or by `clause` alone."""
    if clause is None:
        clause = Q()
        for q, _weight in _material_clauses(word):
            clause |= q
    return SearchCode.objects.filter(_prefix(word.code)).filter(clause).values("entry_id")


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _word_q(word: Word) -> Q:
    """Entries holding the word: its chunks in the search table (:mod:`.table`), or for
    the rare rows whose text was too long to index whole, in the raw text; a code word
    also by the codes of its material (one IN over a UNION, so each match is looked up
    once) or of its application (columns of the row)."""
    fts = table.matching(word.groups)
    parts = [(fts.sql, tuple(fts.params)), _sql(_scanned(word))]
    if word.code:
        parts.append(_sql(_code_rows(word)))
    sql = " UNION ".join(f"SELECT * FROM ({part}) AS u{i}" for i, (part, _p) in enumerate(parts))
    params = tuple(p for _part, params in parts for p in params)
    q = Q(entry_id__in=RawSQL(sql, params))
    if word.code:
        for clause, _weight in _application_clauses(word, scan=_broad(word)):
            q |= clause
    return q


def _code_score(word: Word) -> list:
    """The weights of the code clauses the entry meets: membership in the (small, computed
    once) set of entries whose material carries the code, or a test on the row's
    application codes; never a look-up per match."""
    parts = [_when(Q(entry_id__in=_code_rows(word, q)), w) for q, w in _material_clauses(word)]
    return parts + [_when(q, w) for q, w in _application_clauses(word)]


def _flat_sum(expressions: list):
    """a + b + c … as one SQL expression (Django would nest one level per '+')."""
    if not expressions:
        return Value(0, output_field=IntegerField())
    return Func(
        *expressions, template="(%(expressions)s)", arg_joiner=" + ", output_field=IntegerField()
    )


def _when(q: Q, weight: int):
    return Case(When(q, then=Value(weight)), default=Value(0), output_field=IntegerField())


def _score(words: list[Word]):
    """Code boosts, then the file and applicant names (the text match is a filter)."""
    parts = []
    for word in words:
        parts.append(_when(Q(entry_id__in=table.matching(word.groups, "names")), NAME_WEIGHT))
        if word.code:
            parts += _code_score(word)
    return _flat_sum(parts)


# Facets read from the grouped pass: the facet name and the column it groups by.
GROUPED_FACETS = {
    "kind": "kind",
    "application_kind": "app_kind",
    "state": "state",
    "region": "city",
    "year": "year",
}


def _reviewed(department_codes) -> Q:
    """Rows of applications reviewed by one of these departments."""
    ids = Department.objects.filter(code__in=department_codes).values("pk")
    apps = DepartmentReview.objects.filter(department_id__in=ids).values("application_id")
    return Q(application_id__in=apps)


def _filter_q(name: str, values: list) -> Q:
    if name == "kind":
        return Q(kind__in=values)
    if name == "application_kind":
        return Q(app_kind__in=values)
    if name == "state":
        return Q(state__in=values)
    if name == "department":
        return _reviewed(values)
    if name == "region":
        return Q(county__in=values) | Q(city__in=values)
    if name == "year":
        return Q(year__in=values)
    raise ValueError(name)


def _scope_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    return _reviewed(scope.departments) & ~Q(state=State.DRAFT)


def _counts(base, filter_qs: dict) -> tuple[list[dict], dict]:
    """One statement, one pass over the matches (a materialised CTE): counts per
    combination of the five grouped facets, with a flag per selected filter telling
    whether that combination passes it; and the department facet, the matches that
    pass the other filters counted per application, then joined with the reviews (one
    per application and department)."""
    flags = [f"x_ok_{name}" for name in filter_qs]
    matches = base.annotate(**{f"x_ok_{n}": _when(q, 1) for n, q in filter_qs.items()})
    sql, params = _sql(
        matches.order_by().values(*GROUPED_FACETS.values(), "application_id", *flags)
    )
    keys = ", ".join([*GROUPED_FACETS.values(), *flags])
    others = "".join(f" AND {flag} = 1" for flag in flags if flag != "x_ok_department")
    blanks = ", ".join(["NULL"] * (len(GROUPED_FACETS) - 1 + len(flags)))
    reviews, departments = DepartmentReview._meta.db_table, Department._meta.db_table
    statement = (
        f"WITH m AS MATERIALIZED (SELECT * FROM ({sql}) s) "
        f"SELECT 0, {keys}, COUNT(*) FROM m GROUP BY {keys} "
        f"UNION ALL SELECT 1, d.code, {blanks}, SUM(a.n) FROM "
        f"(SELECT application_id, COUNT(*) AS n FROM m WHERE application_id IS NOT NULL{others} "
        f"GROUP BY application_id) a "
        f"JOIN {reviews} r ON r.application_id = a.application_id "
        f"JOIN {departments} d ON d.id = r.department_id GROUP BY d.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    names = [*GROUPED_FACETS.values(), *flags, "x_n"]
    groups = [dict(zip(names, row[1:], strict=True)) for row in rows if row[0] == 0]
    departments = sorted_counts((row[1], int(row[-1])) for row in rows if row[0] == 1)
    return groups, departments


def _passes(row: dict, filter_qs: dict, but: str | None = None) -> bool:
    return all(row[f"x_ok_{name}"] for name in filter_qs if name != but)


def _facets(filter_qs: dict, groups: list[dict], departments: dict) -> dict:
    facets = {"department": departments}
    for name, key in GROUPED_FACETS.items():
        counts: dict = {}
        for row in groups:
            if _passes(row, filter_qs, but=name):
                counts[row[key]] = counts.get(row[key], 0) + row["x_n"]
        facets[name] = sorted_counts(counts.items())
    return {name: facets[name] for name in FACETS}


def run(words, scope, filters, page, per_page):
    """(ranked [(entry id, score)], total, facets) for one page."""
    base = SearchRow.objects.filter(_scope_q(scope))
    for word in words:
        base = base.filter(_word_q(word))
    filter_qs = {name: _filter_q(name, values) for name, values in filters.items()}
    groups, departments = _counts(base, filter_qs)
    total = sum(row["x_n"] for row in groups if _passes(row, filter_qs))
    facets = _facets(filter_qs, groups, departments)
    ranked = []
    if total:
        results = base
        for q in filter_qs.values():
            results = results.filter(q)
        if words:
            results = results.annotate(x_score=_score(words))
            order = ("-x_score", "-time", "-entry_id")
        else:
            results = results.annotate(x_score=Value(0, output_field=IntegerField()))
            order = ("-time", "-entry_id")
        start = (page - 1) * per_page
        page_rows = results.order_by(*order).values_list("entry_id", "x_score")
        ranked = list(page_rows[start : start + per_page])
    return [(pk, float(score)) for pk, score in ranked], total, facets

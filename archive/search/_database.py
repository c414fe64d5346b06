"""The database engine of the archive search (SQLite or PostgreSQL, no OpenSearch).

Words are matched in the search table (:mod:`.table`: SQLite FTS5 or a PostgreSQL GIN
index over the terms of search/text.py), so a Han chunk matches only where its
characters stand together (目标准 is not 目标 + 标准) and a code only as a whole run.
Rows whose text was too long to index whole are also tested with substring and
regular-expression lookups on the entry's text, file name and applicant name.

The relevance score is one flat sum (a + b + c …), never a nested expression per
term, so long queries neither exhaust Python's recursion limit nor SQLite's parser
stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Length, Lower, Replace

from applications.models import Application, InvoiceLine, State

from .. import documents
from ..models import ArchiveEntry
from . import table
from ._query import CODE_PREFIX_MIN, FACETS, SHA_PREFIX_MIN, Scope, Word, sorted_counts

NAME_WEIGHT = 3
MATERIAL_EXACT = 1000  # the code is on this very material
MATERIAL_PREFIX = 400
APPLICATION_EXACT = 600  # the code is the application's (credit code, reference)
APPLICATION_PREFIX = 200

_APP = "attachment__application__"
_NOT_ALNUM = "[^0-9A-Za-z]"


def _annotated():
    """ArchiveEntry rows with the values the filters, facets and ranking work on.

    An entry's applicant and region are its application's; an imported entry without
    an application has its own applicant (and that applicant's region)."""
    return ArchiveEntry.objects.alias(
        x_region=Coalesce(F(f"{_APP}region__code"), F("applicant__region__code")),
        x_level=Coalesce(F(f"{_APP}region__level"), F("applicant__region__level")),
        x_parent=Coalesce(F(f"{_APP}region__parent__code"), F("applicant__region__parent__code")),
        x_parent_level=Coalesce(
            F(f"{_APP}region__parent__level"), F("applicant__region__parent__level")
        ),
    ).annotate(
        x_applicant_name=Coalesce(
            F("applicant__name"), F(f"{_APP}applicant__name"), Value(""), output_field=CharField()
        ),
        x_credit_code=Coalesce(
            F("applicant__credit_code"),
            F(f"{_APP}applicant__credit_code"),
            Value(""),
            output_field=CharField(),
        ),
        x_county=Case(When(x_level=3, then=F("x_region")), default=None, output_field=CharField()),
        x_city=Case(
            When(x_level=2, then=F("x_region")),
            When(x_parent_level=2, then=F("x_parent")),
            default=None,
            output_field=CharField(),
        ),
        x_time=Coalesce(F("attachment__uploaded_at"), F("created_at")),
        x_year=ExtractYear(Coalesce(F("attachment__uploaded_at"), F("created_at"))),
    )


def _in_fields(fields: Iterable[str], lookup: str, value) -> Q:
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__{lookup}": value})
    return q


def _has(field: str, needle: str, pattern: str, *, ignore_case: bool = False) -> Q:
    """`field` matches `pattern` (which contains `needle`). A plain substring test runs
    first: the database evaluates it in C and skips the regular expression (a Python
    function on SQLite) for every row without the needle."""
    i = "i" if ignore_case else ""
    return Q(**{f"{field}__{i}contains": needle}) & Q(**{f"{field}__{i}regex": pattern})


def _part_in(part: str, fields: Iterable[str]) -> Q:
    """A chunk as written: Han characters as a substring, letters and digits as whole runs."""
    if not re.search("[0-9a-z]", part):
        return _in_fields(fields, "icontains", part)
    head = rf"(^|{_NOT_ALNUM})" if re.match("[0-9a-z]", part) else ""
    tail = rf"($|{_NOT_ALNUM})" if re.search("[0-9a-z]$", part) else ""
    pattern = head + re.escape(part) + tail
    q = Q()
    for name in fields:
        q |= _has(name, part, pattern, ignore_case=True)
    return q


NAME_FIELDS = ("original_name", "x_applicant_name")
TEXT_FIELDS = ("text", *NAME_FIELDS)


def _lines(**lookup):
    return InvoiceLine.objects.filter(**lookup).values("invoice_file_id")


def _material_exact_q(word: Word) -> Q:
    code = word.code
    q = (
        Q(sha256=word.sha)
        | Q(attachment_id__in=_lines(invoice_number=code))
        | Q(attachment_id__in=_lines(invoice_code=code))
        | Q(invoice_number=code)
        | Q(invoice_code=code)
    )
    if documents.CODE_MIN <= len(code) <= documents.CODE_MAX:
        q |= _has("text", code, rf"(^|{_NOT_ALNUM}){code}($|{_NOT_ALNUM})")
    return q


def _material_prefix_q(word: Word) -> Q:
    code = word.code
    if len(code) < CODE_PREFIX_MIN:
        return Q(pk__in=[])
    q = (
        Q(attachment_id__in=_lines(invoice_number__startswith=code))
        | Q(attachment_id__in=_lines(invoice_code__startswith=code))
        | Q(invoice_number__startswith=code)
        | Q(invoice_code__startswith=code)
    )
    if len(code) >= SHA_PREFIX_MIN:
        q |= Q(sha256__startswith=word.sha)
    if len(code) <= documents.CODE_MAX:
        low = max(0, documents.CODE_MIN - len(code))
        high = documents.CODE_MAX - len(code)
        q |= _has("text", code, rf"(^|{_NOT_ALNUM}){code}[0-9A-Z]{{{low},{high}}}($|{_NOT_ALNUM})")
    return q


def _application_exact_q(word: Word) -> Q:
    return Q(x_credit_code__iexact=word.code) | Q(**{f"{_APP}reference__iexact": word.code})


def _application_prefix_q(word: Word) -> Q:
    if len(word.code) < CODE_PREFIX_MIN:
        return Q(pk__in=[])
    return Q(x_credit_code__istartswith=word.code) | Q(
        **{f"{_APP}reference__istartswith": word.code}
    )


def _code_clauses(word: Word) -> list[tuple[Q, int]]:
    return [
        (_material_exact_q(word), MATERIAL_EXACT),
        (_material_prefix_q(word), MATERIAL_PREFIX),
        (_application_exact_q(word), APPLICATION_EXACT),
        (_application_prefix_q(word), APPLICATION_PREFIX),
    ]


def _word_q(word: Word) -> Q:
    """The word's chunks in the search table (:mod:`.table`); for the rare rows whose
    text was too long to index whole, also by scanning the raw text."""
    scanned = Q(search_text__truncated=True)
    for part in word.parts:
        scanned &= _part_in(part, TEXT_FIELDS)
    q = Q(pk__in=table.matching(word.groups)) | scanned
    if word.code:
        for clause, _weight in _code_clauses(word):
            q |= clause
    return q


def _flat_sum(expressions: list):
    """a + b + c … as one SQL expression (Django would nest one level per '+')."""
    if not expressions:
        return Value(0)
    return Func(
        *expressions, template="(%(expressions)s)", arg_joiner=" + ", output_field=IntegerField()
    )


def _score(words: list[Word]):
    parts = []
    for word in words:
        for part in word.parts:
            parts.append(
                Case(When(_part_in(part, NAME_FIELDS), then=Value(NAME_WEIGHT)), default=Value(0))
            )
            removed = Length("text") - Length(Replace(Lower("text"), Value(part), Value("")))
            parts.append(removed / Value(len(part)))
        if word.code:
            for clause, weight in _code_clauses(word):
                parts.append(Case(When(clause, then=Value(weight)), default=Value(0)))
    return Coalesce(_flat_sum(parts), Value(0), output_field=IntegerField())


# Facets read from the grouped pass: the facet name and the annotation it groups by.
GROUPED_FACETS = {
    "kind": "kind",
    "application_kind": "x_app_kind",
    "state": "x_state",
    "region": "x_city",
    "year": "x_year",
}
DEPARTMENT_KEY = f"{_APP}reviews__department__code"


def _filter_q(name: str, values: list) -> Q:
    if name == "kind":
        return Q(kind__in=values)
    if name == "application_kind":
        return Q(**{f"{_APP}kind__in": values})
    if name == "state":
        return Q(**{f"{_APP}state__in": values})
    if name == "department":
        reviewed = Application.objects.filter(reviews__department__code__in=values)
        return Q(attachment__application__in=reviewed)
    if name == "region":
        return Q(x_county__in=values) | Q(x_city__in=values)
    if name == "year":
        return Q(x_year__in=values)
    raise ValueError(name)


def _scope_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    reviewed = Application.objects.filter(reviews__department__code__in=scope.departments).exclude(
        state=State.DRAFT
    )
    return Q(attachment__application__in=reviewed)


def _grouped(base, filter_qs: dict) -> list[dict]:
    """One pass over the matches: counts per combination of facet values, with a flag
    per selected filter telling whether that combination passes it."""
    flags = {
        f"x_ok_{name}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        for name, q in filter_qs.items()
    }
    return list(
        base.annotate(x_app_kind=F(f"{_APP}kind"), x_state=F(f"{_APP}state"), **flags)
        .order_by()
        .values(*GROUPED_FACETS.values(), *flags)
        .annotate(x_n=Count("pk"))
    )


def _passes(row: dict, filter_qs: dict, but: str | None = None) -> bool:
    return all(row[f"x_ok_{name}"] for name in filter_qs if name != but)


def _facets(base, filter_qs: dict, groups: list[dict]) -> dict:
    facets = {}
    for name, key in GROUPED_FACETS.items():
        counts: dict = {}
        for row in groups:
            if _passes(row, filter_qs, but=name):
                counts[row[key]] = counts.get(row[key], 0) + row["x_n"]
        facets[name] = sorted_counts(counts.items())
    subset = base  # departments are many per entry: counted apart
    for other, q in filter_qs.items():
        if other != "department":
            subset = subset.filter(q)
    rows = (
        subset.order_by()
        .values(x_key=F(DEPARTMENT_KEY))
        .annotate(x_n=Count("pk", distinct=True))
        .values_list("x_key", "x_n")
    )
    facets["department"] = sorted_counts(rows)
    return {name: facets[name] for name in FACETS}


def run(words, scope, filters, page, per_page):
    """(ranked [(entry id, score)], total, facets) for one page.

    Three queries, whatever the filters: the grouped pass (total and five facets), the
    department facet, and the page itself (the only one that computes scores)."""
    base = _annotated().filter(_scope_q(scope))
    for word in words:
        base = base.filter(_word_q(word))
    filter_qs = {name: _filter_q(name, values) for name, values in filters.items()}
    groups = _grouped(base, filter_qs)
    total = sum(row["x_n"] for row in groups if _passes(row, filter_qs))
    facets = _facets(base, filter_qs, groups)
    ranked = []
    if total:
        results = base
        for q in filter_qs.values():
            results = results.filter(q)
        results = results.annotate(x_score=_score(words)).order_by("-x_score", "-x_time", "-pk")
        start = (page - 1) * per_page
        ranked = list(results.values_list("pk", "x_score")[start : start + per_page])
    return [(pk, float(score)) for pk, score in ranked], total, facets

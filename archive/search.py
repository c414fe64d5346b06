"""The reviewer's archive search: one service, two engines that give the same answers.

`archive_search(user, query, ...)` asks OpenSearch when it is configured (the archive
index of :mod:`archive.documents`) and the database otherwise — or when OpenSearch
does not answer, with a warning in the log. Both engines follow the same rules:

* The query is split into words. Every word must match. A word of Chinese matches
  when each of its character pairs (or the single character) occurs in the entry's
  text, file name or applicant name; a Latin/digit word matches as a whole word.
* A word that looks like a code (4+ letters/digits with a digit: 9141…, an invoice
  number, a reference, a SHA-256) also matches exactly or by prefix on the codes of
  the material (invoice code/number, SHA-256, 8–20 character codes in the text) and
  of its application (credit code, reference). Those matches are boosted far above
  text relevance, material codes above application codes and exact above prefix, so
  the very licence or invoice that carries the code comes first.
* Text relevance: file-name/applicant matches weigh 3, then how often the terms occur
  (BM25 on OpenSearch, occurrence counts on the database).
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
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Length, Lower, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

from applications.models import Application, Attachment, InvoiceLine, State
from search.highlight import make_snippet
from search.text import is_han, query_terms, query_words

from . import documents
from .models import ArchiveEntry

logger = logging.getLogger(__name__)

FACETS = ("kind", "application_kind", "state", "department", "region", "year")
MAX_PER_PAGE = 100
MAX_WINDOW = 10_000  # OpenSearch's default max_result_window

# Ranking weights, identical on both engines.
MATERIAL_EXACT = 1000  # the code is on this very material
MATERIAL_PREFIX = 400
APPLICATION_EXACT = 600  # the code is the application's (credit code, reference)
APPLICATION_PREFIX = 200
NAME_WEIGHT = 3

CODE_PREFIX_MIN = 4
SHA_PREFIX_MIN = 8

DUPLICATE_LABELS = {"invoice_reused": "发票重复使用", "same_file": "同一文件"}
ENGINE_LABELS = {"opensearch": "OpenSearch", "database": "数据库"}

_CODE_WORD = re.compile(r"[0-9a-z]{4,}")


@dataclass
class Hit:
    entry: ArchiveEntry
    score: float
    highlight: str  # HTML-safe fragment of the text with <mark>s
    duplicate_flags: list[str] = field(default_factory=list)
    name_highlight: str = ""  # the file name with <mark>s
    exact: bool = False  # a code matched exactly on this material

    @property
    def application(self):
        return self.entry.application

    @property
    def duplicate_labels(self) -> list[str]:
        return [DUPLICATE_LABELS[flag] for flag in self.duplicate_flags]


@dataclass
class ArchiveResults:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, dict]
    engine: str
    page: int = 1
    per_page: int = 20
    filters: dict = field(default_factory=dict)

    @property
    def engine_label(self) -> str:
        return ENGINE_LABELS.get(self.engine, self.engine)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# --------------------------------------------------------------------------- the query


@dataclass
class Word:
    text: str  # normalised (NFKC, lower case)
    terms: list[str]  # what the text index must contain
    code: str | None = None  # upper-cased, when the word looks like a code

    @property
    def sha(self) -> str | None:
        return self.code.lower() if self.code else None


def parse_query(query: str) -> list[Word]:
    words = []
    for text in query_words(query or ""):
        terms = query_terms(text)
        if not terms:
            continue
        is_code = bool(_CODE_WORD.fullmatch(text)) and any(c.isdigit() for c in text)
        words.append(Word(text, terms, text.upper() if is_code else None))
    return words


@dataclass
class Scope:
    """What a user may see: everything, some departments, or nothing."""

    everything: bool = False
    departments: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.departments


def scope_for(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    codes = list(user.review_departments.values_list("code", flat=True))
    return Scope(departments=codes)


def _as_list(value) -> list:
    if value in (None, "", []):
        return []
    if isinstance(value, str | int):
        return [value]
    return [v for v in value if v not in (None, "")]


def _clean_filters(**raw) -> dict[str, list]:
    filters = {}
    for name in FACETS:
        values = _as_list(raw.get(name))
        if name == "year":
            values = [int(v) for v in values if str(v).isdigit() and len(str(v)) <= 4]
        else:
            values = [str(v) for v in values]
        if values:
            filters[name] = list(dict.fromkeys(values))
    return filters


# --------------------------------------------------------------------------- public API


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
    filters = _clean_filters(
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
        from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
        from opensearchpy.exceptions import OpenSearchException

        try:
            ranked, total, facets = _opensearch(words, scope, filters, page, per_page)
            name = "opensearch"
        except (OpenSearchException, OSError) as exc:
            if isinstance(exc, OpenSearchConnectionError | OSError):
                documents.mark_unreachable()
            logger.warning("archive search: OpenSearch failed, using the database: %s", exc)
            use_opensearch = False
    if not use_opensearch:
        ranked, total, facets = _database(words, scope, filters, page, per_page)
        name = "database"

    hits = _hits(ranked, query, words)
    return ArchiveResults(query, hits, total, facets, name, page, per_page, filters)


# --------------------------------------------------------------------------- database engine

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


def _term_in(term: str, fields: Iterable[str]) -> Q:
    """The term as the text index sees it: Han pairs anywhere, Latin/digit whole words."""
    if is_han(term):
        return _in_fields(fields, "icontains", term)
    pattern = rf"(^|{_NOT_ALNUM}){re.escape(term)}($|{_NOT_ALNUM})"
    q = Q()
    for name in fields:
        q |= _has(name, term, pattern, ignore_case=True)
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
    q = Q()
    for term in word.terms:
        q &= _term_in(term, TEXT_FIELDS)
    if word.code:
        for clause, _weight in _code_clauses(word):
            q |= clause
    return q


def _score(words: list[Word]):
    score = Value(0)
    for word in words:
        for term in word.terms:
            score = score + Case(
                When(_term_in(term, NAME_FIELDS), then=Value(NAME_WEIGHT)),
                default=Value(0),
            )
            removed = Length("text") - Length(Replace(Lower("text"), Value(term), Value("")))
            score = score + removed / Value(len(term))
        if word.code:
            for clause, weight in _code_clauses(word):
                score = score + Case(When(clause, then=Value(weight)), default=Value(0))
    return Coalesce(score, Value(0), output_field=IntegerField())


FACET_KEYS = {
    "kind": "kind",
    "application_kind": f"{_APP}kind",
    "state": f"{_APP}state",
    "department": f"{_APP}reviews__department__code",
    "region": "x_city",
    "year": "x_year",
}


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


def _sorted_counts(pairs) -> dict:
    counts = {key: n for key, n in pairs if key not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _database(words, scope, filters, page, per_page):
    base = _annotated().filter(_scope_q(scope))
    for word in words:
        base = base.filter(_word_q(word))
    filter_qs = {name: _filter_q(name, values) for name, values in filters.items()}

    results = base
    for q in filter_qs.values():
        results = results.filter(q)
    results = results.annotate(x_score=_score(words)).order_by("-x_score", "-x_time", "-pk")
    total = results.count()
    start = (page - 1) * per_page
    ranked = list(results.values_list("pk", "x_score")[start : start + per_page])

    facets = {}
    for name, key in FACET_KEYS.items():
        subset = base
        for other, q in filter_qs.items():
            if other != name:
                subset = subset.filter(q)
        rows = (
            subset.order_by()
            .values(x_key=F(key))
            .annotate(x_n=Count("pk", distinct=True))
            .values_list("x_key", "x_n")
        )
        facets[name] = _sorted_counts(rows)
    return [(pk, float(score)) for pk, score in ranked], total, facets


# --------------------------------------------------------------------------- OpenSearch engine

OS_FIELDS = {
    "kind": "kind",
    "application_kind": "application_kind",
    "state": "application_state",
    "department": "department",
    "region": "city",
    "year": "year",
}


def _os_word_query(word: Word):
    from opensearchpy import Q as OQ

    text = OQ(
        "multi_match",
        query=" ".join(word.terms),
        type="cross_fields",
        fields=["text_terms", f"name_terms^{NAME_WEIGHT}"],
        operator="and",
    )
    if not word.code:
        return text
    code, sha = word.code, word.sha
    prefix_ok = len(code) >= CODE_PREFIX_MIN
    material_exact = [
        OQ("term", codes=code),
        OQ("term", invoice_number=code),
        OQ("term", invoice_code=code),
        OQ("term", sha256=sha),
    ]
    material_prefix = []
    if prefix_ok:
        material_prefix = [OQ("prefix", invoice_number=code), OQ("prefix", invoice_code=code)]
        if len(code) <= documents.CODE_MAX:
            material_prefix.append(OQ("prefix", codes=code))
        if len(code) >= SHA_PREFIX_MIN:
            material_prefix.append(OQ("prefix", sha256=sha))
    application_exact = [OQ("term", credit_code=code), OQ("term", reference=code)]
    application_prefix = (
        [OQ("prefix", credit_code=code), OQ("prefix", reference=code)] if prefix_ok else []
    )
    should = [text]
    for clauses, weight in (
        (material_exact, MATERIAL_EXACT),
        (material_prefix, MATERIAL_PREFIX),
        (application_exact, APPLICATION_EXACT),
        (application_prefix, APPLICATION_PREFIX),
    ):
        if clauses:
            should.append(
                OQ(
                    "constant_score",
                    filter=OQ("bool", should=clauses, minimum_should_match=1),
                    boost=weight,
                )
            )
    return OQ("bool", should=should, minimum_should_match=1)


def _os_filter(name: str, values: list):
    from opensearchpy import Q as OQ

    if name == "region":
        return OQ("terms", region=values)
    return OQ("terms", **{OS_FIELDS[name]: values})


def _os_scope(scope: Scope):
    from opensearchpy import Q as OQ

    if scope.everything:
        return None
    return OQ(
        "bool",
        filter=[OQ("terms", department=scope.departments)],
        must_not=[OQ("term", application_state=State.DRAFT.value)],
    )


def _opensearch(words, scope, filters, page, per_page):
    from opensearchpy import Q as OQ
    from opensearchpy import Search

    es = documents.client()
    search = Search(using=es, index=documents.alias_name())
    if words:
        search = search.query(OQ("bool", must=[_os_word_query(w) for w in words]))
    else:
        search = search.query(OQ("match_all"))
    scope_q = _os_scope(scope)
    if scope_q is not None:
        search = search.filter(scope_q)
    filter_qs = {name: _os_filter(name, values) for name, values in filters.items()}
    if filter_qs:
        search = search.post_filter(OQ("bool", filter=list(filter_qs.values())))
    for name in FACETS:
        others = [q for other, q in filter_qs.items() if other != name]
        search.aggs.bucket(
            name, "filter", filter=OQ("bool", filter=others) if others else OQ("match_all")
        ).bucket("buckets", "terms", field=OS_FIELDS[name], size=200)
    start = (page - 1) * per_page
    search = (
        search.sort({"_score": "desc"}, {"created_at": "desc"}, {"entry_id": "desc"})
        .source(["entry_id"])
        .extra(track_total_hits=True)[start : start + per_page]
    )
    response = search.execute()
    raw = response.to_dict()
    total = raw["hits"]["total"]["value"]
    ranked = [(int(hit["_id"]), float(hit.get("_score") or 0)) for hit in raw["hits"]["hits"]]
    facets = {}
    for name in FACETS:
        buckets = raw.get("aggregations", {}).get(name, {}).get("buckets", {}).get("buckets", [])
        facets[name] = _sorted_counts((b["key"], b["doc_count"]) for b in buckets)
    return ranked, total, facets


# --------------------------------------------------------------------------- hits


def _material_keys(entry, lines) -> set[str]:
    """The codes on this very material (what an exact code match means)."""
    fields = entry.fields if isinstance(entry.fields, dict) else {}
    keys = set(documents.find_codes(entry.text))
    keys.add((entry.sha256 or "").upper())
    for line in lines:
        keys.update({line.invoice_number, line.invoice_code})
    keys.update(str(fields.get(k) or "") for k in ("invoice_number", "invoice_code"))
    keys.discard("")
    return keys


def _mark(text: str, query: str) -> str:
    return make_snippet(text, query, width=max(200, len(text or ""))) if text else ""


def _hits(ranked, query: str, words: list[Word]) -> list[Hit]:
    ids = [pk for pk, _score in ranked]
    entries = ArchiveEntry.objects.select_related(
        "applicant", "attachment__application__applicant", "attachment__application__region"
    ).in_bulk(ids)
    ordered = [(entries[pk], score) for pk, score in ranked if pk in entries]
    if not ordered:
        return []
    lines = invoice_lines_for([entry for entry, _ in ordered])
    flags = duplicate_flags_for([entry for entry, _ in ordered], lines)
    codes = [w.code for w in words if w.code]
    hits = []
    for entry, score in ordered:
        own_lines = lines.get(entry.attachment_id, [])
        hits.append(
            Hit(
                entry=entry,
                score=score,
                highlight=make_snippet(entry.text, query, width=160) if entry.text else "",
                duplicate_flags=flags.get(entry.pk, []),
                name_highlight=_mark(entry.original_name, query)
                or mark_safe(escape(entry.original_name)),
                exact=bool(codes) and bool(set(codes) & _material_keys(entry, own_lines)),
            )
        )
    return hits


# --------------------------------------------------------------------------- duplicates


def invoice_lines_for(entries) -> dict[int, list[InvoiceLine]]:
    """InvoiceLines whose invoice file is the attachment of one of these entries."""
    attachment_ids = [e.attachment_id for e in entries if e.attachment_id]
    lines: dict[int, list] = {}
    for line in InvoiceLine.objects.filter(invoice_file_id__in=attachment_ids).order_by("pk"):
        lines.setdefault(line.invoice_file_id, []).append(line)
    return lines


def _invoice_keys(entry, lines) -> set[tuple[str, str]]:
    keys = {(line.invoice_code or "", line.invoice_number) for line in lines}
    fields = entry.fields if isinstance(entry.fields, dict) else {}
    if fields.get("invoice_number"):
        keys.add((str(fields.get("invoice_code") or ""), str(fields["invoice_number"])))
    return keys


def _same_invoice(code_a: str, code_b: str) -> bool:
    """Same number; the codes agree or one is missing (全电发票 have no code)."""
    return not code_a or not code_b or code_a == code_b


def invoice_uses(numbers) -> dict[str, list[tuple[str, int, str]]]:
    """{invoice number: [(invoice code, application id, reference), ...]} for every
    application that uses one of these invoice numbers: declared on an invoice line,
    or recognised on an uploaded file (an invoice sent as some other material)."""
    numbers = {str(n) for n in numbers if n}
    uses: dict[str, set[tuple[str, int, str]]] = {}
    if not numbers:
        return {}
    declared = InvoiceLine.objects.filter(invoice_number__in=numbers).values_list(
        "invoice_code",
        "invoice_number",
        "subsidy__application_id",
        "subsidy__application__reference",
    )
    recognised = ArchiveEntry.objects.filter(
        invoice_number__in=numbers, attachment__isnull=False
    ).values_list(
        "invoice_code",
        "invoice_number",
        f"{_APP}id",
        f"{_APP}reference",
    )
    for code, number, application_id, reference in [*declared, *recognised]:
        uses.setdefault(str(number), set()).add((str(code or ""), application_id, reference))
    return {number: sorted(found) for number, found in uses.items()}


def duplicate_flags_for(entries, lines=None) -> dict[int, list[str]]:
    """{entry id: ["invoice_reused", "same_file"]} for these entries."""
    entries = list(entries)
    lines = invoice_lines_for(entries) if lines is None else lines
    flags: dict[int, list[str]] = {e.pk: [] for e in entries}

    keys = {e.pk: _invoice_keys(e, lines.get(e.attachment_id, [])) for e in entries}
    numbers = {number for entry_keys in keys.values() for _code, number in entry_keys}
    uses = invoice_uses(numbers)

    digests = {e.sha256 for e in entries if e.sha256}
    holders: dict[str, set[int]] = {}
    for digest, application_id in Attachment.objects.filter(sha256__in=digests).values_list(
        "sha256", "application_id"
    ):
        holders.setdefault(digest, set()).add(application_id)
    imported: dict[str, set[int]] = {}
    # Looked up by the indexed digest alone: "attachment IS NULL" in the query would
    # lead SQLite's planner to walk every imported entry instead.
    for digest, pk, attachment_id in ArchiveEntry.objects.filter(sha256__in=digests).values_list(
        "sha256", "pk", "attachment_id"
    ):
        if attachment_id is None:
            imported.setdefault(digest, set()).add(pk)

    for entry in entries:
        own = entry.attachment.application_id if entry.attachment_id else None
        applications = {own} if own else set()
        for code, number in keys[entry.pk]:
            applications.update(
                app
                for other_code, app, _reference in uses.get(number, [])
                if _same_invoice(code, other_code)
            )
        if len(applications) > 1:
            flags[entry.pk].append("invoice_reused")
        others = holders.get(entry.sha256, set()) - {own}
        other_imports = imported.get(entry.sha256, set()) - {entry.pk}
        if others or other_imports:
            flags[entry.pk].append("same_file")
    return flags


def _invoice_label(code: str, number: str) -> str:
    return f"（发票代码 {code}，发票号码 {number}）" if code else f"（发票号码 {number}）"


def duplicates_for_application(application) -> list[str]:
    """Chinese messages about material of this application that also appears elsewhere:
    the same file (SHA-256) in another application or in the paper archive, and an
    invoice already used in another application."""
    messages = []
    attachments = list(application.attachments.order_by("pk"))
    digests = {a.sha256 for a in attachments if a.sha256}
    elsewhere: dict[str, list] = {}
    for other in (
        Attachment.objects.filter(sha256__in=digests)
        .exclude(application=application)
        .select_related("application")
        .order_by("application__reference", "pk")
    ):
        elsewhere.setdefault(other.sha256, []).append(other)
    paper: dict[str, list] = {}
    for entry in ArchiveEntry.objects.filter(sha256__in=digests, attachment__isnull=True).order_by(
        "pk"
    ):
        paper.setdefault(entry.sha256, []).append(entry)
    for attachment in attachments:
        for other in elsewhere.get(attachment.sha256, []):
            messages.append(
                f"材料「{attachment.original_name}」与申请 {other.application.reference} "
                f"中的「{other.original_name}」是同一文件（SHA-256 相同）。"
            )
        for entry in paper.get(attachment.sha256, []):
            messages.append(
                f"材料「{attachment.original_name}」与纸质档案中的「{entry.original_name}」"
                "是同一文件（SHA-256 相同）。"
            )

    keys = set(
        InvoiceLine.objects.filter(subsidy__application=application).values_list(
            "invoice_code", "invoice_number"
        )
    )
    for entry in ArchiveEntry.objects.filter(attachment__application=application):
        keys |= _invoice_keys(entry, [])
    uses = invoice_uses(number for _code, number in keys)
    for code, number in sorted(keys, key=lambda k: (k[1], k[0] or "")):
        references = sorted(
            {
                reference
                for other_code, application_id, reference in uses.get(number, [])
                if application_id != application.pk and _same_invoice(code or "", other_code)
            }
        )
        if references:
            messages.append(
                f"发票{_invoice_label(code or '', number)}已在申请 {'、'.join(references)} 中使用，"
                "请核实是否重复申报。"
            )
    return list(dict.fromkeys(messages))

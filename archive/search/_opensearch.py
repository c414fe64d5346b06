"""The OpenSearch engine of the archive search (the index of archive.documents).

Text words are matched on `text_terms` and `name_terms` (segmented by search.text):
a chunk of one or two units is one term, a longer chunk a phrase of its pairs, so
Han characters must be adjacent exactly as on the database engine. Code words also
match keyword fields exactly or by prefix, boosted far above text relevance.
"""

from __future__ import annotations

from opensearchpy import Q as OQ
from opensearchpy import Search

from applications.models import State

from .. import documents
from ._match import (
    APPLICATION_EXACT,
    APPLICATION_PREFIX,
    MATERIAL_EXACT,
    MATERIAL_PREFIX,
    NAME_WEIGHT,
)
from ._query import CODE_PREFIX_MIN, FACETS, SHA_PREFIX_MIN, Scope, Word, sorted_counts

OS_FIELDS = {
    "kind": "kind",
    "application_kind": "application_kind",
    "state": "application_state",
    "department": "department",
    "region": "city",
    "year": "year",
}


def _group_query(group: tuple[str, ...]):
    """One chunk on the text and the names: a term, or a phrase of its pairs."""
    kind = "match_phrase" if len(group) > 1 else "match"
    return OQ(
        "bool",
        should=[
            OQ(kind, text_terms={"query": " ".join(group)}),
            OQ(kind, name_terms={"query": " ".join(group), "boost": NAME_WEIGHT}),
        ],
        minimum_should_match=1,
    )


def _text_query(word: Word):
    groups = [_group_query(group) for group in word.groups]
    return groups[0] if len(groups) == 1 else OQ("bool", must=groups)


def _os_word_query(word: Word):
    text = _text_query(word)
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
    if name == "region":
        return OQ("terms", region=values)
    return OQ("terms", **{OS_FIELDS[name]: values})


def _os_scope(scope: Scope):
    if scope.everything:
        return None
    return OQ(
        "bool",
        filter=[OQ("terms", department=scope.departments)],
        must_not=[OQ("term", application_state=State.DRAFT.value)],
    )


def run(words, scope, filters, page, per_page):
    """(ranked [(entry id, score)], total, facets) for one page."""
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
        facets[name] = sorted_counts((b["key"], b["doc_count"]) for b in buckets)
    return ranked, total, facets

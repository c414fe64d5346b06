"""What every Chinese-aware backend shares: query rewriting and field routing."""

from modelsearch.index import SearchField
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from search.text import index_text, query_text

# Fields boosted at least this much rank with the title (title, 发文字号, section titles).
TITLE_CLASS_BOOST = 2
# How much more a title-class match weighs than a body match on the database backends.
TITLE_WEIGHT = 10.0


def is_title_class(field) -> bool:
    return isinstance(field, SearchField) and (
        field.field_name == "title" or (field.boost or 1) >= TITLE_CLASS_BOOST
    )


def segment_value(value):
    """Index-side rewrite of a search value (a string, or a list such as a StreamField's)."""
    if isinstance(value, str):
        return index_text(value)
    if isinstance(value, (list, tuple)):
        return [segment_value(item) for item in value]
    return value


def segment_query(query):
    """Rewrite a query string or modelsearch query tree into Chinese-aware terms.

    Phrases and fuzzy queries become conjunctions of terms: with overlapping
    character pairs that is already close to a phrase match for Chinese.
    """
    if isinstance(query, str):
        return query_text(query)
    if isinstance(query, PlainText):
        return PlainText(query_text(query.query_string), operator=query.operator, boost=query.boost)
    if isinstance(query, (Phrase, Fuzzy)):
        return PlainText(query_text(query.query_string), operator="and")
    if isinstance(query, And):
        return And([segment_query(q) for q in query.subqueries])
    if isinstance(query, Or):
        return Or([segment_query(q) for q in query.subqueries])
    if isinstance(query, Not):
        return Not(segment_query(query.subquery))
    if isinstance(query, Boost):
        return Boost(segment_query(query.subquery), query.boost)
    if isinstance(query, MatchAll):
        return query
    return query


class ChineseQueryMixin:
    """Mixed into a backend class: rewrites every search and autocomplete query."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        return super()._search(
            query_compiler_class, segment_query(query), model_or_queryset, **kwargs
        )

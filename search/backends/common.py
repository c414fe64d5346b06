"""What every Chinese-aware backend shares: query rewriting and field routing."""

from modelsearch.index import SearchField
from modelsearch.query import And, Boost, Fuzzy, Not, Or, Phrase, PlainText

from search.text import index_text, query_groups, query_text

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


def _word_query(text: str, operator: str = "and", boost: float = 1):
    """A query string as Chinese-aware terms: plain terms, plus one phrase per longer chunk."""
    groups = query_groups(text)
    singles = [group[0] for group in groups if len(group) == 1]
    parts = [PlainText(" ".join(singles), operator=operator, boost=boost)] if singles else []
    parts += [Phrase(" ".join(group)) for group in groups if len(group) > 1]
    if not parts:
        return PlainText("", operator=operator)
    if len(parts) == 1:
        return parts[0]
    return And(parts) if operator == "and" else Or(parts)


class SegmentingIndexerMixin:
    """Mixed into a database ObjectIndexer: each leaf string is segmented exactly once.

    modelsearch's prepare_value recurses into lists and dicts and joins the results;
    segmenting the joined text again would index pairs of terms.
    """

    def prepare_value(self, value):
        if isinstance(value, (list, tuple, dict)):
            return super().prepare_value(list(value) if isinstance(value, tuple) else value)
        return index_text(super().prepare_value(value))


def segment_query(query):
    """Rewrite a query string or modelsearch query tree into Chinese-aware terms.

    A chunk of three or more units becomes a Phrase of its pairs (search/text.py);
    fuzzy queries are treated as exact, since Chinese has no spelling variants.
    """
    if isinstance(query, str):
        return _word_query(query)
    if isinstance(query, PlainText):
        return _word_query(query.query_string, query.operator, query.boost)
    if isinstance(query, (Phrase, Fuzzy)):
        return _word_query(query.query_string)
    if isinstance(query, And):
        return And([segment_query(q) for q in query.subqueries])
    if isinstance(query, Or):
        return Or([segment_query(q) for q in query.subqueries])
    if isinstance(query, Not):
        return Not(segment_query(query.subquery))
    if isinstance(query, Boost):
        return Boost(segment_query(query.subquery), query.boost)
    return query


def segment_autocomplete(query):
    """Autocomplete matches term prefixes, not phrases: every term, ANDed."""
    if isinstance(query, PlainText):
        return PlainText(query_text(query.query_string), operator=query.operator)
    if isinstance(query, str):
        return query_text(query)
    return query


class ChineseQueryMixin:
    """Mixed into a backend class: rewrites every search and autocomplete query."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if isinstance(query, str) and not query_groups(query):
            # Nothing searchable (punctuation only): modelsearch answers "" with no results.
            return super()._search(query_compiler_class, "", model_or_queryset, **kwargs)
        if isinstance(query, str) and query_compiler_class is self.query_compiler_class:
            query = PlainText(query, operator=kwargs.pop("operator", None) or "or")
        if query_compiler_class is self.query_compiler_class:
            query = segment_query(query)
        else:
            query = segment_autocomplete(query)
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)

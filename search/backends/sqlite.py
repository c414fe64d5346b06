"""SQLite FTS5 backend with Chinese terms and title-first ranking.

modelsearch ranks SQLite hits with one bm25() over the whole row. FTS5's column
weights scale term frequency before it saturates, and length normalisation uses
the whole row, so even a large title weight barely moves a page whose body repeats
the term. Here a hit's rank is led by the share of query terms found in its title
column (title, 发文字号 and other boosted fields), with bm25 breaking ties.
"""

from django.db.models import Case, F, FloatField, Func, TextField, Value, When
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils.functional import cached_property
from modelsearch.backends.database.sqlite import sqlite as base
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.query import Phrase, PlainText

from .common import (
    TITLE_WEIGHT,
    ChineseQueryMixin,
    SegmentingIndexerMixin,
    is_title_class,
)


class ChineseObjectIndexer(SegmentingIndexerMixin, base.ObjectIndexer):
    def _values(self, wanted):
        return " ".join(
            value
            for field in self.search_fields
            for current, value in self.prepare_field(self.obj, field)
            if wanted(current)
        )

    @cached_property
    def title(self):
        return self._values(is_title_class)

    @cached_property
    def body(self):
        return self._values(lambda f: isinstance(f, SearchField) and not is_title_class(f))

    @cached_property
    def autocomplete(self):
        return self._values(lambda f: isinstance(f, AutocompleteField))


class ChineseSQLiteIndex(base.SQLiteIndex):
    def add_items(self, model, objs):
        # Mirrors modelsearch's SQLiteIndex.add_items; only the indexer class differs.
        if not model.get_search_fields():
            return
        indexers = [ChineseObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        content_type_pk = base.get_content_type_pk(model)
        data = {ix.id: (ix.title, ix.autocomplete, ix.body) for ix in indexers}
        entries = self.entries.filter(content_type_id=content_type_pk)
        existing = set(entries.filter(object_id__in=data).values_list("object_id", flat=True))
        for object_id in existing:
            title, autocomplete, body = data[object_id]
            entries.filter(object_id=object_id).update(
                title=title, autocomplete=autocomplete, body=body
            )
        self.entries.bulk_create(
            base.IndexEntry(
                content_type_id=content_type_pk,
                object_id=object_id,
                title=title,
                autocomplete=autocomplete,
                body=body,
            )
            for object_id, (title, autocomplete, body) in data.items()
            if object_id not in existing
        )
        self._refresh_title_norms()


class WeightedBM25(Func):
    """bm25() with per-column weights; FTS columns are (autocomplete, body, title)."""

    output_field = FloatField()

    def __init__(self, weights):
        self.weights = weights
        super().__init__()

    def as_sql(self, compiler, connection, **extra):
        table = base.SQLiteFTSIndexEntry._meta.db_table
        return f"bm25({table}, {', '.join(str(float(w)) for w in self.weights)})", []


def plain_terms(query) -> list[str]:
    """Every term of the PlainText and Phrase leaves of a (segmented) query tree."""
    if isinstance(query, (PlainText, Phrase)):
        return query.query_string.split()
    children = getattr(query, "subqueries", None) or [getattr(query, "subquery", None)]
    return [term for child in children if child is not None for term in plain_terms(child)]


def title_coverage(terms):
    """Share (0–1) of `terms` present as whole terms in the indexed title column."""
    padded = Concat(Value(" "), F("index_entry__title"), Value(" "), output_field=TextField())
    hits = [
        Case(When(Contains(padded, Value(f" {term} ")), then=Value(1.0)), default=Value(0.0))
        for term in terms
    ]
    return sum(hits[1:], hits[0]) / len(hits)


class ChineseSQLiteSearchQueryCompiler(base.SQLiteSearchQueryCompiler):
    def _build_rank_expression(self, vectors, config):
        # bm25 is negative (smaller is better) and modelsearch sorts ascending.
        rank = WeightedBM25((0.0, 1.0, 1.0))
        terms = list(dict.fromkeys(plain_terms(self.query)))
        if terms:
            rank = rank - title_coverage(terms) * TITLE_WEIGHT
        return rank


class ChineseSQLiteSearchBackend(ChineseQueryMixin, base.SQLiteSearchBackend):
    index_class = ChineseSQLiteIndex
    query_compiler_class = ChineseSQLiteSearchQueryCompiler


SearchBackend = ChineseSQLiteSearchBackend

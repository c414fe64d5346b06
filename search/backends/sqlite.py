"""SQLite FTS5 backend with Chinese terms and column-weighted BM25.

modelsearch ranks SQLite hits with one bm25() over the whole row, so a match in the
title counts no more than one in the body. Here the title column (title, 发文字号 and
other boosted fields) weighs TITLE_WEIGHT times the body.
"""

from django.db.models import FloatField, Func
from django.utils.functional import cached_property
from modelsearch.backends.database.sqlite import sqlite as base
from modelsearch.index import AutocompleteField, SearchField

from .common import TITLE_WEIGHT, ChineseQueryMixin, is_title_class, segment_value


class ChineseObjectIndexer(base.ObjectIndexer):
    def prepare_value(self, value):
        return segment_value(super().prepare_value(value))

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


class ChineseSQLiteSearchQueryCompiler(base.SQLiteSearchQueryCompiler):
    def _build_rank_expression(self, vectors, config):
        # bm25 is negative (smaller is better) and modelsearch sorts ascending.
        return WeightedBM25((0.0, 1.0, TITLE_WEIGHT))


class ChineseSQLiteSearchBackend(ChineseQueryMixin, base.SQLiteSearchBackend):
    index_class = ChineseSQLiteIndex
    query_compiler_class = ChineseSQLiteSearchQueryCompiler


SearchBackend = ChineseSQLiteSearchBackend

"""PostgreSQL full-text backend with Chinese terms (the 'simple' text search config)."""

from django.db.models import F
from django.db.models.sql import InsertQuery
from django.utils.functional import cached_property
from modelsearch.backends.database.postgres import postgres as base
from modelsearch.index import AutocompleteField, SearchField

from .common import (
    TITLE_WEIGHT,
    ChineseQueryMixin,
    SegmentingIndexerMixin,
    is_title_class,
)


class ChineseObjectIndexer(SegmentingIndexerMixin, base.ObjectIndexer):
    def _texts(self, wanted):
        return [
            (value, weight)
            for field in self.search_fields
            for current, weight, value in self.prepare_field(self.obj, field)
            if wanted(current)
        ]

    @cached_property
    def title(self):
        return self.as_vector(self._texts(is_title_class))

    @cached_property
    def body(self):
        return self.as_vector(
            self._texts(lambda f: isinstance(f, SearchField) and not is_title_class(f))
        )

    @cached_property
    def autocomplete(self):
        return self.as_vector(
            self._texts(lambda f: isinstance(f, AutocompleteField)), for_autocomplete=True
        )

    @cached_property
    def title_text(self):
        return " ".join(v.strip() for v, _ in self._texts(is_title_class) if v.strip())

    @cached_property
    def body_text(self):
        texts = self._texts(lambda f: isinstance(f, SearchField) and not is_title_class(f))
        return " ".join(v.strip() for v, _ in texts if v.strip())


class ChinesePostgresIndex(base.PostgresIndex):
    def add_items(self, model, objs):
        # Mirrors modelsearch's PostgresIndex.add_items; only the indexer class differs.
        if not model.get_search_fields():
            return
        indexers = [ChineseObjectIndexer(obj, self.backend) for obj in objs]
        if not indexers:
            return
        entry = base.IndexEntry
        content_type_pk = base.get_content_type_pk(model)
        compiler = InsertQuery(entry).get_compiler(connection=self.write_connection)
        rows, params = [], []
        for indexer in indexers:
            params.extend((content_type_pk, indexer.id))
            vectors_sql = []
            for name in ("title", "autocomplete", "body"):
                value = compiler.prepare_value(entry._meta.get_field(name), getattr(indexer, name))
                sql, value_params = value.as_sql(compiler, self.write_connection)
                vectors_sql.append(sql)
                params.extend(value_params)
            params.extend((indexer.title_text, indexer.body_text))
            rows.append(f"(%s, %s, {', '.join(vectors_sql)}, 1.0, %s, %s)")
        with self.write_connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {entry._meta.db_table} (content_type_id, object_id, title,
                    autocomplete, body, title_norm, title_text, body_text)
                (VALUES {", ".join(rows)})
                ON CONFLICT (content_type_id, object_id)
                DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0,
                              autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body,
                              title_text = EXCLUDED.title_text, body_text = EXCLUDED.body_text
                """,
                params,
            )
        self._refresh_title_norms()


class ChinesePostgresSearchQueryCompiler(base.PostgresSearchQueryCompiler):
    def get_index_vectors(self, search_query):
        return [
            (F("index_entries__title"), F("index_entries__title_norm") * TITLE_WEIGHT),
            (F("index_entries__body"), 1.0),
        ]


class ChinesePostgresSearchBackend(ChineseQueryMixin, base.PostgresSearchBackend):
    index_class = ChinesePostgresIndex
    query_compiler_class = ChinesePostgresSearchQueryCompiler

    def __init__(self, params):
        super().__init__(params)
        # Terms are already segmented; 'simple' keeps them as they are (no stemming).
        self.config = params.get("SEARCH_CONFIG", "simple")


SearchBackend = ChinesePostgresSearchBackend

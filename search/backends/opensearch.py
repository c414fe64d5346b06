"""OpenSearch 3 backend with the same Chinese terms as the database backends.

Text arrives pre-segmented (search/text.py), so every text field is analysed by
splitting on white space and lower-casing; autocomplete uses edge n-grams of those
terms. A query for 补贴 is then the single term 补贴 on every backend.
"""

from modelsearch.backends import opensearch3 as base
from modelsearch.index import AutocompleteField, SearchField, get_indexed_models

from .common import ChineseQueryMixin, segment_value

TERMS_ANALYZER = "portal_terms"
EDGE_ANALYZER = "portal_terms_edgengram"

ANALYSIS = {
    "settings": {
        "analysis": {
            "analyzer": {
                TERMS_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["lowercase"],
                },
                EDGE_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["lowercase", "edgengram"],
                },
            }
        }
    }
}


def _use_terms_analyzer(properties):
    for name, mapping in properties.items():
        if mapping.get("type") == "nested":
            _use_terms_analyzer(mapping["properties"])
        elif mapping.get("type") == "text":
            if mapping.get("analyzer") == "edgengram_analyzer" or name == "_edgengrams":
                mapping["analyzer"] = EDGE_ANALYZER
                mapping["search_analyzer"] = TERMS_ANALYZER
            else:
                mapping.setdefault("analyzer", TERMS_ANALYZER)


class ChineseOpenSearchMapping(base.OpenSearch3Mapping):
    edgengram_analyzer_config = {"analyzer": EDGE_ANALYZER, "search_analyzer": TERMS_ANALYZER}

    def get_mapping(self):
        mapping = super().get_mapping()
        _use_terms_analyzer(mapping["properties"])
        return mapping

    def _get_document_field_data(self, field, obj):
        name, value, edgengrams = super()._get_document_field_data(field, obj)
        if isinstance(field, (SearchField, AutocompleteField)):
            value = segment_value(value)
            edgengrams = [segment_value(v) for v in edgengrams]
        return name, value, edgengrams


class ChineseOpenSearchIndex(base.OpenSearch3Index):
    """Creates itself with our analysers and mappings before the first document.

    Left to OpenSearch, the first indexed document would create the index with a
    dynamic mapping (standard analyser) and Chinese terms would be split apart.
    """

    _ready: set = set()  # index names known to exist with mappings, per process

    def models(self):
        return [
            model
            for model in get_indexed_models()
            if self.backend.get_index_for_model(model).name == self.name
        ]

    def put(self):
        super().put()
        for model in self.models():
            self.add_model(model)
        self._ready.add(self.name)

    def delete(self):
        # After a zero-downtime rebuild the name is an alias: delete what it points at.
        self._ready.discard(self.name)
        if self.exists() and self.is_alias():
            for index in self.aliased_indices():
                index.delete()
        else:
            super().delete()

    def refresh(self):
        # An index is created with its first document; until then there is nothing to refresh.
        if self.exists():
            super().refresh()

    def ensure(self):
        if self.name not in self._ready:
            if not self.exists():
                self.put()
            self._ready.add(self.name)

    def add_item(self, item):
        self.ensure()
        super().add_item(item)

    def add_items(self, model, items):
        self.ensure()
        super().add_items(model, items)


class ChineseOpenSearchQueryCompiler(base.OpenSearch3SearchQueryCompiler):
    mapping_class = ChineseOpenSearchMapping


class ChineseOpenSearchAutocompleteQueryCompiler(base.OpenSearch3AutocompleteQueryCompiler):
    mapping_class = ChineseOpenSearchMapping


class ChineseOpenSearchBackend(ChineseQueryMixin, base.OpenSearch3SearchBackend):
    mapping_class = ChineseOpenSearchMapping
    index_class = ChineseOpenSearchIndex
    query_compiler_class = ChineseOpenSearchQueryCompiler
    autocomplete_query_compiler_class = ChineseOpenSearchAutocompleteQueryCompiler

    def __init__(self, params):
        params = dict(params)
        params["INDEX_SETTINGS"] = {**ANALYSIS, **params.get("INDEX_SETTINGS", {})}
        super().__init__(params)

    def ping(self) -> bool:
        return bool(self.es.ping())


SearchBackend = ChineseOpenSearchBackend

"""Chinese-aware subclasses of modelsearch's backends (see search/text.py).

Each backend segments indexed text with `index_text` and queries with `query_text`,
so the same Chinese and mixed queries find the same documents on SQLite,
PostgreSQL and OpenSearch.
"""

"""Database search (the embedded default): SQLite FTS5 or PostgreSQL, Chinese-aware."""

from django.db import connection


def SearchBackend(params):
    if connection.vendor == "postgresql":
        from .postgres import ChinesePostgresSearchBackend

        return ChinesePostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        from .sqlite import ChineseSQLiteSearchBackend

        return ChineseSQLiteSearchBackend(params)
    raise NotImplementedError(
        f"No Chinese-aware search backend for the {connection.vendor} database; "
        "use SQLite, PostgreSQL or OpenSearch."
    )

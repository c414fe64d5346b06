"""Database search (the embedded default): SQLite FTS5 or PostgreSQL, Chinese-aware."""

from django.db import connection

from .postgres import ChinesePostgresSearchBackend
from .sqlite import ChineseSQLiteSearchBackend


def SearchBackend(params):
    if connection.vendor == "postgresql":
        return ChinesePostgresSearchBackend(params)
    if connection.vendor == "sqlite":
        return ChineseSQLiteSearchBackend(params)
    raise NotImplementedError(
        f"No Chinese-aware search backend for the {connection.vendor} database; "
        "use SQLite, PostgreSQL or OpenSearch."
    )

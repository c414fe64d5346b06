"""PostgreSQL: the archive search's tsvectors become stored generated columns.

A phrase query (a Han chunk of three or more characters, 合格证 = 合格 <-> 格证) must
recheck every candidate the GIN index gives. Over an expression index that recheck
parses the row's terms again (to_tsvector per candidate: 8 s for 21 000 candidates at
100 000 entries); over a stored column it reads the vector (0.2–0.3 s). SQLite: nothing
to do (FTS5 keeps positions in its own index)."""

from django.db import migrations

COLUMNS = ("terms", "names")
FORWARDS = [
    *(f"DROP INDEX IF EXISTS archive_searchtext_{c}" for c in COLUMNS),
    # One ALTER TABLE: the table is rewritten once for both columns.
    "ALTER TABLE archive_searchtext "
    + ", ".join(
        f"ADD COLUMN {c}_tsv tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {c})) STORED"
        for c in COLUMNS
    ),
    *(f"CREATE INDEX archive_searchtext_{c} ON archive_searchtext USING gin ({c}_tsv)" for c in COLUMNS),
]
BACKWARDS = [
    *(f"DROP INDEX IF EXISTS archive_searchtext_{c}" for c in COLUMNS),
    *(f"ALTER TABLE archive_searchtext DROP COLUMN IF EXISTS {c}_tsv" for c in COLUMNS),
    *(
        f"CREATE INDEX archive_searchtext_{c} ON archive_searchtext "
        f"USING gin (to_tsvector('simple'::regconfig, {c}))"
        for c in COLUMNS
    ),
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, FORWARDS)


def backwards(apps, schema_editor):
    _run(schema_editor, BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_search_row_codes")]

    operations = [migrations.RunPython(forwards, backwards)]

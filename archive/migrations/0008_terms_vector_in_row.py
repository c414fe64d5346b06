"""PostgreSQL: the term vector of the archive search is kept in the row (storage MAIN).

A phrase (a Han chunk of three or more characters, 充电桩 = 充电 <-> 电桩) is rechecked
on every candidate the GIN index gives, and the recheck reads the row's vector. With the
default storage a vector longer than about 2 kB (most: 3.6 kB on average) lives out of
line in TOAST, so each recheck is a TOAST index look-up and two chunk reads: 充电桩 at
100 000 entries rechecked 54 000 rows in 0.25–0.30 s. In the row the same recheck takes
0.11–0.15 s. The heap grows (the vectors move from TOAST into it), the total does not;
vectors too long for a page are still compressed or moved out of line.

Existing rows are rewritten by dropping and adding the generated column in one ALTER
TABLE (the storage applies to the values the rewrite writes); the GIN index is built
again. At 100 000 entries this takes under a minute. SQLite: nothing to do."""

from django.db import migrations

COLUMN = (
    "terms_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED"
)
INDEX = "CREATE INDEX archive_searchtext_terms ON archive_searchtext USING gin (terms_tsv)"


def _rewrite(schema_editor, storage: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS archive_searchtext_terms")
    schema_editor.execute(
        f"ALTER TABLE archive_searchtext DROP COLUMN terms_tsv, ADD COLUMN {COLUMN}, "
        f"ALTER COLUMN terms_tsv SET STORAGE {storage}"
    )
    schema_editor.execute(INDEX)


def forwards(apps, schema_editor):
    _rewrite(schema_editor, "MAIN")


def backwards(apps, schema_editor):
    _rewrite(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("archive", "0007_search_row_departments")]

    operations = [migrations.RunPython(forwards, backwards)]

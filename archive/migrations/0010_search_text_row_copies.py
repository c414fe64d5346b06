"""The text rows of the archive search carry copies of what a search without codes reads
besides the terms: upload time, facet group, city, county, application state and
reviewing departments (``SearchText.COPIED``, the same values as the entry's
``SearchRow``).

PostgreSQL reads the text rows anyway to answer a text query (the GIN index gives row
addresses; the entry id is in the row). With the copies there it takes the matches,
their scope test, facet group and time from those same rows, instead of building a hash
of tens of thousands of entry ids and scanning the narrow rows against it. The whole
search statement at 100 000 entries (interleaved runs, min / median): 补贴 164 / 186 →
136 / 191 ms, 合格证 148 / 155 → 127 / 135 ms, 充电桩 with kind and year 209 / 222 →
169 / 189 ms.

The columns are nullable so that SQLite adds them in place. SQLite's update trigger of
the FTS5 index (migration 0004) now fires only when the terms or names change, so
writing a copy (here, and when a review is added or removed) does not re-index the
text. The fill is one UPDATE from the rows; on PostgreSQL it also recomputes the stored
term vectors (every UPDATE does): 33 s at 100 000 entries."""

from django.db import migrations, models

FTS = "archive_search_fts"
TEXTS = "archive_searchtext"
COPIED = ("time", "facet_group", "city", "county", "state", "departments")

TRIGGER = f"""CREATE TRIGGER {FTS}_au AFTER {{event}} ON {TEXTS} BEGIN
    INSERT INTO {FTS}({FTS}, rowid, names, terms)
    VALUES ('delete', old.entry_id, old.names, old.terms);
    INSERT INTO {FTS}(rowid, names, terms) VALUES (new.entry_id, new.names, new.terms); END"""


def _trigger(schema_editor, event: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_au")
    schema_editor.execute(TRIGGER.format(event=event))


def narrow_trigger(apps, schema_editor):
    _trigger(schema_editor, "UPDATE OF names, terms")


def wide_trigger(apps, schema_editor):
    _trigger(schema_editor, "UPDATE")


def fill(apps, schema_editor):
    assignments = ", ".join(f"{column} = r.{column}" for column in COPIED)
    schema_editor.execute(
        f"UPDATE {TEXTS} AS t SET {assignments} FROM archive_searchrow AS r "
        "WHERE r.entry_id = t.entry_id"
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0009_search_row_facet_group")]

    operations = [
        migrations.AddField("searchtext", "time", models.DateTimeField(null=True)),
        migrations.AddField("searchtext", "facet_group", models.BigIntegerField(null=True)),
        migrations.AddField("searchtext", "city", models.CharField(max_length=12, null=True)),
        migrations.AddField("searchtext", "county", models.CharField(max_length=12, null=True)),
        migrations.AddField("searchtext", "state", models.CharField(max_length=20, null=True)),
        migrations.AddField(
            "searchtext", "departments", models.CharField(max_length=200, null=True)
        ),
        migrations.RunPython(narrow_trigger, wide_trigger),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

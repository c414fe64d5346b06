"""The reviewing departments become a column of ``SearchRow`` ("|housing|power|"), so
scope, the department filter and its facet test the row instead of joining the reviews
for every match. Existing rows are filled in place from the reviews. The facet index
becomes the order the counting pass groups by, and covers it.

On SQLite the table is rebuilt with ``entry_id integer PRIMARY KEY``: Django declares a
key to a big-integer primary key as ``bigint``, which SQLite keeps as a separate index
beside a hidden rowid, so every look-up by entry walked two B-trees and no secondary
index held the entry. As the rowid, the entry is in every index (covering) and found in
one step. ``tests/archive/test_search.py`` checks that the table keeps this shape."""

from django.db import migrations, models


def fill(apps, schema_editor):
    SearchRow = apps.get_model("archive", "SearchRow")
    DepartmentReview = apps.get_model("applications", "DepartmentReview")
    codes: dict[int, set[str]] = {}
    for application_id, code in DepartmentReview.objects.values_list(
        "application_id", "department__code"
    ):
        codes.setdefault(application_id, set()).add(code)
    by_value: dict[str, list[int]] = {}
    for application_id, found in codes.items():
        by_value.setdefault(f"|{'|'.join(sorted(found))}|", []).append(application_id)
    for value, ids in by_value.items():
        for start in range(0, len(ids), 500):
            SearchRow.objects.filter(application_id__in=ids[start : start + 500]).update(
                departments=value
            )


def entry_as_rowid(apps, schema_editor):
    """SQLite: SearchRow again with its entry as the rowid (same columns and indexes)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (create,) = cursor.fetchone()
        if KEY not in create:
            return  # already the rowid
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            create.replace(f'"{TABLE}"', '"archive_searchrow_new"', 1).replace(KEY, ROWID)
        )
        cursor.execute(f'INSERT INTO "archive_searchrow_new" SELECT * FROM "{TABLE}"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "archive_searchrow_new" RENAME TO "{TABLE}"')
        for sql in indexes:
            cursor.execute(sql)


TABLE = "archive_searchrow"
KEY = '"entry_id" bigint NOT NULL PRIMARY KEY'
ROWID = '"entry_id" integer NOT NULL PRIMARY KEY'


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_review_open_due_index"),
        ("archive", "0006_stored_tsvectors"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchrow",
            name="departments",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="searchrow", name="archive_row_facets"),
        migrations.AddIndex(
            model_name="searchrow",
            index=models.Index(
                fields=["kind", "app_kind", "state", "city", "year", "departments", "county", "credit_code", "reference"],
                name="archive_row_facets",
            ),
        ),
        migrations.RunPython(entry_as_rowid, migrations.RunPython.noop, elidable=False),
    ]

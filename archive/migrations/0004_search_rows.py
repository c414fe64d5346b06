"""The database engine reads narrow rows: what it filters, counts and orders by
(``SearchRow``: kind, application type and state, county, city, year, upload time,
application) and the codes an entry is found by (``SearchCode``), apart from the terms;
``SearchText`` gains the names' terms for ranking and the FTS5 table indexes names and
terms. The rows are written again from the entries (``archive.search.table.rebuild``)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

FTS = "archive_search_fts"
ROWS = "archive_searchtext"

SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(names, terms, content='{ROWS}', "
    "content_rowid='entry_id')",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {ROWS} BEGIN
        INSERT INTO {FTS}(rowid, names, terms) VALUES (new.entry_id, new.names, new.terms); END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {ROWS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, names, terms)
        VALUES ('delete', old.entry_id, old.names, old.terms); END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE ON {ROWS} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, names, terms)
        VALUES ('delete', old.entry_id, old.names, old.terms);
        INSERT INTO {FTS}(rowid, names, terms) VALUES (new.entry_id, new.names, new.terms); END""",
]
# The triggers live on the rows table: dropped with the FTS table they write to.
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("ai", "ad", "au")] + [
    f"DROP TABLE IF EXISTS {FTS}"
]
POSTGRES = [
    f"CREATE INDEX archive_searchtext_terms ON {ROWS} "
    "USING gin (to_tsvector('simple'::regconfig, terms))",
    f"CREATE INDEX archive_searchtext_names ON {ROWS} "
    "USING gin (to_tsvector('simple'::regconfig, names))",
    # Prefix look-ups (LIKE 'X%') whatever the database's collation.
    "CREATE INDEX archive_code_prefix ON archive_searchcode (code varchar_pattern_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS archive_searchtext_terms",
    "DROP INDEX IF EXISTS archive_searchtext_names",
    "DROP INDEX IF EXISTS archive_code_prefix",
]


def _run(schema_editor, statements):
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def _previous():
    return importlib.import_module("archive.migrations.0003_search_table")


def drop_previous_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP})
    _previous().drop_engine_index(apps, schema_editor)
    apps.get_model("archive", "SearchText").objects.all().delete()  # written again below


def create_previous_index(apps, schema_editor):
    _previous().create_engine_index(apps, schema_editor)


def create_engine_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def drop_engine_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


def fill(apps, schema_editor):
    # Existing entries are searchable at once (nothing to do on a fresh database).
    if apps.get_model("archive", "ArchiveEntry").objects.exists():
        from archive.search.table import rebuild

        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("archive", "0003_search_table"),
    ]

    operations = [
        migrations.RunPython(drop_previous_index, create_previous_index),
        migrations.CreateModel(
            name="SearchCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=64)),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("sha", "SHA-256"),
                            ("invoice", "发票代码/号码"),
                            ("text", "文字中的编码"),
                            ("application", "信用代码/申请编号"),
                        ],
                        max_length=12,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SearchRow",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="archive.archiveentry",
                    ),
                ),
                ("kind", models.CharField(default="", max_length=20)),
                ("app_kind", models.CharField(default="", max_length=40)),
                ("state", models.CharField(default="", max_length=20)),
                ("city", models.CharField(default="", max_length=12)),
                ("county", models.CharField(default="", max_length=12)),
                ("year", models.IntegerField(null=True)),
                ("time", models.DateTimeField(null=True)),
            ],
        ),
        migrations.AddField(
            model_name="searchtext",
            name="names",
            field=models.TextField(default=""),
        ),
        migrations.AlterField(
            model_name="searchtext",
            name="truncated",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="searchtext",
            index=models.Index(
                condition=models.Q(("truncated", True)), fields=["entry"], name="archive_search_cut"
            ),
        ),
        migrations.AddField(
            model_name="searchcode",
            name="entry",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="archive.archiveentry",
            ),
        ),
        migrations.AddField(
            model_name="searchrow",
            name="application",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="applications.application",
            ),
        ),
        migrations.AddIndex(
            model_name="searchcode",
            index=models.Index(fields=["code", "source", "entry"], name="archive_code_lookup"),
        ),
        migrations.AddIndex(
            model_name="searchcode",
            index=models.Index(fields=["entry", "code", "source"], name="archive_code_entry"),
        ),
        migrations.AddIndex(
            model_name="searchrow",
            index=models.Index(fields=["-time", "-entry"], name="archive_row_time"),
        ),
        migrations.AddIndex(
            model_name="searchrow",
            index=models.Index(
                fields=["kind", "app_kind", "state", "city", "year", "county", "application"],
                name="archive_row_facets",
            ),
        ),
        migrations.RunPython(create_engine_index, drop_engine_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

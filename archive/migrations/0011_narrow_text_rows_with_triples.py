"""The archive's text rows become narrow on PostgreSQL, and their term streams gain the
triples of every chunk (search/text.py ``triples``), so that a chunk of up to three
characters is one term there.

Migration 0008 kept the term vector in the row because a phrase (then every chunk of
three or more characters) was rechecked against each candidate's vector, and out of
line that read doubled the time. With the copies of migration 0010 a text search reads
its matches from these rows, and a wide row (3.6 kB of vector, one or two to a page)
made every match a page read: 补贴 at 100 000 entries read 41 000 pages. Now a chunk of
three characters is its triple term, found by the GIN index without a recheck, and the
vectors, terms and names go out of line (``toast_tuple_target`` 128), so the rows are
about 150 bytes and a page holds fifty: materialising the matches of 补贴 took 24–33 ms
instead of 90–112, 合格证 11–14 instead of 61–74 and 充电桩 22–28 instead of 142–179.
A chunk of four or more characters is still a phrase of pairs and reads the vectors of
its candidates from TOAST (营业执照: 90–100 ms against 41–51 in the row).

Every text row is rewritten with its new streams, from the entry's names and text
(PostgreSQL recomputes the vectors and moves them out of line as it writes), in one
transaction: 4 min 44 s at 100 000 entries on this VM. PostgreSQL then writes the table
afresh (VACUUM FULL, 39 s at 100 000, the table locked meanwhile), so that the narrow rows
are packed instead of scattered over the old rows' pages."""

from django.db import migrations, transaction

from archive.search.table import names_for, terms_for

BATCH = 1000
TEXTS = "archive_searchtext"


def _layout(schema_editor, narrow: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    if narrow:
        options, storage = "SET (toast_tuple_target = 128)", "EXTENDED"
    else:
        options, storage = "RESET (toast_tuple_target)", "MAIN"
    schema_editor.execute(
        f"ALTER TABLE {TEXTS} {options}, ALTER COLUMN terms_tsv SET STORAGE {storage}"
    )


def _rewrite(apps) -> None:
    """Every text row's streams again, from its entry (historical models only)."""
    SearchText = apps.get_model("archive", "SearchText")
    ArchiveEntry = apps.get_model("archive", "ArchiveEntry")
    ids = list(SearchText.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        entries = ArchiveEntry.objects.filter(pk__in=ids[start : start + BATCH]).values_list(
            "pk",
            "original_name",
            "text",
            "applicant__name",
            "attachment__application__applicant__name",
        )
        rows = []
        for pk, original_name, text, own, applicants in entries:
            applicant_name = own or applicants or ""
            terms, truncated = terms_for(original_name or "", applicant_name, text or "")
            names = names_for(original_name or "", applicant_name)
            rows.append(SearchText(pk=pk, terms=terms, names=names, truncated=truncated))
        SearchText.objects.bulk_update(rows, ["terms", "names", "truncated"])


def forwards(apps, schema_editor):
    with transaction.atomic(using=schema_editor.connection.alias):
        _layout(schema_editor, narrow=True)
        _rewrite(apps)


def backwards(apps, schema_editor):
    with transaction.atomic(using=schema_editor.connection.alias):
        _layout(schema_editor, narrow=False)
        _rewrite(apps)  # the triples stay in the streams: unused by the older code


def compact(apps, schema_editor):
    """PostgreSQL: write the table afresh. The rewritten rows would otherwise sit in the
    free space of the old wide rows' pages, a few to a page, until the table is next
    rewritten — as slow to read as before."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"VACUUM FULL {TEXTS}")


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run in a transaction; the rewrite has its own

    dependencies = [("archive", "0010_search_text_row_copies")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(compact, migrations.RunPython.noop),
    ]

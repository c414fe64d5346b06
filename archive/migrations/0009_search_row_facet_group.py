"""Each search row gets its facet group (``SearchRow.facet_group``: a 63-bit hash of
kind, application type, state, city, year and reviewing departments), filled here for
existing rows. PostgreSQL counts the matches per group by this one integer and reads
each group's columns from one of its rows, instead of grouping tens of thousands of
matches by six text columns (a third of a search that matches most of the archive).

The column is nullable so that SQLite adds it in place: with a default Django would
rebuild the table and lose the rowid key of migration 0007."""

from django.db import migrations, models

from archive.search._facets import GROUPED, group_key

BATCH = 2000


def fill(apps, schema_editor):
    SearchRow = apps.get_model("archive", "SearchRow")
    rows = SearchRow.objects.order_by("pk").only(*GROUPED)
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.facet_group = group_key(getattr(row, column) for column in GROUPED)
        batch.append(row)
        if len(batch) == BATCH:
            SearchRow.objects.bulk_update(batch, ["facet_group"])
            batch = []
    SearchRow.objects.bulk_update(batch, ["facet_group"])


class Migration(migrations.Migration):
    dependencies = [("archive", "0008_terms_vector_in_row")]

    operations = [
        migrations.AddField(
            model_name="searchrow",
            name="facet_group",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

"""The application's codes (the applicant's credit code, the reference) become columns
of ``SearchRow`` instead of ``SearchCode`` rows: a prefix that most of the archive
shares (9141) is then a test on the row rather than a look-up per match. Existing rows
are filled in place from the entries (no full rebuild needed)."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Upper


def fill(apps, schema_editor):
    SearchRow = apps.get_model("archive", "SearchRow")
    SearchCode = apps.get_model("archive", "SearchCode")
    ArchiveEntry = apps.get_model("archive", "ArchiveEntry")
    Application = apps.get_model("applications", "Application")
    if not SearchRow.objects.exists():
        return
    # As archive.search.table: the entry's applicant, else its application's.
    credit = ArchiveEntry.objects.filter(pk=OuterRef("entry_id")).values(
        x=Coalesce(
            F("applicant__credit_code"), F("attachment__application__applicant__credit_code")
        )
    )[:1]
    reference = Application.objects.filter(pk=OuterRef("application_id")).values("reference")[:1]
    SearchRow.objects.update(
        credit_code=Coalesce(Upper(Subquery(credit)), Value("")),
        reference=Coalesce(Upper(Subquery(reference)), Value("")),
    )
    SearchCode.objects.filter(source="application").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0006_review_open_due_index"),
        ("archive", "0004_search_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchrow",
            name="credit_code",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="searchrow",
            name="reference",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="searchrow",
            index=models.Index(
                fields=["credit_code"],
                name="archive_row_credit",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="searchrow",
            index=models.Index(
                fields=["reference"],
                name="archive_row_reference",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

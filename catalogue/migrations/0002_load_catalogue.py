from django.db import migrations

from catalogue.loading import load_catalogue


def load(apps, schema_editor):
    # Idempotent upsert by code (see catalogue/loading.py); rows added by editors are kept.
    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

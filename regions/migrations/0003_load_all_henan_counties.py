from django.db import migrations

from regions.loading import load_regions


def load(apps, schema_editor):
    # Idempotent: update_or_create by code, so rows from 0002 are kept and the
    # remaining Henan counties (and the 410199 郑州-其他 pseudo county) are added.
    load_regions(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_load_henan")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

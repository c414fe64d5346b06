"""The 1–5 star rating became 好差评 (notifications.Rating); its data was carried over by
notifications 0002 before these columns go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_stations_move_to_interconnect"),
        ("notifications", "0002_seed_templates_and_ratings"),
    ]

    operations = [
        migrations.RemoveField(model_name="application", name="rating"),
        migrations.RemoveField(model_name="application", name="rating_comment"),
        migrations.RemoveField(model_name="application", name="rated_at"),
    ]

"""Stations and orders now live in `interconnect` (pushed through T/CEC 102).

interconnect.0002 copied every row keeping its primary key, so the dossier and subsidy
foreign keys keep their values and only point at the new table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("interconnect", "0002_legacy_stations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stationdossier",
            name="station",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="dossier",
                to="interconnect.station",
                verbose_name="绑定站点",
            ),
        ),
        migrations.AlterField(
            model_name="constructionsubsidy",
            name="station",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subsidies",
                to="interconnect.station",
                verbose_name="充电站",
            ),
        ),
        migrations.DeleteModel(name="ChargingOrder"),
        migrations.DeleteModel(name="Station"),
    ]

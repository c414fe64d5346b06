"""Copy applications.Station / ChargingOrder into the interconnect models, keeping the
primary keys (the dossier and subsidy foreign keys are repointed afterwards)."""

from django.core.management.color import no_style
from django.db import migrations

STATION_TYPES = {"公共": 1, "个人": 50, "公交": 100, "环卫": 101, "物流": 102, "出租": 103}
CONSTRUCTIONS = {
    "居民": 1,
    "公共机构": 2,
    "企事业": 3,
    "写字楼": 4,
    "工业园": 5,
    "产业园": 5,
    "交通枢纽": 6,
    "文体": 7,
    "绿地": 8,
    "停车场": 9,
    "路边": 10,
    "高速": 11,
}


def _code(text, table, default):
    for word, code in table.items():
        if word in (text or ""):
            return code
    return default


def forwards(apps, schema_editor):
    OldStation = apps.get_model("applications", "Station")
    OldOrder = apps.get_model("applications", "ChargingOrder")
    Station = apps.get_model("interconnect", "Station")
    ChargeOrder = apps.get_model("interconnect", "ChargeOrder")
    for old in OldStation.objects.select_related("owner", "region").order_by("pk"):
        credit = old.owner.credit_code or ""
        Station.objects.create(
            pk=old.pk,
            owner_id=old.owner_id,
            station_id=f"L{old.pk:08d}",
            operator_id=credit[8:17],
            name=old.name,
            address=old.address,
            region_id=old.region_id,
            area_code=old.region.code[:6] if old.region else "",
            station_type=_code(old.station_type, STATION_TYPES, 255),
            construction=_code(old.site_type, CONSTRUCTIONS, 255),
            pile_count=old.pile_count,
            pushed_at=old.pushed_at,
        )
    for old in OldOrder.objects.order_by("pk"):
        ChargeOrder.objects.create(
            pk=old.pk,
            station_id=old.station_id,
            start_charge_seq=old.order_number,
            started_at=old.started_at,
            ended_at=old.ended_at,
            energy_kwh=old.energy_kwh,
            amount=old.amount,
            received_at=old.started_at,
        )
    _reset_sequences(schema_editor, [Station, ChargeOrder])


def _reset_sequences(schema_editor, models):
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("interconnect", "0001_initial"),
        ("applications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

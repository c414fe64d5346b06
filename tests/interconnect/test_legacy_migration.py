"""The legacy data migration (issue 12): applications.Station / ChargingOrder rows move into
interconnect.Station / ChargeOrder, keeping their primary keys, and the 建站资料 and 建设补贴
foreign keys follow them (interconnect.0002_legacy_stations, then
applications.0002_stations_move_to_interconnect).

Done by hand in the django-test-migrations style: migrate back to the state before (the
legacy tables exist again, empty), write legacy rows with the historical models, migrate
forward, and compare. Backwards is only exercised on empty tables (that is how the test
gets to the old state): interconnect.0002's reverse is a no-op and applications.0002's
reverse re-creates the legacy tables empty, so a reverse with pushed stations in the
database is not supported and not claimed.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from applications.models import StationDossier
from interconnect.models import ChargeOrder, Construction, Station, StationType
from tests.applications.factories import XINYANG_COUNTY, ensure_reference_data, make_applicant

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("applications", "0001_initial"), ("interconnect", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def applicant():
    ensure_reference_data()  # a transactional test earlier in the run may have flushed it
    return make_applicant()  # accounts is the same before and after the move


@pytest.fixture
def legacy_state(applicant):
    """The historical apps of the state before the move; the latest schema afterwards,
    whatever happens in the test."""
    latest = _latest()
    try:
        yield _migrate(BEFORE).loader.project_state(BEFORE).apps
    finally:
        _migrate(latest)
        # Migrating back and forth re-creates content types under new ids; the cached
        # ones would make the next test's page creation fail validation.
        ContentType.objects.clear_cache()


def _legacy_rows(old_apps, applicant):
    OldStation = old_apps.get_model("applications", "Station")
    OldOrder = old_apps.get_model("applications", "ChargingOrder")
    Application = old_apps.get_model("applications", "Application")
    Dossier = old_apps.get_model("applications", "StationDossier")
    Region = old_apps.get_model("regions", "Region")
    region = Region.objects.get(code=XINYANG_COUNTY)
    pushed = timezone.now().replace(microsecond=0) - datetime.timedelta(days=40)
    bus = OldStation.objects.create(
        owner_id=applicant.pk,
        name="浉河公交充电站",
        address="信阳市浉河区新华路 1 号",
        station_type="公交充电站",
        site_type="交通枢纽配建",
        pile_count=12,
        operator_platform="旧运营平台",
        pushed_at=pushed,
        region=region,
    )
    bare = OldStation.objects.create(
        owner_id=applicant.pk, name="无地区站", station_type="", site_type="未知", pile_count=0
    )
    started = pushed + datetime.timedelta(days=1)
    orders = [
        OldOrder.objects.create(
            station=bus,
            order_number=f"LEGACY{n:06d}",
            started_at=started + datetime.timedelta(hours=n),
            ended_at=started + datetime.timedelta(hours=n, minutes=45),
            energy_kwh=Decimal("31.257") + n,
            amount=Decimal("40.63") + n,
        )
        for n in range(3)
    ]
    application = Application.objects.create(
        kind="station_dossier",
        reference="LEGACY-TEST-1",
        state="approved",
        applicant_id=applicant.pk,
        region=region,
    )
    Dossier.objects.create(
        application=application,
        station=bus,
        station_name=bus.name,
        started_on=datetime.date(2025, 3, 1),
        completed_on=datetime.date(2025, 6, 30),
        manager="张三",
        manager_phone="13800138000",
        filed_name=bus.name,
        filed_address=bus.address,
    )
    return bus, bare, orders, application


def test_legacy_stations_and_orders_move_intact(applicant, legacy_state):
    bus, bare, orders, application = _legacy_rows(legacy_state, applicant)

    _migrate(_latest())

    moved = Station.objects.get(pk=bus.pk)
    assert moved.owner_id == applicant.pk
    assert moved.station_id == f"L{bus.pk:08d}"
    assert moved.operator_id == applicant.credit_code[8:17]
    assert (moved.name, moved.address, moved.pile_count) == (bus.name, bus.address, 12)
    assert moved.region.code == XINYANG_COUNTY and moved.area_code == XINYANG_COUNTY
    assert moved.station_type == StationType.BUS
    assert moved.construction == Construction.TRANSPORT_HUB
    assert moved.pushed_at == bus.pushed_at
    other = Station.objects.get(pk=bare.pk)
    assert (other.station_type, other.construction) == (StationType.OTHER, Construction.OTHER)
    assert (other.region, other.area_code) == (None, "")

    assert ChargeOrder.objects.count() == len(orders)
    for old in orders:
        new = ChargeOrder.objects.get(pk=old.pk)
        assert new.station_id == bus.pk
        assert new.start_charge_seq == old.order_number
        assert (new.started_at, new.ended_at) == (old.started_at, old.ended_at)
        assert (new.energy_kwh, new.amount) == (old.energy_kwh, old.amount)
        assert new.received_at == old.started_at

    # the 建站资料 still binds the same station, now the interconnect one
    assert StationDossier.objects.get(application_id=application.pk).station == moved
    # the primary-key sequence moved past the copied rows: a new push gets a fresh key
    fresh = Station.objects.create(owner=applicant, station_id="S9999", name="新推送站")
    assert fresh.pk > max(bus.pk, bare.pk)

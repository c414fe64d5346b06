"""Fixtures for subsidies: an operator whose platform pushed a healthy station with two
120 kW DC piles, the example rules, and a construction subsidy ready to submit."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.forms import save_detail
from applications.lines import add_invoice_line
from catalogue.models import ApplicantType, ApplicationKind
from interconnect import credentials
from interconnect.models import Construction, Equipment, EquipmentType, StationType
from tests.applications import factories

SECRETS = {
    "operator_secret": "OpSecret12345678",
    "sig_secret": "SigSecret1234567",
    "data_secret": "DataSecret123456",
    "data_secret_iv": "DataSecretIV1234",
}


@pytest.fixture
def operator(db):
    factories.ensure_reference_data()
    return factories.make_applicant(ApplicantType.OPERATOR, name="信阳豫充新能源有限公司")


@pytest.fixture
def rules(db):
    from subsidies import demo

    return {r.year: r for r in demo.load(years=(2025, 2026, 2027, 2029))}


def push_equipment(station, *powers, kind=EquipmentType.DC):
    for power in powers:
        Equipment.objects.create(
            station=station,
            equipment_id=factories.unique("E"),
            equipment_type=kind,
            power_kw=Decimal(power),
        )


def make_healthy(station, platform=True):
    """What the operator platform's pushes leave behind: status data and a recent order."""
    if platform:
        credentials.activate(station.owner, source="TEST", **SECRETS)
    station.status_pushed_at = timezone.now()
    station.save(update_fields=["status_pushed_at"])
    factories.make_order(station, timezone.now() - datetime.timedelta(days=2))
    return station


@pytest.fixture
def station(operator):
    station = factories.make_station(
        operator,
        "郑州东站交通枢纽充电站",
        station_type=StationType.PUBLIC,
        construction=Construction.TRANSPORT_HUB,
        pile_count=2,
    )
    push_equipment(station, "120", "120")
    factories.make_dossier(operator, station)
    return make_healthy(station)


def new_construction_subsidy(applicant, station, year=None):
    application = factories.make_application(applicant, ApplicationKind.CONSTRUCTION_SUBSIDY)
    year = year or timezone.localdate().year
    obj, form = save_detail(application, {"station": station.pk, "subsidy_year": str(year)})
    assert obj is not None, form.errors
    return application


def add_line(application, invoice=True, **data):
    values = factories.invoice_line_data(buyer_name=application.applicant.name, power_kw="120")
    values["issued_on"] = f"{application.detail.subsidy_year}-05-20"
    values.update({k: str(v) for k, v in data.items()})
    line, form = add_invoice_line(
        application,
        values,
        factories.pdf_upload(f"发票{values['invoice_number']}.pdf") if invoice else None,
        user=application.applicant.user,
    )
    assert line is not None, form.errors
    return line


@pytest.fixture
def construction(operator, station, rules, private_folder):
    """A 建设补贴 draft for two 120 kW DC piles on one invoice of 200 000.00 元."""
    application = new_construction_subsidy(operator, station)
    add_line(application, invoice_amount="200000.00", used_amount="200000.00")
    return application


@pytest.fixture
def private_folder(settings, tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def catalogue_reviewer(operator):
    """A reviewer of the 省平台 department, which reviews subsidies."""
    return factories.make_reviewer("platform")

"""A file stored and then linked to a row: when the link fails, nothing is left behind.

The upload is written to the private storage before the link (a technician's
certificate, an invoice line's invoice file) is saved. The database rolls the rows
back, but not the storage: the API (``applications.api.routes_attachments.upload_attachment``) and the
repeating-row helpers (``applications.lines``) remove the stored objects themselves.
Each test makes the link fail after the file was stored (checked at that moment), then
asserts that no Attachment or archive row and no file in the private folder remains.

The tests use the configured private folder (``STORAGES["private"]``) rather than a
per-test one: a stored FieldFile keeps the storage bound when the model was imported,
so a folder swapped in by a settings override would not be the one it deletes from.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import APIToken

from applications import lines
from applications.models import Attachment, ConstructionSubsidy, InvoiceLine, Technician
from archive.models import ArchiveEntry
from catalogue.models import ApplicationKind
from tests.applications import factories
from tests.applications.conftest import stored_files
from tests.applications.test_api import ApiClient, file_for

pytestmark = pytest.mark.django_db

LINK_REFUSED = "关联已被其他操作修改，请刷新后重试。"


@pytest.fixture
def api(operator):
    _, token = APIToken.create_token(user=operator.user, name="test")
    return ApiClient(token)


@pytest.fixture
def registration(operator):
    registered = timezone.localdate() - datetime.timedelta(days=5 * 365)
    return factories.make_operator_registration(operator, registered_on=registered)


@pytest.fixture
def subsidy(operator):
    """A construction subsidy draft with one invoice line that has no file yet."""
    station = factories.make_station(operator, "浉河万达充电站", pile_count=6)
    application = factories.make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    detail = ConstructionSubsidy.objects.create(
        application=application, station=station, subsidy_year=timezone.localdate().year
    )
    line = InvoiceLine.objects.create(
        subsidy=detail,
        equipment="dc_pile",
        quantity=2,
        cost_name="直流充电桩购置",
        invoice_number="12345678",
        invoice_code="4100231130",
        invoice_amount=Decimal("100000.00"),
        used_amount=Decimal("100000.00"),
        issued_on=timezone.localdate() - datetime.timedelta(days=30),
        buyer_name=operator.name,
    )
    return application, line


@pytest.fixture
def private_folder():
    folder = Path(storages["private"].location)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Refusal:
    """Raises a ValidationError in place of the link and records which files the
    private folder gained before it (proof that the file had been stored first)."""

    def __init__(self, folder):
        self.folder = folder
        self.before = stored_files(folder)
        self.new: set[str] = set()

    def __call__(self):
        self.new = stored_files(self.folder) - self.before
        raise ValidationError(LINK_REFUSED)


def assert_nothing_left(refusal):
    assert refusal.new, "the link must fail after the file was stored"
    assert Attachment.objects.count() == 0
    assert ArchiveEntry.objects.count() == 0
    assert not [name for name in refusal.new if (refusal.folder / name).exists()]
    assert stored_files(refusal.folder) == refusal.before


def test_api_certificate_upload_whose_link_fails_leaves_no_file(
    api, registration, private_folder, monkeypatch
):
    technician = Technician.objects.create(
        registration=registration.detail, name="赵磊", certificate_number="DG-001"
    )
    refusal = Refusal(private_folder)
    original_save = Technician.save

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["certificate"]:
            refusal()
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Technician, "save", save)
    response = api.upload(
        registration.reference, "electrician-licence", file_for("png"), technician=technician.pk
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == LINK_REFUSED
    assert_nothing_left(refusal)
    technician.refresh_from_db()
    assert technician.certificate_id is None


def test_api_invoice_upload_whose_link_fails_leaves_no_file(
    api, subsidy, private_folder, monkeypatch
):
    application, line = subsidy
    refusal = Refusal(private_folder)
    original_update = QuerySet.update

    def update(self, **values):
        if self.model is InvoiceLine and "invoice_file" in values:
            refusal()
        return original_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    response = api.upload(
        application.reference, "invoice", file_for("pdf", "发票.pdf"), invoice_line=line.pk
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == LINK_REFUSED
    assert_nothing_left(refusal)
    line.refresh_from_db()
    assert line.invoice_file_id is None


def test_a_technician_row_that_cannot_be_saved_leaves_no_certificate(
    operator, registration, private_folder, monkeypatch
):
    refusal = Refusal(private_folder)
    monkeypatch.setattr(Technician, "save", lambda self, *a, **kw: refusal())

    with pytest.raises(ValidationError):
        lines.add_technician(
            registration,
            {"name": "赵磊", "phone": "13700001111", "certificate_number": "DG-001"},
            factories.png_upload("赵磊电工证.png"),
            user=operator.user,
        )

    assert_nothing_left(refusal)
    assert not Technician.objects.exists()


def test_an_invoice_line_that_cannot_be_saved_leaves_no_invoice_file(
    operator, subsidy, private_folder, monkeypatch
):
    application, _ = subsidy
    refusal = Refusal(private_folder)
    monkeypatch.setattr(InvoiceLine, "save", lambda self, *a, **kw: refusal())
    data = factories.invoice_line_data(
        buyer_name=operator.name,
        invoice_number="87654321",
        issued_on=timezone.localdate() - datetime.timedelta(days=20),
    )

    with pytest.raises(ValidationError):
        lines.add_invoice_line(
            application, data, factories.pdf_upload("发票.pdf"), user=operator.user
        )

    assert_nothing_left(refusal)
    assert InvoiceLine.objects.count() == 1  # only the fixture's line

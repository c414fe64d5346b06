"""The demo loader fills the archive with realistic material: licences with valid
credit codes an old-style invoice and a 数电票 with QR codes, one
invoice reused across two applications (the second time as a scanned PDF without a
text layer), one whose typed
amount differs from the scan, and an electrician certificate in the paper archive."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks import task_backends

from applications.models import Application, InvoiceLine, State
from applications.rules import problems_for_submission
from archive import pipeline
from archive.duplicates import duplicate_flags_for
from archive.models import ArchiveEntry
from catalogue.models import ApplicationKind
from cms import credit_code
from tests.applications import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(home_page, settings, tmp_path, capsys):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    factories.ensure_reference_data()
    task_backends["archive"].clear()
    call_command("load_demo")
    capsys.readouterr()
    yield
    task_backends["archive"].clear()


def _entry(**filters) -> ArchiveEntry:
    return ArchiveEntry.objects.get(**filters)


def test_demo_archive_material_and_its_flags(demo):
    subsidies = Application.objects.filter(kind=ApplicationKind.CONSTRUCTION_SUBSIDY)
    assert subsidies.count() == 2
    first, second = subsidies.order_by("pk")
    assert (first.state, second.state) == (State.SUBMITTED, State.DRAFT)
    # the second declares the first's invoice again: refused, naming the first
    assert any(
        first.reference in problem and "同一张发票不能重复申报" in problem
        for problem in problems_for_submission(second)
    )

    digital = InvoiceLine.objects.get(invoice_number__regex=r"^\d{20}$")
    assert digital.invoice_code == ""  # 数电票: no 发票代码
    old_lines = InvoiceLine.objects.filter(invoice_number__regex=r"^\d{8}$")
    assert old_lines.count() == 2  # the same invoice declared in both applications
    assert len({line.subsidy.application_id for line in old_lines}) == 2
    assert len({line.invoice_key for line in old_lines}) == 1

    # every entry is queued for the worker, none read in load_demo
    entries = ArchiveEntry.objects.all()
    assert entries.exists() and not entries.exclude(status=ArchiveEntry.Status.PENDING).exists()
    reused = [
        e
        for e in entries.filter(kind="invoice", attachment__isnull=False)
        if e.attachment_id in {line.invoice_file_id for line in old_lines}
    ]
    # before recognition the declared invoice lines already flag the reuse
    flags = duplicate_flags_for(reused)
    assert all("invoice_reused" in found for found in flags.values()), flags

    certificate = _entry(kind="certificate", attachment__isnull=True)
    assert certificate.applicant.name == "河南示例充电科技有限公司"
    for applicant_licence in entries.filter(kind="licence"):
        assert credit_code.is_valid(applicant_licence.applicant.credit_code)

    # loading again adds nothing
    count = entries.count()
    call_command("load_demo")
    assert ArchiveEntry.objects.count() == count


def test_ocr_demo_invoice_and_scanned_licence_are_recognised(demo):
    digital_line = InvoiceLine.objects.get(invoice_number__regex=r"^\d{20}$")
    entry = _entry(attachment=digital_line.invoice_file)
    entry = pipeline.run_extraction(entry)
    assert entry.status == ArchiveEntry.Status.DONE
    assert entry.fields["invoice_number"] == digital_line.invoice_number
    assert entry.fields.get("invoice_code", "") == ""
    found = {m.field: m for m in pipeline.mismatches(entry)}
    assert set(found) == {"amount"}  # typed 56 000, the 数电票 says 56 500
    assert "56500.00" in found["amount"].message

    scan = _entry(format="pdf", kind="invoice")  # the reused invoice, scanned to PDF
    scan = pipeline.run_extraction(scan)
    assert scan.method == "ocr"  # no text layer
    line = InvoiceLine.objects.get(invoice_file=scan.attachment)
    assert (scan.fields["invoice_code"], scan.fields["invoice_number"]) == line.invoice_key
    assert pipeline.mismatches(scan) == []

"""The archive end to end on the real services, with files the test generates itself.

Rendered Chinese scans (a licence PNG, an invoice PNG with its QR code, an electrician
certificate as an image-only PDF) and a PDF with a Chinese text layer are uploaded
through the applications code to MinIO; the real background worker
(``manage.py db_worker --backend archive``, on the django-tasks database queue in
PostgreSQL) reads them back from MinIO, OCRs the scans, decodes the QR code and indexes
everything in OpenSearch, where the reviewer's search finds them by what is written in
them. State changes and deletions then reach the index as they commit.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications.lines import add_invoice_line
from applications.materials import remove_attachment
from applications.models import ConstructionSubsidy, State, private_storage
from archive import documents
from archive.models import ArchiveEntry
from archive.search import archive_search
from catalogue.models import ApplicationKind
from cms.storage import PortalS3Storage
from tests.applications.factories import (
    attach,
    ensure_reference_data,
    invoice_line_data,
    make_applicant,
    make_application,
    make_reviewer,
    make_station,
    submit,
    upload,
)
from tests.archive import samples

# The worker runs in its own transactions, so the test cannot hide inside one.
pytestmark = pytest.mark.django_db(transaction=True)

PREFIX = "portal_test_archpipe_"
EXPLANATION_LINES = [
    "Subsidy explanation 2026",
    "信阳市充电基础设施建设补贴申请说明",
    "申请单位：" + samples.LICENCE["name"],
    "本项目建成直流充电桩 4 台，申请建设补贴。",
]


def _drop_indexes(es):
    for name in documents.concrete_indices(es):
        es.indices.delete(index=name, ignore_unavailable=True)
    es.indices.delete(index=documents.alias_name(), ignore_unavailable=True)


@pytest.fixture
def services(settings):
    """OpenSearch under this module's own prefix and the real database task queue."""
    assert samples.fonts_available(), "the scans are rendered with Noto CJK (ops/browser)"
    ensure_reference_data()
    backends = {name: dict(config) for name, config in settings.WAGTAILSEARCH_BACKENDS.items()}
    assert backends["default"].get("URLS"), "integration tests need OPENSEARCH_URL"
    backends["default"]["INDEX_PREFIX"] = PREFIX
    settings.WAGTAILSEARCH_BACKENDS = backends
    settings.TASKS = {**settings.TASKS, "archive": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert isinstance(private_storage(), PortalS3Storage), "uploads must go to MinIO here"
    es = documents.client()
    documents.mark_reachable()
    _drop_indexes(es)
    yield es
    _drop_indexes(es)


def run_worker():
    """The worker `make run` starts, until the queue is empty."""
    call_command(
        "db_worker",
        "--backend=archive",
        "--queue-name=*",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def upload_scans():
    """One applicant whose licence, certificate, invoice and explanation are uploaded."""
    applicant = make_applicant(name=samples.LICENCE["name"])
    applicant.credit_code = samples.LICENCE_CREDIT_CODE
    applicant.save(update_fields=["credit_code"])

    account = make_application(applicant, ApplicationKind.ACCOUNT)
    licence = attach(
        account,
        "business-licence",
        upload(samples.licence_png(), "营业执照.png", "image/png"),
    )
    registration = make_application(applicant, ApplicationKind.OPERATOR_REGISTRATION)
    certificate = attach(
        registration,
        "electrician-licence",
        upload(
            samples.image_only_pdf(samples.certificate_image()), "电工证.pdf", "application/pdf"
        ),
    )
    subsidy = make_application(applicant, ApplicationKind.CONSTRUCTION_SUBSIDY)
    ConstructionSubsidy.objects.create(
        application=subsidy, station=make_station(applicant), subsidy_year=2026
    )
    line, form = add_invoice_line(
        subsidy,
        invoice_line_data(
            invoice_number=samples.INVOICE["invoice_number"],
            invoice_code=samples.INVOICE["invoice_code"],
            invoice_amount="1000.00",
            used_amount="1000.00",
            issued_on="2026-03-15",
            buyer_name=applicant.name,
        ),
        upload(samples.invoice_png(), "增值税发票.png", "image/png"),
        user=applicant.user,
    )
    assert line is not None, form.errors
    explanation = attach(
        subsidy,
        "invoice-explanation",
        upload(samples.text_pdf([EXPLANATION_LINES]), "补贴申请说明.pdf", "application/pdf"),
    )
    return {
        "applicant": applicant,
        "account": account,
        "licence": licence,
        "certificate": certificate,
        "invoice": line.invoice_file,
        "explanation": explanation,
    }


def entry_of(attachment) -> ArchiveEntry:
    return ArchiveEntry.objects.get(attachment=attachment)


def hit_ids(results) -> list[int]:
    return [hit.entry.pk for hit in results.hits]


def test_generated_scans_go_from_minio_through_the_worker_to_the_search(services):
    es = services
    files = upload_scans()
    materials = ("licence", "certificate", "invoice", "explanation")
    storage = private_storage()
    for name in materials:
        entry = entry_of(files[name])
        assert entry.status == ArchiveEntry.Status.PENDING, name
        assert storage.exists(files[name].file.name), f"{name} is not on MinIO"

    run_worker()

    entries = {name: entry_of(files[name]) for name in materials}
    for name, entry in entries.items():
        assert entry.status == ArchiveEntry.Status.DONE, (name, entry.error)
    licence, certificate, invoice, explanation = (entries[n] for n in materials)

    # Scans were OCR'd (the certificate PDF has no text layer), the PDF read as text.
    assert licence.method == "ocr"
    assert certificate.method == "ocr" and certificate.ocr_pages == 1
    assert invoice.method == "ocr" and invoice.qr_payloads == [samples.INVOICE_QR]
    assert explanation.method == "text-layer" and explanation.ocr_pages == 0
    assert "建设补贴申请说明" in explanation.text

    # Fields recognised from the text and the QR payload.
    assert licence.fields["credit_code"] == samples.LICENCE_CREDIT_CODE
    assert invoice.fields["invoice_number"] == samples.INVOICE["invoice_number"]
    assert invoice.fields["invoice_code"] == samples.INVOICE["invoice_code"]
    assert certificate.fields["certificate_number"] == samples.CERTIFICATE["certificate_number"]

    # Indexed in OpenSearch as extraction finished, without a rebuild.
    documents.refresh()
    alias = documents.alias_name()
    for entry in entries.values():
        assert es.get(index=alias, id=entry.pk)["found"]

    root = get_user_model().objects.create_superuser("pipeline-root", "r@example.com", "pw-2026")

    def found(query, **options):
        results = archive_search(root, query, engine="opensearch", **options)
        assert results.engine == "opensearch"
        return results

    # Two characters inside a longer run, in a text layer and in OCR'd scans.
    assert hit_ids(found("补贴")) == [explanation.pk]
    assert certificate.pk in hit_ids(found("许可证"))
    assert hit_ids(found("法定代表人")) == [licence.pk]
    # Exact codes and numbers first: the invoice number is on the invoice alone; the
    # credit code is printed on the licence and (as the buyer's) on the invoice.
    by_number = found(samples.INVOICE["invoice_number"])
    assert by_number.hits[0].entry.pk == invoice.pk and by_number.hits[0].exact
    by_code = found(samples.LICENCE_CREDIT_CODE)
    assert {hit.entry.pk for hit in by_code.hits[:2]} == {licence.pk, invoice.pk}
    assert all(hit.exact for hit in by_code.hits[:2])
    assert licence.pk in hit_ids(found(samples.LICENCE_CREDIT_CODE[:8]))
    assert hit_ids(found(samples.CERTIFICATE["certificate_number"]))[0] == certificate.pk
    assert hit_ids(found("", kind="invoice")) == [invoice.pk]

    # Submitting the account application reaches the index once it commits: the
    # platform's reviewers now see the licence, other departments do not.
    platform = make_reviewer("platform")
    power = make_reviewer("power")
    assert archive_search(platform, "法定代表人", engine="opensearch").total == 0
    submit(files["account"])
    documents.refresh()
    source = es.get(index=alias, id=licence.pk)["_source"]
    assert source["application_state"] == State.SUBMITTED
    assert source["department"] == ["platform"]
    assert hit_ids(archive_search(platform, "法定代表人", engine="opensearch")) == [licence.pk]
    assert archive_search(power, "法定代表人", engine="opensearch").total == 0

    # Removing a material removes its document and its object.
    name = files["explanation"].file.name
    remove_attachment(files["explanation"], user=files["applicant"].user)
    documents.refresh()
    assert not es.exists(index=alias, id=explanation.pk)
    assert found("补贴").total == 0
    assert not storage.exists(name)


def test_a_failed_extraction_is_retried_by_the_worker_and_blocks_nothing(services):
    """An object missing from MinIO fails with a Chinese reason, is queued again, and
    the application goes on being submitted and reviewed."""
    applicant = make_applicant()
    account = make_application(applicant, ApplicationKind.ACCOUNT)
    attachment = attach(account, "business-licence")
    with transaction.atomic():
        private_storage().delete(attachment.file.name)  # lost behind our back

    run_worker()  # first attempt fails and schedules the second 30 s later
    entry = entry_of(attachment)
    assert entry.status == ArchiveEntry.Status.FAILED and entry.attempts == 1
    assert "找不到该文件" in entry.error
    queued = DBTaskResult.objects.filter(status="READY", args_kwargs__args=[entry.pk])
    assert queued.count() == 1
    assert queued.get().run_after > timezone.now() + timedelta(seconds=20)

    submit(account)
    account.refresh_from_db()
    assert account.state == State.SUBMITTED

"""The extraction pipeline: entries for uploads, extraction, retries, signals, mismatches,
and the staff list 识别进度.

OCR is slow, so only one file here goes through it (the licence PNG, extracted once per
module and reused); the invoice is a text-layer PDF whose QR code carries the data.
The "archive" task backend is the DummyBackend in tests: enqueued work is inspected,
never run.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task_backends

from applications.lines import add_invoice_line
from applications.materials import add_attachment, requirement_for
from applications.models import ConstructionSubsidy, DepartmentReview, Event, State
from applications.workflow import delete_application
from archive import extract as extract_module
from archive import indexing, pipeline
from archive.mismatches import mismatch_panel_context
from archive.models import ArchiveEntry, SearchText
from archive.tasks import extract_entry
from catalogue.models import ApplicationKind, Department
from tests.applications import factories
from tests.archive import samples

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- fixtures


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
def queue():
    """The archive DummyBackend's enqueued results, emptied before and after."""
    backend = task_backends["archive"]
    backend.clear()
    yield backend.results
    backend.clear()


@pytest.fixture(scope="module")
def ocr_once():
    """extract() with its results remembered by file content, so the licence image is
    OCR'd once for the whole module."""
    memo: dict[bytes, extract_module.Extracted] = {}
    real = extract_module.extract

    def remembered(source, fmt):
        with open(source, "rb") as fh:
            data = fh.read()
        if data not in memo:
            memo[data] = real(io.BytesIO(data), fmt)
        return memo[data]

    return remembered


@pytest.fixture
def remembered_extract(monkeypatch, ocr_once):
    monkeypatch.setattr(pipeline, "extract", ocr_once)


@pytest.fixture
def catalogue(db):
    factories.ensure_reference_data()


@pytest.fixture
def licensed(catalogue):
    """An enterprise whose credit code and name are those printed on the sample licence."""
    applicant = factories.make_applicant(name=samples.LICENCE["name"])
    applicant.credit_code = samples.LICENCE_CREDIT_CODE
    applicant.save(update_fields=["credit_code"])
    return applicant


def account_application(applicant, data: bytes | None = None, name="营业执照.png"):
    application = factories.make_application(applicant, ApplicationKind.ACCOUNT)
    upload = factories.upload(data or factories.png_bytes(), name, "image/png")
    attachment = factories.attach(application, "business-licence", upload)
    return application, attachment


def invoice_pdf() -> bytes:
    return samples.text_pdf([samples.TEXT_PDF_LINES], qr_payload=samples.INVOICE_QR)


def subsidy_with_invoice(applicant, *, invoice_number: str):
    application = factories.make_application(applicant, ApplicationKind.CONSTRUCTION_SUBSIDY)
    station = factories.make_station(applicant)
    ConstructionSubsidy.objects.create(application=application, station=station, subsidy_year=2026)
    data = factories.invoice_line_data(
        invoice_number=invoice_number,
        invoice_code=samples.INVOICE["invoice_code"],
        invoice_amount="1000.00",
        used_amount="1000.00",
        issued_on="2026-03-15",
        buyer_name=applicant.name,
    )
    line, form = add_invoice_line(
        application,
        data,
        factories.upload(invoice_pdf(), "发票.pdf", "application/pdf"),
        user=applicant.user,
    )
    assert line is not None, form.errors
    return application, line


# --------------------------------------------------------------------------- entries + signals


def test_upload_creates_a_pending_entry_and_queues_it_on_commit(
    licensed, private_folder, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application, attachment = account_application(licensed)

    entry = attachment.archive_entry
    assert entry.status == ArchiveEntry.Status.PENDING
    assert entry.kind == "licence"
    assert entry.applicant == licensed
    assert (entry.original_name, entry.format, entry.sha256, entry.size) == (
        "营业执照.png",
        "png",
        attachment.sha256,
        attachment.size,
    )
    assert entry.application == application
    assert pipeline.entry_for_attachment(attachment) == entry  # get, not a second row
    assert ArchiveEntry.objects.count() == 1

    assert [(r.task.func, list(r.args)) for r in queue] == [(extract_entry.func, [entry.pk])]


def test_upload_costs_one_insert_and_enqueues_nothing_before_commit(
    licensed, private_folder, queue
):
    application = factories.make_application(licensed, ApplicationKind.ACCOUNT)
    requirement = requirement_for(application, "business-licence")
    upload = factories.upload(factories.png_bytes(), "执照.png", "image/png")
    with CaptureQueriesContext(connection) as captured:
        attachment = add_attachment(application, requirement, upload, user=licensed.user)
    writes = [
        q["sql"]
        for q in captured
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and q["sql"].split('"')[1:2] == ["archive_archiveentry"]
    ]
    assert len(writes) == 1 and writes[0].startswith("INSERT")  # the entry, written once
    # ... with its row of the database engine's search table in the same transaction
    assert SearchText.objects.filter(entry=attachment.archive_entry).exists()
    assert attachment.archive_entry.status == ArchiveEntry.Status.PENDING
    assert queue == []  # the test transaction never commits


def test_deleting_the_application_deletes_its_entries_and_unindexes_them(
    licensed, private_folder, monkeypatch, django_capture_on_commit_callbacks
):
    deleted = []
    monkeypatch.setattr(indexing, "entry_deleted", deleted.append)
    application, attachment = account_application(licensed)
    entry_id = attachment.archive_entry.pk

    with django_capture_on_commit_callbacks(execute=True):
        delete_application(application, user=licensed.user)
        assert deleted == []  # the index follows only once the deletion commits

    assert not ArchiveEntry.objects.filter(pk=entry_id).exists()
    assert deleted == [entry_id]


def test_a_state_change_reindexes_the_entries_after_commit(
    licensed, private_folder, monkeypatch, django_capture_on_commit_callbacks
):
    changed = []
    monkeypatch.setattr(indexing, "application_changed", changed.append)
    application, _attachment = account_application(licensed)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application.title = "改个名称"
        application.save(update_fields=["title", "updated_at"])
    assert callbacks == [] and changed == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application.state = State.SUBMITTED
        application.save(update_fields=["state", "updated_at"])
    assert changed == []  # a rolled-back state change never reaches the index
    callbacks[0]()
    assert changed == [application.pk]


def test_invoice_lines_and_applicant_facts_reindex_what_carries_them(
    licensed, private_folder, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(indexing, "attachment_changed", lambda pk: calls.append(("file", pk)))
    monkeypatch.setattr(indexing, "applicant_changed", lambda pk: calls.append(("who", pk)))
    with django_capture_on_commit_callbacks(execute=True):
        _application, line = subsidy_with_invoice(licensed, invoice_number="87654321")
    assert ("file", line.invoice_file_id) in calls

    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        licensed.user.applicant.save(update_fields=["status"])
        assert calls == []
        licensed.name = "新名称有限公司"
        licensed.save(update_fields=["name"])
        line.delete()
    assert calls == [("who", licensed.pk), ("file", line.invoice_file_id)]


def test_reindex_hooks_pick_the_entries_that_carry_the_change(
    licensed, private_folder, monkeypatch
):
    from archive import documents

    monkeypatch.setattr(documents, "is_configured", lambda: True)
    changed = []
    monkeypatch.setattr(indexing, "entry_changed", lambda entry: changed.append(entry.pk))
    application, attachment = account_application(licensed)
    other = factories.make_applicant(name="别家公司")
    _other_app, other_attachment = account_application(other)

    indexing.application_changed(application)
    indexing.application_changed(application.pk)
    assert changed == [attachment.archive_entry.pk] * 2
    changed.clear()
    indexing.attachment_changed(other_attachment.pk)
    assert changed == [other_attachment.archive_entry.pk]
    changed.clear()
    indexing.applicant_changed(licensed.pk)
    assert changed == [attachment.archive_entry.pk]


# --------------------------------------------------------------------------- extraction


def test_licence_png_is_read_and_its_credit_code_stored(
    licensed, private_folder, remembered_extract, monkeypatch
):
    changed = []
    monkeypatch.setattr(indexing, "entry_changed", changed.append)
    application, attachment = account_application(licensed, samples.licence_png())
    entry = attachment.archive_entry

    result = pipeline.run_extraction(entry)

    entry.refresh_from_db()
    assert result.status == entry.status == ArchiveEntry.Status.DONE
    assert entry.fields["credit_code"] == samples.LICENCE_CREDIT_CODE
    assert entry.fields["registered_on"] == "2020-05-18"  # JSON: ISO date
    assert entry.fields["registered_capital"] == "1000"
    assert (entry.method, entry.pages, entry.ocr_pages, entry.attempts) == ("ocr", 1, 1, 1)
    assert "营业执照" in entry.text.replace(" ", "")
    assert entry.error == "" and entry.started_at and entry.finished_at
    assert [e.pk for e in changed] == [entry.pk]
    assert pipeline.describe_result(entry) == "已完成（OCR 1 页）"

    # What was declared matches what is printed: nothing to point out.
    assert pipeline.declared_values(entry) == {
        "credit_code": samples.LICENCE_CREDIT_CODE,
        "name": samples.LICENCE["name"],
    }
    assert pipeline.mismatches(entry) == []
    panel = mismatch_panel_context(attachment)
    assert panel["status"] == "done" and panel["mismatches"] == []
    assert {"label": "统一社会信用代码", "value": samples.LICENCE_CREDIT_CODE} in panel["fields"]
    assert {"label": "成立日期", "value": "2020年05月18日"} in panel["fields"]
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_licence_of_another_company_is_flagged(licensed, private_folder, remembered_extract):
    other = factories.make_applicant(name="另一家充电公司")
    _application, attachment = account_application(other, samples.licence_png())
    entry = pipeline.run_extraction(attachment.archive_entry)

    found = {m.field: m for m in pipeline.mismatches(entry)}
    assert set(found) == {"credit_code", "name"}
    assert found["credit_code"].message == (
        f"统一社会信用代码：申报为“{other.credit_code}”，"
        f"材料中识别为“{samples.LICENCE_CREDIT_CODE}”，请核对。"
    )


def test_invoice_number_differing_from_the_qr_code_is_reported(licensed, private_folder):
    _application, line = subsidy_with_invoice(licensed, invoice_number="87654321")
    entry = line.invoice_file.archive_entry
    assert entry.kind == "invoice"

    entry = pipeline.run_extraction(entry)  # text layer + QR: no OCR

    assert entry.status == ArchiveEntry.Status.DONE, entry.error
    assert (entry.method, entry.ocr_pages) == ("text-layer", 0)
    assert entry.qr_payloads == [samples.INVOICE_QR]
    assert entry.fields["invoice_number"] == "12345678"
    stored = ArchiveEntry.objects.get(pk=entry.pk)  # the indexed copies follow the fields
    assert (stored.invoice_code, stored.invoice_number) == (
        samples.INVOICE["invoice_code"],
        "12345678",
    )
    stored.fields = {}
    stored.save(update_fields=["fields"])
    assert ArchiveEntry.objects.filter(pk=entry.pk, invoice_number="").exists()
    assert pipeline.declared_values(entry) == {
        "invoice_number": "87654321",
        "invoice_code": samples.INVOICE["invoice_code"],
        "invoice_amount": Decimal("1000.00"),
        "issued_on": datetime.date(2026, 3, 15),
        "buyer_name": licensed.name,
    }
    found = pipeline.mismatches(entry)
    assert [(m.field, m.label_zh, m.declared, m.recognised) for m in found] == [
        ("invoice_number", "发票号码", "87654321", "12345678")
    ]

    panel = mismatch_panel_context(line.invoice_file)
    assert panel["mismatches"][0]["label"] == "发票号码"
    html = render_to_string("archive/includes/mismatch_panel.html", {"panel": panel})
    assert "识别结果" in html
    assert "发票号码：申报为“87654321”，材料中识别为“12345678”" in html
    assert "<mark" in html

    # The inclusion tag renders the same thing for the reviewer's page.
    tag = Template("{% load archive_tags %}{% archive_mismatch_panel attachment %}")
    assert "发票号码：申报为“87654321”" in tag.render(Context({"attachment": line.invoice_file}))


def test_certificate_is_compared_with_its_technician(licensed, private_folder):
    application = factories.make_operator_registration(licensed)
    technician = factories.add_technicians(application, 1)[0]
    entry = technician.certificate.archive_entry
    assert entry.kind == "certificate"
    assert pipeline.declared_values(entry) == {
        "certificate_number": "DG000001",
        "holder_name": "技术员1",
    }
    assert pipeline.mismatches(entry) == []  # not extracted yet

    entry.status = ArchiveEntry.Status.DONE
    entry.fields = {"certificate_number": "DG000007", "holder_name": "技术员1"}
    assert [m.label_zh for m in pipeline.mismatches(entry)] == ["证书编号"]


def test_a_broken_file_fails_with_a_chinese_reason_and_leaves_the_application_alone(
    licensed, private_folder
):
    application, attachment = account_application(licensed)
    (private_folder / attachment.file.name).write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    events = Event.objects.filter(application=application).count()

    entry = pipeline.run_extraction(attachment.archive_entry)

    entry.refresh_from_db()
    assert entry.status == ArchiveEntry.Status.FAILED
    assert entry.error == "图片文件已损坏或格式不正确，无法读取其中的文字。"
    assert entry.attempts == 1 and entry.finished_at is not None
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert Event.objects.filter(application=application).count() == events
    assert pipeline.mismatches(entry) == []
    panel = mismatch_panel_context(attachment)
    assert panel["status"] == "failed" and panel["error"] == entry.error


def test_a_missing_object_and_an_unexpected_error_are_recorded_not_raised(
    licensed, private_folder, monkeypatch
):
    _application, attachment = account_application(licensed)
    (private_folder / attachment.file.name).unlink()
    entry = pipeline.run_extraction(attachment.archive_entry)
    assert entry.status == ArchiveEntry.Status.FAILED
    assert entry.error == "存储中找不到该文件（可能已被删除或移动），无法识别。"

    def explode(source, fmt):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "extract", explode)
    _application, attachment = account_application(licensed)
    entry = pipeline.run_extraction(attachment.archive_entry)
    entry.refresh_from_db()
    assert entry.status == ArchiveEntry.Status.FAILED
    assert "RuntimeError" in entry.error and entry.error.startswith("识别时发生意外错误")


def test_an_entry_deleted_during_extraction_is_left_alone(licensed, private_folder):
    _application, attachment = account_application(licensed)
    entry = attachment.archive_entry
    ArchiveEntry.objects.filter(pk=entry.pk).delete()
    assert pipeline.run_extraction(entry) is entry
    assert not ArchiveEntry.objects.filter(pk=entry.pk).exists()


# --------------------------------------------------------------------------- task + retries


def test_failed_extraction_is_retried_later_until_three_attempts(licensed, private_folder, queue):
    _application, attachment = account_application(licensed)
    (private_folder / attachment.file.name).write_bytes(b"garbage")
    entry_id = attachment.archive_entry.pk

    delays = []
    for attempt in (1, 2, 3):
        before = datetime.datetime.now(datetime.UTC)
        assert extract_entry.call(entry_id) == "failed"
        entry = ArchiveEntry.objects.get(pk=entry_id)
        assert entry.attempts == attempt
        if attempt < 3:
            assert len(queue) == attempt
            result = queue[-1]
            assert result.task.func is extract_entry.func
            assert list(result.args) == [entry_id]
            delays.append((result.task.run_after - before).total_seconds())
    assert len(queue) == 2  # no fourth attempt
    assert 29 <= delays[0] <= 35 and 59 <= delays[1] <= 65

    # 重新识别 starts over with fresh attempts.
    pipeline.reset_for_retry(entry)
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.error) == ("pending", 0, "")


def test_task_skips_done_and_vanished_entries(licensed, private_folder, queue, monkeypatch):
    monkeypatch.setattr(pipeline, "extract", lambda *a: pytest.fail("must not extract"))
    _application, attachment = account_application(licensed)
    entry = attachment.archive_entry
    ArchiveEntry.objects.filter(pk=entry.pk).update(status=ArchiveEntry.Status.DONE)
    assert extract_entry.call(entry.pk) == "done"
    assert extract_entry.call(999_999) is None
    assert queue == []


# --------------------------------------------------------------------------- staff list


def grant_admin(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def under_review(application, department_code):
    DepartmentReview.objects.create(
        application=application,
        department=Department.objects.get(code=department_code),
        received_at=timezone.now(),
    )
    application.state = State.SUBMITTED
    application.save(update_fields=["state", "updated_at"])


def test_staff_list_for_superuser_and_reviewers(
    client, catalogue, private_folder, queue, django_capture_on_commit_callbacks
):
    mine = factories.make_applicant(name="信阳甲充电有限公司")
    theirs = factories.make_applicant(name="信阳乙充电有限公司")
    app_mine, file_mine = account_application(mine, name="甲-营业执照.png")
    app_theirs, file_theirs = account_application(theirs, name="乙-营业执照.png")
    under_review(app_mine, "platform")
    under_review(app_theirs, "power")
    entry_mine = file_mine.archive_entry
    ArchiveEntry.objects.filter(pk=entry_mine.pk).update(
        status=ArchiveEntry.Status.FAILED, attempts=3, error="图片文件已损坏或格式不正确。"
    )
    imported = ArchiveEntry.objects.create(
        file="archive/imports/2026/01/x.pdf",
        kind="report",
        original_name="旧档案-验收报告.pdf",
        format="pdf",
        sha256="0" * 64,
    )

    admin = factories.make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/archive_entries/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "识别进度",
        "甲-营业执照.png",
        "乙-营业执照.png",
        "旧档案-验收报告.pdf",
        "导入档案",
    ):
        assert text in html
    assert "图片文件已损坏或格式不正确。" in html
    assert client.get(f"/admin/archive_entries/{imported.pk}/").status_code == 200
    response = client.get("/admin/archive_entries/?status=failed")
    assert [e.pk for e in response.context["object_list"]] == [entry_mine.pk]

    reviewer = grant_admin(factories.make_reviewer("platform"))
    client.force_login(reviewer)
    response = client.get("/admin/archive_entries/")
    assert response.status_code == 200
    assert [e.pk for e in response.context["object_list"]] == [entry_mine.pk]
    html = response.content.decode()
    assert "乙-营业执照.png" not in html and "旧档案-验收报告.pdf" not in html
    page = client.get(f"/admin/archive_entries/{entry_mine.pk}/")
    assert page.status_code == 200
    assert "识别结果" in page.content.decode()
    assert client.get(f"/admin/archive_entries/{file_theirs.archive_entry.pk}/").status_code == 404
    assert client.get(f"/admin/archive_entries/{imported.pk}/").status_code == 404
    assert client.post(f"/admin/archive_entries/{imported.pk}/retry/").status_code == 404

    # 重新识别: fresh attempts, queued once the request's transaction commits.
    assert client.get(f"/admin/archive_entries/{entry_mine.pk}/retry/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/archive_entries/{entry_mine.pk}/retry/")
    assert response.status_code == 302
    entry_mine.refresh_from_db()
    assert (entry_mine.status, entry_mine.attempts, entry_mine.error) == ("pending", 0, "")
    assert [list(r.args) for r in queue] == [[entry_mine.pk]]

    # Applicants and other users without a department see nothing.
    outsider = grant_admin(factories.make_user())
    client.force_login(outsider)
    assert client.get("/admin/archive_entries/").status_code in (302, 403)

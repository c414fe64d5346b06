"""archive_import (paper archives into the archive) and archive_retry.

One file here goes through OCR (the licence PNG in the folder import); everything else
is a text-layer PDF, a file that is never extracted, or a refusal before extraction.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import task_backends

from archive import pipeline
from archive.models import ArchiveEntry
from catalogue.models import ApplicationKind
from tests.applications import factories
from tests.archive import samples

pytestmark = pytest.mark.django_db


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
    backend = task_backends["archive"]
    backend.clear()
    yield backend.results
    backend.clear()


def stored(folder) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def run(*args, **options) -> tuple[str, int]:
    """(stdout, exit code) of archive_import."""
    out = io.StringIO()
    try:
        call_command("archive_import", *args, stdout=out, **options)
    except SystemExit as exc:
        return out.getvalue(), int(exc.code)
    return out.getvalue(), 0


@pytest.fixture
def owner(db):
    factories.ensure_reference_data()
    applicant = factories.make_applicant(name=samples.LICENCE["name"])
    applicant.credit_code = samples.LICENCE_CREDIT_CODE
    applicant.save(update_fields=["credit_code"])
    return applicant


def test_imports_a_folder_reports_progress_and_skips_existing_files_on_rerun(
    tmp_path, private_folder, owner
):
    folder = tmp_path / "纸质档案"
    (folder / "2019").mkdir(parents=True)
    (folder / "营业执照.png").write_bytes(samples.licence_png())
    (folder / "2019" / "验收报告.pdf").write_bytes(
        samples.text_pdf([samples.TEXT_PDF_LINES, ["Page two: acceptance report"]])
    )
    (folder / "说明.txt").write_text("不是档案", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")

    out, code = run(str(folder), kind="licence", applicant=samples.LICENCE_CREDIT_CODE.lower())

    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines == [
        "[1/3] 2019/验收报告.pdf … 已完成（文字层 2 页）",
        "[2/3] 营业执照.png … 已完成（OCR 1 页）",
        "[3/3] 说明.txt … 已跳过（不支持的格式，只导入 JPG、PNG、PDF）",
        "共 3 个：新增 2，已存在跳过 0，失败 0，格式不支持跳过 1。",
    ]
    licence = ArchiveEntry.objects.get(original_name="营业执照.png")
    assert licence.attachment is None and licence.applicant == owner
    assert licence.kind == "licence" and licence.format == "png"
    assert licence.status == ArchiveEntry.Status.DONE
    assert licence.fields["credit_code"] == samples.LICENCE_CREDIT_CODE
    assert licence.source_path == str((folder / "营业执照.png").resolve())
    assert licence.file.name.startswith("archive/imports/")
    assert (private_folder / licence.file.name).read_bytes() == samples.licence_png()
    assert pipeline.mismatches(licence) == []  # the owner's code is the one printed
    report = ArchiveEntry.objects.get(original_name="验收报告.pdf")
    assert (report.method, report.pages, report.ocr_pages) == ("text-layer", 2, 0)
    assert "Invoice number: 12345678" in report.text
    files = stored(private_folder)
    assert len(files) == 2

    # Safe to run again: nothing new is stored or read.
    out, code = run(str(folder), kind="licence")
    assert code == 0
    assert "[2/3] 营业执照.png … 已存在，跳过" in out
    assert "共 3 个：新增 0，已存在跳过 2，失败 0，格式不支持跳过 1。" in out
    assert ArchiveEntry.objects.count() == 2
    assert stored(private_folder) == files


def test_unknown_applicant_stops_before_anything_is_stored(tmp_path, private_folder, owner):
    (tmp_path / "a.png").write_bytes(factories.png_bytes())
    with pytest.raises(CommandError) as caught:
        run(str(tmp_path / "a.png"), kind="licence", applicant="91410000000000000X")
    assert "找不到统一社会信用代码为 91410000000000000X 的申请人" in str(caught.value)
    assert ArchiveEntry.objects.count() == 0
    assert stored(private_folder) == set()

    with pytest.raises(CommandError, match="找不到这些路径"):
        run(str(tmp_path / "missing"), kind="report")
    assert stored(private_folder) == set()


def test_bad_files_are_reported_and_the_rest_imported_and_queued(
    tmp_path, private_folder, owner, queue, django_capture_on_commit_callbacks
):
    (tmp_path / "a-损坏.jpg").write_bytes(b"\xff\xd8\xff\xe0 broken jpeg")
    (tmp_path / "b-空文件.pdf").write_bytes(b"")
    (tmp_path / "c-照片.png").write_bytes(factories.png_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        out, code = run(str(tmp_path), kind="other", no_extract=True)

    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith("[1/3] a-损坏.jpg … 失败：")
    assert "损坏" in lines[0]
    assert lines[1].startswith("[2/3] b-空文件.pdf … 失败：") and "空" in lines[1]
    assert lines[2] == "[3/3] c-照片.png … 已导入，等待后台识别"
    assert lines[3] == "共 3 个：新增 1，已存在跳过 0，失败 2。"
    entry = ArchiveEntry.objects.get()
    assert entry.status == ArchiveEntry.Status.PENDING and entry.applicant is None
    assert [list(r.args) for r in queue] == [[entry.pk]]
    assert len(stored(private_folder)) == 1


def test_a_failed_insert_removes_the_stored_object(tmp_path, private_folder, owner, monkeypatch):
    (tmp_path / "a.png").write_bytes(factories.png_bytes())

    def refuse(**kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(ArchiveEntry.objects, "create", refuse)
    out, code = run(str(tmp_path / "a.png"), kind="other", no_extract=True)
    assert code == 1
    assert "[1/1] a.png … 失败：保存时出错（RuntimeError）。" in out
    assert stored(private_folder) == set()


def test_archive_retry_requeues_failed_entries_and_reads_inline(
    tmp_path, private_folder, owner, queue, django_capture_on_commit_callbacks
):
    (tmp_path / "报告.pdf").write_bytes(samples.text_pdf([["Acceptance report 2019"]]))
    out, code = run(str(tmp_path), kind="report", no_extract=True)
    assert code == 0
    entry = ArchiveEntry.objects.get()
    ArchiveEntry.objects.filter(pk=entry.pk).update(
        status=ArchiveEntry.Status.FAILED, attempts=3, error="文件存储服务暂时不可用"
    )
    queue.clear()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive_retry", stdout=out)
    assert f"[1/1] 报告.pdf（档案编号 {entry.pk}）… 已重新排队" in out.getvalue()
    entry.refresh_from_db()
    assert (entry.status, entry.attempts, entry.error) == ("pending", 0, "")
    assert [list(r.args) for r in queue] == [[entry.pk]]

    out = io.StringIO()
    call_command("archive_retry", str(entry.pk), "--inline", stdout=out)
    assert "已完成（文字层 1 页）" in out.getvalue()
    entry.refresh_from_db()
    assert entry.status == ArchiveEntry.Status.DONE and entry.attempts == 1

    with pytest.raises(CommandError, match="找不到这些档案编号：999999"):
        call_command("archive_retry", "999999")
    out = io.StringIO()
    call_command("archive_retry", "--failed", stdout=out)
    assert out.getvalue().strip() == "没有需要重新识别的材料。"


def test_archive_retry_missing_creates_entries_for_older_uploads(
    private_folder, owner, queue, django_capture_on_commit_callbacks
):
    application = factories.make_application(owner, ApplicationKind.ACCOUNT)
    attachment = factories.attach(application, "business-licence", factories.png_upload())
    ArchiveEntry.objects.filter(attachment=attachment).delete()  # as if uploaded before

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("archive_retry", "--missing", stdout=out)
    entry = ArchiveEntry.objects.get(attachment=attachment)
    assert "已为 1 份申请材料补建档案记录。" in out.getvalue()
    assert (entry.kind, entry.status, entry.applicant) == ("licence", "pending", owner)
    assert [list(r.args) for r in queue] == [[entry.pk]]

"""Every response that serves a stored file goes through applications.files: named with
the extension of the type its bytes were recognised as (never the applicant's), under
nosniff, a sandboxing CSP and no-store; previews are audited like downloads.

The attack: a PDF/HTML polyglot named 营业执照核验.hta is a valid PDF, so it is accepted
— and must never reach a reviewer as an .hta file."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from wagtail.models import APIToken, ModelLogEntry

from applications.files import download_name
from archive.models import ArchiveEntry

from .factories import (
    POWER_ITEM,
    ROAD_ITEM,
    attach,
    pdf_bytes,
    ready_joint_application,
    submit,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days

POLYGLOT_NAME = "营业执照核验.hta"


def polyglot() -> bytes:
    return b"<html><script>alert(document.cookie)</script><!--\n" + pdf_bytes() + b"-->"


@pytest.fixture
def served(operator, reviewers, private_folder):
    """A submitted joint application whose planning permit is the polyglot."""
    application = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    old = application.attachments.get(requirement__code="construction-planning-permit")
    from applications.materials import remove_attachment

    remove_attachment(old, user=operator.user)
    attachment = attach(
        application, "construction-planning-permit", upload(polyglot(), POLYGLOT_NAME)
    )
    assert attachment.format == "pdf"
    submit(application)
    access = Permission.objects.get(codename="access_admin")
    reviewers["urban"].user_permissions.add(access)
    return attachment


def assert_safe(response, *, disposition="attachment"):
    assert response.status_code == 200, response.content[:300]
    header = response["Content-Disposition"]
    assert header.startswith(disposition)
    assert ".hta" not in header
    assert "pdf" in header or "jpg" in header
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_download_name_uses_the_detected_extension():
    assert download_name(POLYGLOT_NAME, "pdf") == "营业执照核验.pdf"
    assert download_name("照片.JPEG", "jpg") == "照片.JPEG"
    assert download_name("扫描件", "png") == "扫描件.png"
    assert download_name("a.tar.pdf", "pdf") == "a.tar.pdf"
    assert download_name("", "pdf") == "文件.pdf"


def test_admin_download_and_preview(served, reviewers):
    client = Client()
    client.force_login(reviewers["urban"])
    response = client.get(f"/admin/review/file/{served.pk}/download/")
    assert_safe(response)
    assert (
        "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%E6%A0%B8%E9%AA%8C.pdf"
        in response["Content-Disposition"]
    )
    response = client.get(f"/admin/review/file/{served.pk}/preview/")
    assert_safe(response, disposition="inline")
    # A preview is audited like a download.
    assert ModelLogEntry.objects.filter(action="applications.preview").exists()
    assert served.application.events.filter(action="previewed").exists()


def test_api_download(served):
    _, token = APIToken.create_token(user=served.application.applicant.user, name="t")
    response = Client().get(
        f"/api/v1/applications/{served.application.reference}/attachments/{served.pk}/download",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert_safe(response)


def test_portal_download(served):
    client = Client()
    client.force_login(served.application.applicant.user)
    response = client.get(f"/my/files/{served.pk}/")
    assert_safe(response)


def test_archive_original(served, reviewers):
    entry = ArchiveEntry.objects.get(attachment=served)
    client = Client()
    client.force_login(reviewers["urban"])
    response = client.get(f"/admin/archive/search/file/{entry.pk}/")
    assert_safe(response)


def test_presigned_urls_carry_the_safe_name_and_type(served, monkeypatch):
    from django.core.files.storage import storages

    captured = {}

    class FakeBucket:
        bucket_name = "b"

        def url(self, name, parameters=None):
            captured.update(parameters or {})
            return "https://s3.example/x"

    monkeypatch.setitem(storages._storages, "private", FakeBucket())
    from applications.files import serve_attachment

    response = serve_attachment(served)
    assert response.status_code == 302
    assert ".hta" not in captured["ResponseContentDisposition"]
    assert captured["ResponseContentDisposition"].startswith("attachment")
    assert captured["ResponseContentType"] == "application/pdf"

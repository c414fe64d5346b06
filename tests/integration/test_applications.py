"""Applications on the real services: uploads in MinIO, the workflow on PostgreSQL.

Run with the services from ops/services (see tests/integration/conftest.py):

    ops/services start && eval "$(ops/services env)" && \
        .venv/bin/pytest tests/integration/test_applications.py -q -p no:cacheprovider
"""

import hashlib
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from applications.materials import add_attachment, remove_attachment, requirement_for
from applications.models import (
    Application,
    Attachment,
    DepartmentReview,
    Event,
    Interconnection,
    State,
)
from applications.workflow import (
    decide,
    judge_material,
    request_supplement,
    start_review,
)
from catalogue.models import ApplicantType, ApplicationKind
from cms.storage import UNAVAILABLE_MESSAGE, PortalS3Storage, StorageUnavailable
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    attach,
    ensure_reference_data,
    make_applicant,
    make_application,
    make_reviewer,
    next_working_day,
    pdf_bytes,
    pdf_upload,
    png_bytes,
    ready_joint_application,
    submit,
    upload,
)

from .conftest import services

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


# --------------------------------------------------------------------------- helpers


def s3_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        region_name=os.environ.get("S3_REGION") or "us-east-1",
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    )


BUCKET = os.environ.get("S3_BUCKET", "")


def object_key(name: str) -> str:
    """The bucket key of a private-storage name: the "private/" prefix (under S3_LOCATION)."""
    location = os.environ.get("S3_LOCATION", "").strip("/")
    return "/".join(part for part in (location, "private", name) if part)


def head(key: str):
    try:
        return s3_client().head_object(Bucket=BUCKET, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def keys_under(prefix: str) -> list[str]:
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


def http_get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def applicant():
    ensure_reference_data()
    return make_applicant(ApplicantType.OPERATOR, name="信阳豫充新能源有限公司")


@pytest.fixture
def bucket_cleanup():
    """Prefixes whose objects are deleted after the test (the database rolls back; the
    bucket does not)."""
    prefixes = []
    yield prefixes
    client = s3_client()
    for prefix in prefixes:
        for key in keys_under(prefix):
            client.delete_object(Bucket=BUCKET, Key=key)


def application_prefix(application) -> str:
    return object_key(f"applications/{application.pk}/")


@pytest.fixture
def joint(applicant, bucket_cleanup):
    application = make_application(
        applicant, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    bucket_cleanup.append(application_prefix(application))
    return application


def write_big_pdf(fh, padding: int) -> str:
    """A valid one-page PDF whose content stream is ``padding`` bytes of PDF comment
    lines; written in 1 MiB pieces. Returns its SHA-256."""
    digest = hashlib.sha256()
    offsets = []
    written = 0

    def out(data: bytes):
        nonlocal written
        fh.write(data)
        digest.update(data)
        written += len(data)

    out(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    for number, body in enumerate(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        ],
        start=1,
    ):
        offsets.append(written)
        out(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    offsets.append(written)
    line = b"% padding " + b"x" * 1012 + b"\n"  # 1 KiB comment lines
    lines = padding // len(line)
    content = b"0 0 1 rg 50 50 200 200 re f\n"
    length = len(content) + lines * len(line)
    out(b"4 0 obj\n<< /Length %d >>\nstream\n" % length + content)
    block = line * 1024
    for _ in range(lines // 1024):
        out(block)
    out(line * (lines % 1024))
    out(b"\nendstream\nendobj\n")
    xref = written
    out(b"xref\n0 5\n0000000000 65535 f \n")
    for offset in offsets:
        out(b"%010d 00000 n \n" % offset)
    out(b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return digest.hexdigest()


# --------------------------------------------------------------------------- MinIO


def test_an_attachment_is_a_private_object_under_the_private_prefix(
    joint, django_capture_on_commit_callbacks
):
    storage = storages["private"]
    assert isinstance(storage, PortalS3Storage)
    data = png_bytes(size=(800, 600))
    requirement = requirement_for(joint, "construction-planning-permit")
    attachment = add_attachment(
        joint, requirement, upload(data, "规划许可证.png"), user=joint.applicant.user
    )

    assert Attachment.objects.filter(pk=attachment.pk, sha256=hashlib.sha256(data).hexdigest())
    key = object_key(attachment.file.name)
    assert key.startswith(application_prefix(joint))
    stored = head(key)
    assert stored is not None and stored["ContentLength"] == len(data)
    assert head(object_key(attachment.preview.name)) is not None

    # Not readable without a signature ...
    endpoint = os.environ["S3_ENDPOINT_URL"].rstrip("/")
    status, _ = http_get(f"{endpoint}/{BUCKET}/{key}")
    assert status == 403
    # ... but through a presigned URL with the storage's expiry.
    url = storage.url(attachment.file.name)
    assert f"X-Amz-Expires={storage.querystring_expire}" in url
    assert http_get(url) == (200, data)
    # A presigned URL really expires.
    short = storage.url(attachment.file.name, expire=1)
    time.sleep(2.5)
    status, body = http_get(short)
    assert status == 403 and b"expired" in body.lower()

    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment, user=joint.applicant.user)
    assert head(key) is None
    assert keys_under(application_prefix(joint)) == []


def test_a_presigned_download_carries_the_detected_name_and_type(
    joint, django_capture_on_commit_callbacks
):
    """A PDF/HTML polyglot uploaded as .hta: MinIO itself must answer the presigned
    download as 规划许可证.pdf, application/pdf — the applicant's extension never comes back."""
    from applications.files import serve_attachment

    polyglot = b"<html><script>alert(1)</script><!--\n" + pdf_bytes() + b"-->"
    requirement = requirement_for(joint, "construction-planning-permit")
    attachment = add_attachment(
        joint, requirement, upload(polyglot, "规划许可证.hta"), user=joint.applicant.user
    )
    assert attachment.format == "pdf"

    response = serve_attachment(attachment)
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=30) as stored:
        assert stored.read() == polyglot
        disposition = stored.headers["Content-Disposition"]
        assert stored.headers["Content-Type"] == "application/pdf"
    assert disposition.startswith("attachment") and ".hta" not in disposition
    assert ".pdf" in urllib.parse.unquote(disposition)

    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment, user=joint.applicant.user)


def test_a_60_mb_pdf_reaches_the_store_intact(joint):
    requirement = requirement_for(joint, "construction-drawings")
    upload_file = TemporaryUploadedFile("施工图纸（全套）.pdf", "application/pdf", 0, None)
    try:
        sha = write_big_pdf(upload_file.file, 60 * MIB)
        upload_file.file.flush()
        upload_file.size = upload_file.file.tell()
        upload_file.seek(0)
        assert upload_file.size > 60 * MIB
        with override_settings(PORTAL_MAX_UPLOAD_MB=200):
            started = time.monotonic()
            attachment = add_attachment(joint, requirement, upload_file, user=joint.applicant.user)
            took = time.monotonic() - started
    finally:
        upload_file.close()

    assert (attachment.format, attachment.pages, attachment.size) == (
        "pdf",
        1,
        upload_file.size,
    )
    assert attachment.sha256 == sha
    assert attachment.original_name == "施工图纸（全套）.pdf"
    assert head(object_key(attachment.file.name))["ContentLength"] == upload_file.size
    body = s3_client().get_object(Bucket=BUCKET, Key=object_key(attachment.file.name))["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(MIB), b""):
        digest.update(chunk)
    assert digest.hexdigest() == sha
    assert head(object_key(attachment.preview.name)) is not None
    assert took < 120


def test_minio_down_stores_nothing_and_leaves_no_orphan(joint, stopped):
    requirement = requirement_for(joint, "construction-drawings")
    # Objects another test left under a reused application id are not ours to judge.
    before = set(keys_under(application_prefix(joint)))
    stopped("minio")
    with pytest.raises(StorageUnavailable) as refused:
        add_attachment(joint, requirement, pdf_upload("图纸.pdf"), user=joint.applicant.user)
    assert refused.value.message == UNAVAILABLE_MESSAGE
    assert "文件存储服务暂时不可用，文件没有保存" in str(refused.value)
    assert not Attachment.objects.filter(application=joint).exists()
    assert not Event.objects.filter(application=joint, action="uploaded").exists()

    services("start", "minio")  # back before the fixture's own restart, to look inside
    assert set(keys_under(application_prefix(joint))) == before
    # And the same upload works now.
    attachment = attach(joint, "construction-drawings", pdf_upload("图纸.pdf"))
    assert head(object_key(attachment.file.name)) is not None


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def calendar_through_next_year(db):
    """Deadlines count from today. The real object store refuses requests signed at a
    moved clock, so instead of moving it this test has today's year and the next one in
    the calendar (rows it makes itself where the seeded calendar ends)."""
    from workdays.models import CalendarYear

    year = timezone.localdate().year
    for covered in (year, year + 1):
        CalendarYear.objects.get_or_create(year=covered, defaults={"note": "测试用"})


def test_the_joint_workflow_runs_on_postgresql(
    applicant, bucket_cleanup, django_capture_on_commit_callbacks, calendar_through_next_year
):
    assert connection.vendor == "postgresql"
    reviewers = {code: make_reviewer(code) for code in ("power", "urban", "police")}
    application = ready_joint_application(applicant, [POWER_ITEM, ROAD_ITEM, TRAFFIC_ITEM])
    bucket_cleanup.append(application_prefix(application))
    application = submit(application)

    reviews = {r.department.code: r for r in application.reviews.select_related("department")}
    assert set(reviews) == {"power", "urban", "police"}
    assert reviews["urban"].due_date == next_working_day(timezone.localdate())
    assert all(r.calendar_missing_year is None for r in reviews.values())

    urban = reviewers["urban"]
    start_review(application, user=urban)
    permit = application.attachments.get(requirement__code="construction-planning-permit")
    judge_material(permit, user=urban, accepted=False, note="许可证已过期")
    notice = request_supplement(application, user=urban, extra=["请补充围挡方案"])
    assert [item["problem"] for item in notice.items] == [
        "“中华人民共和国建设工程规划许可证”审核不合格：许可证已过期，请重新上传。",
        "请补充围挡方案",
    ]
    old_key = object_key(permit.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(permit, user=applicant.user)
    assert head(old_key) is None
    attach(application, "construction-planning-permit", pdf_upload("规划许可证（新）.pdf"))
    application = submit(application)
    assert application.state == State.RESUBMITTED
    assert application.reviews.get(department__code="urban").status == (
        DepartmentReview.Status.PENDING
    )

    for reviewer in reviewers.values():
        decide(application, user=reviewer, approve=True, opinion="同意")
    application = Application.objects.get(pk=application.pk)
    assert application.state == State.CONNECTING  # 办结 after 装表接电 (issue 15)
    assert list(application.events.values_list("action", flat=True)).count("approved") == 3
    # The visibility query (OR of two querysets, DISTINCT) is portable too.
    from applications.access import visible_applications

    assert list(visible_applications(reviewers["police"])) == [application]
    assert list(visible_applications(applicant.user)) == [application]


def test_secrets_are_ciphertext_in_postgresql(applicant):
    from applications.forms import save_detail

    application = make_application(applicant, ApplicationKind.INTERCONNECTION)
    obj, form = save_detail(
        application,
        {
            "platform_operator": applicant.name,
            "builder": "河南电科信息技术有限公司",
            "builder_address": "郑州市金水区花园路 1 号",
            "liaison": "周敏",
            "engineer": "吴昊",
            "engineer_phone": "13600001234",
            "platform_name": "豫充通",
            "access_key": "AK-postgres-0001",
            "signing_key": "SK-postgres-0002",
            "message_key": "MK-postgres-0003",
            "message_iv": "IV-postgres-0004",
            "scope": Interconnection.Scope.BASIC,
            "station_count": "0",
            "pile_count": "0",
        },
    )
    assert obj is not None, form.errors
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_key, signing_key, message_key, message_iv "
            "FROM applications_interconnection WHERE id = %s",
            [obj.pk],
        )
        row = cursor.fetchone()
    for value in row:
        assert "postgres-000" not in value and value.startswith("gAAAA")
    obj = Interconnection.objects.get(pk=obj.pk)
    assert obj.message_iv.plaintext == "IV-postgres-0004"
    assert str(obj.message_iv) == "IV********04"

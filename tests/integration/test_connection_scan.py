"""The signed 供电合同 scan on the real services: a private object in MinIO under the case's
connection prefix, served by a presigned URL with the detected name and type; a refused
file leaves nothing in the bucket. Runs at the real clock (MinIO refuses requests signed
at a moved one), with the calendar rows it needs."""

import urllib.parse
import urllib.request

import pytest
from django.db import connection as db

from applications.models import Application
from applications.uploads import UploadRejected
from applications.workflow import decide
from connection import contract, steps
from connection.models import Connection, SignedVia
from tests.applications.factories import (
    POWER_ITEM,
    make_reviewer,
    pdf_bytes,
    ready_joint_application,
    submit,
    upload,
)

from .test_applications import (  # noqa: F401
    applicant,
    application_prefix,
    bucket_cleanup,
    calendar_through_next_year,
    keys_under,
    object_key,
)

pytestmark = pytest.mark.django_db


def test_the_signed_scan_is_a_private_minio_object_served_presigned(
    applicant,  # noqa: F811
    bucket_cleanup,  # noqa: F811
    calendar_through_next_year,  # noqa: F811
):
    assert db.vendor == "postgresql"
    power = make_reviewer("power")
    application = ready_joint_application(applicant, [POWER_ITEM])
    bucket_cleanup.append(application_prefix(application))
    prefix = object_key(f"connection/{application.pk}/")
    bucket_cleanup.append(prefix)
    before = set(keys_under(prefix))  # objects another run left under a reused id
    decide(submit(application), user=power, approve=True, opinion="同意")
    application = Application.objects.get(pk=application.pk)
    steps.confirm_survey(application, user=power)
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="新装 160kVA 箱变一台", capacity_kva="160")

    with pytest.raises(UploadRejected):
        contract.upload_signed_scan(
            application, user=applicant.user, upload=upload(b"MZ\x90\x00", "合同.pdf")
        )
    assert set(keys_under(prefix)) == before

    polyglot = b"<html><script>alert(1)</script><!--\n" + pdf_bytes() + b"-->"
    signed = contract.upload_signed_scan(
        application, user=applicant.user, upload=upload(polyglot, "签字合同.hta")
    )
    signed = Connection.objects.get(pk=signed.pk)
    assert signed.plan_signed_via == SignedVia.SCAN and signed.signed_scan_format == "pdf"
    assert set(keys_under(prefix)) - before == {object_key(signed.signed_scan.name)}

    response = contract.serve_signed_scan(signed)
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"], timeout=30) as stored:
        assert stored.read() == polyglot
        assert stored.headers["Content-Type"] == "application/pdf"
        disposition = urllib.parse.unquote(stored.headers["Content-Disposition"])
    assert disposition.startswith("attachment") and "签字合同.pdf" in disposition
    assert ".hta" not in disposition

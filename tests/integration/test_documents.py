"""Printed documents on the real services: a case on PostgreSQL with its material in
MinIO; the documents are issued by the workflow, the window hand-over takes its row locks
on PostgreSQL, and the PDF carries the facts. Runs at today's real date (MinIO refuses a
moved clock); the seeded calendar covers it."""

import pytest
from django.urls import reverse

from applications.models import JointInstallation
from applications.workflow import decide
from catalogue.models import ApplicantType
from documents.models import DocumentDelivery
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    county,
    ensure_reference_data,
    make_applicant,
    make_reviewer,
    make_user,
    ready_joint_application,
    submit,
)
from tests.documents.helpers import pdf_text
from window.models import WindowDesk

from .test_applications import application_prefix, bucket_cleanup  # noqa: F401

pytestmark = pytest.mark.django_db


def test_documents_issued_handed_over_and_downloaded(client, bucket_cleanup):  # noqa: F811
    ensure_reference_data()
    applicant = make_applicant(ApplicantType.OPERATOR, name="信阳文书集成测试有限公司")
    draft = ready_joint_application(
        applicant, [POWER_ITEM, ROAD_ITEM], delivery=JointInstallation.Delivery.WINDOW
    )
    bucket_cleanup.append(application_prefix(draft))
    application = submit(draft)
    decide(application, user=make_reviewer("urban"), approve=True, opinion="同意占用")
    rows = DocumentDelivery.objects.filter(application=application)
    assert set(rows.values_list("kind", "key")) == {
        ("acceptance_receipt", ""),
        ("decision", "urban"),
    }
    desk, _ = WindowDesk.objects.get_or_create(region=county(), defaults={"name": "浉河区专窗"})
    staff = make_user("窗口-集成")
    desk.members.add(staff)
    client.force_login(staff)
    decision = rows.get(kind="decision")
    url = reverse("documents:record_delivery", args=[application.reference, decision.pk])
    assert client.post(url, {"received_by": "张伟"}).status_code == 302
    decision.refresh_from_db()
    assert decision.handed_over_by == staff and decision.received_by == "张伟"
    client.force_login(applicant.user)
    response = client.get(
        reverse("documents:pdf", args=[application.reference, "decision"]), {"key": "urban"}
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "准予许可决定书" in text and "同意占用" in text and application.reference in text

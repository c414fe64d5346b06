"""The 供电方案（合同） signed on paper and uploaded as a scan: content-checked like every
upload, private, recorded as the signature with who and when, served only to the people
of the case, and nothing left behind when the file is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from applications import workflow
from applications.models import Application
from applications.uploads import UploadRejected
from applications.workflow import WorkflowError
from connection import contract, steps
from connection.models import Connection, SignedVia
from tests.applications import factories
from tests.applications.conftest import stored_files
from tests.applications.factories import PASSWORD, POWER_ITEM, ready_joint_application, submit
from tests.applications.test_review_admin import grant_admin
from tests.window.test_window import walk_in
from window import acceptance

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def offered(applicant, reviewers, items=(POWER_ITEM,)):
    """A case whose 供电方案 waits for the applicant's signature."""
    application = submit(ready_joint_application(applicant, list(items)))
    for review in application.reviews.select_related("department"):
        workflow.decide(application, user=reviewers[review.department.code], approve=True)
    application = Application.objects.get(pk=application.pk)
    power = reviewers["power"]
    steps.confirm_survey(application, user=power)
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="新装 160kVA 箱变一台", capacity_kva="160")
    return application


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_signed_scan_signs_the_plan_and_is_stored_privately(operator, reviewers, private_folder):
    application = offered(operator, reviewers)
    upload = factories.pdf_upload("供电合同（签字）.pdf")
    connection = contract.upload_signed_scan(application, user=operator.user, upload=upload)

    connection = Connection.objects.get(pk=connection.pk)
    assert connection.status == Connection.Status.PLAN_SIGNED
    assert connection.plan_signed_by == operator.user and connection.plan_signed_at is not None
    assert connection.plan_signed_via == SignedVia.SCAN
    assert connection.signed_scan_name == "供电合同（签字）.pdf"
    assert connection.signed_scan_format == "pdf" and connection.signed_scan_size > 0
    [stored] = stored_files(private_folder)
    assert stored == connection.signed_scan.name
    assert stored.startswith(f"connection/{application.pk}/") and stored.endswith(".pdf")
    event = application.events.get(action="plan_signed")
    assert event.actor == operator.user and "供电合同（签字）.pdf" in event.note


def test_accepting_in_the_portal_is_recorded_as_such(operator, reviewers):
    application = offered(operator, reviewers)
    client = client_for(operator.user)
    response = client.post(reverse("connection:act", args=[application.reference, "sign_plan"]))
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert (connection.plan_signed_via, connection.plan_signed_by) == (
        SignedVia.PORTAL,
        operator.user,
    )
    page = client.get(reverse("connection:page", args=[application.reference])).content.decode()
    assert "网上确认签署" in page and 'id="form-upload-scan"' not in page


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"MZ\x90\x00not a contract", "合同.pdf", "可执行程序"),
        (b"GIF89a" + b"\x00" * 64, "合同.png", "GIF 图片"),
        (b"%PDF-1.4\n truncated", "合同.pdf", "已损坏"),
        (b"", "合同.pdf", "空文件"),
    ],
)
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_stored(
    operator, reviewers, private_folder, data, name, message
):
    application = offered(operator, reviewers)
    with pytest.raises(UploadRejected, match=message):
        contract.upload_signed_scan(
            application, user=operator.user, upload=factories.upload(data, name)
        )
    connection = Connection.objects.get()
    assert connection.status == Connection.Status.PLAN_OFFERED
    assert not connection.signed_scan and connection.plan_signed_at is None
    assert stored_files(private_folder) == set()
    assert not application.events.filter(action="plan_signed").exists()


def test_a_failure_after_the_write_leaves_no_orphan(
    operator, reviewers, private_folder, monkeypatch
):
    application = offered(operator, reviewers)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(workflow, "record_step", broken)
    with pytest.raises(RuntimeError):
        contract.upload_signed_scan(
            application, user=operator.user, upload=factories.png_upload("合同.png")
        )
    assert stored_files(private_folder) == set()
    assert Connection.objects.get().status == Connection.Status.PLAN_OFFERED


def test_only_the_applicant_signs_and_only_an_offered_plan(operator, reviewers, private_folder):
    application = offered(operator, reviewers)
    with pytest.raises(WorkflowError, match="只有申请人本人"):
        contract.upload_signed_scan(
            application, user=reviewers["power"], upload=factories.png_upload()
        )
    steps.sign_plan(application, user=operator.user)
    with pytest.raises(WorkflowError, match="待施工"):
        contract.upload_signed_scan(application, user=operator.user, upload=factories.png_upload())
    assert stored_files(private_folder) == set()


def test_the_window_uploads_for_a_resident_without_an_account(
    desk, clerk, reviewers, private_folder
):
    application = walk_in(desk, clerk)
    workflow.submit(application, user=clerk)
    acceptance.accept(application, user=clerk)
    for review in application.reviews.select_related("department"):
        workflow.decide(application, user=reviewers[review.department.code], approve=True)
    application = Application.objects.get(pk=application.pk)
    power = reviewers["power"]
    steps.confirm_survey(application, user=power)
    steps.confirm_property(application, user=reviewers["housing"], facts="产权清晰，固定车位自有")
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="低压接入", capacity_kva="7")
    assert steps.roles(clerk, application) == {"window"}
    page = reverse("connection:page", args=[application.reference])
    assert page in [url for _, url in steps.portal_links(clerk, application)]
    assert steps.portal_links(factories.make_user(), application) == []

    contract.upload_signed_scan(application, user=clerk, upload=factories.jpeg_upload("签字.jpg"))
    connection = Connection.objects.get()
    assert (connection.plan_signed_by, connection.signed_scan_format) == (clerk, "jpg")


# --- the web page and the download ----------------------------------------------------


def test_the_portal_upload_and_the_download_headers(operator, reviewers, private_folder):
    application = offered(operator, reviewers)
    client = client_for(operator.user)
    act = reverse("connection:act", args=[application.reference, "upload_scan"])
    bad = factories.upload(b"<html><script>alert(1)</script></html>", "合同.pdf")
    response = client.post(act, {"scan": bad})
    assert response.status_code == 400
    assert "与此项要求的格式（PDF、JPG、PNG）不符" in response.content.decode() or (
        "不是可识别的" in response.content.decode()
    )
    assert stored_files(private_folder) == set()
    assert client.post(act, {}).status_code == 400

    data = factories.pdf_bytes(seed=7)
    response = client.post(act, {"scan": factories.upload(data, "签字合同.exe")})
    assert response.status_code == 302
    page = client.get(reverse("connection:page", args=[application.reference])).content.decode()
    assert "上传签字扫描件" in page and "签字合同.exe" in page

    url = reverse("connection:signed_scan", args=[application.reference])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert (
        ".pdf" in response["Content-Disposition"] and ".exe" not in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == data


def test_power_sees_the_scan_from_the_review_page_and_others_do_not(
    operator, reviewers, private_folder
):
    application = offered(operator, reviewers)
    contract.upload_signed_scan(application, user=operator.user, upload=factories.png_upload())
    url = reverse("connection:signed_scan", args=[application.reference])
    grant_admin(reviewers["power"], reviewers["urban"])
    power = client_for(reviewers["power"])
    review = power.get(f"/admin/review/{application.reference}/").content.decode()
    assert url in review
    assert power.get(url).status_code == 200

    stranger = factories.make_applicant()
    assert client_for(stranger.user).get(url).status_code == 404
    urban = client_for(reviewers["urban"])
    assert url not in urban.get(f"/admin/review/{application.reference}/").content.decode()
    assert urban.get(url).status_code == 404


def test_the_applicant_proposes_another_survey_slot_before_confirmation(operator, reviewers):
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    workflow.decide(application, user=reviewers["power"], approve=True)
    application = Application.objects.get(pk=application.pk)
    day = factories.next_working_day(factories.next_working_day())
    connection = steps.propose_survey(application, user=operator.user, date=day, half_day="pm")
    assert (connection.preferred_date, connection.preferred_half_day) == (day, "pm")
    with pytest.raises(WorkflowError, match="上午或下午"):
        steps.propose_survey(application, user=operator.user, date=day, half_day="night")
    with pytest.raises(WorkflowError, match="只有申请人本人"):
        steps.propose_survey(application, user=reviewers["power"], date=day, half_day="am")
    steps.confirm_survey(application, user=reviewers["power"])
    assert Connection.objects.get().survey_date == day
    with pytest.raises(WorkflowError, match="待现场踏勘"):
        steps.propose_survey(application, user=operator.user, date=day, half_day="am")

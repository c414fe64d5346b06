"""The applicant's side of the window and 装表接电 through the operator API: claim with
the 认领码, read the steps, propose the survey slot, accept the plan or upload its signed
scan, download it and the documents; every refusal in Chinese with a 4xx."""

import datetime

import pytest
from wagtail.models import APIToken

from applications import workflow
from applications.models import Application
from connection import steps
from connection.models import Connection, SignedVia
from tests.applications import factories
from tests.applications.conftest import stored_files
from tests.applications.factories import POWER_ITEM, ready_joint_application, submit
from tests.window.test_window import online_twin, walk_in
from window import acceptance
from window.claim import NEUTRAL
from window.models import ClaimTicket

from .test_contract import offered

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def auth(applicant):
    _, token = APIToken.create_token(user=applicant.user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def base(application):
    return f"/api/v1/applications/{application.reference}/connection"


def next_weekend_day() -> datetime.date:
    day = factories.next_working_day() + datetime.timedelta(days=1)
    while day.weekday() < 5:
        day += datetime.timedelta(days=1)
    return day


def test_reading_the_steps_and_proposing_the_survey_slot(client, operator, reviewers):
    application = submit(ready_joint_application(operator, [POWER_ITEM]))
    headers = auth(operator)
    early = client.get(base(application), **headers)
    assert early.status_code == 409 and "供电审核通过后" in early.json()["detail"]

    workflow.decide(application, user=reviewers["power"], approve=True)
    data = client.get(base(application), **headers).json()
    assert data["status"] == "survey_requested" and data["status_label"] == "待确认踏勘时间"
    assert data["steps"][0]["name"] == "现场踏勘" and data["signed_scan"] is None

    day = factories.next_working_day(factories.next_working_day())
    answer = client.post(
        f"{base(application)}/survey",
        {"date": day.isoformat(), "half_day": "pm"},
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 200
    assert (answer.json()["preferred_date"], answer.json()["preferred_half_day"]) == (
        day.isoformat(),
        "pm",
    )
    for body, message in [
        ({"date": next_weekend_day().isoformat(), "half_day": "am"}, "不是工作日"),
        ({"date": day.isoformat(), "half_day": "xx"}, "上午或下午"),
        ({"date": "明天", "half_day": "am"}, "日期格式应为 YYYY-MM-DD"),
    ]:
        refused = client.post(
            f"{base(application)}/survey", body, content_type="application/json", **headers
        )
        assert refused.status_code == 422 and message in refused.json()["detail"]
    assert Connection.objects.get().preferred_date == day

    stranger = auth(factories.make_applicant(name="另一家充电公司"))
    assert client.get(base(application), **stranger).status_code == 404


def test_accepting_the_plan_and_the_order_of_steps(client, operator, reviewers):
    application = offered(operator, reviewers)
    headers = auth(operator)
    signed = client.post(f"{base(application)}/sign", **headers)
    assert signed.status_code == 200
    assert signed.json()["plan_signed_via"] == SignedVia.PORTAL
    assert signed.json()["plan_capacity_kva"] == "160.0"
    again = client.post(f"{base(application)}/sign", **headers)
    assert again.status_code == 409 and "待施工" in again.json()["detail"]
    survey = client.post(
        f"{base(application)}/survey",
        {"date": factories.next_working_day().isoformat(), "half_day": "am"},
        content_type="application/json",
        **headers,
    )
    assert survey.status_code == 409


def test_uploading_and_downloading_the_signed_scan(client, operator, reviewers, private_folder):
    application = offered(operator, reviewers)
    headers = auth(operator)
    url = f"{base(application)}/signed-scan"
    assert client.get(url, **headers).status_code == 404

    bad = factories.upload(b"MZ\x90\x00 program", "合同.pdf")
    refused = client.post(url, {"file": bad}, **headers)
    assert refused.status_code == 422 and "可执行程序" in refused.json()["detail"]
    assert stored_files(private_folder) == set()
    assert Connection.objects.get().status == Connection.Status.PLAN_OFFERED

    data = factories.jpeg_bytes(seed=3)
    answer = client.post(url, {"file": factories.upload(data, "签字合同.png")}, **headers)
    assert answer.status_code == 200
    scan = answer.json()["signed_scan"]
    assert (scan["name"], scan["format"], scan["size"]) == ("签字合同.png", "jpg", len(data))
    assert answer.json()["status"] == "plan_signed"

    download = client.get(scan["download_url"], **headers)
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert ".jpg" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == data
    stranger = auth(factories.make_applicant(name="另一家充电公司"))
    assert client.get(scan["download_url"], **stranger).status_code == 404
    twice = client.post(url, {"file": factories.png_upload()}, **headers)
    assert twice.status_code == 409
    assert len(stored_files(private_folder)) == 1


def test_the_documents_download_with_safe_headers(client, operator, reviewers):
    application = offered(operator, reviewers)
    headers = auth(operator)
    listed = client.get(f"/api/v1/applications/{application.reference}/documents", **headers)
    plan = next(d for d in listed.json() if d["kind"] == "power_plan")
    response = client.get(plan["pdf_url"], **headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment")


def test_claiming_a_window_case(client, desk, clerk):
    application = walk_in(desk, clerk)
    workflow.submit(application, user=clerk)
    acceptance.accept(application, user=clerk)
    code = application.claim_ticket.code.plaintext
    me = online_twin()
    headers = auth(me)

    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for body in (
        {"reference": application.reference, "code": wrong},
        {"reference": "x\x00y", "code": code},
    ):
        refused = client.post("/api/v1/claims", body, content_type="application/json", **headers)
        assert refused.status_code == 422 and refused.json()["detail"] == NEUTRAL
    assert ClaimTicket.objects.get().failed_attempts == 1
    other = auth(online_twin(mobile="13900009999"))
    body = {"reference": application.reference.lower(), "code": code}
    refused = client.post("/api/v1/claims", body, content_type="application/json", **other)
    assert refused.status_code == 422 and refused.json()["detail"] == NEUTRAL

    claimed = client.post("/api/v1/claims", body, content_type="application/json", **headers)
    assert claimed.status_code == 200 and claimed.json()["reference"] == application.reference
    assert Application.objects.get(pk=application.pk).applicant == me
    assert client.get(f"/api/v1/applications/{application.reference}", **headers).status_code == 200


def test_claims_are_blocked_after_five_failures(client, desk, clerk):
    application = walk_in(desk, clerk)
    headers = auth(online_twin())
    body = {"reference": application.reference, "code": "00000000"}
    for _ in range(ClaimTicket.MAX_ATTEMPTS):
        client.post("/api/v1/claims", body, content_type="application/json", **headers)
    body["code"] = application.claim_ticket.code.plaintext
    blocked = client.post("/api/v1/claims", body, content_type="application/json", **headers)
    assert blocked.status_code == 422 and "次数过多" in blocked.json()["detail"]
    assert Application.objects.get(pk=application.pk).applicant == application.applicant


def test_the_connection_routes_refuse_a_case_without_power_items(client, operator, reviewers):
    application = submit(ready_joint_application(operator, [factories.ROAD_ITEM]))
    workflow.decide(application, user=reviewers["urban"], approve=True)
    answer = client.get(base(application), **auth(operator))
    assert answer.status_code == 409 and "无需装表接电" in answer.json()["detail"]
    assert not steps.needs_connection(Application.objects.get(pk=application.pk))


def test_the_new_routes_are_documented_with_unique_operation_ids(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    connection = "/api/v1/applications/{reference}/connection"
    for method, path in [
        ("post", "/api/v1/claims"),
        ("get", connection),
        ("post", f"{connection}/survey"),
        ("post", f"{connection}/sign"),
        ("post", f"{connection}/signed-scan"),
        ("get", f"{connection}/signed-scan"),
    ]:
        operation = paths[path][method]
        assert operation["summary"] and operation["description"]
        assert {"401", "422"} <= set(operation["responses"]) or method == "get"
    upload = paths[f"{connection}/signed-scan"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))

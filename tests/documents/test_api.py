"""The documents through the operator API: list with delivery states, PDF download, and
the Chinese refusals; another applicant's case is a 404."""

import pytest
from wagtail.models import APIToken

from applications import workflow
from tests.applications.factories import POWER_ITEM, ROAD_ITEM, make_applicant

from .helpers import joint_case, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def auth(applicant):
    _, token = APIToken.create_token(user=applicant.user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_list_and_download_documents(client, operator, reviewers):
    application = joint_case(operator, [POWER_ITEM, ROAD_ITEM])
    workflow.decide(application, user=reviewers["urban"], approve=True, opinion="同意")
    headers = auth(operator)
    base = f"/api/v1/applications/{application.reference}/documents"
    listed = client.get(base, **headers).json()
    by_kind = {(d["kind"], d["key"]): d for d in listed}
    assert by_kind[("acceptance_receipt", "")]["delivery_state"] == "待下载"
    decision = by_kind[("decision", "urban")]
    assert decision["title"] == "准予许可决定书" and decision["issuer"] == "信阳市城市管理局"
    assert ("application_form", "") in by_kind and ("power_plan", "") not in by_kind
    response = client.get(decision["pdf_url"], **headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "准予许可决定书" in pdf_text(response.content)
    assert client.get(base, **headers).json()[1]["delivery_state"] in ("待下载", "已下载")
    missing = client.get(f"{base}/power_plan", **headers)
    assert missing.status_code == 404 and "供电部门尚未审核通过" in missing.json()["detail"]
    assert client.get(f"{base}/nonsense", **headers).status_code == 404
    stranger = auth(make_applicant(name="另一家充电公司"))
    assert client.get(base, **stranger).status_code == 404
    assert client.get(decision["pdf_url"], **stranger).status_code == 404

"""Who may open a case's documents, the safe download headers, and delivery per 送达方式:
系统推送 (first download), 窗口领取 and 邮寄 recorded by staff, the documents_ready message
and the public progress page."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications import workflow
from applications.models import Event, JointInstallation
from documents.models import DocumentDelivery
from notifications.models import Message
from tests.applications.factories import POWER_ITEM, ROAD_ITEM, county, make_applicant, make_user
from window.models import WindowDesk

from .helpers import joint_case, offer_power_plan, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def pdf_url(application, kind, key=""):
    url = reverse("documents:pdf", kwargs={"reference": application.reference, "kind": kind})
    return f"{url}?key={key}" if key else url


@pytest.fixture
def window_staff(catalogue):
    """A member of the 综合窗口 of the county the test cases are in."""
    desk, _ = WindowDesk.objects.get_or_create(region=county(), defaults={"name": "浉河区专窗"})
    user = make_user("窗口-1")
    desk.members.add(user)
    return user


def test_applicant_downloads_with_safe_headers(client, operator):
    application = joint_case(operator, [POWER_ITEM])
    client.force_login(operator.user)
    response = client.get(pdf_url(application, "acceptance_receipt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert application.reference in pdf_text(response.content)


def test_html_view_uses_the_same_template(client, operator):
    application = joint_case(operator, [POWER_ITEM])
    client.force_login(operator.user)
    url = reverse(
        "documents:html", kwargs={"reference": application.reference, "kind": "application_form"}
    )
    body = client.get(url).content.decode()
    assert "“充电桩报装一件事”联办申请表" in body and "☑ 用电报装" in body
    assert pdf_url(application, "application_form") in body


def test_who_may_open_the_documents(client, operator, reviewers, window_staff):
    application = joint_case(operator, [POWER_ITEM])
    url = pdf_url(application, "acceptance_receipt")
    assert client.get(url).status_code == 302  # to the login page
    stranger = make_applicant(name="另一家充电公司")
    for user, status in (
        (stranger.user, 404),
        (reviewers["police"], 404),  # not one of this case's departments
        (reviewers["power"], 200),
        (window_staff, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    # staff downloads are audited, the applicant's are not staff reads
    assert Event.objects.filter(application=application, action="downloaded").count() == 2


def test_a_document_the_case_lacks_is_refused_in_chinese(client, operator):
    application = joint_case(operator, [POWER_ITEM, ROAD_ITEM])
    client.force_login(operator.user)
    response = client.get(pdf_url(application, "decision"))
    assert response.status_code == 404
    assert "还没有部门审核通过" in response.content.decode()
    assert client.get(pdf_url(application, "nonsense")).status_code == 404
    assert client.get(pdf_url(application, "acceptance_receipt", "x" * 300)).status_code == 404


def test_system_push_documents_ready_and_first_download(client, operator, reviewers):
    application = joint_case(operator, [POWER_ITEM])
    receipt = DocumentDelivery.objects.get(application=application, kind="acceptance_receipt")
    assert receipt.method == JointInstallation.Delivery.SYSTEM and receipt.state == "待下载"
    ready = Message.objects.filter(recipient=operator.user, event="documents_ready")
    assert ready.count() == 1 and "受理回执" in ready.get().body
    workflow.decide(application, user=reviewers["power"], approve=True, opinion="同意")
    kinds = set(
        DocumentDelivery.objects.filter(application=application).values_list("kind", flat=True)
    )
    assert kinds == {"acceptance_receipt", "decision"}  # the plan follows in 装表接电
    assert ready.count() == 2
    assert "办结通知书（供电）" in ready.latest("pk").body
    offer_power_plan(application, reviewers["power"])
    assert DocumentDelivery.objects.filter(application=application, kind="power_plan").exists()
    assert ready.count() == 3 and "装表接电方案" in ready.latest("pk").body
    client.force_login(operator.user)
    assert client.get(pdf_url(application, "decision")).status_code == 200
    decision = DocumentDelivery.objects.get(application=application, kind="decision")
    assert decision.downloaded_at is not None and decision.state == "已下载"
    page = client.get(reverse("documents:list", args=[application.reference])).content.decode()
    assert "已下载" in page and "待下载" in page


def test_window_hand_over_recorded_by_staff(client, operator, window_staff):
    application = joint_case(operator, [POWER_ITEM], delivery=JointInstallation.Delivery.WINDOW)
    row = DocumentDelivery.objects.get(application=application, kind="acceptance_receipt")
    assert row.state == "待窗口领取"
    url = reverse("documents:record_delivery", args=[application.reference, row.pk])
    client.force_login(operator.user)
    assert client.post(url, {"received_by": "张伟"}).status_code == 403
    client.force_login(window_staff)
    response = client.post(url, {"received_by": "  "})
    assert response.status_code == 400 and "请填写领取人" in response.content.decode()
    row.refresh_from_db()
    assert row.handed_over_at is None
    assert client.post(url, {"received_by": "张伟"}).status_code == 302
    row.refresh_from_db()
    assert row.handed_over_by == window_staff and row.received_by == "张伟"
    assert row.state.startswith("已领取")
    again = client.post(url, {"received_by": "李四"})
    assert again.status_code == 400 and "不能重复登记" in again.content.decode()
    assert Event.objects.filter(application=application, action="document_handed_over").count() == 1


def test_post_recorded_with_carrier_and_tracking_number(client, operator, reviewers):
    cache.clear()
    application = joint_case(
        operator,
        [POWER_ITEM],
        delivery=JointInstallation.Delivery.POST,
        postal_address="信阳市平桥区中山路 8 号",
    )
    row = DocumentDelivery.objects.get(application=application, kind="acceptance_receipt")
    assert row.postal_address == "信阳市平桥区中山路 8 号" and row.state == "待邮寄"
    client.force_login(reviewers["power"])
    url = reverse("documents:record_delivery", args=[application.reference, row.pk])
    response = client.post(url, {"postal_address": row.postal_address, "carrier": "EMS"})
    assert response.status_code == 400 and "请填写运单号" in response.content.decode()
    assert (
        client.post(
            url,
            {
                "postal_address": row.postal_address,
                "carrier": "EMS",
                "tracking_number": "1234567890",
            },
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.posted_by == reviewers["power"] and row.state == "已邮寄（EMS 1234567890）"
    client.force_login(operator.user)
    page = client.get(reverse("documents:list", args=[application.reference])).content.decode()
    assert "已邮寄（EMS 1234567890）" in page and "登记寄出</button>" not in page
    # the public progress page shows the state, never the tracking number
    client.logout()
    public = client.get(
        reverse("progress"), {"ref": application.reference, "phone4": "5678"}
    ).content.decode()
    assert "受理回执 · 已邮寄" in public and "1234567890" not in public


def test_pending_list_for_staff_only(client, operator, reviewers, window_staff):
    application = joint_case(operator, [POWER_ITEM], delivery=JointInstallation.Delivery.WINDOW)
    url = reverse("documents:pending")
    client.force_login(window_staff)
    assert application.reference in client.get(url).content.decode()
    client.force_login(reviewers["power"])
    assert application.reference in client.get(url).content.decode()
    client.force_login(reviewers["police"])  # not this case's department
    assert application.reference not in client.get(url).content.decode()
    client.force_login(operator.user)
    assert client.get(url).status_code == 403


def test_hostile_values_get_a_4xx_and_store_nothing(client, operator, window_staff):
    from tests.applications.test_hostile_input import HOSTILE

    application = joint_case(
        operator,
        [POWER_ITEM],
        delivery=JointInstallation.Delivery.POST,
        postal_address="信阳市平桥区中山路 8 号",
    )
    row = DocumentDelivery.objects.get(application=application, kind="acceptance_receipt")
    client.force_login(window_staff)
    record = reverse("documents:record_delivery", args=[application.reference, row.pk])
    for value in HOSTILE:
        for kind in ("decision", "acceptance_receipt", value[:40]):
            for view in ("documents:pdf", "documents:html"):
                try:
                    url = reverse(view, kwargs={"reference": application.reference, "kind": kind})
                except Exception:  # not a kind name at all: no such URL
                    continue
                assert client.get(url, {"key": value}).status_code < 500
        fields = {"postal_address": value, "carrier": value, "tracking_number": value}
        assert client.post(record, fields).status_code in (302, 400)
        row.refresh_from_db()
        if row.posted_at is not None:  # an ordinary value was accepted: undo for the next one
            assert all(ord(c) >= 32 for c in row.tracking_number)
            DocumentDelivery.objects.filter(pk=row.pk).update(posted_at=None)


def test_portal_case_page_shows_each_document_state(client, operator):
    application = joint_case(operator, [POWER_ITEM], delivery=JointInstallation.Delivery.WINDOW)
    client.force_login(operator.user)
    page = client.get(reverse("portal:detail", args=[application.reference])).content.decode()
    assert "受理回执 · 窗口领取 · 待窗口领取" in page
    assert reverse("documents:list", args=[application.reference]) in page

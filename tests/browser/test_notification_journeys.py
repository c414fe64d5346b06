"""Notification journeys in Chromium: the inbox, the public progress lookup (wrong suffix,
rate limit), a 差评 through rectification and appeal, and the statistics page."""

import pytest
from django.core.cache import cache

from applications import workflow
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    connect_meter,
    make_applicant,
    make_reviewer,
    make_user,
    ready_joint_application,
    submit,
)
from tests.browser.test_application_journeys import admin_login, portal_login, server, shot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock(),
]  # cases count working days
__all__ = ["server"]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def decided_case(applicant, items=(POWER_ITEM, ROAD_ITEM)):
    """Approved by every department and, with a 用电报装 item, through 装表接电: 办结."""
    application = submit(ready_joint_application(applicant, list(items)))
    reviewers = {}
    for review in application.reviews.select_related("department"):
        reviewers[review.department.code] = make_reviewer(review.department.code)
        workflow.decide(
            application, user=reviewers[review.department.code], approve=True, opinion="同意"
        )
    if "power" in reviewers:
        application = connect_meter(application, reviewers["power"])
    return application


def unread(user) -> int:
    from notifications.models import Message

    return Message.objects.filter(recipient=user, channel="inbox", read_at=None).count()


def test_inbox_unread_badge_and_reading(server, page):
    applicant = make_applicant(name="信阳通知测试有限公司")
    application = decided_case(applicant, [POWER_ITEM])
    portal_login(page, server, applicant.user.username)
    badge = page.locator("header .nav-inbox .badge")
    # 部门审核通过, the 装表接电 steps, 办件办结 and the 文书已出具 messages
    total = unread(applicant.user)
    assert total >= 4
    assert badge.inner_text() == str(total)
    page.locator("header .nav-inbox").click()
    page.wait_for_load_state()
    items = page.locator(".inbox-item.unread")
    assert items.count() == total
    shot(page, "inbox")
    page.get_by_role("link", name=f"申请 {application.reference} 已办结").click()
    page.wait_for_load_state()
    assert "已办结，结果：已通过" in page.locator(".message-body").inner_text()
    assert page.locator("header .nav-inbox .badge").inner_text() == str(total - 1)
    page.get_by_role("link", name="返回站内信").click()
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_load_state()
    assert page.locator("header .nav-inbox .badge").count() == 0
    assert page.locator(".inbox-item.unread").count() == 0


def test_public_lookup_wrong_suffix_and_rate_limit(server, page):
    applicant = make_applicant(name="信阳进度查询有限公司")
    application = submit(ready_joint_application(applicant, [POWER_ITEM, ROAD_ITEM]))
    page.goto(server + "/progress/")
    page.get_by_label("申请编号").fill(application.reference)
    page.get_by_label("手机号码后 4 位").fill("0000")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert "未找到匹配的办件" in page.locator(".error-summary").inner_text()
    assert page.locator(".progress-result").count() == 0
    page.get_by_label("手机号码后 4 位").fill("5678")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    result = page.locator(".progress-result")
    assert "已提交" in result.locator(".state").inner_text()
    assert "供电" in result.inner_text() and "城管" in result.inner_text()
    assert "信阳进度查询有限公司" not in result.inner_text()
    shot(page, "progress-found")
    status = None
    for _ in range(10):
        response = page.goto(server + f"/progress/?ref={application.reference}&phone4=5678")
        status = response.status
        if status == 429:
            break
    assert status == 429
    assert "查询过于频繁，请 10 分钟后再试" in page.locator(".error-summary").inner_text()
    shot(page, "progress-limited")


def test_bad_rating_rectification_and_appeal(server, page, browser):
    applicant = make_applicant(name="信阳差评测试有限公司")
    application = decided_case(applicant)
    manager = make_user("manager-b", is_superuser=True, is_staff=True)

    portal_login(page, server, applicant.user.username)
    page.goto(server + f"/my/applications/{application.reference}/")
    page.get_by_label("不满意", exact=True).check()
    page.get_by_label("涉及部门（不满意时必选）").select_option(label="城管")
    page.get_by_label("评价意见（选填）").fill("占道审批来回跑了三次。")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "差评整改：待整改" in page.locator("#rating").inner_text()
    shot(page, "rating-bad")

    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    try:
        admin_login(admin, server, manager.username)
        admin.goto(server + "/admin/rectifications/")
        admin.get_by_role("link", name=application.reference).click()
        admin.wait_for_load_state()
        admin.get_by_label("整改答复").fill("已优化占道审批流程，可一次办结。")
        admin.get_by_role("button", name="发送答复").click()
        admin.wait_for_load_state()
        assert admin.locator(".rectification-state").inner_text() == "已答复"

        page.reload()
        rating = page.locator("#rating")
        assert "已优化占道审批流程" in rating.inner_text()
        page.get_by_label("申诉理由（只能申诉一次）").fill("仍需现场跑一次。")
        page.get_by_role("button", name="提出申诉").click()
        page.wait_for_load_state()
        assert "申诉已提交" in page.locator(".messages").inner_text()
        assert page.get_by_role("button", name="提出申诉").count() == 0

        admin.reload()
        assert admin.locator(".rectification-state").inner_text() == "申请人申诉中"
        admin.get_by_label("申诉答复").fill("已安排窗口代办，无需再跑。")
        admin.get_by_role("button", name="发送答复").click()
        admin.wait_for_load_state()
        assert admin.locator(".rectification-state").inner_text() == "已办结"
        shot(admin, "rectification-closed")
    finally:
        staff.close()

    page.reload()
    assert "申诉答复：已安排窗口代办" in page.locator("#rating").inner_text()
    page.locator("header .nav-inbox").click()
    page.wait_for_load_state()
    assert page.locator(".inbox-item", has_text="的评价已获答复").count() == 2


def test_statistics_page(server, page):
    applicant = make_applicant(name="信阳统计测试有限公司")
    decided_case(applicant, [POWER_ITEM])
    submit(ready_joint_application(applicant, [POWER_ITEM, ROAD_ITEM]))
    manager = make_user("manager-c", is_superuser=True, is_staff=True)
    admin_login(page, server, manager.username)
    page.goto(server + "/admin/statistics/")
    for title in ("按事项统计办件量", "各部门按时办结率与平均用时", "满意度分布", "月度趋势"):
        section = page.locator("section", has=page.get_by_role("heading", name=title))
        assert section.locator("svg").count() == 1
        assert section.locator("table").count() == 1
    dept = page.locator("#stat-dept table").inner_text()
    assert "供电" in dept and "城管" in dept
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    shot(page, "statistics")

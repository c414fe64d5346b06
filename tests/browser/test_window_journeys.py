"""综合窗口 and 装表接电 journeys in Chromium (issue 15): a resident without an account is
served at the window through to 装表接电 and the rating; an online application is sent
back by the window with one 一次性告知."""

import re

import pytest
from django.utils import timezone

from accounts.models import Applicant
from applications import workflow
from applications.models import Application, State, SupplementNotice
from catalogue.models import ApplicantType
from connection import steps
from tests.applications.factories import (
    POWER_ITEM,
    county,
    id_number,
    make_applicant,
    make_reviewer,
    make_user,
    next_working_day,
    ready_joint_application,
    submit,
)
from tests.browser.test_application_journeys import (
    admin_login,
    label,
    make_admin_reviewer,
    portal_login,
    server,
    shot,
    write_pdf,
    write_png,
)
from tests.documents.helpers import pdf_text
from window.models import ClaimTicket, WindowDesk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock()]
__all__ = ["server"]

RESIDENT_MATERIALS = (
    "用电人有效身份证件",
    "固定车位使用证明",
    "物业证明(无物业的由居委会、业委会出具)",
    "用电人新能源汽车购车证明",
)


def window_clerk():
    desk = WindowDesk.objects.create(region=county(), name="浉河区「高效办成一件事」专窗")
    clerk = make_user()
    desk.members.add(clerk)
    return clerk


def click(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_a_resident_without_an_account_is_served_at_the_window_to_the_rating(
    server, browser, tmp_path
):
    clerk = window_clerk()
    power, housing = make_reviewer("power"), make_reviewer("housing")
    person_id = id_number(555)

    # -- window: register the resident on the spot, fill the form, scan the papers
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    portal_login(page, server, clerk.username)
    page.goto(server + "/my/applications/new/joint_installation/")  # sent to the intake
    assert page.url.endswith("/window/new/")
    page.get_by_label("姓名/企业名称").fill("李秀英")
    page.get_by_label("身份证号码（居民）").fill(person_id)
    page.get_by_label("手机号码").fill("13900001111")
    page.get_by_label("低压居民新装（居民）").check()
    click(page, "登记并创建申请")
    reference = Application.objects.get().reference
    assert reference in page.locator("h1").inner_text()
    assert person_id not in page.content()  # masked everywhere

    page.get_by_label(label("企业名称/申请人")).fill("李秀英")
    page.get_by_label(label("产权类型")).select_option("owned")
    page.get_by_label(label("联系人")).fill("李秀英")
    page.get_by_label(label("联系电话")).fill("13900001111")
    page.get_by_label(label("报装详细地址")).fill("信阳市浉河区新华路 8 号小区 B2-117 车位")
    page.get_by_label(label("业务种类")).select_option("existing")
    page.get_by_label(label("期望现场踏勘日期")).fill(f"{next_working_day():%Y-%m-%d}")
    page.get_by_label(label("踏勘时段")).select_option("am")
    page.get_by_label(label("用电业务类型")).select_option("residential")
    page.get_by_label(label("供电容量")).fill("7")
    page.get_by_label(label("送达方式")).select_option("window")
    click(page, "保存申请表")
    assert "联办申请表已保存" in page.locator(".messages").inner_text()
    for n, name in enumerate(RESIDENT_MATERIALS):
        field = page.get_by_label(f"上传“{name}”")
        field.set_input_files(str(write_png(tmp_path, f"扫描件{n}.png", seed=700 + n)))
        page.locator("form", has=field).get_by_role("button", name="上传", exact=True).click()
        page.wait_for_load_state()
        assert f"已上传“{name}”" in page.locator(".messages").inner_text()
    click(page, "确认无误，提交预审")
    assert page.locator("#window-state").inner_text() == "窗口预审"
    receipt = page.locator("#print-receipt")
    assert receipt.get_attribute("href") == f"/documents/{reference}/acceptance_receipt.pdf"
    code = page.locator("#claim-code strong").inner_text()
    assert len(code) == 8
    click(page, "受理并推送各部门")
    assert page.locator("#window-state").inner_text() == "已提交"
    receipt_pdf = page.request.get(server + f"/documents/{reference}/acceptance_receipt.pdf")
    assert receipt_pdf.ok and receipt_pdf.headers["content-type"] == "application/pdf"
    printed = re.sub(r"\s+", "", pdf_text(receipt_pdf.body()))
    accepted = timezone.localtime(Application.objects.get(reference=reference).accepted_at)
    for fact in (
        "受理回执",
        reference,
        "浉河区「高效办成一件事」专窗",  # the window
        clerk.get_full_name() or clerk.username,  # 经办人
        f"{accepted.year}年{accepted.month}月{accepted.day}日",
        code,  # 认领码
    ):
        assert fact in printed, fact
    shot(page, "window-accepted")
    desk.close()

    # -- 供电 approves (its reviewer list is covered elsewhere)
    application = Application.objects.get(reference=reference)
    assert application.channel == "window" and application.entered_by == clerk
    workflow.decide(application, user=power, approve=True, opinion="同意")
    assert Application.objects.get(pk=application.pk).state == State.CONNECTING

    # -- 供电 confirms the survey, 住建 confirms the parking facts, survey and plan
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    portal_login(page, server, power.username)
    page.goto(server + f"/connection/{reference}/")
    page.get_by_label("物业服务企业/联系人").fill("新华物业 王经理")
    click(page, "确认踏勘时间")
    assert "住建部门、物业" in page.locator("#survey-slot").inner_text()
    click(page, "完成现场踏勘")
    assert "住建部门确认" in page.locator("#connection-problems").inner_text()
    staff.close()
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    portal_login(page, server, housing.username)
    page.goto(server + f"/connection/{reference}/")
    page.get_by_label("核实情况").fill("产权清晰，B2-117 固定车位为业主自有")
    click(page, "确认并参加踏勘")
    staff.close()
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    portal_login(page, server, power.username)
    page.goto(server + f"/connection/{reference}/")
    click(page, "完成现场踏勘")
    page.get_by_label("供电方案").fill("低压 220V 单相接入，新装电能表一只")
    page.get_by_label("核定容量（kVA）").fill("7")
    click(page, "出具方案")
    assert page.locator("#connection-status").inner_text() == "待签署供电方案（合同）"
    staff.close()

    # -- the resident registers online later and claims the case with the 认领码
    online = make_applicant(ApplicantType.RESIDENT, name="李秀英")
    Applicant.objects.filter(pk=online.pk).update(mobile="13900001111")
    online.refresh_from_db()
    online.id_number = person_id
    online.save(update_fields=["id_number"])
    mine = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = mine.new_page()
    portal_login(page, server, online.user.username)
    page.goto(server + "/my/")
    page.get_by_role("link", name="认领窗口代办的申请").click()
    page.get_by_label("申请编号").fill(reference)
    page.get_by_label("认领码").fill(code)
    click(page, "认领")
    assert f"已认领申请 {reference}" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="装表接电：踏勘预约、供电方案签署与进度").click()
    page.wait_for_load_state()
    click(page, "确认签署供电方案（合同）")
    assert page.locator("#connection-status").inner_text() == "待施工"
    mine_page = page

    # -- 供电: construction and 装表接电
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    portal_login(page, server, power.username)
    page.goto(server + f"/connection/{reference}/")
    click(page, "开始施工")
    click(page, "装表接电完成")
    assert page.locator("#application-state").inner_text() == "已通过"
    staff.close()

    # -- the resident rates, only now
    mine_page.goto(server + f"/my/applications/{reference}/")
    mine_page.get_by_label("非常满意", exact=True).check()
    click(mine_page, "提交评价")
    assert "感谢您的评价" in mine_page.locator(".messages").inner_text()
    shot(mine_page, "window-resident-rated")
    mine.close()
    application = Application.objects.get(reference=reference)
    assert application.applicant == online and application.state == State.APPROVED
    assert application.ratings.get().level == 5
    assert ClaimTicket.objects.get().claimed_by == online.user


def test_an_online_application_goes_back_for_one_supplement_notice(server, browser, tmp_path):
    clerk = window_clerk()
    applicant = make_applicant(name="信阳窗口补正测试有限公司")
    application = submit(ready_joint_application(applicant, [POWER_ITEM]))
    assert application.state == State.AT_WINDOW

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    portal_login(page, server, clerk.username)
    page.goto(server + "/window/")
    page.locator("#window-queue").get_by_role("link", name=application.reference).click()
    page.wait_for_load_state()
    page.get_by_label(label("补正事项")).fill(
        "主体证明已过期，请提供最新营业执照\n产权证明缺少盖章页"
    )
    click(page, "一次性告知补正")
    assert "已出具一次性告知（2 项）" in page.locator(".messages").inner_text()
    assert page.locator("#notice li").count() == 2
    desk.close()

    mine = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = mine.new_page()
    portal_login(page, server, applicant.user.username)
    page.goto(server + f"/my/applications/{application.reference}/")
    notice = page.locator("#notice")
    assert "请补正以下 2 项" in notice.inner_text()
    assert "主体证明已过期" in notice.inner_text() and "产权证明缺少盖章页" in notice.inner_text()
    assert "综合窗口" in notice.inner_text()
    shot(page, "window-supplement-notice")
    mine.close()
    assert SupplementNotice.objects.filter(application=application).count() == 1
    assert Application.objects.get(pk=application.pk).state == State.NEEDS_SUPPLEMENT


def test_the_signed_contract_is_uploaded_as_a_scan_and_power_opens_it(server, browser, tmp_path):
    applicant = make_applicant(name="信阳扫描签字充电有限公司")
    power = make_admin_reviewer("power")
    application = submit(ready_joint_application(applicant, [POWER_ITEM]))
    workflow.decide(application, user=power, approve=True, opinion="同意")
    steps.confirm_survey(application, user=power)
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="新装 160kVA 箱变一台", capacity_kva="160")
    reference = application.reference

    # -- the applicant prints, signs on paper and uploads the scan (a fake first)
    mine = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = mine.new_page()
    portal_login(page, server, applicant.user.username)
    page.goto(server + f"/connection/{reference}/")
    fake = tmp_path / "签字合同.pdf"
    fake.write_bytes(b"<html><body>not a scan</body></html>")
    page.get_by_label("签字扫描件").set_input_files(str(fake))
    click(page, "上传并签署")
    assert "不是可识别的" in page.locator("#connection-problems").inner_text()
    assert page.locator("#connection-status").inner_text() == "待签署供电方案（合同）"
    scan = write_pdf(tmp_path, "供电合同签字页.pdf", seed=31)
    page.get_by_label("签字扫描件").set_input_files(str(scan))
    click(page, "上传并签署")
    assert page.locator("#connection-status").inner_text() == "待施工"
    assert "上传签字扫描件" in page.locator("#plan-signed").inner_text()
    shot(page, "connection-signed-scan")
    mine.close()

    # -- 供电 opens it from the review page
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    admin_login(admin, server, power.username)
    admin.goto(server + f"/admin/review/{reference}/")
    link = admin.get_by_role("link", name="已签字的供电方案（合同）扫描件：供电合同签字页.pdf")
    assert link.is_visible()
    download = admin.request.get(server + link.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert download.body() == scan.read_bytes()
    staff.close()

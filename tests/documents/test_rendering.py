"""The documents as PDFs: the facts of the case read back from the PDF text, ticked boxes
of 附件3, the embedded CJK font, the QR code, and which documents a case has when."""

import io
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.core.management import CommandError, call_command

from applications import workflow
from applications.models import JointInstallation
from documents.kinds import KINDS, select
from documents.rendering import render_pdf
from tests.applications.factories import (
    GREEN_ITEM,
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    ready_joint_application,
)

from .helpers import decide_all, joint_case, offer_power_plan, pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def pdf_of(application, kind, key=""):
    issued, reason = select(KINDS[kind], application, key)
    assert reason is None, reason
    return render_pdf(KINDS[kind], application, issued)


def test_application_form_prints_the_facts_with_ticked_boxes(operator):
    application = ready_joint_application(
        operator,
        [POWER_ITEM, ROAD_ITEM],
        tenure=JointInstallation.Tenure.LEASED,
        capacity_kva=Decimal("250.0"),
        delivery=JointInstallation.Delivery.POST,
        postal_address="信阳市平桥区中山路 8 号",
    )
    text = pdf_text(pdf_of(application, "application_form"))
    assert "“充电桩报装一件事”联办申请表" in text
    assert application.reference in text
    assert operator.name in text and operator.credit_code in text
    assert "信阳市浉河区新华路 1 号" in text
    assert "☐ 自有" in text and "☑ 租赁" in text
    assert "☑ 用电报装" in text and "☑ 占用、挖掘城市道路审批" in text
    assert "☐ 影响交通安全占道施工审核" in text
    assert "☐ 工程建设涉及城市绿地、树木审批" in text
    assert "☑ 企业新装（选填）" in text and "☐ 居民新装（选填）" in text
    assert "☑ 商业" in text and "☐ 普通工业" in text
    assert "250.0" in text
    assert "☑ 邮寄送达（费用自理）" in text and "☐ 窗口领取" in text
    assert "信阳市平桥区中山路 8 号" in text
    assert "☑ 主干道" in text and "☐ 高速" in text
    assert "面积 6.00 平方米" in text


def test_resident_form_ticks_resident_power_and_masks_the_id_number(resident):
    application = ready_joint_application(resident, [RESIDENT_POWER_ITEM])
    text = pdf_text(pdf_of(application, "application_form"))
    assert "☑ 居民新装（选填）" in text and "☐ 企业新装（选填）" in text
    assert "☑ 居民生活用电" in text
    assert str(resident.id_number.plaintext) not in text
    assert resident.id_number.plaintext[:14] not in text


def test_cjk_font_is_embedded(operator):
    data = pdf_of(ready_joint_application(operator, [POWER_ITEM]), "application_form")
    fonts = pdf_fonts(data)
    assert fonts and all(embedded for _, embedded in fonts)  # the font travels inside
    assert any("CJK-SC" in name for name, _ in fonts)


def test_qr_code_opens_the_progress_page_with_the_reference_only(operator, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://charging.example.cn"
    application = joint_case(operator, [POWER_ITEM])
    data = pdf_of(application, "acceptance_receipt")
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    image = document[0].render(scale=3).to_pil()
    document.close()
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [
        f"https://charging.example.cn/progress/?ref={application.reference}"
    ]
    assert "5678" not in codes[0].text  # no part of the mobile, no name


def test_acceptance_receipt_after_submission_only(operator):
    draft = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    assert "尚未提交" in KINDS["acceptance_receipt"].unavailable(draft)
    application = workflow.submit(draft, user=operator.user)
    text = pdf_text(pdf_of(application, "acceptance_receipt"))
    assert "受理回执" in text and application.reference in text
    assert "低压非居民新装" in text and "占用、挖掘城市道路审批" in text
    assert "“高效办成一件事”综合窗口" in text
    review = application.reviews.get(department__code="urban")
    assert f"{review.due_date.year}年{review.due_date.month}月{review.due_date.day}日前" in text


def test_supplement_notice_lists_every_item(operator, reviewers):
    application = joint_case(operator, [POWER_ITEM, ROAD_ITEM])
    assert "没有一次性告知" in KINDS["supplement_notice"].unavailable(application)
    workflow.request_supplement(
        application,
        user=reviewers["urban"],
        extra=["请补充道路占用平面图", "施工时间与申请表不一致"],
    )
    text = pdf_text(pdf_of(application, "supplement_notice"))
    assert "一次性告知书" in text
    assert "请补充道路占用平面图" in text and "施工时间与申请表不一致" in text
    assert "【城管】" in text


def test_decisions_per_department(operator, reviewers):
    application = joint_case(operator, [POWER_ITEM, ROAD_ITEM])
    assert "还没有部门审核通过" in KINDS["decision"].unavailable(application)
    workflow.decide(application, user=reviewers["urban"], approve=True, opinion="同意占用")
    assert "供电部门尚未审核通过" in KINDS["power_plan"].unavailable(application)
    workflow.decide(application, user=reviewers["power"], approve=True, opinion="同意接入")
    assert "请指定部门" in KINDS["decision"].unavailable(application)
    urban = pdf_text(pdf_of(application, "decision", "urban"))
    assert "准予许可决定书" in urban and "信阳市城市管理局" in urban
    assert "占用、挖掘城市道路审批" in urban and "同意占用" in urban
    power = pdf_text(pdf_of(application, "decision", "power"))
    assert "办结通知书" in power and "国网信阳供电公司" in power and "予以办结" in power
    assert "不予许可" in KINDS["rejection_notice"].unavailable(application)


def test_rejection_notice_carries_the_reason(operator, reviewers):
    application = joint_case(operator, [POWER_ITEM])
    workflow.decide(application, user=reviewers["power"], approve=False, opinion="容量不足")
    text = pdf_text(pdf_of(application, "rejection_notice"))
    assert "不予许可告知书" in text and "理由：容量不足" in text
    assert application.reference in text and "国网信阳供电公司" in text


def test_power_plan_once_power_offers_it_after_approval(operator, reviewers):
    application = joint_case(operator, [POWER_ITEM, GREEN_ITEM])
    application = decide_all(application, reviewers)
    assert "尚未出具供电方案" in KINDS["power_plan"].unavailable(application)
    application = offer_power_plan(application, reviewers["power"])
    text = pdf_text(pdf_of(application, "power_plan"))
    assert "装表接电方案（合同）" in text
    assert "低压接入，计量装置装于车位旁" in text and "已确认" in text
    assert "160.0 kVA" in text and "商业" in text and "信阳市浉河区新华路 1 号" in text
    assert "用电人（签字/盖章）" in text


def test_command_writes_the_pdf_and_refuses_what_the_case_lacks(operator, tmp_path):
    application = joint_case(operator, [POWER_ITEM])
    out = tmp_path / "receipt.pdf"
    call_command("render_document", application.reference, "acceptance_receipt", out=str(out))
    assert application.reference in pdf_text(out.read_bytes())
    missing = tmp_path / "decision.pdf"
    with pytest.raises(CommandError, match="没有准予许可决定书/办结通知书：还没有部门审核通过"):
        call_command("render_document", application.reference, "decision", out=str(missing))
    assert not missing.exists()
    with pytest.raises(CommandError, match="没有文书种类"):
        call_command("render_document", application.reference, "invoice", out=str(missing))
    with pytest.raises(CommandError, match="不存在"):
        call_command("render_document", "SQ000", "decision", out=str(missing))

"""Printed documents in Chromium: the applicant opens the case's documents from the
portal and downloads a department's decision as a PDF."""

from pathlib import Path

import pytest

from applications import workflow
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    make_applicant,
    make_reviewer,
    ready_joint_application,
    submit,
)
from tests.browser.test_application_journeys import portal_login, server, shot
from tests.documents.helpers import pdf_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock()]
__all__ = ["server"]


def test_applicant_downloads_a_decision_pdf(server, page, tmp_path):
    applicant = make_applicant(name="信阳文书下载测试有限公司")
    application = submit(ready_joint_application(applicant, [POWER_ITEM, ROAD_ITEM]))
    workflow.decide(
        application, user=make_reviewer("urban"), approve=True, opinion="同意占用新华路"
    )
    portal_login(page, server, applicant.user.username)
    page.goto(f"{server}/my/applications/{application.reference}/")
    page.get_by_role("link", name="办理文书").click()
    page.wait_for_load_state()
    rows = page.locator("table.documents tbody tr")
    decision = rows.filter(has_text="准予许可决定书")
    assert "信阳市城市管理局" in decision.inner_text()
    assert "待下载" in decision.inner_text()
    assert "还没有部门审核通过" not in page.content()
    shot(page, "documents-list")
    with page.expect_download() as info:
        decision.get_by_role("link", name="下载 PDF").click()
    download = info.value
    assert download.suggested_filename == f"{application.reference}-准予许可决定书-城管.pdf"
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(target)
    text = pdf_text(target.read_bytes())
    assert "准予许可决定书" in text and application.reference in text
    assert "同意占用新华路" in text and "信阳文书下载测试有限公司" in text
    page.reload()
    assert "已下载" in rows.filter(has_text="准予许可决定书").inner_text()

"""The printed documents follow the window and 装表接电: the 受理回执 exists once the
window has accepted (with the window, the clerk and the walk-in's 认领码 on it), a
不予受理 gets the window's 不予受理告知书, and the 装表接电方案 waits for 供电's plan."""

import pytest

from applications import workflow
from connection import steps
from documents.kinds import WINDOW_KEY, get_kind, issued_documents
from documents.rendering import render_html
from tests.applications import factories
from tests.applications.factories import ready_joint_application, submit
from tests.window.test_window import walk_in
from window import acceptance

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def html(application, kind, key=""):
    document_kind = get_kind(kind)
    issued = next(d for d in document_kind.issued(application) if not key or d.key == key)
    return render_html(document_kind, application, issued)


def test_the_receipt_waits_for_the_window_and_names_it(desk, clerk):
    application = walk_in(desk, clerk)
    workflow.submit(application, user=clerk)
    application.refresh_from_db()
    receipt = get_kind("acceptance_receipt")
    assert "尚未经综合窗口受理" in receipt.unavailable(application)

    acceptance.accept(application, user=clerk)
    application.refresh_from_db()
    assert receipt.unavailable(application) is None
    [issued] = receipt.issued(application)
    assert issued.issued_at == application.accepted_at
    text = html(application, "acceptance_receipt")
    assert desk.name in text
    assert application.claim_ticket.code.plaintext in text  # the walk-in's 认领码
    assert "李秀英" in text


def test_a_refusal_at_the_window_prints_its_own_notice(operator, clerk):
    application = submit(ready_joint_application(operator))
    acceptance.refuse(application, user=clerk, reason="用电地址与产权证明不一致")
    application.refresh_from_db()
    assert get_kind("acceptance_receipt").issued(application) == []
    assert "不予受理" in get_kind("acceptance_receipt").unavailable(application)
    [refusal] = [d for d in issued_documents(application) if d.kind == "rejection_notice"]
    assert (refusal.key, refusal.title) == (WINDOW_KEY, "不予受理告知书")
    text = html(application, "rejection_notice", WINDOW_KEY)
    assert "不予受理" in text and "用电地址与产权证明不一致" in text


def test_the_power_plan_waits_for_the_offered_plan(operator, clerk, reviewers):
    application = submit(ready_joint_application(operator, [factories.POWER_ITEM]))
    acceptance.accept(application, user=clerk)
    workflow.decide(application, user=reviewers["power"], approve=True)
    application = type(application).objects.get(pk=application.pk)
    plan = get_kind("power_plan")
    assert "尚未出具供电方案" in plan.unavailable(application)

    steps.confirm_survey(application, user=reviewers["power"])
    steps.record_survey(application, user=reviewers["power"])
    steps.offer_plan(
        application, user=reviewers["power"], text="低压 220V 单相接入", capacity_kva="7"
    )
    application = type(application).objects.get(pk=application.pk)
    assert plan.unavailable(application) is None
    text = html(application, "power_plan")
    assert "低压 220V 单相接入" in text and "7" in text and "已确认" in text

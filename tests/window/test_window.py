"""综合窗口: intake for people without an online account, 预审 before the departments
(受理 / 补正 / 不予受理), and the online claim of a window-filed application."""

import datetime
import logging

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.utils import timezone

from accounts.models import Applicant
from applications import workflow
from applications.models import Application, Channel, DepartmentReview, State
from applications.workflow import WorkflowError
from catalogue.models import ApplicantType
from tests.applications import factories
from tests.applications.factories import (
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    ready_joint_application,
    submit,
)
from window import acceptance, claim, intake
from window.facts import receipt_facts
from window.models import ClaimTicket, WindowDesk

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

ID_NUMBER = factories.id_number(123)


def walk_in(desk, clerk, name="李秀英", id_number=ID_NUMBER, mobile="13900001111"):
    applicant = intake.find_or_create_resident(desk, name=name, id_number=id_number, mobile=mobile)
    application = intake.open_application(desk, applicant, [RESIDENT_POWER_ITEM], staff=clerk)
    factories.joint_detail(application)
    factories.attach_due_materials(application, user=clerk)
    return application


# --- 预审 ---------------------------------------------------------------------------


def test_a_joint_application_lands_at_the_staffed_window_first(operator, clerk):
    application = submit(ready_joint_application(operator))
    assert application.state == State.AT_WINDOW
    assert not application.reviews.exists()
    # 即办件 by default: the window's deadline is the day of submission (a working day).
    assert application.window_due_date == timezone.localdate()
    assert list(acceptance.queue(clerk)) == [application]


def test_the_window_deadline_is_a_setting(operator, clerk, settings):
    settings.WINDOW_ACCEPTANCE_DAYS = 1
    application = submit(ready_joint_application(operator))
    assert application.window_due_date == factories.next_working_day()


def test_without_a_staffed_window_the_departments_receive_it_directly(operator, catalogue):
    application = submit(ready_joint_application(operator))
    assert application.state == State.SUBMITTED
    assert application.reviews.count() == 2


def test_acceptance_pushes_to_every_department_and_starts_their_clocks(
    operator, clerk, time_machine
):
    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
    acceptance.accept(application, user=clerk)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    reviews = list(application.reviews.select_related("department"))
    assert {r.department.code for r in reviews} == {"power", "urban"}
    assert all(r.received_at == application.accepted_at for r in reviews)
    assert application.accepted_at > application.submitted_at
    workflow_events = application.events.exclude(action__startswith="document")
    assert [e.action for e in workflow_events][-1] == "accepted"


def test_only_the_county_window_may_accept(operator, clerk, reviewers, catalogue):
    application = submit(ready_joint_application(operator))
    other_desk = WindowDesk.objects.create(region=factories.county("411521"), name="罗山县专窗")
    outsider = factories.make_user()
    other_desk.members.add(outsider)
    for user in (outsider, reviewers["power"]):
        with pytest.raises(WorkflowError, match="不是该县（区）综合窗口的工作人员"):
            acceptance.accept(application, user=user)
    assert Application.objects.get(pk=application.pk).state == State.AT_WINDOW


def test_window_supplement_is_one_notice_and_the_resubmission_returns_to_the_window(
    operator, clerk
):
    application = ready_joint_application(operator)
    submit(application)
    with pytest.raises(WorkflowError, match="没有需要补正的内容"):
        acceptance.request_supplement(application, user=clerk, extra=["  "])
    notice = acceptance.request_supplement(
        application, user=clerk, extra=["物业证明缺少公章", "施工图纸不清晰"]
    )
    assert [i["problem"] for i in notice.items] == ["物业证明缺少公章", "施工图纸不清晰"]
    assert {i["department"] for i in notice.items} == {"综合窗口"}
    application.refresh_from_db()
    assert application.state == State.NEEDS_SUPPLEMENT and application.is_editable
    assert application.supplement_notices.count() == 1

    submit(application)
    assert application.state == State.AT_WINDOW
    assert not application.reviews.exists()
    acceptance.accept(application, user=clerk)
    assert application.state == State.SUBMITTED


def test_refusal_needs_a_reason_and_ends_the_case(operator, clerk):
    application = submit(ready_joint_application(operator))
    with pytest.raises(WorkflowError, match="请填写理由"):
        acceptance.refuse(application, user=clerk, reason=" ")
    acceptance.refuse(application, user=clerk, reason="报装地址不在本县（区）")
    application.refresh_from_db()
    assert application.state == State.NOT_ACCEPTED and application.is_finished
    assert not application.reviews.exists()
    with pytest.raises(WorkflowError, match="不在窗口预审环节"):
        acceptance.accept(application, user=clerk)


def test_the_window_step_cannot_be_skipped_by_a_department(operator, clerk, reviewers):
    application = submit(ready_joint_application(operator))
    with pytest.raises(WorkflowError):
        workflow.decide(application, user=reviewers["power"], approve=True)


# --- intake -------------------------------------------------------------------------


def test_a_resident_without_an_account_is_registered_on_the_spot(desk, clerk, caplog):
    caplog.set_level(logging.DEBUG)
    application = walk_in(desk, clerk)
    applicant = application.applicant
    assert applicant.kind == ApplicantType.RESIDENT and applicant.is_active
    assert application.channel == Channel.WINDOW and application.entered_by == clerk
    # Nobody can log in as the walk-in applicant: no password, inactive user.
    assert not applicant.user.has_usable_password()
    assert authenticate(username=applicant.user.username, password="") is None
    # The ID number is encrypted at rest and never logged.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM accounts_applicant WHERE id = %s", [applicant.pk])
        stored = cursor.fetchone()[0]
    assert ID_NUMBER not in stored and stored.startswith("gAAAAA")
    assert ID_NUMBER not in caplog.text
    assert ID_NUMBER not in str(applicant.id_number)


def test_the_same_resident_is_found_again_not_duplicated(desk, clerk):
    first = walk_in(desk, clerk).applicant
    again = intake.find_or_create_resident(
        desk, name="李秀英", id_number=ID_NUMBER.lower(), mobile="13900001111"
    )
    assert again == first
    with pytest.raises(WorkflowError, match="姓名不一致"):
        intake.find_or_create_resident(desk, name="李秀", id_number=ID_NUMBER, mobile="13900001111")


def test_bad_identity_data_is_refused_with_every_problem(desk):
    wrong_check = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    with pytest.raises(WorkflowError) as refused:
        intake.find_or_create_resident(desk, name="", id_number=wrong_check, mobile="12345")
    assert len(refused.value.problems) == 3
    assert "身份证号码不正确" in refused.value.message
    assert not Applicant.objects.filter(kind=ApplicantType.RESIDENT).exists()


def test_a_company_is_found_by_credit_code_or_created(desk, clerk, operator):
    assert (
        intake.find_or_create_company(
            desk, name="", credit_code=operator.credit_code, contact_name="", mobile=""
        )
        == operator
    )
    with pytest.raises(WorkflowError, match="统一社会信用代码"):
        intake.find_or_create_company(
            desk,
            name="某公司",
            credit_code="91411500MA00000000",
            contact_name="王",
            mobile="13900001111",
        )
    company = intake.find_or_create_company(
        desk,
        name="信阳市新能源建设有限公司",
        credit_code=factories.credit_code(),
        contact_name="王强",
        mobile="13900002222",
    )
    assert company.kind == ApplicantType.BUILDER and intake.is_offline(company)
    # An applicant with an online account needs no claim ticket.
    online = intake.open_application(desk, operator, [POWER_ITEM], staff=clerk)
    assert not ClaimTicket.objects.filter(application=online).exists()


def test_only_window_staff_open_applications(desk, operator):
    with pytest.raises(WorkflowError):
        intake.open_application(desk, operator, [POWER_ITEM], staff=factories.make_user())


def test_receipt_facts_mask_the_id_and_carry_the_claim_code(desk, clerk):
    application = submit(walk_in(desk, clerk), user=clerk)
    facts = receipt_facts(application)
    assert facts["reference"] == application.reference
    assert ID_NUMBER not in str(facts)
    assert facts["id_number"].startswith(ID_NUMBER[:3]) and "*" in facts["id_number"]
    assert facts["claim_code"] == application.claim_ticket.code.plaintext
    assert facts["channel"] == "窗口"


# --- claim --------------------------------------------------------------------------


def online_twin(mobile="13900001111", id_number=ID_NUMBER):
    applicant = factories.make_applicant(ApplicantType.RESIDENT, name="李秀英")
    applicant.mobile, applicant.id_number = mobile, id_number
    applicant.save()
    return applicant


def test_the_applicant_claims_the_window_application_online(desk, clerk):
    application = walk_in(desk, clerk)
    code = application.claim_ticket.code.plaintext
    me = online_twin()
    claimed = claim.claim(me.user, application.reference.lower(), code)
    assert claimed.applicant == me
    assert Application.objects.get(pk=application.pk).applicant == me
    assert application.events.filter(action="claimed").exists()
    with pytest.raises(WorkflowError):  # once only
        claim.claim(me.user, application.reference, code)


@pytest.mark.parametrize(
    ("mobile", "id_number", "wrong_code"),
    [
        ("13900009999", ID_NUMBER, False),
        ("13900001111", factories.id_number(7), False),
        ("13900001111", ID_NUMBER, True),
    ],
)
def test_a_claim_needs_the_code_the_mobile_and_the_person(
    desk, clerk, mobile, id_number, wrong_code
):
    application = walk_in(desk, clerk)
    code = application.claim_ticket.code.plaintext
    if wrong_code:
        code = f"{(int(code) + 1) % 10**8:08d}"
    with pytest.raises(WorkflowError, match="不匹配"):
        claim.claim(online_twin(mobile, id_number).user, application.reference, code)
    ticket = ClaimTicket.objects.get(application=application)
    assert ticket.failed_attempts == 1 and ticket.claimed_at is None
    assert Application.objects.get(pk=application.pk).applicant == application.applicant


def test_claims_are_blocked_after_repeated_failures(desk, clerk):
    application = walk_in(desk, clerk)
    me = online_twin()
    for _ in range(ClaimTicket.MAX_ATTEMPTS):
        with pytest.raises(WorkflowError, match="不匹配"):
            claim.claim(me.user, application.reference, "00000000x")
    with pytest.raises(WorkflowError, match="次数过多"):
        claim.claim(me.user, application.reference, application.claim_ticket.code.plaintext)


def test_window_staff_see_only_their_county(desk, clerk, operator):
    application = walk_in(desk, clerk)
    assert intake.get_window_application(clerk, application.reference) == application
    draft_online = factories.make_application(
        operator, "joint_installation", item_codes=[POWER_ITEM]
    )
    assert not intake.window_applications(clerk).filter(pk=draft_online.pk).exists()
    assert not intake.window_applications(factories.make_user()).exists()
    assert DepartmentReview.objects.count() == 0


def test_the_window_reissues_a_blocked_code(desk, clerk):
    application = walk_in(desk, clerk)
    me = online_twin()
    for _ in range(ClaimTicket.MAX_ATTEMPTS):
        with pytest.raises(WorkflowError):
            claim.claim(me.user, application.reference, "x")
    with pytest.raises(WorkflowError, match="不是该县（区）综合窗口"):
        claim.reissue(application, user=me.user)
    ticket = claim.reissue(application, user=clerk)
    assert ticket.failed_attempts == 0
    fresh = ClaimTicket.objects.get(pk=ticket.pk).code.plaintext
    assert claim.claim(me.user, application.reference, fresh).applicant == me
    with pytest.raises(WorkflowError, match="没有待认领"):
        claim.reissue(application, user=clerk)


def test_the_applicant_may_withdraw_while_at_the_window(operator, clerk):
    application = submit(ready_joint_application(operator))
    assert workflow.can_withdraw(application)
    workflow.withdraw(application, user=operator.user)
    assert application.state == State.DRAFT
    assert not acceptance.queue(clerk).exists()

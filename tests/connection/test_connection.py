"""装表接电 after the 供电 approval: the case completes, and the rating is offered, only
when the meter is connected."""

import datetime

import pytest
from django.utils import timezone

from applications import workflow
from applications.models import Application, State
from applications.workflow import WorkflowError
from catalogue.models import ApplicantType
from connection import steps
from connection.models import Connection, HalfDay
from notifications.ratings import rate_online
from tests.applications import factories
from tests.applications.factories import (
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    ready_joint_application,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def approved(applicant, reviewers, items):
    application = submit(ready_joint_application(applicant, list(items)))
    for review in application.reviews.select_related("department"):
        workflow.decide(application, user=reviewers[review.department.code], approve=True)
    return Application.objects.get(pk=application.pk)


def test_power_approval_leaves_the_case_open_for_connection(operator, reviewers):
    application = approved(operator, reviewers, [POWER_ITEM, ROAD_ITEM])
    assert application.state == State.CONNECTING
    assert not application.is_finished and application.decided_at is None
    with pytest.raises(WorkflowError, match="办结后才能进行评价"):
        rate_online(application, user=operator.user, level=5)


def test_a_case_without_power_items_completes_at_approval(operator, reviewers):
    application = approved(operator, reviewers, [ROAD_ITEM])
    assert application.state == State.APPROVED
    with pytest.raises(WorkflowError, match="供电审核通过后"):
        steps.connection_for(submit(ready_joint_application(operator, [POWER_ITEM])))


def test_the_whole_connection_completes_the_case_and_offers_the_rating(operator, reviewers):
    application = approved(operator, reviewers, [POWER_ITEM, ROAD_ITEM, TRAFFIC_ITEM])
    power = reviewers["power"]
    connection = steps.connection_for(application)
    assert connection.preferred_date == application.joint_installation.survey_date
    assert not connection.residential

    steps.confirm_survey(application, user=power)
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="新装 160kVA 箱变一台", capacity_kva="160")
    with pytest.raises(WorkflowError, match="申请人本人"):
        steps.sign_plan(application, user=power)
    steps.sign_plan(application, user=operator.user)
    today = timezone.localdate()
    connection = steps.start_construction(application, user=power, started_on=today)
    assert "城管：占用、挖掘城市道路审批" in connection.permits
    assert "公安：影响交通安全占道施工审核" in connection.permits
    with pytest.raises(WorkflowError, match="开工日期与今天之间"):
        steps.connect(application, user=power, connected_on=today + datetime.timedelta(days=1))
    assert Application.objects.get(pk=application.pk).state == State.CONNECTING

    steps.connect(application, user=power, connected_on=today)
    application.refresh_from_db()
    assert application.state == State.APPROVED and application.decided_at is not None
    assert Connection.objects.get().status == Connection.Status.CONNECTED
    events = application.events.exclude(action__startswith="document")  # 文书 issued on the way
    actions = [e.action for e in events]
    assert actions[-6:] == [
        "survey_confirmed",
        "surveyed",
        "plan_offered",
        "plan_signed",
        "construction_started",
        "connected",
    ]
    assert rate_online(application, user=operator.user, level=5).level == 5


def test_steps_go_in_order_and_only_for_power_staff(operator, reviewers):
    application = approved(operator, reviewers, [POWER_ITEM])
    with pytest.raises(WorkflowError, match="不能办理这一步"):
        steps.record_survey(application, user=reviewers["power"])
    with pytest.raises(WorkflowError, match="供电部门的工作人员"):
        steps.confirm_survey(application, user=reviewers["urban"])
    with pytest.raises(WorkflowError, match="不能办理这一步"):
        steps.sign_plan(application, user=operator.user)


def test_the_survey_moves_only_to_a_working_day(operator, reviewers):
    from workdays.calendar import add_working_days, is_working_day

    application = approved(operator, reviewers, [POWER_ITEM])
    power = reviewers["power"]
    day = timezone.localdate() + datetime.timedelta(days=1)
    while is_working_day(day):
        day += datetime.timedelta(days=1)
    with pytest.raises(WorkflowError, match="不是工作日"):
        steps.confirm_survey(application, user=power, date=day, half_day=HalfDay.PM)
    with pytest.raises(WorkflowError, match="不能早于今天"):
        steps.confirm_survey(
            application, user=power, date=timezone.localdate() - datetime.timedelta(days=1)
        )
    moved_to = add_working_days(timezone.localdate(), 3)
    connection = steps.confirm_survey(application, user=power, date=moved_to, half_day="pm")
    assert (connection.survey_date, connection.survey_half_day) == (moved_to, "pm")
    assert application.events.last().action == "survey_moved"


def test_a_resident_case_needs_housing_to_confirm_the_property(reviewers, catalogue):
    resident = factories.make_applicant(ApplicantType.RESIDENT, name="陈静")
    application = approved(resident, reviewers, [RESIDENT_POWER_ITEM])
    power, housing = reviewers["power"], reviewers["housing"]
    connection = steps.confirm_survey(
        application, user=power, property_manager="碧桂园物业 王经理", phone="13900003333"
    )
    assert connection.residential
    assert "已邀请住建部门和物业参加" in application.events.last().note
    with pytest.raises(WorkflowError, match="住建部门确认"):
        steps.record_survey(application, user=power)
    with pytest.raises(WorkflowError, match="住建部门的工作人员"):
        steps.confirm_property(application, user=power, facts="x")
    with pytest.raises(WorkflowError, match="核实情况"):
        steps.confirm_property(application, user=housing, facts=" ")
    steps.confirm_property(application, user=housing, facts="产权清晰，B2-117 固定车位自有")
    assert steps.record_survey(application, user=power).status == Connection.Status.SURVEYED


def test_housing_has_nothing_to_confirm_for_a_company(operator, reviewers):
    application = approved(operator, reviewers, [POWER_ITEM])
    with pytest.raises(WorkflowError, match="非居民报装"):
        steps.confirm_property(application, user=reviewers["housing"], facts="车位")


def test_completion_notifies_and_counts_as_finished(operator, reviewers):
    from notifications.models import Message

    application = approved(operator, reviewers, [POWER_ITEM])
    assert not Message.objects.filter(event="case_completed").exists()
    power = reviewers["power"]
    steps.confirm_survey(application, user=power)
    assert Message.objects.filter(event="survey_scheduled", recipient=operator.user).exists()
    steps.record_survey(application, user=power)
    steps.offer_plan(application, user=power, text="方案", capacity_kva="7")
    steps.sign_plan(application, user=operator.user)
    steps.start_construction(application, user=power, started_on=timezone.localdate())
    steps.connect(application, user=power, connected_on=timezone.localdate())
    assert Message.objects.filter(event="case_completed", recipient=operator.user).exists()

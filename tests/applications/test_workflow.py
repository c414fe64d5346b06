"""The review workflow, who sees what, and the account services, called directly.

Views, the API and the admin are tested elsewhere; these tests pin the rules they all
share: eligibility, the fan-out into department reviews with working-day deadlines,
一次性告知, decisions, withdrawal, deletion, rating, the audit trail, visibility, and
registration / login protection.
"""

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from accounts import services
from accounts.models import Applicant, LoginAttempt
from applications.access import (
    can_review,
    get_own_application,
    get_visible_application,
    get_visible_attachment,
    is_reviewer,
    visible_applications,
)
from applications.materials import remove_attachment
from applications.models import (
    Application,
    Attachment,
    DepartmentReview,
    Event,
    State,
    SupplementNotice,
)
from applications.uploads import UploadRejected
from applications.workflow import (
    WorkflowError,
    activate_applicant,
    decide,
    delete_application,
    judge_material,
    request_supplement,
    set_items,
    start_review,
    withdraw,
)
from applications.workflow import (
    deadline_fields as _deadline_fields,
)
from catalogue.models import ApplicantType, ApplicationKind, Department, MaterialRequirement
from notifications.ratings import rate_online as rate
from workdays.calendar import is_working_day
from workdays.models import CalendarYear

from .conftest import stored_files
from .factories import (
    PASSWORD,
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    TRAFFIC_ITEM,
    attach,
    connect_meter,
    county,
    credit_code,
    id_number,
    make_applicant,
    make_application,
    make_reviewer,
    next_working_day,
    pdf_upload,
    png_upload,
    ready_joint_application,
    submit,
)

# Deadlines, survey dates and subsidy years count from today: run at a fixed moment inside
# the covered calendar (tests/conftest.py), whatever the real date.
pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

V = Attachment.Verdict
R = DepartmentReview.Status


def actions(application) -> list[str]:
    """The workflow's own history: the documents app's 文书 events are left out."""
    events = application.events.exclude(action__startswith="document")
    return list(events.order_by("at", "pk").values_list("action", flat=True))


def attachment_for(application, code) -> Attachment:
    return application.attachments.get(requirement__code=code)


def refreshed(application) -> Application:
    return Application.objects.get(pk=application.pk)


# --------------------------------------------------------------------------- creating


def test_a_builder_cannot_create_an_operator_registration(builder):
    with pytest.raises(WorkflowError) as refused:
        make_application(builder, ApplicationKind.OPERATOR_REGISTRATION)
    assert refused.value.message == "充电设施建设方不能办理“运营商注册”。"
    assert not Application.objects.filter(applicant=builder).exists()


def test_an_operator_registers_once(operator):
    application = make_application(operator, ApplicationKind.OPERATOR_REGISTRATION)
    assert application.state == State.DRAFT
    assert [i.code for i in application.items.all()] == ["operator-registration"]
    assert application.reference.startswith("SQ" + timezone.localdate().strftime("%Y%m%d"))
    with pytest.raises(WorkflowError, match="已有一份运营商注册申请"):
        make_application(operator, ApplicationKind.OPERATOR_REGISTRATION)


def test_a_pending_applicant_cannot_start_business(pending_operator):
    with pytest.raises(WorkflowError) as refused:
        make_application(
            pending_operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM]
        )
    assert refused.value.message == "账号尚未通过审核或已被锁定，暂不能办理业务。"
    # ... but its own account registration is the one thing it may have.
    assert make_application(pending_operator, ApplicationKind.ACCOUNT).state == State.DRAFT


def test_a_joint_application_needs_at_least_one_item(operator):
    for codes in (None, []):
        with pytest.raises(WorkflowError) as refused:
            make_application(operator, ApplicationKind.JOINT_INSTALLATION, item_codes=codes)
        assert refused.value.message == "请至少选择一项联合报装事项。"


def test_only_one_power_item_per_joint_application(operator):
    with pytest.raises(WorkflowError) as refused:
        make_application(
            operator,
            ApplicationKind.JOINT_INSTALLATION,
            item_codes=[POWER_ITEM, "xy-high-voltage", ROAD_ITEM],
        )
    assert refused.value.message == "“用电报装”只能选择一项（已选：低压非居民新装、高压新装）。"
    assert not Application.objects.exists()


def test_a_resident_may_pick_the_resident_power_item_only(resident, operator):
    application = make_application(
        resident, ApplicationKind.JOINT_INSTALLATION, item_codes=[RESIDENT_POWER_ITEM]
    )
    assert [i.code for i in application.items.all()] == [RESIDENT_POWER_ITEM]

    with pytest.raises(WorkflowError) as refused:
        make_application(
            resident,
            ApplicationKind.JOINT_INSTALLATION,
            item_codes=[RESIDENT_POWER_ITEM, ROAD_ITEM],
        )
    # Named in words the resident understands, not by internal code.
    assert refused.value.message == "您不能选择这些事项：占用、挖掘城市道路审批。"

    with pytest.raises(WorkflowError, match="低压居民新装"):
        make_application(
            operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[RESIDENT_POWER_ITEM]
        )
    with pytest.raises(WorkflowError, match="个人/居民不能办理“互联互通接入”"):
        make_application(resident, ApplicationKind.INTERCONNECTION)


def test_changing_the_items_of_a_draft_changes_the_checklist(operator):
    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM]
    )
    assert {r.item.code for r in application.requirements()} == {POWER_ITEM}
    set_items(application, [POWER_ITEM, TRAFFIC_ITEM], user=operator.user)
    assert {r.item.code for r in application.requirements()} == {POWER_ITEM, TRAFFIC_ITEM}
    with pytest.raises(WorkflowError, match="只能选择一项"):
        set_items(application, [POWER_ITEM, "xy-high-voltage"], user=operator.user)
    assert actions(application) == ["created", "items_changed"]


# --------------------------------------------------------------------------- submitting


def test_submit_fans_out_into_one_review_per_department(operator, catalogue):
    application = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM, TRAFFIC_ITEM])
    application = submit(application)

    assert application.state == State.SUBMITTED
    assert application.submitted_at is not None
    reviews = {r.department.code: r for r in application.reviews.select_related("department")}
    assert set(reviews) == {"power", "urban", "police"}
    assert {code: [i.code for i in r.items.all()] for code, r in reviews.items()} == {
        "power": [POWER_ITEM],
        "urban": [ROAD_ITEM],
        "police": [TRAFFIC_ITEM],
    }
    today = timezone.localdate()
    same_or_next = today if is_working_day(today) else next_working_day(today)
    # 即办件: the same working day (or the next one when received on a rest day).
    assert reviews["power"].due_date == same_or_next
    assert reviews["police"].due_date == same_or_next
    # 1个工作日: counting starts the day after receipt.
    assert reviews["urban"].due_date == next_working_day(today)
    for review in reviews.values():
        assert review.status == R.PENDING
        assert review.calendar_missing_year is None
        assert review.received_at == application.submitted_at
    assert actions(application)[-1] == "submitted"


def test_each_department_gets_the_deadline_of_its_own_items(catalogue):
    # Received Tuesday 2026-12-01 (a working day): 即办件 that day, 1个工作日 the next.
    received = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 30))
    assert _deadline_fields(received, [catalogue.item(POWER_ITEM)]) == {
        "due_date": datetime.date(2026, 12, 1),
        "calendar_missing_year": None,
    }
    assert _deadline_fields(received, [catalogue.item(ROAD_ITEM)])["due_date"] == (
        datetime.date(2026, 12, 2)
    )
    # Received Friday 2026-12-04: 1个工作日 is the Monday; 3 days (账号注册) the Wednesday.
    friday = timezone.make_aware(datetime.datetime(2026, 12, 4, 16, 0))
    assert _deadline_fields(friday, [catalogue.item(ROAD_ITEM)])["due_date"] == (
        datetime.date(2026, 12, 7)
    )
    assert _deadline_fields(friday, [catalogue.item("account")])["due_date"] == (
        datetime.date(2026, 12, 9)
    )
    # An item without a statutory limit has no deadline at all.
    assert _deadline_fields(friday, [catalogue.item("station-dossier")]) == {
        "due_date": None,
        "calendar_missing_year": None,
    }


@pytest.mark.clock("2026-12-30 10:00")  # Wednesday: 3 working days end in January 2027
def test_a_deadline_in_an_unmaintained_year_is_flagged_not_guessed(pending_operator):
    CalendarYear.objects.filter(year=2027).delete()  # the notice for 2027 is not entered
    application = make_application(pending_operator, ApplicationKind.ACCOUNT)
    attach(application, "business-licence", png_upload("营业执照.png"))
    application = submit(application)

    review = application.reviews.get()
    assert review.department.code == "platform"
    assert review.due_date is None
    assert review.calendar_missing_year == 2027
    assert not review.is_overdue()


def test_submission_lists_every_problem_and_changes_nothing(operator):
    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    with pytest.raises(WorkflowError) as refused:
        submit(application)
    assert refused.value.problems == ["请先填写“充电桩报装一件事”的申请信息。"] + [
        f"缺少“{name}”。"
        for name in (
            "中华人民共和国建设工程规划许可证",
            "城市道路掘动申请表",
            "临时占用市政设施情况登记表",
            "临时占用城市道路申请表（A B表）",
            "大型施工项目施工图纸材料",
            "施工图纸技术设计材料",
        )
    ]
    assert refreshed(application).state == State.DRAFT
    assert not DepartmentReview.objects.exists()
    with pytest.raises(WorkflowError, match="不能提交"):
        submit(submit(ready_joint_application(operator, [POWER_ITEM])))


# --------------------------------------------------------------------------- reviewing


@pytest.fixture
def submitted_joint(operator, reviewers):
    """A submitted joint application for 供电 (即办件) and 城管 (1个工作日)."""
    return submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))


def test_start_review_moves_the_application_under_review(submitted_joint, reviewers):
    review = start_review(submitted_joint, user=reviewers["urban"])
    assert review.department.code == "urban"
    assert review.status == R.UNDER_REVIEW
    assert review.reviewer == reviewers["urban"]
    application = refreshed(submitted_joint)
    assert application.state == State.UNDER_REVIEW
    assert application.reviews.get(department__code="power").status == R.PENDING
    event = application.events.get(action="review_started")
    assert (event.department.code, event.from_state, event.to_state) == (
        "urban",
        State.SUBMITTED,
        State.UNDER_REVIEW,
    )
    with pytest.raises(WorkflowError, match="没有审核此申请的权限"):
        start_review(application, user=reviewers["police"])


def test_judging_a_material_needs_a_reason_to_reject(submitted_joint, reviewers):
    urban = reviewers["urban"]
    permit = attachment_for(submitted_joint, "construction-planning-permit")
    for note in ("", "   "):
        with pytest.raises(WorkflowError) as refused:
            judge_material(permit, user=urban, accepted=False, note=note)
        assert refused.value.message == "判定材料不合格时，请写明原因，以便申请人一次改正。"
    permit.refresh_from_db()
    assert permit.verdict == V.PENDING

    judge_material(permit, user=urban, accepted=False, note="  许可证已过期  ")
    permit.refresh_from_db()
    assert (permit.verdict, permit.verdict_note, permit.verdict_by) == (
        V.REJECTED,
        "许可证已过期",
        urban,
    )
    assert permit.verdict_at is not None
    judge_material(permit, user=urban, accepted=True)
    permit.refresh_from_db()
    assert (permit.verdict, permit.verdict_note) == (V.ACCEPTED, "")
    assert actions(submitted_joint)[-2:] == ["material_rejected", "material_accepted"]


def test_only_the_materials_department_may_judge_it(submitted_joint, reviewers):
    permit = attachment_for(submitted_joint, "construction-planning-permit")  # 城管
    for outsider in (reviewers["power"], reviewers["police"]):
        with pytest.raises(WorkflowError, match="没有审核此申请的权限"):
            judge_material(permit, user=outsider, accepted=False, note="不清晰")
    permit.refresh_from_db()
    assert permit.verdict == V.PENDING


def test_a_department_that_has_decided_cannot_judge_its_materials_again(submitted_joint, reviewers):
    urban = reviewers["urban"]
    permit = attachment_for(submitted_joint, "construction-planning-permit")  # 城管
    decide(submitted_joint, user=urban, approve=True)
    submitted_joint.refresh_from_db()
    assert not submitted_joint.is_finished  # 供电 has not decided yet
    with pytest.raises(WorkflowError, match="城管已作出审核结论（通过），不能再判定本部门的材料"):
        judge_material(permit, user=urban, accepted=False, note="改判")
    permit.refresh_from_db()
    assert permit.verdict == V.PENDING


def test_materials_cannot_be_judged_before_submission(operator, reviewers):
    application = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    permit = attachment_for(application, "construction-planning-permit")
    with pytest.raises(WorkflowError):
        judge_material(permit, user=reviewers["urban"], accepted=True)


def test_one_notice_lists_everything_then_resubmission_restarts_that_department_only(
    submitted_joint, reviewers, catalogue
):
    application = submitted_joint
    urban = reviewers["urban"]
    start_review(application, user=urban)
    start_review(application, user=reviewers["power"])
    with pytest.raises(WorkflowError, match="没有需要补正的内容"):
        request_supplement(application, user=urban)
    permit = attachment_for(application, "construction-planning-permit")
    form = attachment_for(application, "road-excavation-application")
    drawings = attachment_for(application, "construction-drawings")
    judge_material(permit, user=urban, accepted=False, note="许可证已过期")
    judge_material(form, user=urban, accepted=False, note="未加盖公章")
    judge_material(drawings, user=urban, accepted=True)
    # The catalogue gained a required material after this application was submitted.
    MaterialRequirement.objects.create(
        item=catalogue.item(ROAD_ITEM),
        code="site-photo",
        name="施工现场照片",
        source=MaterialRequirement.Source.ELECTRONIC,
        formats="jpg,png",
        sort_order=99,
    )

    notice = request_supplement(
        application, user=urban, extra=["请补充施工围挡方案", "  "], message=" 请一次补齐。 "
    )

    assert SupplementNotice.objects.filter(application=application).count() == 1
    assert notice.items == [
        {
            "material": "中华人民共和国建设工程规划许可证",
            "department": "城管",
            "problem": "“中华人民共和国建设工程规划许可证”审核不合格：许可证已过期，请重新上传。",
        },
        {
            "material": "城市道路掘动申请表",
            "department": "城管",
            "problem": "“城市道路掘动申请表”审核不合格：未加盖公章，请重新上传。",
        },
        {"material": "施工现场照片", "department": "城管", "problem": "缺少“施工现场照片”。"},
        {"material": "", "department": "城管", "problem": "请补充施工围挡方案"},
    ]
    assert notice.message == "请一次补齐。"
    assert notice.created_by == urban
    application = refreshed(application)
    assert application.state == State.NEEDS_SUPPLEMENT
    assert application.is_editable
    reviews = {r.department.code: r for r in application.reviews.select_related("department")}
    assert reviews["urban"].status == R.NEEDS_SUPPLEMENT
    assert reviews["power"].status == R.UNDER_REVIEW
    event = application.events.get(action="supplement_requested")
    assert event.note == "一次性告知 4 项"

    # Resubmitting with the rejected files still there is refused, naming them.
    with pytest.raises(WorkflowError) as refused:
        submit(application)
    assert "“城市道路掘动申请表”审核不合格：未加盖公章，请重新上传。" in refused.value.problems

    # Pretend the supplement took a week, so a restarted deadline is visible.
    long_ago = timezone.now() - timedelta(days=7)
    old_due = timezone.localdate() - timedelta(days=6)
    DepartmentReview.objects.filter(application=application).update(
        received_at=long_ago, due_date=old_due
    )
    user = application.applicant.user
    remove_attachment(permit, user=user)
    remove_attachment(form, user=user)
    attach(application, "construction-planning-permit", pdf_upload("规划许可证（新）.pdf"))
    attach(application, "road-excavation-application", pdf_upload("掘动申请表（盖章）.pdf"))
    attach(application, "site-photo", png_upload("现场.png"))
    application = submit(application)

    assert application.state == State.RESUBMITTED
    reviews = {r.department.code: r for r in application.reviews.select_related("department")}
    assert reviews["urban"].status == R.PENDING
    assert reviews["urban"].received_at == application.submitted_at
    assert reviews["urban"].due_date == next_working_day(timezone.localdate())
    # The department that asked nothing keeps its own clock.
    assert reviews["power"].status == R.UNDER_REVIEW
    assert reviews["power"].received_at == long_ago
    assert reviews["power"].due_date == old_due
    notice.refresh_from_db()
    assert notice.resolved_at == application.submitted_at
    assert actions(application)[-1] == "resubmitted"


def test_approval_is_blocked_while_a_material_of_that_department_is_rejected(
    submitted_joint, reviewers
):
    application = submitted_joint
    permit = attachment_for(application, "construction-planning-permit")
    judge_material(permit, user=reviewers["urban"], accepted=False, note="模糊不清")
    with pytest.raises(WorkflowError) as refused:
        decide(application, user=reviewers["urban"], approve=True)
    assert refused.value.message == (
        f"仍有不合格材料（{permit.original_name}），请先要求补正或改判材料。"
    )
    assert application.reviews.get(department__code="urban").status == R.PENDING
    # Another department's rejected file does not block 供电.
    review = decide(application, user=reviewers["power"], approve=True, opinion="同意接入")
    assert review.status == R.APPROVED
    assert refreshed(application).state == State.UNDER_REVIEW


def test_all_departments_approve_then_the_application_is_approved(submitted_joint, reviewers):
    application = submitted_joint
    decide(application, user=reviewers["power"], approve=True)
    assert refreshed(application).state == State.UNDER_REVIEW
    assert refreshed(application).decided_at is None
    review = decide(application, user=reviewers["urban"], approve=True, opinion="准予许可")
    assert (review.opinion, review.reviewer) == ("准予许可", reviewers["urban"])
    assert review.decided_at is not None
    application = refreshed(application)
    # With 用电报装 chosen the case goes on to 装表接电 and is 办结 only after it (issue 15).
    assert application.state == State.CONNECTING
    assert not application.is_finished and application.decided_at is None
    with pytest.raises(WorkflowError) as refused:
        decide(application, user=reviewers["urban"], approve=False, opinion="改判")
    assert refused.value.message == "本部门审核状态为“通过”，不能再作结论。"
    approvals = application.events.filter(action="approved").order_by("pk")
    assert [e.department.code for e in approvals] == ["power", "urban"]
    assert approvals.last().to_state == State.CONNECTING
    application = connect_meter(application, reviewers["power"])
    assert application.state == State.APPROVED and application.is_finished
    assert application.decided_at is not None


def test_one_rejection_rejects_once_every_department_has_decided(submitted_joint, reviewers):
    application = submitted_joint
    with pytest.raises(WorkflowError) as refused:
        decide(application, user=reviewers["urban"], approve=False, opinion="  ")
    assert refused.value.message == "不予通过时，请填写审核意见，说明原因。"
    decide(application, user=reviewers["urban"], approve=False, opinion="占道时间与施工方案不符")
    assert refreshed(application).state == State.UNDER_REVIEW
    decide(application, user=reviewers["power"], approve=True)
    application = refreshed(application)
    assert application.state == State.REJECTED
    assert application.decided_at is not None
    event = application.events.get(action="rejected")
    assert event.note == "占道时间与施工方案不符"


def test_withdraw_only_before_a_decision_and_back_to_draft(submitted_joint, reviewers, operator):
    application = submitted_joint
    permit = attachment_for(application, "construction-planning-permit")
    judge_material(permit, user=reviewers["urban"], accepted=False, note="过期")
    application = withdraw(application, user=operator.user)
    assert application.state == State.DRAFT
    assert not application.reviews.exists()
    permit.refresh_from_db()
    assert (permit.verdict, permit.verdict_note, permit.verdict_by) == (V.PENDING, "", None)
    with pytest.raises(WorkflowError, match="不能撤回"):
        withdraw(application, user=operator.user)
    # A withdrawn draft is hidden from the reviewers again.
    assert not visible_applications(reviewers["urban"]).filter(pk=application.pk).exists()

    application = submit(application)
    decide(application, user=reviewers["power"], approve=True)
    with pytest.raises(WorkflowError) as refused:
        withdraw(application, user=operator.user)
    assert refused.value.message == "已有部门作出审核结论，不能撤回。"
    assert refreshed(application).state == State.UNDER_REVIEW
    assert "withdrawn" in actions(application)


def test_only_drafts_are_deleted_and_their_files_go_after_commit(
    operator, private_folder, django_capture_on_commit_callbacks
):
    application = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    files = stored_files(private_folder)
    assert len(files) == 2 * application.attachments.count()  # file + preview each
    application = submit(application)
    with pytest.raises(WorkflowError) as refused:
        delete_application(application, user=operator.user)
    assert refused.value.message == "只能删除草稿；已提交的申请请先撤回。"

    application = withdraw(application, user=operator.user)
    with django_capture_on_commit_callbacks() as callbacks:
        delete_application(application, user=operator.user)
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Attachment.objects.filter(application_id=application.pk).exists()
    assert not Event.objects.filter(application_id=application.pk).exists()
    assert stored_files(private_folder) == files  # nothing removed before the commit
    for callback in callbacks:
        callback()
    assert stored_files(private_folder) == set()


def test_rating_only_after_completion_once_and_five_levels(submitted_joint, reviewers, operator):
    application = submitted_joint
    with pytest.raises(WorkflowError, match="办结后才能进行评价"):
        rate(application, user=operator.user, level=5)
    decide(application, user=reviewers["power"], approve=True)
    decide(application, user=reviewers["urban"], approve=False, opinion="不符合占道条件")
    application = refreshed(application)
    for level in (0, 6, "x", None):
        with pytest.raises(WorkflowError, match="请选择评价等级"):
            rate(application, user=operator.user, level=level)
    rate(application, user=operator.user, level="4", comment="  办理很快  ")
    rating = application.ratings.get()
    assert (rating.level, rating.get_level_display(), rating.comment) == (4, "满意", "办理很快")
    assert rating.channel == "online" and rating.created_at is not None
    with pytest.raises(WorkflowError, match="已评价过"):
        rate(application, user=operator.user, level=5)
    assert actions(application)[-1] == "rated"


def test_every_step_writes_an_event(submitted_joint, reviewers, operator):
    application = submitted_joint
    uploads = application.attachments.count()
    urban, power = reviewers["urban"], reviewers["power"]
    start_review(application, user=urban)
    permit = attachment_for(application, "construction-planning-permit")
    judge_material(permit, user=urban, accepted=False, note="过期")
    request_supplement(application, user=urban)
    remove_attachment(permit, user=operator.user)
    attach(application, "construction-planning-permit", pdf_upload("新许可证.pdf"))
    submit(application)
    decide(application, user=power, approve=True)
    decide(application, user=urban, approve=True)
    connect_meter(application, power)
    rate(refreshed(application), user=operator.user, level=5)

    assert actions(application) == (
        ["created"]
        + ["uploaded"] * uploads
        + [
            "submitted",
            "review_started",
            "material_rejected",
            "supplement_requested",
            "attachment_removed",
            "uploaded",
            "resubmitted",
            "approved",
            "approved",
            "survey_confirmed",
            "surveyed",
            "plan_offered",
            "plan_signed",
            "construction_started",
            "connected",
            "rated",
        ]
    )
    events = application.events.order_by("pk")
    assert events.get(action="submitted").actor == operator.user
    assert events.get(action="material_rejected").actor == urban
    assert events.get(action="supplement_requested").department.code == "urban"
    # 供电 approves while 城管 has not restarted its review; 城管's approval completes it.
    assert [e.to_state for e in events.filter(action="approved")] == [
        State.UNDER_REVIEW,
        State.CONNECTING,
    ]


# --------------------------------------------------------------------------- account review


def register_enterprise(**overrides):
    values = {
        "username": "yuchong",
        "password": PASSWORD,
        "kind": ApplicantType.OPERATOR,
        "name": "  信阳豫充新能源有限公司 ",
        "contact_name": "张伟",
        "mobile": "13812345678",
        "region": county(),
        "credit_code": credit_code(4242),
        "licence": png_upload("营业执照.png"),
    }
    values.update(overrides)
    return services.register(**values)


def test_registering_an_enterprise_puts_it_under_review(catalogue, private_folder):
    registration = register_enterprise()
    applicant = registration.applicant
    assert applicant.status == Applicant.Status.PENDING
    assert applicant.name == "信阳豫充新能源有限公司"
    assert registration.user.check_password(PASSWORD)
    application = registration.application
    assert (application.kind, application.state, application.title) == (
        ApplicationKind.ACCOUNT,
        State.SUBMITTED,
        "信阳豫充新能源有限公司",
    )
    licence = application.attachments.get()
    assert (licence.requirement.code, licence.original_name, licence.format) == (
        "business-licence",
        "营业执照.png",
        "png",
    )
    assert (private_folder / licence.file.name).is_file()
    review = application.reviews.get()
    assert review.department.code == "platform"
    # 3 个工作日 from Wednesday 2026-06-10 (the test clock): Thursday, Friday, Monday.
    assert review.due_date == datetime.date(2026, 6, 15)
    assert review.calendar_missing_year is None
    assert actions(application) == ["created", "uploaded", "submitted"]


def test_a_resident_is_active_at_once(catalogue):
    registration = services.register(
        username="chenjing",
        password=PASSWORD,
        kind=ApplicantType.RESIDENT,
        name="陈静",
        contact_name="陈静",
        mobile="13912345678",
        region=county(),
        id_number=id_number(7),
    )
    assert registration.applicant.status == Applicant.Status.ACTIVE
    assert registration.application is None
    assert not Application.objects.exists()


def test_a_pdf_licence_leaves_no_trace(catalogue, private_folder):
    from django.contrib.auth import get_user_model

    with pytest.raises(UploadRejected) as refused:
        register_enterprise(licence=pdf_upload("营业执照.pdf"))
    assert "营业执照.pdf" in refused.value.message
    assert not get_user_model().objects.filter(username="yuchong").exists()
    assert not Applicant.objects.exists()
    assert not Application.objects.exists()
    assert not Attachment.objects.exists()
    assert not Event.objects.exists()
    assert stored_files(private_folder) == set()


def test_an_invalid_credit_code_is_refused_with_a_clear_message(catalogue):
    code = credit_code(4242)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        register_enterprise(credit_code=wrong)
    assert "校验位不正确" in str(refused.value)
    assert not Applicant.objects.exists()


def test_approving_the_account_application_activates_the_applicant(catalogue, reviewers):
    application = register_enterprise().application
    decide(application, user=reviewers["platform"], approve=True, opinion="材料齐全")
    applicant = Applicant.objects.get(pk=application.applicant_id)
    assert applicant.status == Applicant.Status.ACTIVE
    assert applicant.reviewed_at is not None
    assert refreshed(application).state == State.APPROVED
    # Now it may do business.
    make_application(applicant, ApplicationKind.OPERATOR_REGISTRATION)


def test_rejecting_the_account_application_rejects_the_applicant(catalogue, reviewers):
    application = register_enterprise().application
    decide(application, user=reviewers["platform"], approve=False, opinion="营业执照与名称不符")
    applicant = Applicant.objects.get(pk=application.applicant_id)
    assert applicant.status == Applicant.Status.REJECTED
    assert refreshed(application).state == State.REJECTED
    with pytest.raises(WorkflowError):
        make_application(applicant, ApplicationKind.INTERCONNECTION)


# --------------------------------------------------------------------------- access


def test_applicants_never_see_each_others_applications(operator, other_operator):
    mine = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    theirs = ready_joint_application(other_operator, [POWER_ITEM, ROAD_ITEM])
    their_file = theirs.attachments.first()

    assert list(visible_applications(operator.user)) == [mine]
    assert get_own_application(operator.user, mine.reference) == mine
    for lookup in (get_own_application, get_visible_application):
        with pytest.raises(Http404):
            lookup(operator.user, theirs.reference)
    with pytest.raises(Http404):
        get_visible_attachment(operator.user, their_file.pk)
    assert get_visible_attachment(other_operator.user, their_file.pk) == their_file
    assert not is_reviewer(operator.user)


def test_reviewers_see_only_submitted_applications_of_their_departments(
    operator, reviewers, catalogue
):
    draft = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    joint = submit(ready_joint_application(operator, [POWER_ITEM, TRAFFIC_ITEM]))
    power_and_road = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))

    assert set(visible_applications(reviewers["power"])) == {joint, power_and_road}
    assert set(visible_applications(reviewers["police"])) == {joint}
    assert set(visible_applications(reviewers["urban"])) == {power_and_road}
    assert not visible_applications(reviewers["platform"]).exists()
    with pytest.raises(Http404):
        get_visible_application(reviewers["power"], draft.reference)
    with pytest.raises(Http404):
        get_visible_attachment(reviewers["power"], draft.attachments.first().pk)
    road_file = power_and_road.attachments.filter(requirement__item__code=ROAD_ITEM).first()
    with pytest.raises(Http404):
        get_visible_attachment(reviewers["police"], road_file.pk)
    assert get_visible_attachment(reviewers["urban"], road_file.pk) == road_file
    assert can_review(reviewers["police"], joint)
    assert not can_review(reviewers["police"], power_and_road)
    assert can_review(reviewers["power"], joint, catalogue.departments["power"])
    assert not can_review(reviewers["power"], joint, catalogue.departments["police"])

    # A reviewer in two departments sees the union, once each.
    both = make_reviewer("police", "urban")
    assert sorted(a.pk for a in visible_applications(both)) == sorted([joint.pk, power_and_road.pk])


def test_a_reviewer_who_is_also_an_applicant_sees_both_sets(operator, other_operator):
    Department.objects.get(code="urban").members.add(operator.user)
    own_draft = ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM])
    theirs = submit(ready_joint_application(other_operator, [POWER_ITEM, ROAD_ITEM]))
    their_draft = ready_joint_application(other_operator, [POWER_ITEM, ROAD_ITEM])
    visible = list(visible_applications(operator.user))
    assert sorted(a.pk for a in visible) == sorted([own_draft.pk, theirs.pk])
    with pytest.raises(Http404):
        get_visible_application(operator.user, their_draft.reference)


# --------------------------------------------------------------------------- login protection


def login(username, password, ip="10.1.2.3"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    return authenticate(request, username=username, password=password)


def test_five_failures_refuse_the_sixth_login_even_with_the_right_password(operator):
    username = operator.user.username
    assert login(username, PASSWORD) == operator.user
    for _ in range(5):
        assert login(username, "wrong-password") is None
    assert login(username, PASSWORD) is None
    with pytest.raises(services.LoginRefused) as refused:
        services.check_login_allowed(username, "10.9.9.9")
    assert refused.value.message == "登录失败次数过多，为保护账号安全，请 15 分钟后再试。"
    failures = LoginAttempt.objects.filter(username=username, succeeded=False)
    assert failures.count() == 6
    assert set(failures.values_list("ip_address", flat=True)) == {"10.1.2.3"}
    # The window slides: failures older than 15 minutes no longer count.
    failures.update(at=timezone.now() - timedelta(minutes=16))
    assert login(username, PASSWORD) == operator.user


def test_many_failures_from_one_address_block_names_that_failed_there(operator, other_operator):
    for n in range(20):
        assert login(f"guess{n}", "x", ip="203.0.113.7") is None
    assert login(other_operator.user.username, "x", ip="203.0.113.7") is None
    # A name that failed from the busy address is refused there, even with its password;
    assert login(other_operator.user.username, PASSWORD, ip="203.0.113.7") is None
    # a name without failures of its own is not (tests/test_security.py has the rest).
    assert login(operator.user.username, PASSWORD, ip="203.0.113.7") == operator.user
    assert login(other_operator.user.username, PASSWORD, ip="198.51.100.1") == other_operator.user


def test_an_idle_account_is_locked_at_login_and_unlock_restarts_the_clock(operator):
    user = operator.user
    Applicant.objects.filter(pk=operator.pk).update(created_at=timezone.now() - timedelta(days=400))
    user.last_login = timezone.now() - timedelta(days=91)
    user.save(update_fields=["last_login"])
    assert login(user.username, PASSWORD) is None
    operator.refresh_from_db()
    assert operator.status == Applicant.Status.LOCKED
    assert operator.status_note == "超过三个月未登录"
    with pytest.raises(services.LoginRefused, match="已被锁定"):
        services.check_login_allowed(user.username, None)

    operator.unlock()
    operator.refresh_from_db()
    assert operator.status == Applicant.Status.ACTIVE
    assert not operator.is_idle()
    assert login(user.username, PASSWORD) == user


def test_lock_idle_locks_exactly_the_idle_accounts(catalogue):
    now = timezone.now()
    idle = [make_applicant(), make_applicant(ApplicantType.RESIDENT)]
    recent = make_applicant()
    pending = make_applicant(status=Applicant.Status.PENDING)
    Applicant.objects.update(created_at=now - timedelta(days=400))  # registered long ago
    for applicant in [*idle, pending]:
        applicant.user.last_login = now - timedelta(days=120)
        applicant.user.save(update_fields=["last_login"])
    recent.user.last_login = now - timedelta(days=30)
    recent.user.save(update_fields=["last_login"])

    assert services.lock_idle() == 2
    statuses = dict(Applicant.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in idle] == [Applicant.Status.LOCKED] * 2
    assert statuses[recent.pk] == Applicant.Status.ACTIVE
    assert statuses[pending.pk] == Applicant.Status.PENDING
    assert services.lock_idle() == 0
    # 90 days later the recent one is idle too.
    assert services.lock_idle(now=now + timedelta(days=61)) == 1


def test_activate_is_the_staff_shortcut(pending_operator):
    activate_applicant(pending_operator)
    pending_operator.refresh_from_db()
    assert pending_operator.is_active

"""Every notification event becomes the right message, through the real workflow."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Applicant
from applications import workflow
from applications.models import Event
from catalogue.models import ApplicationKind
from notifications.models import Message, NotificationTemplate, Preference
from notifications.reminders import send_review_digest, warn_account_locks
from tests.applications.factories import (
    POWER_ITEM,
    TRAFFIC_ITEM,
    attach,
    make_application,
    make_reviewer,
    png_upload,
    submit,
)

from .helpers import aware, inbox, joint_case, step_inbox

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days


@pytest.fixture
def mailbox(operator):
    operator.user.email = "ops@example.com"
    operator.user.save()
    return operator


def account_case(applicant):
    application = make_application(applicant, ApplicationKind.ACCOUNT)
    attach(application, "business-licence", png_upload("营业执照.png"))
    return submit(application)


def test_account_approved_writes_inbox_and_sends_mail(
    pending_operator, reviewers, django_capture_on_commit_callbacks
):
    pending_operator.user.email = "new@example.com"
    pending_operator.user.save()
    application = account_case(pending_operator)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide(application, user=reviewers["platform"], approve=True)
    message = inbox(pending_operator.user).get()
    assert message.event == "account_approved"
    assert application.reference in message.body and message.subject == "您的账号已通过审核"
    email = Message.objects.get(channel="email")
    assert (email.state, email.address, email.attempts) == ("sent", "new@example.com", 1)
    assert [m.subject for m in mail.outbox] == ["您的账号已通过审核"]
    assert mail.outbox[0].to == ["new@example.com"]


def test_account_rejected_tells_the_opinion(pending_operator, reviewers):
    application = account_case(pending_operator)
    workflow.decide(
        application, user=reviewers["platform"], approve=False, opinion="营业执照不清晰"
    )
    message = inbox(pending_operator.user).get()
    assert message.event == "account_rejected"
    assert "营业执照不清晰" in message.body
    assert Applicant.objects.get(pk=pending_operator.pk).status == Applicant.Status.REJECTED


def test_supplement_notice_lists_every_item(operator, reviewers):
    application = joint_case(operator)
    workflow.request_supplement(
        application, user=reviewers["urban"], extra=["请补充施工围挡方案", "请加盖公章"]
    )
    message = inbox(operator.user, "supplement_requested").get()
    assert "城管" in message.body
    assert "1. 请补充施工围挡方案" in message.body and "2. 请加盖公章" in message.body
    assert message.link == f"/my/applications/{application.reference}/"


def test_each_department_decision_and_completion(operator, reviewers):
    application = joint_case(operator)
    workflow.decide(application, user=reviewers["power"], approve=True, opinion="同意接入")
    assert [m.event for m in step_inbox(operator.user)] == ["department_approved"]
    assert "供电" in step_inbox(operator.user).get().subject
    workflow.decide(application, user=reviewers["urban"], approve=False, opinion="占道超范围")
    events = sorted(m.event for m in step_inbox(operator.user))
    assert events == ["case_completed", "department_approved", "department_rejected"]
    rejected = inbox(operator.user, "department_rejected").get()
    assert "占道超范围" in rejected.body
    completed = inbox(operator.user, "case_completed").get()
    assert "未通过" in completed.body and "好差评" in completed.body


def test_documents_ready_is_raised_by_its_event(operator):
    application = joint_case(operator, [POWER_ITEM])
    Event.objects.create(application=application, action="documents_ready", note="准予许可决定书")
    message = inbox(operator.user, "documents_ready").latest("pk")
    assert "准予许可决定书" in message.body


def test_reads_and_other_steps_send_nothing(operator, reviewers):
    application = joint_case(operator)
    before = Message.objects.count()
    workflow.start_review(application, user=reviewers["urban"])
    workflow.record_view(application, reviewers["urban"])
    assert Message.objects.count() == before


def test_a_rolled_back_step_leaves_no_message(operator, reviewers):
    application = joint_case(operator)
    before = Message.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.decide(application, user=reviewers["power"], approve=True)
        raise RuntimeError
    assert Message.objects.count() == before


def test_preferences_choose_channels(
    mailbox, reviewers, settings, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=mailbox.user, email=False, sms=True)
    application = joint_case(mailbox, [TRAFFIC_ITEM])
    workflow.decide(application, user=reviewers["police"], approve=True)
    # No e-mail (switched off) and no SMS (no transport configured): the inbox only.
    assert set(Message.objects.values_list("channel", flat=True)) == {"inbox"}

    settings.NOTIFY_SMS_TRANSPORT = "tests.notifications.transports.RecordingSms"
    from tests.notifications.transports import RecordingSms

    RecordingSms.sent.clear()
    other = joint_case(mailbox, [TRAFFIC_ITEM])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide(other, user=reviewers["police"], approve=True)
    sms = Message.objects.filter(channel="sms", application=other).exclude(event="documents_ready")
    assert {m.event for m in sms} == {"department_approved", "case_completed"}
    assert all(m.state == "sent" for m in sms)
    assert (mailbox.mobile, f"【充电设施门户】申请{other.reference}已由公安审核通过。") in (
        RecordingSms.sent
    )


def test_staff_edit_and_switch_off_templates(operator, reviewers):
    NotificationTemplate.objects.filter(event="department_approved").update(
        subject="【{{ department }}】已同意 {{ reference }}"
    )
    NotificationTemplate.objects.filter(event="case_completed").update(enabled=False)
    application = joint_case(operator, [POWER_ITEM])
    workflow.decide(application, user=reviewers["power"], approve=True)
    assert [m.subject for m in step_inbox(operator.user)] == [
        f"【供电】已同意 {application.reference}"
    ]


def test_a_broken_template_never_blocks_the_step(operator, reviewers):
    NotificationTemplate.objects.filter(event="department_approved").update(
        subject="{% if %}", body="{{ reference"
    )
    application = joint_case(operator, [POWER_ITEM])
    workflow.decide(application, user=reviewers["power"], approve=True)
    assert application.reviews.get().status == "approved"
    assert inbox(operator.user, "department_approved").get().subject == "department_approved"


def test_a_failing_mail_server_is_retried_then_shown_failed(
    mailbox, reviewers, settings, django_capture_on_commit_callbacks
):
    from notifications.tasks import resend, send_now

    settings.EMAIL_BACKEND = "tests.notifications.transports.BrokenMailBackend"
    application = joint_case(mailbox, [POWER_ITEM])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide(application, user=reviewers["power"], approve=True)
    assert application.reviews.get().status == "approved"  # the step went through
    email = Message.objects.filter(channel="email", event="department_approved").get()
    assert (email.state, email.attempts) == ("pending", 1)
    assert "Connection refused" in email.last_error
    send_now(email.pk)
    assert send_now(email.pk) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 3)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        resend(email)
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == ("sent", 1, "")


# --------------------------------------------------------------------------- daily reminders


def test_account_lock_warning_seven_days_ahead_once(operator):
    user = operator.user
    user.last_login = aware(datetime.date(2026, 3, 2))
    user.save()
    Applicant.objects.filter(pk=operator.pk).update(created_at=aware(datetime.date(2026, 1, 5)))
    lock = (aware(datetime.date(2026, 3, 2)) + datetime.timedelta(days=90)).date()  # 2026-05-31
    assert warn_account_locks(lock - datetime.timedelta(days=8)) == 0
    assert warn_account_locks(lock - datetime.timedelta(days=7)) == 1
    assert warn_account_locks(lock - datetime.timedelta(days=7)) == 0  # same day, run again
    message = inbox(user, "account_lock_warning").get()
    assert "2026-05-31" in message.subject and "登录一次即可" in message.body


def test_review_digest_lists_due_tomorrow_and_overdue(operator, reviewers):
    from applications.models import DepartmentReview

    today = datetime.date(2026, 6, 5)  # a Friday; the next working day is Monday 06-08
    due_monday, late, later = joint_case(operator), joint_case(operator), joint_case(operator)
    DepartmentReview.objects.filter(application=due_monday).update(
        due_date=datetime.date(2026, 6, 8)
    )
    DepartmentReview.objects.filter(application=late).update(due_date=datetime.date(2026, 6, 1))
    DepartmentReview.objects.filter(application=later).update(due_date=datetime.date(2026, 6, 12))
    second = make_reviewer("power", username="供电-二")
    assert send_review_digest(today) == 3  # power (two people) and urban
    assert send_review_digest(today) == 0
    message = inbox(reviewers["urban"], "review_digest").get()
    assert message.subject == "审核提醒：1 件明日到期，1 件已超期"
    assert f"{due_monday.reference} 城管 期限 2026-06-08" in message.body
    assert f"{late.reference} 城管 期限 2026-06-01" in message.body
    assert later.reference not in message.body
    assert inbox(second, "review_digest").count() == 1


def test_review_digest_skips_reviewers_with_nothing_due(operator, reviewers):
    joint_case(operator)  # deadlines computed from today, far from the fixed day below
    assert send_review_digest(datetime.date(2025, 1, 6)) == 0

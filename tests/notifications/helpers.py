"""Small builders for the notification tests: fixed dates, cases in given states."""

import datetime

from django.utils import timezone

from applications import workflow
from applications.models import Application
from tests.applications.factories import (
    POWER_ITEM,
    ROAD_ITEM,
    connect_meter,
    ready_joint_application,
    submit,
)


def aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def joint_case(applicant, items=(POWER_ITEM, ROAD_ITEM)) -> Application:
    return submit(ready_joint_application(applicant, list(items)))


def finished_case(applicant, reviewers, items=(POWER_ITEM, ROAD_ITEM)) -> Application:
    application = joint_case(applicant, items)
    for review in application.reviews.select_related("department"):
        workflow.decide(
            application, user=reviewers[review.department.code], approve=True, opinion="同意"
        )
    application = Application.objects.get(pk=application.pk)
    if application.state == "connecting":  # 办结 only after 装表接电 (issue 15)
        application = connect_meter(application, reviewers["power"])
    return application


def inbox(user, event=None):
    from notifications.models import Message

    messages = Message.objects.filter(recipient=user, channel="inbox")
    return messages.filter(event=event) if event else messages


def step_inbox(user):
    """The inbox without the documents_ready messages the documents app adds after a step."""
    return inbox(user).exclude(event="documents_ready")

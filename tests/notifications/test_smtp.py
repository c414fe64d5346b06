"""E-mail through a real SMTP server: aiosmtpd listening on 127.0.0.1 inside the test,
Django's SMTP backend configured as the EMAIL_* variables would configure it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from applications import workflow
from notifications.models import Message
from tests.applications.factories import POWER_ITEM, TRAFFIC_ITEM

from .helpers import joint_case

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days


class Collect:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_decision_mail_goes_through_a_real_smtp_server(
    smtp_server, settings, operator, reviewers, django_capture_on_commit_callbacks
):
    controller, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "门户 <noreply@portal.example.cn>"
    operator.user.email = "ops@example.com"
    operator.user.save()

    application = joint_case(operator, [TRAFFIC_ITEM])
    before = list(Message.objects.values_list("pk", flat=True))  # the 受理回执's documents_ready
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide(application, user=reviewers["police"], approve=True, opinion="同意接入")

    emails = Message.objects.filter(channel="email").exclude(pk__in=before)
    assert set(emails.values_list("state", flat=True)) == {"sent"}
    assert len(handler.received) == 3  # the decision, the completion, the documents issued
    envelope = handler.received[0]
    assert envelope.rcpt_tos == ["ops@example.com"]
    assert envelope.mail_from == "noreply@portal.example.cn"
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert parsed["Subject"] == f"申请 {application.reference}：公安审核通过"
    assert "同意接入" in parsed.get_content()


def test_no_server_leaves_the_message_pending_with_its_error(
    settings, operator, reviewers, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    operator.user.email = "ops@example.com"
    operator.user.save()
    application = joint_case(operator, [POWER_ITEM])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide(application, user=reviewers["power"], approve=True)
    assert application.reviews.get().status == "approved"
    message = Message.objects.filter(channel="email", event="department_approved").get()
    assert message.state == "pending" and message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error

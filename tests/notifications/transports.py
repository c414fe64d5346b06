"""Test doubles for the transports: an SMS transport that records what it was asked to
send (the interface a real provider implements) and a mail backend whose server refuses."""

from django.core.mail.backends.base import BaseEmailBackend

from notifications.transports import SmsTransport


class RecordingSms(SmsTransport):
    sent: list[tuple[str, str]] = []

    def send(self, mobile, text):
        self.sent.append((mobile, text))


class BrokenMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

"""How an outbox message leaves: e-mail through Django's mail API (SMTP, configured by
the EMAIL_* environment variables) and SMS behind a small interface.

No SMS provider is bundled. A deployment sets ``NOTIFY_SMS_TRANSPORT`` to the dotted
path of a `SmsTransport` subclass that calls its provider; without it no SMS is written.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


class TransportError(Exception):
    """Sending failed; the message is retried and the reason shown to staff."""


class SmsTransport:
    """Send one text to one mainland mobile number; raise TransportError on failure."""

    def send(self, mobile: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def sms_transport() -> SmsTransport | None:
    path = getattr(settings, "NOTIFY_SMS_TRANSPORT", "")
    return import_string(path)() if path else None


def sms_enabled() -> bool:
    return bool(getattr(settings, "NOTIFY_SMS_TRANSPORT", ""))


def send_email(address: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, to=[address]).send(fail_silently=False)


def deliver(message) -> None:
    """Send one outbox message through its channel."""
    if message.channel == "email":
        send_email(message.address, message.subject, message.body)
    elif message.channel == "sms":
        transport = sms_transport()
        if transport is None:
            raise TransportError("未配置短信通道（NOTIFY_SMS_TRANSPORT）。")
        transport.send(message.address, message.body)
    else:
        raise TransportError(f"未知渠道 {message.channel}")

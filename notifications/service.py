"""Writing messages: one call per notification event and recipient.

`notify` renders the event's template, writes the inbox message (delivered by being
written) and, per the recipient's preferences, an e-mail and an SMS outbox row. It runs
inside the caller's transaction; the outbox rows are queued for the worker only when
that transaction commits, so a rolled-back step sends nothing, and a failing mail
server never blocks the step.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine
from django.utils import timezone

from .events import DEFAULT_TEMPLATES
from .models import Message, NotificationTemplate, Preference
from .tasks import enqueue_send
from .transports import sms_enabled

logger = logging.getLogger(__name__)

# Message texts are plain text: no HTML escaping (the inbox escapes when it displays).
_ENGINE = Engine(autoescape=False)


def texts_for(event: str) -> tuple[str, str, str] | None:
    """(subject, body, sms) templates of an event; None when staff switched it off."""
    row = NotificationTemplate.objects.filter(event=event).first()
    if row is None:
        return DEFAULT_TEMPLATES[event]
    if not row.enabled:
        return None
    return row.subject, row.body, row.sms_text


def render(template: str, context: dict) -> str:
    try:
        return _ENGINE.from_string(template).render(Context(context)).strip()
    except Exception:  # a broken staff edit must not block the workflow step
        logger.exception("notification template failed to render")
        return ""


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path if path else ""


def preference_for(user) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def notify(event, user, context, *, application=None, link="", dedupe_key="") -> list[Message]:
    """Write the messages of one event for one person; returns them."""
    if user is None or not user.is_active:
        return []
    if dedupe_key and Message.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
        return []
    texts = texts_for(event)
    if texts is None:
        return []
    context = {"url": absolute(link), "today": timezone.localdate(), **context}
    subject, body, sms = (render(t, context) for t in texts)
    subject = (subject or event)[:200]
    common = {
        "recipient": user,
        "event": event,
        "application": application,
        "subject": subject,
        "link": link,
        "dedupe_key": dedupe_key,
    }
    now = timezone.now()
    written = [
        Message.objects.create(
            channel=Message.Channel.INBOX,
            body=body,
            state=Message.State.SENT,
            sent_at=now,
            **common,
        )
    ]
    preference = preference_for(user)
    if preference.email and user.email:
        written.append(
            Message.objects.create(
                channel=Message.Channel.EMAIL, address=user.email, body=body, **common
            )
        )
    mobile = _mobile(user)
    if preference.sms and sms and mobile and sms_enabled():
        written.append(
            Message.objects.create(channel=Message.Channel.SMS, address=mobile, body=sms, **common)
        )
    for message in written:
        if message.state == Message.State.PENDING:
            queue(message)
    return written


def _mobile(user) -> str:
    applicant = getattr(user, "applicant", None)
    return applicant.mobile if applicant is not None else ""


def queue(message: Message) -> None:
    """Hand the message to the worker once the current transaction commits."""
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_send(message_id))


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(
        recipient=user, channel=Message.Channel.INBOX, read_at__isnull=True
    ).count()

"""Sending outbox messages in the background (``manage.py db_worker --backend
notifications``), with retries: 60 s, then 120 s after a failure, three attempts in all.
A message that still fails is marked 发送失败 with its error in the admin's 通知发送记录,
where staff can send it again. The workflow never waits for any of this."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Message
from .transports import deliver

logger = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=60)


def send_now(message_id: int) -> str | None:
    """Try to send one message once; returns its state (None when it no longer exists)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != Message.State.PENDING:
            return message.state if message else None
        message.attempts += 1
        try:
            deliver(message)
        except Exception as exc:  # any transport error: record, retry later
            logger.warning("sending message %s failed: %s", message_id, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if message.attempts >= Message.MAX_ATTEMPTS:
                message.state = Message.State.FAILED
        else:
            message.state = Message.State.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["state", "attempts", "last_error", "sent_at"])
    if message.state == Message.State.PENDING:
        _schedule_retry(message)
    return message.state


@task(backend="notifications")
def send_message(message_id: int) -> str | None:
    return send_now(message_id)


def _schedule_retry(message: Message) -> None:
    run_after = timezone.now() + RETRY_DELAY * message.attempts
    if not send_message.get_backend().supports_defer:
        return  # e.g. the immediate backend of tests: stays pending for staff's 重发
    try:
        send_message.using(run_after=run_after).enqueue(message.pk)
    except Exception:
        logger.exception("could not schedule a retry of message %s", message.pk)


def enqueue_send(message_id: int) -> None:
    try:
        send_message.enqueue(message_id)
    except Exception:  # the queue is down: the row stays pending; resend_pending finds it
        logger.exception("could not enqueue message %s", message_id)


def resend(message: Message) -> None:
    """Staff's 重发: a failed (or stuck) message gets three fresh attempts."""
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.PENDING, attempts=0, last_error=""
    )
    transaction.on_commit(lambda: enqueue_send(message.pk))

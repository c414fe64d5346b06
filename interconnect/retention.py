"""Replay-guard rows (SeenMessage) are needed only while their TimeStamp could still
pass the ±5 minute check.

A message accepted at R had |TimeStamp − R| ≤ WINDOW, so a copy arriving after
R + 2 × WINDOW is refused by the time check alone: its row can go. Rows older than
KEEP (2 × WINDOW plus a minute for clock drift between workers) are deleted by each web
worker at most once per PRUNE_EVERY seconds, after an accepted message and outside its
transaction, and by `manage.py interconnect_prune_seen` (for cron or by hand).
"""

import datetime
import logging
import time

from django.utils import timezone

from .models import SeenMessage

log = logging.getLogger(__name__)

WINDOW = datetime.timedelta(minutes=5)
KEEP = 2 * WINDOW + datetime.timedelta(minutes=1)
PRUNE_EVERY = 60.0  # seconds, per process

_last_prune = {"at": None}


def prune_seen(now=None) -> int:
    """Delete replay-guard rows that the time window alone now refuses; their count."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = SeenMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def maybe_prune() -> None:
    """prune_seen() when this process has not done it for PRUNE_EVERY seconds."""
    moment = time.monotonic()
    last = _last_prune["at"]
    if last is not None and moment - last < PRUNE_EVERY:
        return
    _last_prune["at"] = moment
    try:
        prune_seen()
    except Exception:  # pruning must never turn an accepted message into an error
        log.exception("Could not prune interconnect replay-guard rows")

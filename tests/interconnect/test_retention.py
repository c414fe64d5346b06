"""Replay-guard rows older than twice the time window are pruned (issue 12): by the web
process at most once a minute after an accepted message, and by a command."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from interconnect import retention, simulate
from interconnect.models import SeenMessage


def _seen(minutes_ago, seq):
    return SeenMessage.objects.create(
        operator_id="MA0000001",
        timestamp="20260101000000",
        seq=f"{seq:04d}",
        received_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


@pytest.fixture
def aged(db):
    old = [_seen(12, 1), _seen(60 * 24, 2)]
    young = [_seen(0, 3), _seen(10, 4)]  # inside KEEP (11 minutes)
    return old, young


def test_prune_keeps_rows_the_window_still_needs(aged):
    _, young = aged
    assert retention.KEEP >= 2 * retention.WINDOW
    assert retention.prune_seen() == 2
    assert set(SeenMessage.objects.values_list("pk", flat=True)) == {s.pk for s in young}


def test_command_prunes_and_says_how_many(aged):
    out = StringIO()
    call_command("interconnect_prune_seen", stdout=out)
    assert "已删除 2 条" in out.getvalue()
    assert SeenMessage.objects.count() == 2


def test_web_process_prunes_after_an_accepted_message_once_a_minute(
    aged, pushed, operator_client, monkeypatch
):
    one = simulate.connector_ids(pushed[0])[:1]
    status = {"ConnectorStatusInfo": {"ConnectorID": one[0], "Status": 1}}
    monkeypatch.setitem(retention._last_prune, "at", None)  # this process never pruned
    assert operator_client.call("notification_stationStatus", status)[0] == 0
    assert SeenMessage.objects.filter(operator_id="MA0000001").count() == 2  # old ones gone
    _seen(30, 5)
    assert operator_client.call("notification_stationStatus", status)[0] == 0
    assert SeenMessage.objects.filter(seq="0005").exists()  # within the minute: not again
    monkeypatch.setitem(retention._last_prune, "at", retention._last_prune["at"] - 61)
    assert operator_client.call("notification_stationStatus", status)[0] == 0
    assert not SeenMessage.objects.filter(seq="0005").exists()


def test_a_pruned_message_replayed_is_still_refused_by_the_window(pushed, operator_client):
    """What makes pruning safe: a copy sent after KEEP fails the ±5 minute check."""
    one = simulate.connector_ids(pushed[0])[:1]
    operator_client.login()
    body = operator_client.envelope_for(
        {"ConnectorStatusInfo": {"ConnectorID": one[0], "Status": 2}}
    )
    assert operator_client.send("notification_stationStatus", body)[1]["Ret"] == 0
    assert retention.prune_seen(timezone.now() + retention.KEEP + datetime.timedelta(seconds=1))
    assert not SeenMessage.objects.exists()
    later = timezone.now() + retention.KEEP + datetime.timedelta(seconds=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: later)
        status, answer = operator_client.send("notification_stationStatus", body)
    assert (status, answer["Ret"]) == (200, 4003)
    assert "5 分钟" in answer["Msg"]

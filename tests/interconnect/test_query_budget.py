"""Queries per accepted message stay at the hot path's count (issue 12, throughput).

A status notification costs: the caller (operator, secrets, account state and token in
one query), the replay guard (one INSERT … ON CONFLICT), the connectors, their update,
the history of actual changes, the stations' last push and the audit row — the same
whatever the number of connectors in the message. Under the test's transaction the
message's own transaction shows as SAVEPOINT/RELEASE (BEGIN/COMMIT in production).
That is the SQLite path; on PostgreSQL a status message is two statements in all
(tests/integration/test_interconnect_hotpath.py).
"""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interconnect import retention, simulate
from interconnect.models import ChargeOrder, ConnectorStatusChange, Message, SeenMessage

STATUS_BUDGET = 9  # 7 statements + the transaction's two
STATUS_UNCHANGED_BUDGET = 8  # nothing changed: no history row
ORDER_BUDGET = 8


@pytest.fixture(autouse=True)
def _pruned_just_now(monkeypatch):
    """The once-a-minute pruning of replay-guard rows is not part of a message's cost."""
    monkeypatch.setitem(retention._last_prune, "at", time.monotonic())


def _send(operator_client, interface, payload):
    if not operator_client.token:
        operator_client.login()
    with CaptureQueriesContext(connection) as ctx:
        ret, msg, data = operator_client.call(interface, payload)
    assert (ret, msg) == (0, ""), msg
    listing = "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    return len(ctx.captured_queries), listing, data


def _statuses(ids, status):
    return {"ConnectorStatusInfos": [{"ConnectorID": cid, "Status": status} for cid in ids]}


def test_status_message_query_budget(pushed, operator_client):
    one = simulate.connector_ids(pushed[0])[:1]
    count, listing, _ = _send(operator_client, "notification_stationStatus", _statuses(one, 3))
    assert count <= STATUS_BUDGET, listing
    history = ConnectorStatusChange.objects.count()
    count, listing, _ = _send(operator_client, "notification_stationStatus", _statuses(one, 3))
    assert count <= STATUS_UNCHANGED_BUDGET, listing
    assert ConnectorStatusChange.objects.count() == history  # no change, no history row


def test_status_budget_does_not_grow_with_connectors(pushed, operator_client):
    every = [cid for info in pushed for cid in simulate.connector_ids(info)]
    assert len(every) >= 4
    before = ConnectorStatusChange.objects.count()
    count, listing, _ = _send(operator_client, "notification_stationStatus", _statuses(every, 2))
    assert count <= STATUS_BUDGET, listing
    assert ConnectorStatusChange.objects.count() == before + len(every)
    # every message is audited and guarded against replay, whatever it carries
    assert Message.objects.filter(interface="notification_stationStatus", ret=0).count() == 1
    assert SeenMessage.objects.count() == Message.objects.filter(ret=0).count()


def test_order_message_query_budget(platform, pushed, operator_client):
    cid = simulate.connector_ids(pushed[0])[0]
    started = timezone.now() - datetime.timedelta(hours=2)
    payload = simulate.order(platform, cid, 1, started)
    count, listing, data = _send(operator_client, "notification_charge_order_info", payload)
    assert count <= ORDER_BUDGET, listing
    assert data["ConfirmResult"] == 0
    assert ChargeOrder.objects.filter(start_charge_seq=payload["StartChargeSeq"]).exists()


def test_receiver_skips_the_site_lookup(pushed, operator_client, monkeypatch):
    """No Wagtail site lookup for /evcs/ (in production a Redis round trip per message);
    public pages still get it."""
    from cms import middleware

    looked_up = []
    monkeypatch.setattr(middleware.shared, "find_site", looked_up.append)
    one = simulate.connector_ids(pushed[0])[:1]
    assert operator_client.call("notification_stationStatus", _statuses(one, 1))[0] == 0
    assert looked_up == []
    operator_client.transport.client.get("/")
    assert looked_up  # the public page did look its site up

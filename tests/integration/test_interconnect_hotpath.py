"""On PostgreSQL a status notification is one statement after the caller's query
(hotpath.status_in_one): replay guard, statuses, history, stations' push and audit row.
It must behave exactly as the general path: a refused message stores nothing."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interconnect import retention, simulate
from interconnect.models import Connector, ConnectorStatusChange, Message, SeenMessage, Station
from tests.applications.factories import ensure_reference_data
from tests.interconnect import conftest as fixtures

# The interconnect suite's fixtures, here on PostgreSQL.
operator, platform, client_for = fixtures.operator, fixtures.platform, fixtures.client_for
operator_client, pushed = fixtures.operator_client, fixtures.pushed

pytestmark = pytest.mark.django_db

STATUS = "notification_stationStatus"


@pytest.fixture(autouse=True)
def _reference_data(monkeypatch):
    ensure_reference_data()  # an earlier transactional test may have flushed them
    monkeypatch.setitem(retention._last_prune, "at", time.monotonic())  # not a message's cost


def _statuses(ids, status):
    return {"ConnectorStatusInfos": [{"ConnectorID": cid, "Status": status} for cid in ids]}


def _stored():
    return (
        SeenMessage.objects.count(),
        ConnectorStatusChange.objects.count(),
        Message.objects.filter(ret=0).count(),
        sorted(Connector.objects.values_list("connector_id", "status")),
    )


def test_status_message_is_two_statements(pushed, operator_client):
    assert connection.vendor == "postgresql"
    every = [cid for info in pushed for cid in simulate.connector_ids(info)]
    operator_client.login()
    before = ConnectorStatusChange.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        ret, msg, data = operator_client.call(STATUS, _statuses(every, 2))
    assert (ret, msg, data) == (0, "", {"Status": 0})
    listing = "\n".join(q["sql"][:120] for q in ctx.captured_queries)
    assert len(ctx.captured_queries) == 2, listing  # the caller, then everything else
    assert ConnectorStatusChange.objects.count() == before + len(every)
    assert set(Connector.objects.values_list("status", flat=True)) == {2}
    assert Station.objects.filter(status_pushed_at__isnull=True).count() == 0
    assert Message.objects.filter(interface=STATUS, ret=0, msg="成功").count() == 1
    assert SeenMessage.objects.count() == Message.objects.filter(ret=0).count()


def test_unchanged_status_adds_no_history(pushed, operator_client):
    one = simulate.connector_ids(pushed[0])[:1]
    assert operator_client.call(STATUS, _statuses(one, 3))[0] == 0
    history = ConnectorStatusChange.objects.count()
    assert operator_client.call(STATUS, _statuses(one, 3))[0] == 0
    assert ConnectorStatusChange.objects.count() == history
    assert Message.objects.filter(interface=STATUS, ret=0).count() == 2


def test_replay_is_refused_and_stores_nothing(pushed, operator_client):
    one = simulate.connector_ids(pushed[0])[:1]
    operator_client.login()
    body = operator_client.envelope_for(_statuses(one, 3))
    assert operator_client.send(STATUS, body)[1]["Ret"] == 0
    stored = _stored()
    status, answer = operator_client.send(STATUS, body)
    assert (status, answer["Ret"]) == (200, 4003)
    assert "重放" in answer["Msg"]
    assert _stored() == stored


def test_unknown_connector_refuses_the_whole_message(pushed, operator_client):
    known = simulate.connector_ids(pushed[0])[:1]
    operator_client.login()
    stored = _stored()
    ret, msg, _ = operator_client.call(STATUS, _statuses([*known, "NOPE-1"], 4))
    assert ret == 4004
    assert "NOPE-1" in msg
    assert _stored() == stored  # neither the known connector nor the replay guard changed
    assert Message.objects.filter(interface=STATUS, ret=4004).count() == 1


def test_bad_payload_takes_the_general_path(pushed, operator_client):
    operator_client.login()
    stored = _stored()
    ret, _, _ = operator_client.call(STATUS, {"ConnectorStatusInfos": [{"Status": 1}]})
    assert ret == 4004
    assert _stored() == stored

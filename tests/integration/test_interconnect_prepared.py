"""On PostgreSQL the two statements of a status message are server-side prepared on the
persistent connection (interconnect/hotpath.py), and the caller's query doubles as the
request's connection health check. Prepared or not, a message must be refused exactly as
before: a replay, another operator's connector, a revoked operator store nothing."""

import time

import psycopg
import pytest
from django.db import connection

from interconnect import credentials, retention, simulate
from interconnect.models import Connector, ConnectorStatusChange, Message, SeenMessage
from tests.applications.factories import ensure_reference_data, make_applicant
from tests.interconnect import conftest as fixtures

# The interconnect suite's fixtures, here on PostgreSQL.
operator, platform, client_for = fixtures.operator, fixtures.platform, fixtures.client_for
operator_client, pushed = fixtures.operator_client, fixtures.pushed

STATUS = "notification_stationStatus"


@pytest.fixture(autouse=True)
def _reference_data(monkeypatch):
    ensure_reference_data()  # an earlier transactional test may have flushed them
    monkeypatch.setitem(retention._last_prune, "at", time.monotonic())


def _statuses(ids, status):
    return {"ConnectorStatusInfos": [{"ConnectorID": cid, "Status": status} for cid in ids]}


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY name")
        return [row[0].strip() for row in cursor.fetchall()]


def _stored():
    return (
        SeenMessage.objects.count(),
        ConnectorStatusChange.objects.count(),
        Message.objects.filter(ret=0).count(),
        sorted(Connector.objects.values_list("connector_id", "status")),
    )


@pytest.mark.django_db
def test_the_two_hot_path_statements_are_prepared_once(pushed, operator_client):
    assert connection.vendor == "postgresql"
    one = simulate.connector_ids(pushed[0])[:1]
    for status in (1, 3):
        assert operator_client.call(STATUS, _statuses(one, status))[0] == 0
    prepared = _prepared()
    assert any(s.startswith("SELECT p.id, p.applicant_id") for s in prepared), prepared
    assert any(s.startswith("WITH wanted") for s in prepared), prepared
    # Only the hot path asks for it: Django's own queries (the fixtures' ORM writes,
    # the 联调 log of a refusal) are never prepared.
    assert all(s.startswith(("SELECT p.id", "WITH wanted")) for s in prepared), prepared
    for status in (2, 4, 1):  # more messages reuse the plans
        assert operator_client.call(STATUS, _statuses(one, status))[0] == 0
    assert _prepared() == prepared


@pytest.mark.django_db
def test_prepared_path_still_refuses(pushed, operator_client, client_for, platform):
    mine = simulate.connector_ids(pushed[0])[:1]
    operator_client.login()
    body = operator_client.envelope_for(_statuses(mine, 3))
    assert operator_client.send(STATUS, body)[1]["Ret"] == 0
    assert any(s.startswith("WITH wanted") for s in _prepared())  # from here on: prepared
    stored = _stored()
    status, answer = operator_client.send(STATUS, body)  # a replay
    assert (status, answer["Ret"]) == (200, 4003) and "重放" in answer["Msg"]
    assert _stored() == stored
    # Another operator, same prepared statements, its own parameters: not my connector.
    other = client_for(credentials.activate(make_applicant(), source="T2", **fixtures.SECRETS))
    other.login()
    stored = _stored()
    ret, msg, _ = other.call(STATUS, _statuses(mine, 4))
    assert ret == 4004 and mine[0] in msg
    assert _stored() == stored
    # Revoked: the prepared caller query sees it at once.
    credentials.revoke(platform.applicant)
    ret, msg, _ = operator_client.call(STATUS, _statuses(mine, 4))
    assert ret == 4003 and "停用" in msg
    assert _stored() == stored


@pytest.mark.django_db(transaction=True)
def test_statements_run_unprepared_when_switched_off(pushed, operator_client):
    """DATABASE_PREPARED_STATEMENTS=0 leaves psycopg's prepare_threshold at None."""
    connection.close()
    connection.ensure_connection()  # a new session: nothing prepared yet
    connection.connection.prepare_threshold = None
    one = simulate.connector_ids(pushed[0])[:1]
    for status in (1, 3, 1):
        assert operator_client.call(STATUS, _statuses(one, status))[0] == 0
    assert Connector.objects.get(connector_id=one[0]).status == 1
    assert _prepared() == []


@pytest.fixture
def health_checked(monkeypatch):
    """Production's persistent, health-checked connection, and a record of the checks."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    connection.ensure_connection()
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(real()) or checks[-1])
    yield checks
    connection.close()


def _between_requests():
    """What Django does at the start and end of every request (request_started/finished)."""
    connection.close_if_unusable_or_obsolete()


@pytest.mark.django_db(transaction=True)
def test_no_select_1_per_message_and_a_lost_connection_is_replaced(
    pushed, operator_client, health_checked
):
    one = simulate.connector_ids(pushed[0])[:1]
    operator_client.login()
    _between_requests()
    assert operator_client.call(STATUS, _statuses(one, 3))[0] == 0
    assert health_checked == []  # healthy: the caller's query was the check
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    _between_requests()
    url = connection.settings_dict
    with psycopg.connect(
        dbname=url["NAME"],
        user=url["USER"],
        password=url["PASSWORD"],
        host=url["HOST"],
        port=url["PORT"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)
    ret, msg, _ = operator_client.call(STATUS, _statuses(one, 4))
    assert (ret, msg) == (0, "")  # answered on a new connection, not Ret 500
    assert health_checked == [False]
    assert Connector.objects.get(connector_id=one[0]).status == 4

"""The live server the journeys drive must not share the test thread's database connection.

With SQLite's in-memory test database Django hands the test thread's connection object to the
server thread. A request still running in the server (a page's late fetch, a PDF being drawn
after the browser moved on) then opens or closes a transaction on the very connection the next
test is writing with, and that test fails at set-up with "on_commit() cannot be used in manual
transaction management" — three archive journeys failed that way in CI. A file database gives
each thread its own connection.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_live_server_answers_from_its_own_connection(live_server):
    assert live_server.thread.connections_override == {}
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db()

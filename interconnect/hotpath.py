"""The per-message database work of the receiving interface, in a few plain statements.

Every accepted status notification used to cost ~13 ORM queries, most of the time spent
compiling them. Here each step is one portable statement (SQLite and PostgreSQL):

- `caller`: operator, its secrets, account state and the Bearer token in ONE query,
  fresh on every message (a revocation, a locked account or a rotated secret takes
  effect at once, in every worker). Decrypting the secrets (Fernet) is memoised by
  their ciphertext, which changes whenever a secret does, so the memo is never stale.
- `claim`: the replay guard as one INSERT … ON CONFLICT DO NOTHING RETURNING.
- `record`: the audit row of the 联调 log.
- `connectors` / `set_statuses`: the status notification (read, update, compact
  history, station's last push) without model instances.

All of it runs inside the caller's transaction; the view keeps the order of checks.

On PostgreSQL the two statements of a status message (`caller`, `status_in_one`) are
server-side prepared on each persistent connection (`_cursor(prepared=True)`): parsed
and planned once per connection instead of once per message. Django's own queries keep
client-side binding and are never prepared.
"""

import contextlib
import functools
import logging
from dataclasses import dataclass

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

from accounts.models import Applicant
from cms import crypto

from .models import (
    AccessToken,
    Connector,
    ConnectorStatusChange,
    Equipment,
    Message,
    Platform,
    SeenMessage,
    Station,
)

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...): far below SQLite's and PostgreSQL's parameter limits
_MEMO_LIMIT = 256
_secrets_memo: dict[tuple[str, ...], dict] = {}


@functools.cache
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _moment(value):
    return connection.ops.adapt_datetimefield_value(value)


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding; every statement prepared (psycopg keeps up to 100 per
    connection, keyed by text and parameter types). A connection whose prepare_threshold
    is None (DATABASE_PREPARED_STATEMENTS=0) runs them unprepared."""

    log_text = False

    def execute(self, query, params=None, *, prepare=None, binary=None):
        super().execute(query, params, prepare=True, binary=binary)
        if self.log_text and self._query is None:
            # A prepared execution keeps no query text; Django's query log (tests, DEBUG)
            # reads it from here.
            self._query = self._convert_query(query, params)
        return self


@contextlib.contextmanager
def _cursor(prepared: bool = False):
    """Django's cursor, or on PostgreSQL with `prepared` a preparing one wrapped the same
    way (CaptureQueriesContext and execute_wrappers still see every statement)."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup, not one per attribute of the proxy
    if not (prepared and db.vendor == "postgresql"):
        with db.cursor() as cursor:
            yield cursor
        return
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = _PreparingCursor(db.connection)
    raw.log_text = db.queries_logged
    with db.make_debug_cursor(raw) if raw.log_text else db.make_cursor(raw) as cursor:
        yield cursor


@dataclass(frozen=True)
class Caller:
    platform: Platform  # unsaved-looking instance built from the row; applicant_id set
    usable: bool  # interface active and account active
    token_ok: bool  # the Bearer token is one of this platform's, unexpired


@functools.cache
def _caller_sql() -> str:
    return (
        "SELECT p.id, p.applicant_id, p.active, a.status, p.operator_secret, p.sig_secret,"
        " p.data_secret, p.data_secret_iv, EXISTS (SELECT 1 FROM "
        f"{_table(AccessToken)} t WHERE t.platform_id = p.id AND t.token_hash = %s"
        " AND t.expires_at > %s)"
        f" FROM {_table(Platform)} p JOIN {_table(Applicant)} a ON a.id = p.applicant_id"
        " WHERE p.operator_id = %s"
    )


def caller(operator_id: str, token_hash: str = "") -> Caller | None:
    """The operator behind `operator_id` and whether `token_hash` is a live token of it."""
    params = [token_hash, _moment(timezone.now()), operator_id]
    row = _checked_first_row(_caller_sql(), params)
    if row is None:
        return None
    pk, applicant_id, active, status, *ciphertexts, token_ok = row
    platform = Platform(
        id=pk, applicant_id=applicant_id, operator_id=operator_id, active=bool(active)
    )
    for name, value in _secrets(tuple(ciphertexts)).items():
        setattr(platform, name, crypto.Secret(value))
    return Caller(
        platform=platform,
        usable=bool(active) and status == Applicant.Status.ACTIVE,
        token_ok=bool(token_ok) and bool(token_hash),
    )


def _checked_first_row(sql, params):
    """The request's first statement, doubling as its connection health check.

    With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first statement of each
    request on a persistent connection: one more round trip per message. Here the caller's
    query checks instead: if it fails and the reused connection turns out dead (database
    restarted between requests), the connection is replaced and the read-only query run
    once more — what Django's check would have done, without the round trip when healthy."""
    db = connections[DEFAULT_DB_ALIAS]
    checking = (
        db.connection is not None
        and db.health_check_enabled
        and not db.health_check_done
        and not db.in_atomic_block
    )
    if checking:
        db.health_check_done = True  # this statement is the check
    for attempt in (1, 2):
        try:
            with _cursor(prepared=True) as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        except DatabaseError:
            if not checking or attempt == 2 or db.is_usable():
                raise
            log.warning("Interconnect: database connection lost between requests, reconnecting")
            db.close()


def _secrets(ciphertexts: tuple[str, ...]) -> dict:
    found = _secrets_memo.get(ciphertexts)
    if found is None:
        if len(_secrets_memo) >= _MEMO_LIMIT:
            _secrets_memo.clear()
        found = {
            name: crypto.decrypt(value)
            for name, value in zip(Platform.SECRET_FIELDS, ciphertexts, strict=True)
        }
        _secrets_memo[ciphertexts] = found
    return found


def claim(operator_id: str, timestamp: str, seq: str) -> bool:
    """Record (OperatorID, TimeStamp, Seq); False when it was already there (a replay)."""
    sql = (
        f"INSERT INTO {_table(SeenMessage)} (operator_id, timestamp, seq, received_at)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [operator_id, timestamp, seq, _moment(timezone.now())])
        return cursor.fetchone() is not None


def record(platform_id, operator_id: str, interface: str, ret: int, msg: str, seq: str):
    """One row of the 联调 log (never the payload, never a secret)."""
    sql = (
        f"INSERT INTO {_table(Message)}"
        " (platform_id, operator_id, interface, ret, msg, seq, received_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                platform_id,
                operator_id[:20],
                interface[:40],
                ret,
                msg[:300],
                seq,
                _moment(timezone.now()),
            ],
        )


@dataclass(frozen=True)
class Found:
    pk: int
    status: int | None
    station_pk: int


def connectors(owner_id: int, connector_ids: list[str]) -> dict[str, Found]:
    """The owner's connectors among `connector_ids`, by ConnectorID."""
    sql = (
        "SELECT c.connector_id, c.id, c.status, e.station_id"
        f" FROM {_table(Connector)} c"
        f" JOIN {_table(Equipment)} e ON e.id = c.equipment_id"
        f" JOIN {_table(Station)} s ON s.id = e.station_id"
        " WHERE s.owner_id = %s AND c.connector_id IN ({marks})"
    )
    found = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(connector_ids):
            cursor.execute(sql.format(marks=_marks(len(chunk))), [owner_id, *chunk])
            for cid, pk, status, station_pk in cursor.fetchall():
                found[cid] = Found(pk, status, station_pk)
    return found


def set_statuses(found: dict[str, Found], wanted: dict[str, int], now) -> None:
    """New current statuses, a history row per actual change, the stations' last push."""
    at = _moment(now)
    updates = [(status, at, found[cid].pk) for cid, status in wanted.items()]
    changes = [
        (found[cid].pk, status, at) for cid, status in wanted.items() if found[cid].status != status
    ]
    stations = sorted({f.station_pk for f in found.values()})
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_table(Connector)} SET status = %s, status_at = %s WHERE id = %s", updates
        )
        if changes:
            cursor.executemany(
                f"INSERT INTO {_table(ConnectorStatusChange)} (connector_id, status, at)"
                " VALUES (%s, %s, %s)",
                changes,
            )
        for chunk in _chunks(stations):
            cursor.execute(
                f"UPDATE {_table(Station)} SET status_pushed_at = %s"
                f" WHERE id IN ({_marks(len(chunk))})",
                [at, *chunk],
            )


# --- PostgreSQL: a status notification in one statement ------------------------------


def one_statement() -> bool:
    """Data-modifying CTEs exist on PostgreSQL only; SQLite keeps the statements above."""
    return connection.vendor == "postgresql"


class Replay(Exception):
    """The message's (OperatorID, TimeStamp, Seq) was already accepted."""


@dataclass(frozen=True)
class StatusOutcome:
    replay: bool  # (OperatorID, TimeStamp, Seq) was already accepted
    found: frozenset[str]  # the owner's ConnectorIDs among the wanted ones
    stored: bool  # claim, statuses, history, stations' push and audit row written


_STATUS_SQL = """
WITH wanted (cid, status) AS (SELECT * FROM unnest(%(cids)s::text[], %(statuses)s::int[])),
found AS (
    SELECT c.id, c.connector_id, c.status AS old, w.status AS new, e.station_id
    FROM {connector} c
    JOIN {equipment} e ON e.id = c.equipment_id
    JOIN {station} s ON s.id = e.station_id
    JOIN wanted w ON w.cid = c.connector_id
    WHERE s.owner_id = %(owner)s
),
seen AS (
    SELECT EXISTS (SELECT 1 FROM {seen} WHERE operator_id = %(operator)s
                   AND timestamp = %(timestamp)s AND seq = %(seq)s) AS dup
),
claim AS (
    INSERT INTO {seen} (operator_id, timestamp, seq, received_at)
    SELECT %(operator)s, %(timestamp)s, %(seq)s, %(now)s
    WHERE NOT (SELECT dup FROM seen)
      AND (SELECT count(DISTINCT connector_id) FROM found) = %(count)s
    ON CONFLICT DO NOTHING RETURNING id
),
current AS (
    UPDATE {connector} c SET status = f.new, status_at = %(now)s FROM found f
    WHERE c.id = f.id AND EXISTS (SELECT 1 FROM claim) RETURNING c.id
),
history AS (
    INSERT INTO {history} (connector_id, status, at)
    SELECT f.id, f.new, %(now)s FROM found f
    WHERE f.old IS DISTINCT FROM f.new AND EXISTS (SELECT 1 FROM claim)
),
pushed AS (
    UPDATE {station} SET status_pushed_at = %(now)s
    WHERE id IN (SELECT station_id FROM found) AND EXISTS (SELECT 1 FROM claim)
),
audit AS (
    INSERT INTO {message} (platform_id, operator_id, interface, ret, msg, seq, received_at)
    SELECT %(platform)s, %(operator)s, %(interface)s, 0, %(ok)s, %(seq)s, %(now)s
    WHERE EXISTS (SELECT 1 FROM claim)
)
SELECT (SELECT dup FROM seen), EXISTS (SELECT 1 FROM claim),
       (SELECT coalesce(array_agg(connector_id), '{{}}') FROM found)
"""


@functools.cache
def _status_sql() -> str:
    return _STATUS_SQL.format(
        connector=_table(Connector),
        equipment=_table(Equipment),
        station=_table(Station),
        seen=_table(SeenMessage),
        history=_table(ConnectorStatusChange),
        message=_table(Message),
    )


def status_in_one(platform, request_env, wanted: dict[str, int], interface, ok_msg, now):
    """The replay guard, new statuses, history of real changes, the stations' last push
    and the audit row as ONE statement (atomic on its own, no BEGIN/COMMIT). It writes
    only when the message is new and every ConnectorID is the owner's, so a refused
    message stores nothing, as in the transaction of the statements above."""
    sql = _status_sql()
    params = {
        "cids": list(wanted),
        "statuses": list(wanted.values()),
        "count": len(wanted),
        "owner": platform.applicant_id,
        "operator": request_env.operator_id,
        "timestamp": request_env.timestamp,
        "seq": request_env.seq,
        "now": now,
        "platform": platform.pk,
        "interface": interface[:40],
        "ok": ok_msg,
    }
    with _cursor(prepared=True) as cursor:
        cursor.execute(sql, params)
        dup, stored, found = cursor.fetchone()
    found = frozenset(found)
    replay = bool(dup) or (len(found) == len(wanted) and not stored)
    return StatusOutcome(replay=replay, found=found, stored=bool(stored))

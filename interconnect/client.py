"""A T/CEC 102 operator-platform client: signs, encrypts and pushes like a real one.

Used by `interconnect_simulate`, the demo loader, the tests and the benchmark. The
transport is HTTP (urllib) against a running server, or in-process (Django's test
Client) when no base URL is given.
"""

import datetime
import json
import random
import urllib.error
import urllib.request

from django.conf import settings
from django.test import Client
from django.utils import timezone

from . import envelope

SHANGHAI = timezone.get_fixed_timezone(480)


class HttpTransport:
    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


class InProcessTransport:
    def __init__(self):
        host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
        self.client = Client(SERVER_NAME=host.lstrip("."))

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        response = self.client.generic(
            "POST", path, body, content_type="application/json; charset=utf-8", **extra
        )
        return response.status_code, json.loads(response.content or b"{}")


class OperatorClient:
    """One operator platform: its OperatorID and four secrets."""

    def __init__(self, operator_id: str, secrets: dict, transport, now=None):
        self.operator_id = operator_id
        self.secrets = secrets
        self.transport = transport
        self.token = ""
        self._now = now or (lambda: timezone.now())
        self._last_second = ""
        self._seq = 0

    def _stamp(self) -> tuple[str, str]:
        second = self._now().astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")
        # Seq numbers messages within one second; a random start keeps two clients of
        # one operator (e.g. two runs of the simulator) from colliding in the same second.
        self._seq = self._seq + 1 if second == self._last_second else random.randint(1, 5000)
        self._last_second = second
        return second, f"{(self._seq - 1) % 9999 + 1:04d}"

    def envelope_for(self, payload) -> dict:
        timestamp, seq = self._stamp()
        return envelope.build_request(
            payload,
            operator_id=self.operator_id,
            timestamp=timestamp,
            seq=seq,
            secrets=self.secrets,
        )

    def send(self, interface: str, body, *, token: str | None = None) -> tuple[int, dict]:
        """Post a prepared envelope (dict) or raw bytes; the raw HTTP status and JSON."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        token = self.token if token is None else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.transport.post(f"/evcs/v1/{interface}", raw, headers)

    def call(self, interface: str, payload) -> tuple[int, str, object]:
        """Send one message; on 4002 get a new token once and send again (part 4)."""
        if interface != "query_token" and not self.token:
            self.login()
        ret, msg, data = self._call(interface, payload)
        if ret == envelope.RET_TOKEN and interface != "query_token":
            self.login()
            ret, msg, data = self._call(interface, payload)
        return ret, msg, data

    def _call(self, interface, payload):
        _, answer = self.send(interface, self.envelope_for(payload))
        return envelope.open_response(answer, self.secrets)

    def login(self) -> None:
        ret, msg, data = self._call(
            "query_token",
            {"OperatorID": self.operator_id, "OperatorSecret": self.secrets["operator_secret"]},
        )
        if ret != 0 or not data or data.get("SuccStat") != 0:
            raise envelope.EnvelopeError(ret or envelope.RET_TOKEN, msg or "获取 Token 失败。")
        self.token = data["AccessToken"]


def shanghai_text(moment: datetime.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")

"""The receiving end of T/CEC 102: POST /evcs/v1/<interface>.

Order of checks: size → strict envelope → known, active operator → signature → token →
time window and replay → decrypt → typed payload → business rules. Any failure answers
its Ret with a Chinese Msg (HTTP 200, or 413/404/405 where HTTP says so) and stores
nothing; the message log (联调) records the outcome, never the payload or a secret.
"""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import credentials, crypto, envelope, hotpath, retention
from .envelope import (
    RET_ENVELOPE,
    RET_OK,
    RET_PAYLOAD,
    RET_SIGNATURE,
    RET_SYSTEM,
    RET_TOKEN,
    EnvelopeError,
)
from .payloads import PayloadError
from .receiver import GENERAL, HANDLERS, ONE_STATEMENT
from .retention import WINDOW

log = logging.getLogger(__name__)

SHANGHAI = timezone.get_fixed_timezone(480)
OK_MSG = "成功"


def _max_body() -> int:
    return int(getattr(settings, "INTERCONNECT_MAX_BODY", 2 * 1024 * 1024))


def _read_body(request) -> bytes:
    limit = _max_body()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise EnvelopeError(RET_ENVELOPE, "请求体超过 2 MiB，已拒绝。")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise EnvelopeError(RET_ENVELOPE, "请求体超过 2 MiB，已拒绝。")
    return body


def _check_time(timestamp: str) -> None:
    try:
        sent = datetime.datetime.strptime(timestamp, "%Y%m%d%H%M%S").replace(tzinfo=SHANGHAI)
    except ValueError as exc:
        raise EnvelopeError(RET_ENVELOPE, "TimeStamp 不是有效的时间。") from exc
    if abs(timezone.now() - sent) > WINDOW:
        raise EnvelopeError(RET_ENVELOPE, "TimeStamp 与省平台时间相差超过 5 分钟，请校准时钟。")


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _answer(ret, msg, payload=None, secrets=None, status=200):
    return JsonResponse(
        envelope.build_response(ret, msg, payload, secrets),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _log(interface, request_env, platform, ret, msg) -> None:
    try:
        hotpath.record(
            platform.pk if platform else None,
            request_env.operator_id if request_env else "",
            interface,
            ret,
            msg,
            request_env.seq if request_env else "",
        )
    except Exception:  # the log must never turn an answer into a 500
        log.exception("Could not record an interconnect message")


@csrf_exempt
def receive(request, interface):
    if interface not in HANDLERS:
        return _answer(RET_ENVELOPE, f"未知接口 {interface[:40]}。", status=404)
    if request.method != "POST":
        return _answer(RET_ENVELOPE, "请使用 POST 方法提交 JSON 报文。", status=405)
    request_env = platform = None
    secrets = None
    try:
        body = _read_body(request)
        request_env = envelope.parse_request(body)
        wants_token = interface != "query_token"
        caller = hotpath.caller(
            request_env.operator_id, credentials.token_hash(_bearer(request)) if wants_token else ""
        )
        if caller is None:
            raise EnvelopeError(RET_ENVELOPE, "未知的 OperatorID：运营商尚未通过互联互通接入审核。")
        platform = caller.platform
        secrets = platform.secrets()
        if not caller.usable:
            raise EnvelopeError(
                RET_ENVELOPE, "该运营商的互联互通接口已停用（接入被撤销或账号已锁定）。"
            )
        if not crypto.verify(secrets["sig_secret"], request_env.sig, *request_env.signed_text()):
            raise EnvelopeError(
                RET_SIGNATURE, "签名错误：请核对签名密钥及签名原文 OperatorID+Data+TimeStamp+Seq。"
            )
        if wants_token and not caller.token_ok:
            raise EnvelopeError(RET_TOKEN, "Token 无效或已过期，请重新调用 query_token 获取。")
        _check_time(request_env.timestamp)
        payload = _process(interface, platform, request_env, secrets)
    except EnvelopeError as exc:
        ret, msg, payload = exc.ret, exc.msg, None
    except PayloadError as exc:
        ret, msg, payload = RET_PAYLOAD, exc.reason, None
    except Exception:
        log.exception("Interconnect %s failed", interface)
        ret, msg, payload = RET_SYSTEM, "省平台系统错误，请稍后重试。", None
    else:
        ret, msg = RET_OK, ""
    if ret != RET_OK:
        _log(interface, request_env, platform, ret, msg)
    status = 413 if ret == RET_ENVELOPE and msg.startswith("请求体超过") else 200
    try:
        return _answer(ret, msg, payload, secrets, status=status)
    except crypto.CryptoError:
        return _answer(ret, msg, None, None, status=status)


def _process(interface, platform, request_env, secrets):
    try:
        text = crypto.decrypt(request_env.data, secrets["data_secret"], secrets["data_secret_iv"])
    except crypto.CryptoError as exc:
        raise EnvelopeError(RET_PAYLOAD, exc.reason) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EnvelopeError(RET_PAYLOAD, "Data 解密后不是有效的 JSON。") from exc
    answer = _store(interface, platform, request_env, data)
    retention.maybe_prune()  # after the message's own transaction, at most once a minute
    return answer


def _store(interface, platform, request_env, data):
    try:
        one = ONE_STATEMENT.get(interface) if hotpath.one_statement() else None
        answer = one(platform, data, request_env, OK_MSG) if one else GENERAL
        if answer is not GENERAL:
            return answer
        with transaction.atomic():
            if not hotpath.claim(request_env.operator_id, request_env.timestamp, request_env.seq):
                raise hotpath.Replay
            answer = HANDLERS[interface](platform, data)
            # A success is logged in the same transaction: one commit per accepted message.
            _log(interface, request_env, platform, RET_OK, OK_MSG)
            return answer
    except hotpath.Replay as exc:
        raise EnvelopeError(
            RET_ENVELOPE, "重复的报文：该 OperatorID、TimeStamp、Seq 已处理过（疑似重放）。"
        ) from exc

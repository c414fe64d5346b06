"""The T/CEC 102 message envelope, both directions.

Request  {OperatorID, Data, TimeStamp (yyyyMMddHHmmss), Seq (4 digits), Sig}
Response {Ret, Msg, Data, Sig}; Sig over OperatorID+Data+TimeStamp+Seq, resp. Ret+Msg+Data.
"""

import json
import re
from dataclasses import dataclass

from . import crypto

RET_OK = 0
RET_SIGNATURE = 4001
RET_TOKEN = 4002
RET_ENVELOPE = 4003
RET_PAYLOAD = 4004
RET_SYSTEM = 500

OPERATOR_ID = re.compile(r"^[0-9A-Z]{9}$")
TIMESTAMP = re.compile(r"^\d{14}$")
SEQ = re.compile(r"^\d{4}$")
REQUEST_FIELDS = {"OperatorID", "Data", "TimeStamp", "Seq", "Sig"}


class EnvelopeError(Exception):
    """A message refused with a T/CEC Ret code and a Chinese reason."""

    def __init__(self, ret: int, msg: str):
        self.ret = ret
        self.msg = msg
        super().__init__(f"{ret} {msg}")


@dataclass(frozen=True)
class Request:
    operator_id: str
    data: str
    timestamp: str
    seq: str
    sig: str

    def signed_text(self) -> tuple[str, str, str, str]:
        return (self.operator_id, self.data, self.timestamp, self.seq)


def parse_request(body: bytes) -> Request:
    """Strict parse: a JSON object with exactly the five string fields, well formed."""
    try:
        raw = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EnvelopeError(RET_ENVELOPE, "请求体不是有效的 UTF-8 JSON。") from exc
    if not isinstance(raw, dict):
        raise EnvelopeError(RET_ENVELOPE, "请求体应为 JSON 对象。")
    missing = sorted(REQUEST_FIELDS - raw.keys())
    if missing:
        raise EnvelopeError(RET_ENVELOPE, f"请求缺少参数：{'、'.join(missing)}。")
    values = {}
    for name in REQUEST_FIELDS:
        value = raw[name]
        if isinstance(value, int) and not isinstance(value, bool) and name == "Seq":
            value = f"{value:04d}"
        if not isinstance(value, str):
            raise EnvelopeError(RET_ENVELOPE, f"参数 {name} 应为字符串。")
        values[name] = value
    if not OPERATOR_ID.match(values["OperatorID"]):
        raise EnvelopeError(RET_ENVELOPE, "OperatorID 应为 9 位组织机构代码。")
    if not TIMESTAMP.match(values["TimeStamp"]):
        raise EnvelopeError(RET_ENVELOPE, "TimeStamp 格式应为 yyyyMMddHHmmss。")
    if not SEQ.match(values["Seq"]):
        raise EnvelopeError(RET_ENVELOPE, "Seq 应为 4 位数字。")
    if not values["Data"]:
        raise EnvelopeError(RET_ENVELOPE, "Data 不能为空。")
    return Request(
        operator_id=values["OperatorID"],
        data=values["Data"],
        timestamp=values["TimeStamp"],
        seq=values["Seq"],
        sig=values["Sig"],
    )


def dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def build_request(payload, *, operator_id, timestamp, seq, secrets) -> dict:
    """What an operator platform sends; `secrets` has sig_secret, data_secret, data_secret_iv."""
    data = crypto.encrypt(dumps(payload), secrets["data_secret"], secrets["data_secret_iv"])
    return {
        "OperatorID": operator_id,
        "Data": data,
        "TimeStamp": timestamp,
        "Seq": seq,
        "Sig": crypto.sign(secrets["sig_secret"], operator_id, data, timestamp, seq),
    }


def build_response(ret: int, msg: str, payload=None, secrets=None) -> dict:
    """The answer; encrypted and signed when the caller's secrets are known."""
    if secrets is None:
        return {"Ret": ret, "Msg": msg, "Data": "", "Sig": ""}
    data = ""
    if payload is not None:
        data = crypto.encrypt(dumps(payload), secrets["data_secret"], secrets["data_secret_iv"])
    return {
        "Ret": ret,
        "Msg": msg,
        "Data": data,
        "Sig": crypto.sign(secrets["sig_secret"], ret, msg, data),
    }


def open_response(answer: dict, secrets) -> tuple[int, str, object]:
    """Client side: check the signature and decrypt Data; returns (Ret, Msg, payload)."""
    ret, msg, data, sig = answer["Ret"], answer["Msg"], answer.get("Data") or "", answer["Sig"]
    if sig and not crypto.verify(secrets["sig_secret"], sig, ret, msg, data):
        raise EnvelopeError(RET_SIGNATURE, "应答签名错误。")
    payload = None
    if data:
        payload = json.loads(
            crypto.decrypt(data, secrets["data_secret"], secrets["data_secret_iv"])
        )
    return ret, msg, payload

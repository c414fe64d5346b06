"""The envelope's answers as an operator platform's engineer reads them: every refusal
names its Ret code and says in Chinese what to fix, and what we send back has exactly the
fields, encoding and signature T/CEC 102 describes."""

import json

import pytest

from interconnect import crypto, envelope

SECRETS = {
    "sig_secret": "SigSecret1234567",
    "data_secret": "DataSecret123456",
    "data_secret_iv": "DataSecretIV1234",
}
GOOD = {
    "OperatorID": "MA01H3BQ2",
    "Data": "abc=",
    "TimeStamp": "20260610093000",
    "Seq": "0001",
    "Sig": "F" * 32,
}


def body(**changes):
    fields = {**GOOD, **changes}
    return json.dumps({k: v for k, v in fields.items() if v is not None}).encode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe not utf-8", "请求体不是有效的 UTF-8 JSON。"),
        (b"{not json", "请求体不是有效的 UTF-8 JSON。"),
        (b"[1, 2]", "请求体应为 JSON 对象。"),
        (body(Seq=None, Sig=None), "请求缺少参数：Seq、Sig。"),
        (body(Data=12), "参数 Data 应为字符串。"),
        (body(Seq=True), "参数 Seq 应为字符串。"),
        (body(OperatorID="ma01h3bq2"), "OperatorID 应为 9 位组织机构代码。"),
        (body(OperatorID="MA01H3BQ21"), "OperatorID 应为 9 位组织机构代码。"),
        (body(TimeStamp="2026-06-10 09:30"), "TimeStamp 格式应为 yyyyMMddHHmmss。"),
        (body(Seq="12345"), "Seq 应为 4 位数字。"),
        (body(Seq="12a4"), "Seq 应为 4 位数字。"),
        (body(Data=""), "Data 不能为空。"),
    ],
)
def test_each_malformed_envelope_is_refused_with_4003_and_what_to_fix(raw, message):
    with pytest.raises(envelope.EnvelopeError) as refused:
        envelope.parse_request(raw)
    assert (refused.value.ret, refused.value.msg) == (envelope.RET_ENVELOPE, message)
    assert str(refused.value) == f"4003 {message}"


def test_a_well_formed_envelope_is_read_field_by_field():
    request = envelope.parse_request(body())
    assert request == envelope.Request(
        operator_id="MA01H3BQ2",
        data="abc=",
        timestamp="20260610093000",
        seq="0001",
        sig="F" * 32,
    )
    assert request.signed_text() == ("MA01H3BQ2", "abc=", "20260610093000", "0001")


def test_a_numeric_seq_is_read_as_its_four_digits():
    """Some platforms send Seq as a JSON number; it is signed as the 4-digit text."""
    assert envelope.parse_request(body(Seq=7)).seq == "0007"


def test_payloads_travel_as_compact_utf8_json():
    text = envelope.dumps({"StationName": "信阳 站", "Power": 120})
    assert text == '{"StationName":"信阳 站","Power":120}'
    request = envelope.build_request(
        {"StationName": "信阳站"},
        operator_id="MA01H3BQ2",
        timestamp="20260610093000",
        seq="0001",
        secrets=SECRETS,
    )
    key, iv = SECRETS["data_secret"], SECRETS["data_secret_iv"]
    assert crypto.decrypt(request["Data"], key, iv) == '{"StationName":"信阳站"}'


def test_an_answer_to_an_unknown_caller_is_unsigned_and_empty():
    assert envelope.build_response(4003, "未知的运营商。") == {
        "Ret": 4003,
        "Msg": "未知的运营商。",
        "Data": "",
        "Sig": "",
    }


def test_an_answer_without_payload_is_signed_with_empty_data():
    answer = envelope.build_response(4004, "参数错误。", secrets=SECRETS)
    assert answer["Data"] == ""
    assert answer["Sig"] == crypto.sign(SECRETS["sig_secret"], 4004, "参数错误。", "")
    assert envelope.open_response(answer, SECRETS) == (4004, "参数错误。", None)


def test_a_signed_answer_round_trips_and_a_forged_one_is_refused():
    answer = envelope.build_response(0, "", {"SuccStat": 0}, SECRETS)
    assert envelope.open_response(answer, SECRETS) == (0, "", {"SuccStat": 0})
    forged = {**answer, "Msg": "篡改"}
    with pytest.raises(envelope.EnvelopeError) as refused:
        envelope.open_response(forged, SECRETS)
    assert (refused.value.ret, refused.value.msg) == (envelope.RET_SIGNATURE, "应答签名错误。")


def test_an_unsigned_answer_without_data_is_read_as_is():
    assert envelope.open_response({"Ret": 4003, "Msg": "拒绝", "Sig": ""}, SECRETS) == (
        4003,
        "拒绝",
        None,
    )

"""Known answers from the published T/CEC 102 examples, and the envelope's strict parse."""

import json
from pathlib import Path

import pytest

from interconnect import crypto, envelope

VECTORS = json.loads((Path(__file__).parent / "fixtures" / "published_vectors.json").read_text())


def test_query_token_request_decrypts_and_signs_as_published():
    v = VECTORS["query_token_request"]
    env, key = v["envelope"], v["secret"]
    assert crypto.decrypt(env["Data"], key, key) == v["plaintext"]
    assert crypto.encrypt(v["plaintext"], key, key) == env["Data"]
    assert (
        crypto.sign(key, env["OperatorID"], env["Data"], env["TimeStamp"], env["Seq"])
        == (env["Sig"])
    )


def test_query_token_response_decrypts_and_signs_as_published():
    v = VECTORS["query_token_response"]
    env, key = v["envelope"], v["secret"]
    assert crypto.decrypt(env["Data"], key, key) == v["plaintext"]
    assert crypto.sign(key, env["Ret"], env["Msg"], env["Data"]) == env["Sig"]
    secrets = {"sig_secret": key, "data_secret": key, "data_secret_iv": key}
    ret, msg, payload = envelope.open_response(env, secrets)
    assert (ret, msg, payload["TokenAvailableTime"]) == (0, "", 7200)


def test_appendix_signature_example():
    v = VECTORS["appendix_c3_signature"]
    env = v["envelope"]
    parts = (env["OperatorID"], env["Data"], env["TimeStamp"], env["Seq"])
    assert crypto.sign(v["secret"], *parts) == env["Sig"]
    assert crypto.verify(v["secret"], env["Sig"].lower(), *parts)
    assert not crypto.verify("abcdef1234567890", env["Sig"], *parts)


def test_wrong_key_is_a_padding_error_not_a_crash():
    env = VECTORS["query_token_request"]["envelope"]
    with pytest.raises(crypto.CryptoError, match=r"填充错误|UTF-8"):
        crypto.decrypt(env["Data"], "abcdef1234567890", "1234567890abcdef")


@pytest.mark.parametrize("data", ["not base64!!", "YWJj", ""])
def test_bad_base64_or_length(data):
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(data, "1234567890abcdef", "1234567890abcdef")


def test_round_trip_of_chinese_payload():
    key, iv = "abcdefghijklmnop", "ponmlkjihgfedcba"
    text = json.dumps({"StationName": "信阳市浉河区羊山充电站"}, ensure_ascii=False)
    assert crypto.decrypt(crypto.encrypt(text, key, iv), key, iv) == text


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1,2]",
        b'{"OperatorID":"123456789"}',
        b'{"OperatorID":"12345678","Data":"x","TimeStamp":"20260101000000","Seq":"0001","Sig":"A"}',
        b'{"OperatorID":"123456789","Data":"x","TimeStamp":"2026","Seq":"0001","Sig":"A"}',
        b'{"OperatorID":"123456789","Data":"x","TimeStamp":"20260101000000","Seq":"1","Sig":"A"}',
        b'{"OperatorID":"123456789","Data":5,"TimeStamp":"20260101000000","Seq":"0001","Sig":"A"}',
        b"\xff\xfe",
    ],
)
def test_envelope_parse_refuses_malformed(body):
    with pytest.raises(envelope.EnvelopeError) as err:
        envelope.parse_request(body)
    assert err.value.ret == envelope.RET_ENVELOPE


def test_built_request_parses_back():
    secrets = {"sig_secret": "s" * 16, "data_secret": "d" * 16, "data_secret_iv": "i" * 16}
    body = envelope.build_request(
        {"a": 1}, operator_id="MA45ABCD1", timestamp="20260101120000", seq="0002", secrets=secrets
    )
    request = envelope.parse_request(json.dumps(body).encode())
    assert crypto.verify(secrets["sig_secret"], request.sig, *request.signed_text())

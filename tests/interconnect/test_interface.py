"""The receiving interface end to end (in-process), every hostile case included."""

import datetime
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from interconnect import credentials, crypto, simulate
from interconnect.envelope import build_request
from interconnect.models import (
    ChargeOrder,
    Connector,
    ConnectorStatusChange,
    Equipment,
    Message,
    Reconciliation,
    Station,
)
from tests.applications.factories import make_applicant

from .conftest import SECRETS

SHANGHAI = timezone.get_fixed_timezone(480)


def now_stamp(delta=datetime.timedelta()):
    return (timezone.now() + delta).astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S")


def counts():
    return (
        Station.objects.count(),
        Equipment.objects.count(),
        Connector.objects.count(),
        ChargeOrder.objects.count(),
        ConnectorStatusChange.objects.count(),
        Reconciliation.objects.count(),
    )


def test_token_then_station_status_and_orders(platform, operator_client, pushed):
    station = Station.objects.get(owner=platform.applicant, station_id="S0001")
    assert station.get_station_type_display() == "公共"
    assert station.get_construction_display() == "大型建筑配建停车场"
    assert station.region == platform.applicant.region
    assert station.equipment.count() == 2
    assert {str(c.power_kw) for c in Connector.objects.filter(equipment__station=station)} == {
        "120.0",
        "7.0",
    }
    ids = simulate.connector_ids(pushed[0])
    ret, _, _ = operator_client.call(
        "notification_stationStatus", {"ConnectorStatusInfo": {"ConnectorID": ids[0], "Status": 3}}
    )
    assert ret == 0
    assert Connector.objects.get(connector_id=ids[0]).status == 3
    station.refresh_from_db()
    assert station.status_pushed_at is not None
    # the same status again is no new history row
    operator_client.call(
        "notification_stationStatus",
        {"ConnectorStatusInfos": [{"ConnectorID": ids[0], "Status": 3}]},
    )
    assert ConnectorStatusChange.objects.filter(connector__connector_id=ids[0]).count() == 1

    started = timezone.now() - datetime.timedelta(hours=3)
    order = simulate.order(platform, ids[0], 1, started)
    order["TotalServiceMoney"] = order.pop("TotalSeviceMoney")  # the other spelling
    order["ElectMoney"] = order.pop("TotalElecMoney")
    ret, msg, answer = operator_client.call("notification_charge_order_info", order)
    assert (ret, answer["ConfirmResult"]) == (0, 0), msg
    saved = ChargeOrder.objects.get()
    assert saved.amount == saved.elec_money + saved.service_money
    assert saved.details[0]["ServicePrice"] == "0.55"

    # a re-sent order answers 0 and changes nothing
    changed = dict(order, TotalMoney=999.0)
    ret, _, answer = operator_client.call("notification_charge_order_info", changed)
    assert (ret, answer["ConfirmResult"]) == (0, 0)
    assert ChargeOrder.objects.get().amount == saved.amount


def test_repush_updates_station(platform, operator_client, pushed):
    info = dict(pushed[0], StationName="改名后的充电站", Construction=1)
    info["EquipmentInfos"] = info["EquipmentInfos"][:1]
    ret, _, _ = operator_client.call("notification_stationInfo", {"StationInfos": [info]})
    assert ret == 0
    station = Station.objects.get(station_id="S0001")
    assert (station.name, station.construction, station.pile_count) == ("改名后的充电站", 1, 1)
    assert Station.objects.count() == 2


def test_check_charge_orders_records_disputes(platform, operator_client, pushed):
    cid = simulate.connector_ids(pushed[0])[0]
    started = timezone.now() - datetime.timedelta(hours=5)
    kept = simulate.order(platform, cid, 1, started)
    operator_client.call("notification_charge_order_info", kept)
    ghost = simulate.order(platform, cid, 2, started)
    ret, _, answer = operator_client.call(
        "check_charge_orders",
        {
            "CheckOrderSeq": "C1",
            "StartTime": simulate.shanghai_text(started - datetime.timedelta(hours=1)),
            "EndTime": simulate.shanghai_text(timezone.now()),
            "OrderCount": 2,
            "TotalOrderPower": 40,
            "TotalOrderMoney": 40,
            "ChargeOrders": [
                {k: kept[k] for k in ("StartChargeSeq", "TotalPower", "TotalMoney")},
                {k: ghost[k] for k in ("StartChargeSeq", "TotalPower", "TotalMoney")},
            ],
        },
    )
    assert ret == 0
    assert answer["TotalDisputeOrder"] == 1
    check = Reconciliation.objects.get()
    assert check.missing_here == [ghost["StartChargeSeq"]] and not check.consistent


def test_query_stations_info_answers_own_stations(platform, operator_client, pushed):
    ret, _, answer = operator_client.call("query_stations_info", {"PageNo": 1, "PageSize": 10})
    assert ret == 0
    assert answer["ItemSize"] == 2
    assert answer["StationInfos"][0]["EquipmentInfos"][0]["ConnectorInfos"]


def test_wrong_operator_secret_gives_no_token(platform, client_for):
    client = client_for(platform, dict(SECRETS, operator_secret="WrongSecret12345"))
    ret, _, data = client._call(
        "query_token", {"OperatorID": platform.operator_id, "OperatorSecret": "WrongSecret12345"}
    )
    assert ret == 0 and data["SuccStat"] == 1 and data["FailReason"] == 2
    assert not data["AccessToken"]
    assert not platform.tokens.exists()


# --- hostile cases: each answers its Ret and stores nothing ---------------------------


def answer_of(client, interface, body, token=None):
    status, answer = client.send(interface, body, token=token)
    assert status in (200, 413)
    return answer


def test_wrong_signature(operator_client, pushed):
    before = counts()
    body = operator_client.envelope_for({"StationInfo": pushed[0]})
    body["Sig"] = "0" * 32
    answer = answer_of(operator_client, "notification_stationInfo", body)
    assert answer["Ret"] == 4001 and "签名" in answer["Msg"]
    assert crypto.verify(SECRETS["sig_secret"], answer["Sig"], answer["Ret"], answer["Msg"], "")
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("!!!not-base64!!!", "Base64"),
        (crypto.encrypt("{}", "0000000000000000", "0000000000000000"), "解密"),
        (crypto.encrypt("not json", SECRETS["data_secret"], SECRETS["data_secret_iv"]), "JSON"),
    ],
)
def test_undecodable_data(platform, operator_client, pushed, data, reason):
    before = counts()
    operator_client.login()
    stamp = now_stamp()
    body = {
        "OperatorID": platform.operator_id,
        "Data": data,
        "TimeStamp": stamp,
        "Seq": "0099",
        "Sig": crypto.sign(SECRETS["sig_secret"], platform.operator_id, data, stamp, "0099"),
    }
    answer = answer_of(operator_client, "notification_stationInfo", body)
    assert answer["Ret"] == 4004 and reason in answer["Msg"]
    assert counts() == before


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([1, 2], "对象"),
        ({"StationInfo": {"StationID": "S9"}}, "缺少字段"),
        ({"Nothing": 1}, "StationInfo"),
    ],
)
def test_wrong_shape(operator_client, pushed, payload, reason):
    before = counts()
    ret, msg, _ = operator_client.call("notification_stationInfo", payload)
    assert ret == 4004 and reason in msg
    assert counts() == before


def test_unknown_enum_refuses_the_whole_push(operator_client, pushed):
    before = counts()
    good = dict(pushed[0], StationID="S0101", StationName="新站甲")
    bad = dict(pushed[1], StationID="S0102", StationName="新站乙", Construction=12)
    ret, msg, _ = operator_client.call("notification_stationInfo", {"StationInfos": [good, bad]})
    assert ret == 4004 and "Construction" in msg and "枚举" in msg
    assert counts() == before
    ret, msg, _ = operator_client.call(
        "notification_stationStatus", {"ConnectorStatusInfo": {"ConnectorID": "x", "Status": 9}}
    )
    assert ret == 4004 and "枚举" in msg


def test_station_of_another_operator(platform, operator_client, pushed):
    other = make_applicant()
    before = counts()
    info = dict(
        pushed[0], StationID="S0200", OperatorID=credentials.operator_id_for(other.credit_code)
    )
    ret, msg, _ = operator_client.call("notification_stationInfo", {"StationInfo": info})
    assert ret == 4004 and "其他运营商" in msg
    assert counts() == before


def test_other_operators_connectors_are_unknown(platform, operator_client, pushed, client_for):
    other = credentials.activate(make_applicant(), source="T2", **SECRETS)
    other_client = client_for(other)
    cid = simulate.connector_ids(pushed[0])[0]
    ret, msg, _ = other_client.call(
        "notification_stationStatus", {"ConnectorStatusInfo": {"ConnectorID": cid, "Status": 3}}
    )
    assert ret == 4004 and cid in msg
    order = simulate.order(other, cid, 1, timezone.now() - datetime.timedelta(hours=1))
    ret, msg, _ = other_client.call("notification_charge_order_info", order)
    assert ret == 4004
    assert not ChargeOrder.objects.exists()
    assert Connector.objects.get(connector_id=cid).status is None


@override_settings(INTERCONNECT_MAX_BODY=4096)
def test_huge_body(operator_client, pushed):
    before = counts()
    body = operator_client.envelope_for({"StationInfo": pushed[0], "Pad": "x" * 8000})
    status, answer = operator_client.send("notification_stationInfo", body)
    assert status == 413 and answer["Ret"] == 4003 and "2 MiB" in answer["Msg"]
    assert counts() == before


def test_replay(operator_client, pushed):
    operator_client.login()
    cid = simulate.connector_ids(pushed[0])[0]
    body = operator_client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": cid, "Status": 3}})
    assert answer_of(operator_client, "notification_stationStatus", body)["Ret"] == 0
    Connector.objects.filter(connector_id=cid).update(status=1)
    answer = answer_of(operator_client, "notification_stationStatus", body)
    assert answer["Ret"] == 4003 and "重放" in answer["Msg"]
    assert Connector.objects.get(connector_id=cid).status == 1


@pytest.mark.parametrize("delta", [datetime.timedelta(minutes=6), -datetime.timedelta(minutes=6)])
def test_timestamp_outside_window(platform, operator_client, pushed, delta):
    operator_client.login()
    body = build_request(
        {"ConnectorStatusInfo": {"ConnectorID": "S0001E1C1", "Status": 3}},
        operator_id=platform.operator_id,
        timestamp=now_stamp(delta),
        seq="0001",
        secrets=SECRETS,
    )
    answer = answer_of(operator_client, "notification_stationStatus", body)
    assert answer["Ret"] == 4003 and "5 分钟" in answer["Msg"]
    assert not ConnectorStatusChange.objects.exists()


def test_expired_or_missing_token(platform, operator_client, pushed):
    operator_client.login()
    platform.tokens.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    body = operator_client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": "x", "Status": 1}})
    assert answer_of(operator_client, "notification_stationStatus", body)["Ret"] == 4002
    body = operator_client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": "x", "Status": 1}})
    answer = answer_of(operator_client, "notification_stationStatus", body, token="")
    assert answer["Ret"] == 4002 and "Token" in answer["Msg"]


@override_settings(INTERCONNECT_TOKEN_TTL=60)
def test_token_lifetime_is_a_setting(operator_client, platform):
    _, _, data = operator_client._call(
        "query_token",
        {"OperatorID": platform.operator_id, "OperatorSecret": SECRETS["operator_secret"]},
    )
    assert data["TokenAvailableTime"] == 60
    token = platform.tokens.get()
    assert token.token_hash != data["AccessToken"]  # stored hashed


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"OperatorID": "123"}', b"\x00\xff"],
)
def test_unparseable_envelope(operator_client, body):
    answer = answer_of(operator_client, "notification_stationInfo", body)
    assert answer["Ret"] == 4003 and answer["Msg"]


def test_unknown_operator(db, client_for, platform):
    client = client_for(platform)
    client.operator_id = "ZZZZZZZZZ"
    answer = answer_of(client, "query_token", client.envelope_for({}))
    assert answer["Ret"] == 4003 and "OperatorID" in answer["Msg"] and answer["Sig"] == ""


def test_locked_account_or_revoked_access_stops_the_interface(platform, operator_client, pushed):
    operator_client.login()
    platform.applicant.lock("测试")
    body = operator_client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": "x", "Status": 1}})
    assert answer_of(operator_client, "notification_stationStatus", body)["Ret"] == 4003
    platform.applicant.unlock()
    credentials.revoke(platform.applicant)
    body = operator_client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": "x", "Status": 1}})
    answer = answer_of(operator_client, "notification_stationStatus", body)
    assert answer["Ret"] == 4003 and "停用" in answer["Msg"]


def test_http_level_refusals(client, db):
    assert client.get("/evcs/v1/query_token").status_code == 405
    response = client.post("/evcs/v1/nope", b"{}", content_type="application/json")
    assert response.status_code == 404 and json.loads(response.content)["Ret"] == 4003
    assert (
        client.post("/evcs/v1/query_token/", b"{}", content_type="application/json").status_code
        == 404
    )


def test_messages_are_logged_without_payload(platform, operator_client, pushed):
    operator_client.call(
        "notification_stationStatus", {"ConnectorStatusInfo": {"ConnectorID": "nope", "Status": 1}}
    )
    last = Message.objects.filter(platform=platform).first()
    assert (last.interface, last.ret) == ("notification_stationStatus", 4004)
    assert "nope" in last.msg
    assert SECRETS["sig_secret"] not in "".join(Message.objects.values_list("msg", flat=True))

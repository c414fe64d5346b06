"""Approval of a 互联互通接入 activates the interface; a later one rotates the secrets."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from interconnect.credentials import operator_id_for
from interconnect.models import Platform, Station
from tests.applications.factories import make_reviewer


@pytest.fixture
def platform_reviewer(db):
    return make_reviewer("platform")


def credentials_json(code, *args):
    out = StringIO()
    call_command("interconnect_credentials", code, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_approve_demo_then_push_then_rotate(operator, platform_reviewer, client_for):
    first = credentials_json(operator.credit_code, "--approve-demo")
    assert (
        first["operator_id"] == operator.credit_code[8:17] == operator_id_for(operator.credit_code)
    )
    assert all(len(first[k]) == 16 for k in ("sig_secret", "data_secret", "data_secret_iv"))
    platform = Platform.objects.get(applicant=operator)
    assert platform.source.startswith("SQ")
    out = StringIO()
    call_command(
        "interconnect_simulate",
        "--credit-code",
        operator.credit_code,
        "--stations",
        "2",
        "--orders",
        "3",
        stdout=out,
    )
    assert Station.objects.filter(owner=operator).count() == 2
    assert operator.stations.first().orders.exists() or operator.stations.last().orders.exists()

    second = credentials_json(operator.credit_code, "--approve-demo")
    assert second["sig_secret"] != first["sig_secret"]
    old = client_for(platform, {k: v for k, v in first.items() if k != "operator_id"})
    request = old.envelope_for(
        {"OperatorID": first["operator_id"], "OperatorSecret": first["operator_secret"]}
    )
    _, answer = old.send("query_token", request)
    assert answer["Ret"] == 4001  # the old signing key no longer works


def test_credentials_need_an_approved_interconnection(operator):
    with pytest.raises(CommandError, match="没有审核通过"):
        credentials_json(operator.credit_code)


def test_approve_demo_refused_in_production(operator):
    with override_settings(SETTINGS_MODULE="cms.settings.production"):
        with pytest.raises(CommandError, match="生产环境"):
            credentials_json(operator.credit_code, "--approve-demo")
    assert not Platform.objects.exists()


def test_secrets_encrypted_at_rest(platform):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sig_secret FROM interconnect_platform")
        (raw,) = cursor.fetchone()
    assert raw.startswith("gAAAAA") and "SigSecret" not in raw


def test_stations_page_and_api(client, platform, operator_client, pushed):
    operator = platform.applicant
    client.force_login(operator.user)
    html = client.get("/my/stations/").content.decode()
    assert "大型建筑配建停车场" in html and "公共" in html
    assert "互联互通数据异常" in html and "尚未收到充电接口状态数据" in html
    page = client.get("/my/interconnect/").content.decode()
    assert "notification_stationInfo" in page and "成功" in page

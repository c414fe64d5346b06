"""The whole T/CEC 102 exchange over real HTTP (live server) on the real PostgreSQL:
approval activates the credentials, the simulator pushes with only the four secrets,
reconciliation agrees, and hostile messages store nothing."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from interconnect.client import HttpTransport, OperatorClient
from interconnect.models import ChargeOrder, Connector, Reconciliation, Station
from interconnect.simulate import shanghai_text
from tests.applications.factories import ensure_reference_data, make_applicant, make_reviewer


@pytest.mark.django_db(transaction=True)
def test_whole_exchange_over_http_on_postgresql(live_server, home_page):
    assert connection.vendor == "postgresql"
    ensure_reference_data()  # an earlier transactional test flushed the data migrations' rows
    make_reviewer("platform")
    operator = make_applicant()
    out = StringIO()
    call_command(
        "interconnect_credentials", operator.credit_code, "--json", "--approve-demo", stdout=out
    )
    creds = json.loads(out.getvalue())
    call_command(
        "interconnect_simulate",
        "--credit-code",
        operator.credit_code,
        "--stations",
        "2",
        "--orders",
        "3",
        "--url",
        live_server.url,
        stdout=StringIO(),
    )
    assert Station.objects.filter(owner=operator).count() == 2
    assert Connector.objects.filter(status=1).count() == 4
    orders = list(ChargeOrder.objects.filter(station__owner=operator).order_by("started_at"))
    assert len(orders) == 3

    secrets = {k: v for k, v in creds.items() if k != "operator_id"}
    client = OperatorClient(creds["operator_id"], secrets, HttpTransport(live_server.url))
    ret, _, answer = client.call(
        "check_charge_orders",
        {
            "CheckOrderSeq": "PG1",
            "StartTime": shanghai_text(orders[0].started_at),
            "EndTime": shanghai_text(orders[-1].started_at),
            "OrderCount": 3,
            "TotalOrderPower": float(sum(o.energy_kwh for o in orders)),
            "TotalOrderMoney": float(sum(o.amount for o in orders)),
            "ChargeOrders": [
                {
                    "StartChargeSeq": o.start_charge_seq,
                    "TotalPower": float(o.energy_kwh),
                    "TotalMoney": float(o.amount),
                }
                for o in orders
            ],
        },
    )
    assert (ret, answer["TotalDisputeOrder"]) == (0, 0)
    assert Reconciliation.objects.get().consistent

    # a replayed status message is refused and changes nothing
    body = client.envelope_for({"ConnectorStatusInfo": {"ConnectorID": "S0001E1C1", "Status": 3}})
    assert client.send("notification_stationStatus", body)[1]["Ret"] == 0
    Connector.objects.filter(connector_id="S0001E1C1").update(status=1)
    status, replay = client.send("notification_stationStatus", body)
    assert (status, replay["Ret"]) == (200, 4003)
    assert Connector.objects.get(connector_id="S0001E1C1").status == 1

    # an order for an unknown connector: 4004, nothing stored
    bad = {
        "StartChargeSeq": creds["operator_id"] + "2026" + "9" * 14,
        "ConnectorID": "NOPE",
        "StartTime": "2026-01-02 10:00:00",
        "EndTime": "2026-01-02 11:00:00",
        "TotalPower": 1,
        "TotalElecMoney": 1,
        "TotalServiceMoney": 1,
        "TotalMoney": 2,
    }
    ret, msg, _ = client.call("notification_charge_order_info", bad)
    assert ret == 4004 and "NOPE" in msg
    assert ChargeOrder.objects.filter(station__owner=operator).count() == 3

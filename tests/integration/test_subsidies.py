"""On the real PostgreSQL (and the signed list in MinIO): orders pushed through the
T/CEC 102 receiver become the 运营补贴 amount under the year's rule; an order pushed after
the list was downloaded asks for a new download. The clock is not moved (MinIO refuses
requests signed at a moved clock): the orders are this year's."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import OperationSubsidy
from applications.rules import problems_for_submission
from catalogue.models import ApplicationKind
from interconnect import credentials, simulate
from interconnect.client import InProcessTransport, OperatorClient
from interconnect.models import ChargeOrder
from subsidies import demo, orderlist
from subsidies.models import SubsidyComputation
from tests.applications import factories

SECRETS = {
    "operator_secret": "OpSecret12345678",
    "sig_secret": "SigSecret1234567",
    "data_secret": "DataSecret123456",
    "data_secret_iv": "DataSecretIV1234",
}


@pytest.mark.django_db
def test_pushed_orders_become_the_operation_subsidy_amount_on_postgresql():
    assert connection.vendor == "postgresql"
    factories.ensure_reference_data()
    year = timezone.localdate().year
    (rule_set,) = demo.load(years=(year,))
    operator = factories.make_applicant()
    platform = credentials.activate(operator, source="TEST", **SECRETS)
    client = OperatorClient(platform.operator_id, SECRETS, InProcessTransport())
    area = operator.region.code
    infos = [simulate.station_info(platform, n, area) for n in (1, 2)]
    for info in infos:
        assert client.call("notification_stationInfo", {"StationInfo": info})[:2] == (0, "")
    connectors = [cid for info in infos for cid in simulate.connector_ids(info)]
    start = timezone.localtime().replace(month=1, day=2, hour=9, minute=0, second=0, microsecond=0)
    for n in range(1, 7):
        payload = simulate.order(platform, connectors[n % 4], n, start + datetime.timedelta(days=n))
        assert client.call("notification_charge_order_info", payload)[0] == 0
    energy = sum(
        (o.energy_kwh for o in ChargeOrder.objects.filter(station__owner=operator)), Decimal(0)
    )
    # simulate.order: 18.5 + n kWh for n = 1..6 = 132.000 kWh. Each station is rounded
    # to the fen: station 1 (orders 1, 4, 5) 65.5 × 0.05 = 3.275 → 3.28, station 2
    # (orders 2, 3, 6) 66.5 × 0.05 = 3.325 → 3.33; together 6.61 元.
    assert energy == Decimal("132.000")

    application = factories.make_application(operator, ApplicationKind.OPERATION_SUBSIDY)
    OperationSubsidy.objects.create(application=application, year=year)
    order_list, _ = orderlist.issue(application)
    assert (order_list.order_count, order_list.amount) == (6, Decimal("6.61"))
    orderlist.upload_signed(
        application, order_list.number, factories.pdf_upload("签字清单.pdf"), user=operator.user
    )
    assert problems_for_submission(application) == []
    factories.submit(application)
    computation = SubsidyComputation.objects.get(application=application)
    assert computation.amount == Decimal("6.61")
    assert computation.rule_version == rule_set.version
    assert sorted(e for _, e in computation.inputs["stations"]) == ["65.500", "66.500"]

    # An order pushed after the download: the applicant is told to download again.
    late = simulate.order(platform, connectors[0], 7, start + datetime.timedelta(days=8))
    assert client.call("notification_charge_order_info", late)[0] == 0
    assert orderlist.current_list_problem(application).startswith(
        f"订单数据在您下载补贴清单（编号 {order_list.number}）之后发生了变化"
    )

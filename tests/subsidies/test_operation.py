"""运营补贴 from pushed orders: eligibility, the numbered list, the signed upload, the
amount, and the refusal when orders change after the download."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import OperationSubsidy
from applications.rules import problems_for_submission
from applications.uploads import UploadRejected
from applications.workflow import WorkflowError
from catalogue.models import ApplicationKind
from interconnect.models import StationType
from subsidies import orderlist
from subsidies.models import SubsidyComputation
from subsidies.service import eligible_orders
from tests.applications import factories

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]

LOCAL = timezone.get_current_timezone()


def at(*args):
    return datetime.datetime(*args, tzinfo=LOCAL)


@pytest.fixture
def stations(operator):
    public = factories.make_station(operator, "公共充电站", station_type=StationType.PUBLIC)
    private = factories.make_station(operator, "公交专用站", station_type=StationType.BUS)
    return public, private


@pytest.fixture
def orders(stations):
    public, private = stations
    return {
        "counted": factories.make_order(
            public, at(2026, 3, 1, 10), energy="100.000", amount="150.00"
        ),
        "counted2": factories.make_order(
            public, at(2026, 5, 2, 8), energy="23.456", amount="35.00"
        ),
        "below_floor": factories.make_order(
            public, at(2026, 3, 2, 10), energy="0.500", amount="1.00"
        ),
        "bus": factories.make_order(private, at(2026, 3, 3, 10), energy="80.000", amount="120.00"),
        "last_year": factories.make_order(public, at(2025, 12, 31, 23, 30), energy="40.000"),
    }


@pytest.fixture
def application(operator, rules, orders, private_folder):
    application = factories.make_application(operator, ApplicationKind.OPERATION_SUBSIDY)
    OperationSubsidy.objects.create(application=application, year=2026)
    return application


def test_only_completed_public_orders_within_the_year_above_the_floor_count(
    application, orders, rules
):
    counted = list(eligible_orders(application.applicant, 2026, rules[2026]))
    assert counted == [orders["counted"], orders["counted2"]]
    # An order that starts on New Year's Eve and ends in the new year is not within 2026.
    late = factories.make_order(orders["counted"].station, at(2026, 12, 31, 23, 30))
    assert late not in eligible_orders(application.applicant, 2026, rules[2026])
    # With public_only off, the bus station's order counts too.
    rules[2026].public_only = False
    assert orders["bus"] in eligible_orders(application.applicant, 2026, rules[2026])


def test_the_list_download_numbers_totals_and_signature_block(application):
    order_list, result = orderlist.issue(application)
    assert order_list.number == f"QD2026-{application.reference}-01"
    # 123.456 kWh × 0.05 元/kWh = 6.1728 → 6.17
    assert order_list.energy_kwh == Decimal("123.456")
    assert order_list.order_count == 2
    assert order_list.amount == result.amount == Decimal("6.17")
    sheet = load_workbook(
        io.BytesIO(orderlist.workbook_bytes(application, order_list, result))
    ).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(c) for c in row) for row in cells)
    assert f"清单编号：{order_list.number}" in text
    assert "合计 2 笔 123.456 185" in text
    assert "核定补贴金额：6.17 元" in text
    assert "申请单位（盖章）" in text and "签字" in text
    assert orderlist.issue(application)[0].number.endswith("-02")


def test_signed_list_ties_to_its_number_and_the_amount_is_recorded(application):
    order_list, _ = orderlist.issue(application)
    with pytest.raises(UploadRejected, match="不是本申请下载的补贴清单编号"):
        orderlist.upload_signed(application, "QD2026-X-01", factories.pdf_upload(), user=None)
    orderlist.upload_signed(
        application,
        order_list.number,
        factories.pdf_upload("清单.pdf"),
        user=application.applicant.user,
    )
    assert problems_for_submission(application) == []
    factories.submit(application)
    computation = SubsidyComputation.objects.get(application=application)
    assert computation.amount == Decimal("6.17")
    assert computation.inputs["stations"] == [["公共充电站", "123.456"]]


def test_orders_changed_after_the_download_ask_for_a_new_download(application, orders):
    order_list, _ = orderlist.issue(application)
    orderlist.upload_signed(
        application, order_list.number, factories.pdf_upload(), user=application.applicant.user
    )
    factories.make_order(orders["counted"].station, at(2026, 6, 1, 9), energy="10.000")
    expected = (
        f"订单数据在您下载补贴清单（编号 {order_list.number}）之后发生了变化，请重新下载补贴清单，"
        "签字并加盖公章后重新上传。"
    )
    assert problems_for_submission(application) == [expected]
    with pytest.raises(WorkflowError):
        factories.submit(application)
    # Uploading against the stale number is refused too.
    with pytest.raises(UploadRejected, match="发生了变化"):
        orderlist.upload_signed(application, order_list.number, factories.pdf_upload(), user=None)


def test_a_signed_list_without_a_number_is_not_accepted(application):
    factories.attach(application, "signed-order-list", factories.pdf_upload("盖章.pdf"))
    assert problems_for_submission(application) == [
        "签字盖章的清单“盖章.pdf”没有对应的清单编号：请删除后在“补贴清单”中按清单编号重新上传。"
    ]


def test_one_operation_subsidy_per_applicant_and_year(application, operator):
    order_list, _ = orderlist.issue(application)
    orderlist.upload_signed(application, order_list.number, factories.pdf_upload(), user=None)
    factories.submit(application)
    second = factories.make_application(operator, ApplicationKind.OPERATION_SUBSIDY)
    from applications.forms import save_detail

    with pytest.raises(WorkflowError, match=f"已在申请 {application.reference} 中办理"):
        save_detail(second, {"year": "2026"})

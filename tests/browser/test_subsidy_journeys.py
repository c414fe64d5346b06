"""Subsidy journeys in Chromium, on data an operator platform pushed through the real
T/CEC 102 interface (in-process): the 建设补贴 station step and amount up to the
reviewer, the 互联互通数据异常 gate, and the 运营补贴 order list round trip."""

import copy
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from interconnect import credentials, simulate
from tests.applications.factories import (
    attach_due_materials,
    ensure_reference_data,
    make_applicant,
    make_application,
    make_dossier,
    pdf_bytes,
)
from tests.browser.test_application_journeys import (
    admin_login,
    label,
    make_admin_reviewer,
    portal_login,
    shot,
    state_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock()]
SECRETS = {
    "operator_secret": "OpSecret12345678",
    "sig_secret": "SigSecret1234567",
    "data_secret": "DataSecret123456",
    "data_secret_iv": "DataSecretIV1234",
}
STATION = "郑州东站交通枢纽充电站"


@pytest.fixture
def server(transactional_db, live_server, home_page):
    ensure_reference_data()
    from subsidies import demo

    demo.load(years=(timezone.localdate().year,))
    return live_server.url


@pytest.fixture
def operator(server):
    from catalogue.models import ApplicantType

    operator = make_applicant(ApplicantType.OPERATOR, name="信阳豫充新能源有限公司")
    platform = credentials.activate(operator, source="TEST", **SECRETS)  # 互联互通接入 approved
    return operator, simulate.client_for(platform)


def push_station(operator, client):
    """Push a public station at a transport hub with two 120 kW DC piles; its 建站资料
    is then filed and bound by name."""
    from interconnect.models import Station

    applicant = operator
    info = simulate.station_info(client_platform(applicant), 1, applicant.region.code, STATION)
    info["StationType"], info["Construction"] = 1, 6  # 公共, 交通枢纽
    second = copy.deepcopy(info["EquipmentInfos"][0])
    second["EquipmentID"] = info["StationID"] + "E2"
    second["ConnectorInfos"][0]["ConnectorID"] = info["StationID"] + "E2C1"
    info["EquipmentInfos"][1] = second
    assert client.call("notification_stationInfo", {"StationInfo": info})[:2] == (0, "")
    station = Station.objects.get(owner=applicant, station_id=info["StationID"])
    make_dossier(applicant, station)
    return info, station


def client_platform(applicant):
    from interconnect.models import Platform

    return Platform.objects.get(applicant=applicant)


def push_status_and_orders(applicant, client, info, numbers=(1, 2)):
    connectors = simulate.connector_ids(info)
    statuses = [{"ConnectorID": cid, "Status": 1} for cid in connectors]
    assert client.call("notification_stationStatus", {"ConnectorStatusInfos": statuses})[0] == 0
    push_orders(applicant, client, info, numbers)


def push_orders(applicant, client, info, numbers):
    connector = simulate.connector_ids(info)[0]
    started = timezone.now() - datetime.timedelta(days=2)
    for number in numbers:
        payload = simulate.order(client_platform(applicant), connector, number, started)
        assert client.call("notification_charge_order_info", payload)[0] == 0


def save_station_step(page, station):
    page.get_by_label(label("充电站")).select_option(str(station.pk))
    page.get_by_label(label("补贴年度")).fill(str(timezone.localdate().year))
    page.get_by_role("button", name="保存申请信息").click()
    page.wait_for_load_state()


# --------------------------------------------------------------------------- 建设补贴


def test_construction_subsidy_amount_from_pushed_piles_up_to_the_reviewer(
    browser, page, server, operator, tmp_path
):
    from catalogue.models import ApplicationKind

    applicant, client = operator
    info, station = push_station(applicant, client)
    push_status_and_orders(applicant, client, info)
    application = make_application(applicant, ApplicationKind.CONSTRUCTION_SUBSIDY)
    detail = f"{server}/my/applications/{application.reference}/"

    portal_login(page, server, applicant.user.username)
    page.goto(detail)
    option = page.get_by_label(label("充电站")).locator(f"option[value='{station.pk}']")
    assert option.inner_text() == f"{STATION}（公共 · 交通枢纽 · 数据正常）"
    save_station_step(page, station)
    assert "申请信息已保存" in page.locator(".messages").inner_text()
    summary = page.locator(".subsidy-summary")
    assert "互联互通数据（当前）：数据正常" in summary.inner_text()
    assert "站点类型：公共；建设场所：交通枢纽" in summary.inner_text()
    assert "公共 · 交通枢纽：30%" in summary.inner_text()

    # -- one invoice for the two piles, with 设备功率 and the invoice file
    invoice = tmp_path / "发票12345678.pdf"
    invoice.write_bytes(pdf_bytes(31))
    form = page.locator("#invoices form.row-form")
    form.locator("[name=invoice-equipment]").select_option("dc_pile")
    for name, value in {
        "quantity": "2",
        "power_kw": "120",
        "cost_name": "直流充电桩购置",
        "invoice_number": "12345678",
        "invoice_code": "4100231130",
        "invoice_amount": "200000.00",
        "used_amount": "200000.00",
        "issued_on": f"{timezone.localdate().year}-05-20",
        "buyer_name": applicant.name,
    }.items():
        form.locator(f"[name=invoice-{name}]").fill(value)
    form.locator("#invoice-file").set_input_files(str(invoice))
    form.get_by_role("button", name="添加").click()
    page.wait_for_load_state()
    row = page.locator("#invoices table tbody tr").first
    assert row.locator("[data-label='设备功率（kW）']").inner_text() == "120.0"

    # -- the amount with its rule and caps, before submission
    text = page.locator(".subsidy-summary").inner_text()
    year = timezone.localdate().year
    assert f"{year} 年度充电基础设施补贴规则（示例）（版本" in text
    assert "60000.00 元" in text and "按当前数据试算" in text
    assert "每千瓦上限（240.0 kW）：72000.00 元 — 未超出" in text
    assert "单站上限：500000.00 元 — 未超出" in text
    shot(page, "subsidy-construction-before-submit")

    attach_due_materials(application)  # the other materials, as the checklist takes them
    page.reload()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert f"申请 {application.reference} 已提交" in page.locator(".messages").inner_text()
    assert state_of(page) == "已提交"

    # -- the reviewer sees the amount, the rule and the health at submission and now
    reviewer = make_admin_reviewer()
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    try:
        admin_login(admin, server, reviewer.username)
        admin.goto(f"{server}/admin/review/{application.reference}/")
        text = admin.locator(".subsidy-summary").inner_text()
        assert "60000.00 元" in text and "提交时核算" in text
        assert f"{year} 年度充电基础设施补贴规则（示例）" in text
        assert "公共 · 交通枢纽：30%" in text
        assert "互联互通数据（当前）：数据正常" in text and "提交时：数据正常" in text
        shot(admin, "subsidy-construction-review")
    finally:
        staff.close()


def test_the_gate_holds_the_station_step_until_status_and_orders_are_pushed(page, server, operator):
    from catalogue.models import ApplicationKind
    from subsidies.checks import GATE_TEXT

    applicant, client = operator
    info, station = push_station(applicant, client)  # equipment, but no status, no orders
    application = make_application(applicant, ApplicationKind.CONSTRUCTION_SUBSIDY)

    portal_login(page, server, applicant.user.username)
    page.goto(f"{server}/my/applications/{application.reference}/")
    option = page.get_by_label(label("充电站")).locator(f"option[value='{station.pk}']")
    assert option.inner_text().endswith("互联互通数据异常）")
    save_station_step(page, station)
    blocked = page.locator("#step-blocked")
    assert GATE_TEXT in blocked.inner_text()
    assert "尚未收到充电接口状态数据" in blocked.inner_text()
    assert page.get_by_role("button", name="保存申请信息").is_disabled()
    assert page.get_by_role("button", name="提交申请").is_disabled()
    assert page.get_by_label(label("充电站")).input_value() == str(station.pk)
    shot(page, "subsidy-gate-blocked")

    push_status_and_orders(applicant, client, info)
    page.reload()
    assert page.locator("#step-blocked").count() == 0
    assert page.get_by_role("button", name="保存申请信息").is_enabled()
    page.get_by_role("button", name="保存申请信息").click()
    page.wait_for_load_state()
    assert "申请信息已保存" in page.locator(".messages").inner_text()
    assert "互联互通数据（当前）：数据正常" in page.locator(".subsidy-summary").inner_text()
    assert page.get_by_role("button", name="提交申请").is_enabled()


# --------------------------------------------------------------------------- 运营补贴


def test_operation_subsidy_order_list_round_trip(page, server, operator, tmp_path):
    from catalogue.models import ApplicationKind
    from interconnect.models import ChargeOrder

    applicant, client = operator
    info, _station = push_station(applicant, client)
    push_status_and_orders(applicant, client, info)  # 19.5 + 20.5 kWh
    money = sum(o.amount for o in ChargeOrder.objects.filter(station__owner=applicant))
    application = make_application(applicant, ApplicationKind.OPERATION_SUBSIDY)
    year = timezone.localdate().year

    portal_login(page, server, applicant.user.username)
    page.goto(f"{server}/my/applications/{application.reference}/")
    page.get_by_label(label("补贴年度")).fill(str(year))
    page.get_by_role("button", name="保存申请信息").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("补贴清单下载（带清单编号）")).click()
    page.wait_for_url(f"**/my/subsidies/{application.reference}/orders/")
    assert "2.00 元" in page.locator(".subsidy-summary").inner_text()  # 40 kWh × 0.05

    with page.expect_download() as download:
        page.get_by_role("link", name="补贴清单下载").click()
    path = tmp_path / "清单.xlsx"
    download.value.save_as(path)
    number = f"QD{year}-{application.reference}-01"
    assert download.value.suggested_filename == f"运营补贴清单-{number}.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in rows)
    assert f"清单编号：{number}" in text
    total = next(row for row in rows if row[0] == "合计")
    assert total[1] == "2 笔"
    assert (Decimal(str(total[5])), Decimal(str(total[6]))) == (Decimal("40"), money)
    assert "核定补贴金额：2.00 元" in text
    assert "申请单位（盖章）" in text and "签字" in text

    page.reload()
    assert page.locator("#list-number").input_value() == number
    scan = tmp_path / "签字清单.pdf"
    scan.write_bytes(pdf_bytes(77))
    page.locator("#list-file").set_input_files(str(scan))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert f"已上传清单 {number} 的签字盖章件" in page.locator(".messages").inner_text()
    listed = page.locator("#signed-title + table tbody tr").first.inner_text()
    assert number in listed and "2.00" in listed and "签字清单.pdf" in listed
    assert page.locator(".notice-error").count() == 0
    shot(page, "subsidy-operation-signed")

    push_orders(applicant, client, info, numbers=(3,))  # a new order after the download
    page.reload()
    problem = page.locator(".notice-error[role=alert]").inner_text()
    assert problem.startswith(f"订单数据在您下载补贴清单（编号 {number}）之后发生了变化")
    assert "请重新下载补贴清单" in problem
    assert "3.08 元" in page.locator(".subsidy-summary").inner_text()  # + 21.5 kWh

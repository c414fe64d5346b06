"""Submission rules at their edges (applications/rules.py): invoice labels with a code,
messages of several invoices in one list, and the station-binding hint when the
applicant has many stations. Cases a planted bug slipped past (`make mutation`)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from applications.forms import save_detail
from applications.models import ConstructionSubsidy, JointInstallation
from applications.rules import (
    eligible_items,
    invoice_problems,
    orders_for_year,
    problems_for_submission,
    station_binding_problem,
)
from catalogue.models import ApplicationKind

from .factories import (
    POWER_ITEM,
    RESIDENT_POWER_ITEM,
    ROAD_ITEM,
    attach_due_materials,
    joint_detail,
    make_application,
    make_dossier,
    make_order,
    make_station,
)
from .test_rules import interconnection_data

EXPLAIN = "请上传加盖公章的发票说明（材料“发票说明（加盖公章）”）。"


def line(used="100.00", amount="100.00", **extra):
    values = {
        "invoice_code": "",
        "invoice_number": "12345678",
        "invoice_amount": Decimal(amount),
        "used_amount": Decimal(used),
        "issued_on": datetime.date(2026, 5, 20),
        "buyer_name": "甲公司",
    }
    values.update(extra)
    return SimpleNamespace(**values)


def check(lines, explanation=False):
    return invoice_problems(
        lines, applicant_name="甲公司", subsidy_year=2026, has_explanation=explanation
    )


def test_an_invoice_with_a_code_is_named_by_code_and_number():
    lines = [line("99.99", invoice_code="4100231130")]
    assert check(lines) == [
        "发票 4100231130-12345678 的使用金额合计 99.99 元，与发票金额 100.00 元不一致；"
        "一张发票多个设备时每个设备录一条，使用金额之和应等于发票金额。"
    ]


def test_lines_with_differing_invoice_amounts_are_not_checked_further():
    # The amounts disagree: the sum and the per-line rule would only repeat the mistake,
    # but the date and buyer of *another* invoice are still checked.
    lines = [
        line("150.00", amount="100.00", buyer_name="乙公司"),
        line("10.00", amount="120.00"),
        line("5.00", amount="5.00", invoice_number="87654321", buyer_name="丙公司"),
    ]
    assert check(lines) == [
        "发票 12345678 的各行发票金额不一致（100.00、120.00），同一张发票的发票金额应相同。",
        "发票 87654321 发票抬头与申请主体“甲公司”不一致。" + EXPLAIN,
    ]


def test_an_invoice_both_outside_the_year_and_for_another_buyer_names_both():
    lines = [line(issued_on=datetime.date(2025, 3, 1), buyer_name="乙公司")]
    assert check(lines) == [
        "发票 12345678 开票日期不在 2026 补贴年度内；"
        "发票 12345678 发票抬头与申请主体“甲公司”不一致。" + EXPLAIN
    ]


def test_a_used_amount_equal_to_the_invoice_amount_is_not_above_it():
    lines = [line("100.00"), line("0.00")]
    assert check(lines) == []


@pytest.mark.django_db
def test_the_hint_lists_at_most_ten_stations_and_three_close_names(operator):
    names = [f"站点{i:02d}号" for i in range(12)]
    for name in reversed(names):
        make_station(operator, name)
    problem = station_binding_problem(operator, "郑东新区")
    assert f"无法绑定。您的站点有：{'、'.join(names[:10])}。请把" in problem
    problem = station_binding_problem(operator, "站点1号")
    assert "无法绑定。名称相近的站点：站点11号、站点10号、站点01号。请把" in problem


@pytest.mark.django_db
@pytest.mark.parametrize(("stations", "piles"), [("2", "11"), ("3", "10")])
def test_interconnection_counts_must_both_match(operator, stations, piles):
    # One count right is not enough: the platform's stations and piles both must agree.
    make_station(operator, "浉河万达充电站", pile_count=4)
    make_station(operator, "羊山新区充电站", pile_count=6)
    application = make_application(operator, ApplicationKind.INTERCONNECTION)
    obj, form = save_detail(
        application, interconnection_data(station_count=stations, pile_count=piles)
    )
    assert obj is not None, form.errors
    assert problems_for_submission(application) == [
        f"填写的充电站 {stations} 座、充电桩 {piles} 个，与“我的充电站”中的 2 座、10 个不一致。"
        "请核对；若站点数据与实际不符，请联系运营平台重新推送。"
    ]


@pytest.mark.django_db
def test_a_loosely_similar_station_name_is_still_offered(operator):
    # "万达充电站" resembles the registered name at 0.56: offered (cutoff 0.4), not the list.
    make_station(operator, "信阳市浉河区万达广场充电站")
    assert "无法绑定。名称相近的站点：信阳市浉河区万达广场充电站。请把" in (
        station_binding_problem(operator, "万达充电站")
    )


@pytest.mark.django_db
def test_a_station_built_within_one_day_may_be_filed(operator):
    application = make_dossier(operator, make_station(operator), submit_it=False)
    application.detail.completed_on = application.detail.started_on
    application.detail.save()
    assert problems_for_submission(application) == []


@pytest.mark.django_db
def test_a_construction_subsidy_for_someone_elses_station_is_refused(operator, other_operator):
    theirs = make_station(other_operator, "别人的充电站")
    application = make_application(operator, ApplicationKind.CONSTRUCTION_SUBSIDY)
    ConstructionSubsidy.objects.create(application=application, station=theirs, subsidy_year=2026)
    assert problems_for_submission(application)[0] == "只能为自己的充电站申请建设补贴。"


@pytest.mark.django_db
@pytest.mark.clock()
def test_a_joint_application_without_its_form_asks_for_it(operator):
    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM]
    )
    assert problems_for_submission(application)[0] == ("请先填写“充电桩报装一件事”的申请信息。")


@pytest.mark.django_db
@pytest.mark.clock()
def test_a_resident_installation_for_household_use_passes(resident):
    home = make_application(
        resident, ApplicationKind.JOINT_INSTALLATION, item_codes=[RESIDENT_POWER_ITEM]
    )
    joint_detail(home, power_use=JointInstallation.PowerUse.RESIDENTIAL)
    attach_due_materials(home)
    assert problems_for_submission(home) == []


@pytest.mark.django_db
@pytest.mark.clock()
def test_a_road_occupied_for_a_single_day_is_accepted(operator):
    application = make_application(
        operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM, ROAD_ITEM]
    )
    day = datetime.date(2027, 3, 1)
    joint_detail(application, occupation_start=day, occupation_end=day)
    attach_due_materials(application)
    assert problems_for_submission(application) == []


@pytest.mark.django_db
def test_a_years_orders_come_with_their_stations_in_one_query(operator, django_assert_num_queries):
    # The order list export and the review page read every order's station.
    station = make_station(operator, "浉河万达充电站")
    local = timezone.get_current_timezone()
    for day in (1, 2, 3):
        make_order(station, datetime.datetime(2026, 3, day, 9, 0, tzinfo=local))
    with django_assert_num_queries(1):
        names = [order.station.name for order in orders_for_year(operator, 2026)]
    assert names == ["浉河万达充电站"] * 3


@pytest.mark.django_db
def test_eligible_items_come_with_their_departments_in_one_query(
    operator, django_assert_num_queries
):
    # The catalogue pages and API show each item's department.
    with django_assert_num_queries(1):
        items = eligible_items(operator, ApplicationKind.JOINT_INSTALLATION)
        departments = {item.department.name for item in items}
    assert len(items) > 1 and all(departments)
    assert all(item.allows(operator.kind) for item in items)

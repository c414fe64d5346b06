"""Submission rules at their edges (applications/rules.py): invoice labels with a code,
messages of several invoices in one list, and the station-binding hint when the
applicant has many stations. Cases a planted bug slipped past (`make mutation`)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from applications.rules import invoice_problems, station_binding_problem

from .factories import make_station

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

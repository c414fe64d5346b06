"""建设补贴 end to end: the gate, the checks, the computed amount and what it records."""

from decimal import Decimal

import pytest

from applications.forms import save_detail
from applications.models import Application, State
from applications.rules import problems_for_submission
from applications.workflow import WorkflowError, decide, start_review, withdraw
from interconnect.models import Construction, Station, StationType
from subsidies.checks import GATE_TEXT
from subsidies.hooks import summary
from subsidies.models import SubsidyComputation
from subsidies.service import replay
from tests.applications import factories

from .conftest import add_line, make_healthy, new_construction_subsidy, push_equipment

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]


def submit(application):
    return factories.submit(application)


def test_two_120_kw_dc_piles_get_the_amount_of_the_years_rule(construction, rules):
    assert problems_for_submission(construction) == []
    preview = summary(construction)
    assert preview["amount"] == "60000.00"
    assert preview["ratio"] == "公共 · 交通枢纽：30%"
    assert preview["rule"] == f"{construction.detail.subsidy_year} 年度充电基础设施补贴规则（示例）"
    assert preview["health_now"]["health"] == "数据正常"
    assert preview["blocked"] == []

    submit(construction)
    computation = SubsidyComputation.objects.get(application=construction)
    # 200 000.00 × 30 % = 60 000.00; 240 kW × 300 = 72 000 and 500 000 per station do not bite.
    assert computation.amount == Decimal("60000.00")
    assert computation.rule_version == rules[2026].version
    assert computation.health_at_submission == "数据正常"
    station = computation.inputs["station"]
    assert (station["station_type"], station["construction"]) == (
        StationType.PUBLIC,
        Construction.TRANSPORT_HUB,
    )
    assert computation.inputs["lines"][0]["power_kw"] == "120.0"
    assert computation.inputs["lines"][0]["quantity"] == 2
    assert [cap["bit"] for cap in computation.result["caps"]] == [False, False, False]


def test_a_stored_figure_is_reproduced_after_the_rule_and_station_change(construction, rules):
    submit(construction)
    rule_set = rules[2026]
    ratio = rule_set.ratios.get(
        station_type=StationType.PUBLIC, construction=Construction.TRANSPORT_HUB
    )
    ratio.ratio = Decimal("0.10")
    ratio.save()
    rule_set.save()
    Station.objects.filter(pk=construction.detail.station_id).update(
        construction=Construction.RESIDENTIAL
    )
    computation = SubsidyComputation.objects.get(application=construction)
    assert replay(computation).amount == computation.amount == Decimal("60000.00")
    assert rule_set.version == computation.rule_version + 1
    # The review page shows what was stored, not today's rule.
    construction.refresh_from_db()
    assert summary(construction)["amount"] == "60000.00"


def test_a_station_without_status_data_stops_at_the_station_step(operator, rules):
    station = factories.make_station(operator, "没有状态数据的充电站")
    push_equipment(station, "120", "120")
    factories.make_dossier(operator, station)
    make_healthy(station)
    Station.objects.filter(pk=station.pk).update(status_pushed_at=None)
    application = factories.make_application(operator, "construction_subsidy")
    with pytest.raises(WorkflowError) as error:
        save_detail(application, {"station": station.pk, "subsidy_year": "2026"})
    assert error.value.message.startswith(GATE_TEXT)
    assert "尚未收到充电接口状态数据" in error.value.message
    application.refresh_from_db()
    assert application.detail is None  # nothing half-stored


def test_a_station_of_an_operator_without_an_approved_interconnection(operator, rules):
    station = factories.make_station(operator, "未接入的充电站")
    factories.make_dossier(operator, station)
    make_healthy(station, platform=False)
    application = factories.make_application(operator, "construction_subsidy")
    with pytest.raises(WorkflowError, match="互联互通接入尚未通过审核"):
        save_detail(application, {"station": station.pk, "subsidy_year": "2026"})


def test_the_gate_holds_again_at_submission(construction):
    Station.objects.filter(pk=construction.detail.station_id).update(status_pushed_at=None)
    construction = Application.objects.get(pk=construction.pk)
    assert problems_for_submission(construction)[0].startswith(GATE_TEXT)
    assert summary(construction)["blocked"][0].startswith(GATE_TEXT)


def test_lines_are_checked_against_the_pushed_equipment(construction):
    add_line(
        construction,
        quantity="1",
        power_kw="160",
        invoice_number="22222222",
        invoice_amount="1000.00",
        used_amount="1000.00",
    )
    assert problems_for_submission(construction) == [
        "录入的直流充电桩共 3 台，超过运营平台推送的 2 台。请按实际填写；若运营平台推送的设备与实际不符，请联系运营平台重新推送。",
        "录入的直流充电桩功率合计 400.0 kW，超过运营平台推送的 240.0 kW。请按实际填写；若运营平台推送的设备与实际不符，请联系运营平台重新推送。",
    ]


def test_a_pile_line_needs_its_power(construction):
    from applications.lines import add_invoice_line

    data = factories.invoice_line_data(buyer_name=construction.applicant.name)
    data.pop("power_kw", None)
    line, form = add_invoice_line(construction, data, None, user=construction.applicant.user)
    assert line is None
    assert form.errors["power_kw"] == ["充电桩请填写单台设备功率（kW）。"]


def test_one_construction_subsidy_per_station_and_year(construction, operator, station):
    submit(construction)
    second = factories.make_application(operator, "construction_subsidy")
    with pytest.raises(WorkflowError, match=f"已在申请 {construction.reference} 中办理"):
        save_detail(second, {"station": station.pk, "subsidy_year": "2026"})
    # Another year is another thing.
    obj, form = save_detail(second, {"station": station.pk, "subsidy_year": "2025"})
    assert obj is not None, form.errors
    # A withdrawn application no longer holds the station and year.
    withdraw(construction, user=operator.user)
    obj, form = save_detail(second, {"station": station.pk, "subsidy_year": "2026"})
    assert obj is not None


def test_an_invoice_claimed_in_another_application_blocks_submission(construction, operator):
    submit(construction)
    other = factories.make_station(
        operator, "另一座充电站", station_type=StationType.PUBLIC, construction=Construction.OTHER
    )
    push_equipment(other, "120", "120")
    factories.make_dossier(operator, other)
    make_healthy(other)
    second = new_construction_subsidy(operator, other)
    add_line(second, invoice_amount="200000.00", used_amount="200000.00")
    assert problems_for_submission(second) == [
        f"发票 4100231130-12345678 已在申请 {construction.reference} 中申报补贴，同一张发票不能重复申报。"
    ]
    with pytest.raises(WorkflowError):
        submit(second)


def test_the_applicant_cap_counts_earlier_claims_of_the_year(construction, operator, rules):
    rule_set = rules[2026]
    rule_set.cap_per_applicant = Decimal("100000")
    rule_set.save()
    submit(construction)
    other = factories.make_station(
        operator, "第二座充电站", station_type=StationType.PUBLIC, construction=Construction.OTHER
    )
    push_equipment(other, "120", "120")
    factories.make_dossier(operator, other)
    make_healthy(other)
    second = new_construction_subsidy(operator, other)
    add_line(second, invoice_number="33333333", invoice_amount="300000.00", used_amount="300000.00")
    # 300 000 × 20 % = 60 000, but only 100 000 − 60 000 = 40 000 is left this year.
    submit(second)
    computation = SubsidyComputation.objects.get(application=second)
    assert computation.amount == Decimal("40000.00")
    assert [c["code"] for c in computation.result["caps"] if c["bit"]] == ["per_applicant"]


def test_no_rule_for_the_year_no_submission(construction, rules):
    rules[2026].delete()
    construction = Application.objects.get(pk=construction.pk)
    assert "2026 年度补贴规则尚未发布，暂不能核算补贴金额，请在规则发布后提交。" in (
        problems_for_submission(construction)
    )
    assert summary(construction)["missing_rule"].startswith("2026 年度补贴规则尚未发布")


def test_reviewers_see_health_at_submission_and_now(construction, catalogue_reviewer):
    submit(construction)
    Station.objects.filter(pk=construction.detail.station_id).update(status_pushed_at=None)
    start_review(construction, user=catalogue_reviewer)
    data = summary(Application.objects.get(pk=construction.pk))
    assert data["health_at_submission"]["health"] == "数据正常"
    assert data["health_now"]["health"] == "互联互通数据异常"
    decide(construction, user=catalogue_reviewer, approve=True)
    assert Application.objects.get(pk=construction.pk).state == State.APPROVED

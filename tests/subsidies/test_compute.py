"""subsidies.compute: each rule with hand-computed figures, and properties of the caps."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from interconnect.models import Construction, StationType
from subsidies.compute import (
    FEN,
    Line,
    Rule,
    construction_amount,
    operation_amount,
    rule_from,
    to_fen,
)

D = Decimal
PUBLIC, BUS, PERSONAL = StationType.PUBLIC, StationType.BUS, StationType.PERSONAL
HUB, OTHER = Construction.TRANSPORT_HUB, Construction.OTHER

RULE = Rule(
    year=2026,
    ratios={(PUBLIC, HUB): D("0.30"), (PUBLIC, None): D("0.20"), (BUS, None): D("0.5")},
    eligible_equipment=("dc_pile", "ac_pile"),
    cap_per_kw=D("300"),
    cap_per_station=D("100000"),
    cap_per_applicant=D("150000"),
    rate_per_kwh=D("0.05"),
    operation_cap_per_station=D("200000"),
    operation_cap_per_applicant=D("1000000"),
)


def dc(used, quantity=2, power="120", equipment="dc_pile"):
    return Line(equipment, quantity, None if power is None else D(power), D(used), "发票")


def bit(result):
    return [cap.code for cap in result.caps if cap.bit]


def test_two_120_kw_dc_piles_at_a_transport_hub():
    # 200 000.00 × 30 % = 60 000.00; the transformer is not an eligible kind here.
    result = construction_amount(
        RULE,
        station_type=PUBLIC,
        construction=HUB,
        lines=[dc("200000.00"), dc("30000.00", 1, None, "transformer")],
    )
    assert result.ratio == D("0.30")
    assert [line["amount"] for line in result.lines] == [D("60000.00"), D("0")]
    assert result.lines[1]["eligible"] is False
    assert result.eligible_kw == D("240")
    assert result.subtotal == result.amount == D("60000.00")
    # Every cap was considered, none bit: per kW 300 × 240 = 72 000.
    assert [(c.code, c.limit, c.bit) for c in result.caps] == [
        ("per_kw", D("72000.00"), False),
        ("per_station", D("100000.00"), False),
        ("per_applicant", D("150000.00"), False),
    ]


def test_a_construction_without_its_own_ratio_takes_the_station_type_ratio():
    # 123 456.78 × 20 % = 24 691.356 → 24 691.36
    result = construction_amount(
        RULE, station_type=PUBLIC, construction=OTHER, lines=[dc("123456.78", 10)]
    )
    assert result.ratio == D("0.20")
    assert result.amount == D("24691.36")


def test_rounding_is_half_up_to_the_fen():
    # 0.05 × 50 % = 0.025 → 0.03 (half-even would give 0.02)
    result = construction_amount(RULE, station_type=BUS, construction=OTHER, lines=[dc("0.05")])
    assert result.amount == D("0.03")
    assert to_fen("2.675") == D("2.68")


def test_the_per_kw_cap_bites():
    # 50 000 × 30 % = 15 000, but 2 × 7 kW × 300 元/kW = 4 200.
    result = construction_amount(
        RULE,
        station_type=PUBLIC,
        construction=HUB,
        lines=[dc("50000.00", 2, "7", "ac_pile")],
    )
    assert result.subtotal == D("15000.00")
    assert result.amount == D("4200.00")
    assert bit(result) == ["per_kw"]


def test_station_cap_then_applicant_cap_less_earlier_claims():
    # 1 000 000 × 30 % = 300 000 ≤ 10 × 120 × 300 = 360 000; station cap 100 000;
    # the applicant has 80 000 claimed this year: 150 000 − 80 000 = 70 000 left.
    result = construction_amount(
        RULE,
        station_type=PUBLIC,
        construction=HUB,
        lines=[dc("1000000.00", 10)],
        claimed_before=D("80000.00"),
    )
    assert result.amount == D("70000.00")
    assert bit(result) == ["per_station", "per_applicant"]
    assert result.caps[1].before == D("300000.00")
    assert result.caps[2].before == D("100000.00")


def test_claims_beyond_the_applicant_cap_leave_zero_never_negative():
    result = construction_amount(
        RULE,
        station_type=PUBLIC,
        construction=HUB,
        lines=[dc("1000.00")],
        claimed_before=D("200000.00"),
    )
    assert result.amount == D("0")
    assert bit(result) == ["per_applicant"]


def test_a_station_type_without_a_ratio_gets_nothing_and_says_why():
    result = construction_amount(
        RULE, station_type=PERSONAL, construction=OTHER, lines=[dc("1000.00")]
    )
    assert result.ratio is None
    assert result.amount == D("0")
    assert "没有奖补比例" in result.notes[0]


def test_empty_caps_do_not_apply():
    rule = Rule(year=2026, ratios={(PUBLIC, None): D("1")}, eligible_equipment=("dc_pile",))
    result = construction_amount(
        rule, station_type=PUBLIC, construction=OTHER, lines=[dc("9999999.99")]
    )
    assert result.amount == D("9999999.99")
    assert result.caps == []


def test_operation_per_station_then_applicant():
    # A: 1 234.567 kWh × 0.05 = 61.72835 → 61.73; B: 5 000 000 × 0.05 = 250 000 → cap 200 000.
    stations = [("甲站", D("1234.567")), ("乙站", D("5000000"))]
    result = operation_amount(RULE, stations=stations)
    assert [line["amount"] for line in result.lines] == [D("61.73"), D("200000.00")]
    assert [line["capped"] for line in result.lines] == [False, True]
    assert result.energy_kwh == D("5001234.567")
    assert result.amount == D("200061.73")
    assert bit(result) == ["per_station"]
    # 900 000 already claimed: 100 000 left of the 1 000 000 cap.
    result = operation_amount(RULE, stations=stations, claimed_before=D("900000"))
    assert result.amount == D("100000.00")
    assert bit(result) == ["per_station", "per_applicant"]


def test_results_serialise_to_json_safe_values():
    data = construction_amount(
        RULE, station_type=PUBLIC, construction=HUB, lines=[dc("200000.00")]
    ).as_json()
    assert data["amount"] == "60000.00"
    assert data["caps"][0] == {
        "code": "per_kw",
        "label": "每千瓦上限（240 kW）",
        "limit": "72000.00",
        "before": "60000.00",
        "bit": False,
    }


def test_rule_from_snapshot_round_trip():
    data = {
        "year": 2026,
        "version": 3,
        "ratios": [{"station_type": 1, "construction": None, "ratio": "0.2"}],
        "eligible_equipment": ["dc_pile"],
        "rate_per_kwh": "0.05",
        "min_order_kwh": "1",
        "public_only": True,
        "cap_per_kw": "300",
        "cap_per_station": None,
        "cap_per_applicant": "",
        "operation_cap_per_station": None,
        "operation_cap_per_applicant": "5",
    }
    rule = rule_from(data)
    assert rule.ratio_for(1, 9) == D("0.2")
    assert rule.cap_per_kw == D("300") and rule.cap_per_station is None
    assert rule.cap_per_applicant is None
    assert rule.operation_cap_per_applicant == D("5")


# --------------------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
optional_cap = st.none() | money
ratio = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)


@st.composite
def rules(draw):
    return Rule(
        year=2026,
        ratios={(PUBLIC, None): draw(ratio), (PUBLIC, HUB): draw(ratio)},
        eligible_equipment=tuple(draw(st.sets(st.sampled_from(["dc_pile", "ac_pile", "civil"])))),
        cap_per_kw=draw(st.none() | st.decimals(min_value=0, max_value=5000, places=2)),
        cap_per_station=draw(optional_cap),
        cap_per_applicant=draw(optional_cap),
        rate_per_kwh=draw(st.decimals(min_value=0, max_value=5, places=4)),
        operation_cap_per_station=draw(optional_cap),
        operation_cap_per_applicant=draw(optional_cap),
    )


lines = st.lists(
    st.builds(
        Line,
        equipment=st.sampled_from(["dc_pile", "ac_pile", "civil", "transformer"]),
        quantity=st.integers(min_value=1, max_value=50),
        power_kw=st.none() | st.decimals(min_value=D("0.1"), max_value=1000, places=1),
        used_amount=money,
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(rule=rules(), lines=lines, claimed=money, construction=st.sampled_from([HUB, OTHER]))
def test_construction_total_never_exceeds_a_cap_nor_goes_negative(
    rule, lines, claimed, construction
):
    result = construction_amount(
        rule, station_type=PUBLIC, construction=construction, lines=lines, claimed_before=claimed
    )
    assert result.amount >= 0
    assert result.amount == result.amount.quantize(FEN)
    assert result.amount <= result.subtotal
    for cap in result.caps:
        assert result.amount <= cap.limit
    if rule.cap_per_station is not None:
        assert result.amount <= rule.cap_per_station
    if rule.cap_per_applicant is not None:
        assert result.amount <= max(rule.cap_per_applicant - claimed, 0)
    if rule.cap_per_kw is not None:
        assert result.amount <= to_fen(rule.cap_per_kw * result.eligible_kw)


@settings(max_examples=300, deadline=None)
@given(
    rule=rules(),
    energies=st.lists(st.decimals(min_value=0, max_value=10_000_000, places=3), max_size=6),
    claimed=money,
)
def test_operation_total_never_exceeds_a_cap_nor_goes_negative(rule, energies, claimed):
    stations = [(f"站{n}", energy) for n, energy in enumerate(energies)]
    result = operation_amount(rule, stations=stations, claimed_before=claimed)
    assert result.amount >= 0
    assert result.amount == result.amount.quantize(FEN)
    if rule.operation_cap_per_applicant is not None:
        assert result.amount <= max(rule.operation_cap_per_applicant - claimed, 0)
    if rule.operation_cap_per_station is not None:
        assert all(line["amount"] <= rule.operation_cap_per_station for line in result.lines)
        assert result.amount <= rule.operation_cap_per_station * max(len(stations), 1)

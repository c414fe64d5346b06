"""Subsidy amounts: Decimal end to end, rounded to the fen (ROUND_HALF_UP).

Pure functions over a rule snapshot and plain inputs, so a stored computation can be
replayed exactly (`replay`). A cap left empty in the rule does not apply.

建设补贴, in this order:
  1. each invoice line of an eligible 设备种类: 使用金额 × 奖补比例, rounded to the fen;
     a line of another kind counts 0;
  2. subtotal = sum of the line amounts;
  3. per-kW cap: 每千瓦上限 × eligible power (Σ 设备数量 × 设备功率 of eligible lines);
  4. per-station cap;
  5. per-applicant-and-year cap, less what the applicant's other 建设补贴 of the year
     (approved or in review) already claim, never below 0.
运营补贴, in this order:
  1. per station: eligible energy (kWh) × rate, rounded to the fen;
  2. per-station cap on each station's amount;
  3. total = sum over stations;
  4. per-applicant-and-year cap, less other claims of the year, never below 0.
Each cap is recorded with its limit, the amount before it and whether it bit.
"""

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0")


def to_fen(value) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@dataclass(frozen=True)
class Rule:
    """A rule set frozen into plain values (see `snapshot`)."""

    year: int
    version: int = 1
    ratios: dict = field(default_factory=dict)  # (station_type, construction|None) -> Decimal
    eligible_equipment: tuple = ()
    cap_per_kw: Decimal | None = None
    cap_per_station: Decimal | None = None
    cap_per_applicant: Decimal | None = None
    rate_per_kwh: Decimal = ZERO
    min_order_kwh: Decimal = ZERO
    public_only: bool = True
    operation_cap_per_station: Decimal | None = None
    operation_cap_per_applicant: Decimal | None = None

    def ratio_for(self, station_type: int, construction: int) -> Decimal | None:
        """The ratio of this 站点类型 and 建设场所, else of the type for every 建设场所."""
        exact = self.ratios.get((station_type, construction))
        return exact if exact is not None else self.ratios.get((station_type, None))


CAP_FIELDS = (
    "cap_per_kw",
    "cap_per_station",
    "cap_per_applicant",
    "operation_cap_per_station",
    "operation_cap_per_applicant",
)


def snapshot(rule_set) -> dict:
    """A SubsidyRuleSet as JSON-safe values: stored with every computation."""
    return {
        "year": rule_set.year,
        "version": rule_set.version,
        "title": rule_set.title,
        "is_example": rule_set.is_example,
        "ratios": [
            {
                "station_type": r.station_type,
                "construction": r.construction,
                "ratio": str(r.ratio),
                "label": r.label,
            }
            for r in rule_set.ratios.all()
        ],
        "eligible_equipment": list(rule_set.eligible_equipment or []),
        "rate_per_kwh": str(rule_set.rate_per_kwh),
        "min_order_kwh": str(rule_set.min_order_kwh),
        "public_only": rule_set.public_only,
        **{
            name: None if getattr(rule_set, name) is None else str(getattr(rule_set, name))
            for name in CAP_FIELDS
        },
    }


def rule_from(data: dict) -> Rule:
    return Rule(
        year=data["year"],
        version=data.get("version", 1),
        ratios={
            (r["station_type"], r["construction"]): Decimal(r["ratio"]) for r in data["ratios"]
        },
        eligible_equipment=tuple(data.get("eligible_equipment", ())),
        rate_per_kwh=Decimal(data.get("rate_per_kwh", "0")),
        min_order_kwh=Decimal(data.get("min_order_kwh", "0")),
        public_only=data.get("public_only", True),
        **{name: _dec(data.get(name)) for name in CAP_FIELDS},
    )


@dataclass
class Line:
    equipment: str
    quantity: int
    power_kw: Decimal | None
    used_amount: Decimal
    label: str = ""


@dataclass
class Cap:
    code: str
    label: str
    limit: Decimal
    before: Decimal
    bit: bool


@dataclass
class Result:
    amount: Decimal = ZERO
    subtotal: Decimal = ZERO
    ratio: Decimal | None = None
    eligible_kw: Decimal = ZERO
    energy_kwh: Decimal = ZERO
    lines: list = field(default_factory=list)  # [{"label", "eligible", "amount", ...}]
    caps: list = field(default_factory=list)  # [Cap]
    notes: list = field(default_factory=list)  # Chinese sentences

    @property
    def caps_bit(self) -> list:
        return [c for c in self.caps if c.bit]

    def as_json(self) -> dict:
        def plain(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        data = asdict(self)
        return plain(data)


def _apply_cap(result: Result, amount: Decimal, code: str, label: str, limit) -> Decimal:
    if limit is None:
        return amount
    limit = max(to_fen(limit), ZERO)
    bit = amount > limit
    result.caps.append(Cap(code, label, limit, amount, bit))
    return limit if bit else amount


def construction_amount(
    rule: Rule, *, station_type: int, construction: int, lines, claimed_before=ZERO
) -> Result:
    result = Result(ratio=rule.ratio_for(station_type, construction))
    ratio = result.ratio if result.ratio is not None else ZERO
    if result.ratio is None:
        result.notes.append("该站点类型和建设场所在本年度规则中没有奖补比例，补贴金额为 0。")
    subtotal, kw = ZERO, ZERO
    for line in lines:
        eligible = line.equipment in rule.eligible_equipment
        amount = to_fen(Decimal(line.used_amount) * ratio) if eligible else ZERO
        power = Decimal(line.power_kw or 0) * line.quantity if eligible else ZERO
        subtotal += amount
        kw += power
        result.lines.append(
            {
                "label": line.label,
                "equipment": line.equipment,
                "eligible": eligible,
                "used_amount": Decimal(line.used_amount),
                "power_kw": power,
                "amount": amount,
            }
        )
    result.subtotal, result.eligible_kw = subtotal, kw
    amount = subtotal
    if rule.cap_per_kw is not None:
        amount = _apply_cap(
            result, amount, "per_kw", f"每千瓦上限（{kw} kW）", rule.cap_per_kw * kw
        )
    amount = _apply_cap(result, amount, "per_station", "单站上限", rule.cap_per_station)
    if rule.cap_per_applicant is not None:
        left = max(rule.cap_per_applicant - Decimal(claimed_before), ZERO)
        amount = _apply_cap(
            result, amount, "per_applicant", f"申请人年度上限（已申请 {claimed_before} 元）", left
        )
    result.amount = max(amount, ZERO)
    return result


def operation_amount(rule: Rule, *, stations, claimed_before=ZERO) -> Result:
    """`stations`: [(label, energy_kwh)] of eligible orders per station."""
    result = Result(ratio=rule.rate_per_kwh)
    total, energy_total = ZERO, ZERO
    for label, energy in stations:
        energy = Decimal(energy)
        energy_total += energy
        amount = to_fen(energy * rule.rate_per_kwh)
        line = {"label": label, "energy_kwh": energy, "raw": amount, "capped": False}
        if rule.operation_cap_per_station is not None:
            limit = to_fen(rule.operation_cap_per_station)
            if amount > limit:
                line["capped"] = True
                result.caps.append(Cap("per_station", f"单站上限（{label}）", limit, amount, True))
                amount = limit
        line["amount"] = amount
        result.lines.append(line)
        total += amount
    if rule.operation_cap_per_station is not None and not result.caps:
        result.caps.append(
            Cap("per_station", "单站上限", to_fen(rule.operation_cap_per_station), total, False)
        )
    result.subtotal, result.energy_kwh = total, energy_total
    amount = total
    if rule.operation_cap_per_applicant is not None:
        left = max(rule.operation_cap_per_applicant - Decimal(claimed_before), ZERO)
        amount = _apply_cap(
            result, amount, "per_applicant", f"申请人年度上限（已申请 {claimed_before} 元）", left
        )
    result.amount = max(amount, ZERO)
    return result

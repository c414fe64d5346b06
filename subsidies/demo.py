"""Demo subsidy rules: ours, marked 示例, not any real policy's figures."""

from decimal import Decimal

from django.utils import timezone

from interconnect.models import Construction, StationType
from policies.models import PolicyPage

from .models import ConstructionRatio, SubsidyRuleSet

D = Decimal
RATIOS = [
    (StationType.PUBLIC, Construction.TRANSPORT_HUB, D("0.30")),
    (StationType.PUBLIC, Construction.HIGHWAY, D("0.30")),
    (StationType.PUBLIC, Construction.PARKING, D("0.25")),
    (StationType.PUBLIC, None, D("0.20")),
    (StationType.BUS, None, D("0.15")),
    (StationType.SANITATION, None, D("0.15")),
    (StationType.LOGISTICS, None, D("0.15")),
    (StationType.TAXI, None, D("0.15")),
]
VALUES = {
    "is_example": True,
    "eligible_equipment": ["dc_pile", "ac_pile", "transformer", "distribution"],
    "cap_per_kw": D("300"),
    "cap_per_station": D("500000"),
    "cap_per_applicant": D("3000000"),
    "rate_per_kwh": D("0.05"),
    "min_order_kwh": D("1"),
    "public_only": True,
    "operation_cap_per_station": D("200000"),
    "operation_cap_per_applicant": D("1000000"),
}
POLICY_NUMBER = "豫充示〔2025〕1号"  # the demo policy 充电设施建设补贴申报材料要求（示例）


def load(stdout=None, years=None) -> list[SubsidyRuleSet]:
    """Create the example rule sets once (default: 2025 up to this year); editors' later
    changes are kept."""
    years = years or range(2025, max(2025, timezone.localdate().year) + 1)
    policy = PolicyPage.objects.filter(document_number=POLICY_NUMBER).first()
    made = []
    for year in years:
        rule_set, created = SubsidyRuleSet.objects.get_or_create(
            year=year,
            defaults={
                "title": f"{year} 年度充电基础设施补贴规则",
                "policy": policy,
                **VALUES,
            },
        )
        if created:
            for order, (station_type, construction, ratio) in enumerate(RATIOS):
                ConstructionRatio.objects.create(
                    rule_set=rule_set,
                    station_type=station_type,
                    construction=construction,
                    ratio=ratio,
                    sort_order=order,
                )
        made.append(rule_set)
    if stdout is not None:
        stdout.write(f"示例补贴规则已就绪：{'、'.join(str(r.year) for r in made)} 年度。")
    return made

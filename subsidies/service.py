"""The subsidy figures of an application, from the database to `compute` and back.

`compute_for(application)` answers (rule_set, inputs, Result) or None when no rule
covers the year; `record(application)` stores it with the station's data health (called
at submission); `replay(computation)` recomputes a stored computation from its inputs
alone, which is how a figure is shown to be reproducible.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from applications.models import Application, State
from catalogue.models import ApplicationKind
from interconnect.health import OK, station_rows
from interconnect.models import ChargeOrder, Construction, StationType

from . import compute
from .models import SubsidyComputation, SubsidyKind, SubsidyRuleSet

KIND_OF = {
    ApplicationKind.CONSTRUCTION_SUBSIDY: SubsidyKind.CONSTRUCTION,
    ApplicationKind.OPERATION_SUBSIDY: SubsidyKind.OPERATION,
}
# Applications that hold their claim: everything but drafts (new or withdrawn) and
# rejected ones.
NOT_CLAIMING = (State.DRAFT, State.REJECTED)
KWH = Decimal("0.001")


def rule_for(year: int) -> SubsidyRuleSet | None:
    return (
        SubsidyRuleSet.objects.filter(year=year)
        .select_related("policy")
        .prefetch_related("ratios")
        .first()
    )


def year_of(application) -> int | None:
    detail = application.detail
    if detail is None:
        return None
    return getattr(detail, "subsidy_year", None) or getattr(detail, "year", None)


def station_health(station) -> tuple[str, list[str]]:
    """数据正常 / 互联互通数据异常 and the reasons, as 我的充电站 shows them."""
    for row in station_rows(station.owner):
        if row["station"].pk == station.pk:
            return row["health"], row["reasons"]
    return OK, []


def claimed_before(application, kind: str, year: int) -> Decimal:
    """What the applicant's other claiming applications of this kind and year hold."""
    total = (
        SubsidyComputation.objects.filter(
            application__applicant_id=application.applicant_id, kind=kind, year=year
        )
        .exclude(application=application)
        .exclude(application__state__in=NOT_CLAIMING)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or compute.ZERO


# --- 建设补贴 -----------------------------------------------------------------------


def station_facts(station) -> dict:
    return {
        "id": station.pk,
        "station_id": station.station_id,
        "name": station.name,
        "station_type": station.station_type,
        "station_type_label": StationType(station.station_type).label,
        "construction": station.construction,
        "construction_label": Construction(station.construction).label,
    }


def line_inputs(detail) -> list[dict]:
    return [
        {
            "label": f"发票 {line.invoice_number} · {line.get_equipment_display()}",
            "equipment": line.equipment,
            "quantity": line.quantity,
            "power_kw": None if line.power_kw is None else str(line.power_kw),
            "used_amount": str(line.used_amount),
        }
        for line in detail.invoice_lines.all()
    ]


def _construction(rule: compute.Rule, inputs: dict) -> compute.Result:
    lines = [
        compute.Line(
            equipment=line["equipment"],
            quantity=line["quantity"],
            power_kw=None if line["power_kw"] is None else Decimal(line["power_kw"]),
            used_amount=Decimal(line["used_amount"]),
            label=line["label"],
        )
        for line in inputs["lines"]
    ]
    station = inputs["station"]
    return compute.construction_amount(
        rule,
        station_type=station["station_type"],
        construction=station["construction"],
        lines=lines,
        claimed_before=Decimal(inputs["claimed_before"]),
    )


# --- 运营补贴 -----------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[1 January, next 1 January) in the portal's time zone."""
    tz = timezone.get_current_timezone()
    return datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def eligible_orders(applicant, year: int, rule_set: SubsidyRuleSet):
    """Orders of the applicant's stations that count: completed (ended after they
    started, with energy), started and ended within the year, at least the rule's energy
    floor, and at a public station when the rule says so."""
    start, end = year_bounds(year)
    orders = ChargeOrder.objects.filter(
        station__owner=applicant,
        started_at__gte=start,
        ended_at__lt=end,
        ended_at__gt=F("started_at"),
        energy_kwh__gt=0,
        energy_kwh__gte=rule_set.min_order_kwh,
    )
    if rule_set.public_only:
        orders = orders.filter(station__station_type=StationType.PUBLIC)
    return orders.select_related("station").order_by("started_at", "pk")


def order_digest(orders) -> str:
    """SHA-256 over every counted order's number, times, energy and money: a list whose
    digest differs from today's no longer shows the orders that count."""
    digest = hashlib.sha256()
    rows = orders.order_by("start_charge_seq").values_list(
        "start_charge_seq", "started_at", "ended_at", "energy_kwh", "amount", "station_id"
    )
    for seq, started, ended, energy, amount, station in rows.iterator():
        digest.update(
            f"{seq}|{started.isoformat()}|{ended.isoformat()}|{energy}|{amount}|{station}\n".encode()
        )
    return digest.hexdigest()


def station_energy(orders) -> list[tuple[str, str]]:
    """[(station name, eligible kWh)] in name order."""
    rows = (
        orders.order_by()
        .values("station__name")
        .annotate(energy=Sum("energy_kwh"))
        .order_by("station__name")
    )
    # SQLite sums decimals as floats: back to the field's three places on every database.
    return [(row["station__name"], str(Decimal(row["energy"]).quantize(KWH))) for row in rows]


def _operation(rule: compute.Rule, inputs: dict) -> compute.Result:
    return compute.operation_amount(
        rule,
        stations=[(name, Decimal(energy)) for name, energy in inputs["stations"]],
        claimed_before=Decimal(inputs["claimed_before"]),
    )


# --- Both ---------------------------------------------------------------------------


def compute_for(application):
    """(rule_set, inputs, result) from the live data, or None (no detail or no rule)."""
    kind = KIND_OF.get(application.kind)
    year = year_of(application)
    if kind is None or year is None:
        return None
    rule_set = rule_for(year)
    if rule_set is None:
        return None
    rule_data = compute.snapshot(rule_set)
    rule = compute.rule_from(rule_data)
    inputs = {"rule": rule_data, "claimed_before": str(claimed_before(application, kind, year))}
    if kind == SubsidyKind.CONSTRUCTION:
        detail = application.detail
        inputs["station"] = station_facts(detail.station)
        inputs["lines"] = line_inputs(detail)
        return rule_set, inputs, _construction(rule, inputs)
    orders = eligible_orders(application.applicant, year, rule_set)
    inputs["stations"] = station_energy(orders)
    inputs["order_digest"] = order_digest(orders)
    return rule_set, inputs, _operation(rule, inputs)


def replay(computation: SubsidyComputation) -> compute.Result:
    """The stored computation recomputed from its own inputs (no live data read)."""
    rule = compute.rule_from(computation.inputs["rule"])
    if computation.kind == SubsidyKind.CONSTRUCTION:
        return _construction(rule, computation.inputs)
    return _operation(rule, computation.inputs)


def record(application) -> SubsidyComputation | None:
    """Store the amount and its inputs; called when the application is submitted."""
    found = compute_for(application)
    if found is None:
        return None
    rule_set, inputs, result = found
    health, reasons = "", []
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        health, reasons = station_health(application.detail.station)
    computation, _ = SubsidyComputation.objects.update_or_create(
        application=application,
        defaults={
            "kind": KIND_OF[application.kind],
            "year": year_of(application),
            "rule_set": rule_set,
            "rule_version": rule_set.version,
            "inputs": inputs,
            "result": result.as_json(),
            "amount": result.amount,
            "health_at_submission": health,
            "health_reasons": reasons,
            "computed_at": timezone.now(),
        },
    )
    return computation


def subsidy_applications():
    return Application.objects.filter(kind__in=list(KIND_OF))

"""What subsidies registers with applications.hooks, and the summary it shows.

The summary is one JSON-safe dict used by the applicant's form, the review page, the API
and exports: the rule applied (year, version, 示例 or not, policy), the 奖补比例 in
words, every line's eligible amount, every cap with whether it bit, the total, and for
a 建设补贴 the station's data health now and at submission.
"""

from decimal import Decimal

from django.utils import timezone

from applications import hooks as app_hooks
from applications.models import State
from catalogue.models import ApplicationKind

from . import checks, service
from .models import SubsidyComputation


def install() -> None:
    for registry, fn in (
        (app_hooks.DETAIL_CHECKS, checks.detail_check),
        (app_hooks.SUBMIT_CHECKS, checks.submit_check),
        (app_hooks.ON_SUBMITTED, on_submitted),
        (app_hooks.SUMMARIES, summary),
        (app_hooks.EXPORT_COLUMNS, ("subsidy_amount", "补贴金额（元）", amounts)),
        (app_hooks.EXPORT_COLUMNS, ("subsidy_caps", "适用的补贴上限", caps_bit)),
    ):
        if fn not in registry:
            registry.append(fn)


def amounts(application_ids) -> dict:
    """The stored (submitted) amount of each application, for the reviewers' export."""
    rows = SubsidyComputation.objects.filter(application_id__in=application_ids)
    return dict(rows.values_list("application_id", "amount"))


def caps_bit(application_ids) -> dict:
    rows = SubsidyComputation.objects.filter(application_id__in=application_ids)
    return {
        app_id: "、".join(cap["label"] for cap in result.get("caps", []) if cap["bit"])
        for app_id, result in rows.values_list("application_id", "result")
    }


def on_submitted(application) -> None:
    if application.kind in service.KIND_OF:
        service.record(application)


def _percent(value) -> str:
    return f"{(Decimal(value) * 100).normalize():f}%"


def summary(application) -> dict | None:
    """The figures of a subsidy application: stored at submission, else computed now."""
    if application.kind not in service.KIND_OF or application.detail is None:
        return None
    stored = SubsidyComputation.objects.filter(application=application).first()
    data = {"title": "补贴核算", "template": "subsidies/summary.html", "kind": application.kind}
    inputs, result = _inputs_and_result(application, stored, data)
    if result is not None:
        _figures(data, inputs, result)
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        _health(data, application.detail.station, stored)
    return data


def _inputs_and_result(application, stored, data):
    if stored is not None and application.state != State.DRAFT:
        data["source"] = f"提交时核算（{timezone.localtime(stored.computed_at):%Y-%m-%d %H:%M}）"
        data["rule_version"] = stored.rule_version
        return stored.inputs, stored.result
    found = service.compute_for(application)
    if found is None:
        year = service.year_of(application)
        data["missing_rule"] = f"{year} 年度补贴规则尚未发布，暂不能核算补贴金额。"
        return None, None
    rule_set, inputs, computed = found
    data["source"] = "按当前数据试算（提交时核定）"
    data["rule_version"] = rule_set.version
    return inputs, computed.as_json()


def _figures(data, inputs, result) -> None:
    rule = inputs["rule"]
    data.update(
        {
            "rule": f"{rule['title']}{'（示例）' if rule['is_example'] else ''}",
            "year": rule["year"],
            "is_example": rule["is_example"],
            "amount": result["amount"],
            "subtotal": result["subtotal"],
            "lines": result["lines"],
            "caps": result["caps"],
            "caps_bit": [cap["label"] for cap in result["caps"] if cap["bit"]],
            "notes": result["notes"],
        }
    )
    if "station" in inputs:
        station, ratio = inputs["station"], result["ratio"]
        data["ratio"] = f"{station['station_type_label']} · {station['construction_label']}：" + (
            _percent(ratio) if ratio is not None else "无奖补比例"
        )
        data["station_facts"] = (
            f"站点类型：{station['station_type_label']}；建设场所：{station['construction_label']}"
        )
        data["ratio_hint"] = checks.WRONG_RATIO_TEXT
        data["eligible_kw"] = result["eligible_kw"]
    else:
        data["rate"] = f"{result['ratio']} 元/kWh"
        data["energy_kwh"] = result["energy_kwh"]


def _health(data, station, stored) -> None:
    """数据正常 / 互联互通数据异常 now and at submission, and what blocks the station step."""
    health, reasons = service.station_health(station)
    data["health_now"] = {"health": health, "reasons": reasons}
    if stored is not None:
        data["health_at_submission"] = {
            "health": stored.health_at_submission,
            "reasons": stored.health_reasons,
        }
    data["blocked"] = checks.gate_problems(station)

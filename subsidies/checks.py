"""What a subsidy application must meet beyond the form: registered with
applications.hooks (the station step and submission), written here once.

- the 互联互通数据异常 gate: the station's data health must be 数据正常 and its
  operator's 互联互通接入 approved (Platform active);
- one 建设补贴 per station and year, one 运营补贴 per applicant and year (drafts and
  rejected ones do not count: a withdrawn application is a draft again);
- an invoice (code + number) claimed in another application blocks submission;
- invoice lines of 充电桩 against the station's pushed equipment (count and power);
- the year's rule must exist; a 运营补贴's signed list must be tied to a list number
  whose orders are still today's.
"""

from decimal import Decimal

from applications.models import Application, ConstructionSubsidy, InvoiceLine, OperationSubsidy
from catalogue.models import ApplicantType, ApplicationKind
from interconnect.health import OK
from interconnect.models import EquipmentType, Platform

from . import service
from .orderlist import current_list_problem

GATE_TEXT = (
    "互联互通数据异常，“下一步”暂不可用。请自行联系该站点运营平台，让运营平台推送站点的"
    "状态数据和订单数据至省平台，推送后不再提示互联互通数据异常，可正常点击“下一步”"
    "（需省平台对接审核，5个工作日，高峰期顺延）。"
)
WRONG_RATIO_TEXT = (
    "若奖补比例不对，请在“我的充电站”查看该站点的站点类型和建设场所；若与实际不符，请联系"
    "该站点运营平台推送正确的站点类型和建设场所至省平台，再重新填写补贴申请。"
)
# Which pushed EquipmentType counts for an invoice line's 设备种类.
PUSHED_TYPES = {
    InvoiceLine.Equipment.DC_PILE: (EquipmentType.DC, EquipmentType.HYBRID),
    InvoiceLine.Equipment.AC_PILE: (EquipmentType.AC,),
}


def gate_problems(station) -> list[str]:
    """The station step: empty when the station's data lets the application go on."""
    operator = station.owner.kind == ApplicantType.OPERATOR
    if (
        operator
        and not Platform.objects.filter(applicant_id=station.owner_id, active=True).exists()
    ):
        return [
            f"充电站“{station.name}”所属运营商的互联互通接入尚未通过审核（或已停用），"
            "请先办理互联互通接入，由运营平台把站点数据推送至省平台。"
        ]
    health, reasons = service.station_health(station)
    if health == OK:
        return []
    return [f"{GATE_TEXT}（充电站“{station.name}”：{'；'.join(reasons)}）"]


def _claiming(queryset, application):
    return queryset.exclude(application=application).exclude(
        application__state__in=service.NOT_CLAIMING
    )


def one_per_thing(application, detail) -> list[str]:
    if isinstance(detail, ConstructionSubsidy):
        other = _claiming(
            ConstructionSubsidy.objects.filter(
                station_id=detail.station_id, subsidy_year=detail.subsidy_year
            ),
            application,
        ).select_related("application")
        found = other.first()
        if found:
            return [
                f"充电站“{detail.station.name}”的 {detail.subsidy_year} 年度建设补贴已在申请 "
                f"{found.application.reference} 中办理，同一站点每年只能申请一次（撤回或未通过的除外）。"
            ]
    if isinstance(detail, OperationSubsidy):
        found = (
            _claiming(
                OperationSubsidy.objects.filter(
                    year=detail.year, application__applicant_id=application.applicant_id
                ),
                application,
            )
            .select_related("application")
            .first()
        )
        if found:
            return [
                f"{detail.year} 年度运营补贴已在申请 {found.application.reference} 中办理，"
                "每个申请人每年只能申请一次（撤回或未通过的除外）。"
            ]
    return []


def duplicate_invoices(application, lines) -> list[str]:
    keys = {(line.invoice_code, line.invoice_number) for line in lines}
    if not keys:
        return []
    numbers = {number for _, number in keys}
    others = (
        InvoiceLine.objects.filter(invoice_number__in=numbers)
        .exclude(subsidy__application=application)
        .exclude(subsidy__application__state__in=service.NOT_CLAIMING)
        .values_list("invoice_code", "invoice_number", "subsidy__application__reference")
        .order_by("subsidy__application__reference")
    )
    problems, seen = [], set()
    for code, number, reference in others:
        if (code, number) in keys and (code, number) not in seen:
            seen.add((code, number))
            label = f"{code + '-' if code else ''}{number}"
            problems.append(
                f"发票 {label} 已在申请 {reference} 中申报补贴，同一张发票不能重复申报。"
            )
    return problems


def equipment_problems(detail, lines) -> list[str]:
    """Count and power per 设备种类 must not exceed what the operator platform pushed."""
    pushed = list(detail.station.equipment.all())
    problems = []
    for kind, types in PUSHED_TYPES.items():
        own = [line for line in lines if line.equipment == kind]
        if not own:
            continue
        label = InvoiceLine.Equipment(kind).label
        for line in own:
            if line.power_kw is None:
                problems.append(f"发票 {line.invoice_number}（{label}）请填写设备功率（kW）。")
        devices = [e for e in pushed if e.equipment_type in types]
        count = sum(line.quantity for line in own)
        power = sum((line.quantity * (line.power_kw or 0) for line in own), Decimal("0"))
        pushed_power = sum((e.power_kw for e in devices), Decimal("0"))
        hint = "请按实际填写；若运营平台推送的设备与实际不符，请联系运营平台重新推送。"
        if count > len(devices):
            problems.append(
                f"录入的{label}共 {count} 台，超过运营平台推送的 {len(devices)} 台。{hint}"
            )
        if power > pushed_power:
            problems.append(
                f"录入的{label}功率合计 {power} kW，超过运营平台推送的 {pushed_power} kW。{hint}"
            )
    return problems


def rule_problems(application) -> list[str]:
    year = service.year_of(application)
    rule_set = service.rule_for(year) if year else None
    if rule_set is None:
        return [f"{year} 年度补贴规则尚未发布，暂不能核算补贴金额，请在规则发布后提交。"]
    enabled = (
        rule_set.construction_enabled
        if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY
        else rule_set.operation_enabled
    )
    if not enabled:
        return [f"{year} 年度不发放{application.get_kind_display()[:4]}。"]
    return []


def signed_list_problems(application) -> list[str]:
    problem = current_list_problem(application)
    return [problem] if problem else []


# --- What applications.hooks calls ---------------------------------------------------


def detail_check(application, detail) -> list[str]:
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        return gate_problems(detail.station) + one_per_thing(application, detail)
    if application.kind == ApplicationKind.OPERATION_SUBSIDY:
        return one_per_thing(application, detail)
    return []


def submit_check(application: Application) -> list[str]:
    if application.kind not in service.KIND_OF or application.detail is None:
        return []
    detail = application.detail
    problems = rule_problems(application) + one_per_thing(application, detail)
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        lines = list(detail.invoice_lines.all())
        problems = gate_problems(detail.station) + problems
        problems += equipment_problems(detail, lines) + duplicate_invoices(application, lines)
    else:
        problems += signed_list_problems(application)
    return problems

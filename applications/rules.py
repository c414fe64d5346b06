"""Per-type rules an application must meet before it can be submitted.

Each check returns Chinese sentences that say what to fix; an empty list means the
application may go to review. Web forms, the HTTP API and commands all submit through
`applications.workflow.submit`, which calls `problems_for_submission` — so the rules
are written once.
"""

import difflib
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from catalogue.models import ApplicationKind, ServiceItem
from interconnect.models import ChargeOrder
from workdays.calendar import CalendarNotCovered, is_working_day

from . import hooks
from .checklist import checklist_problems
from .models import Application, OperatorRegistration, State, Station


def problems_for_submission(application: Application) -> list[str]:
    check = CHECKS.get(application.kind)
    detail_problems = check(application) if check else []
    return detail_problems + hooks.submit_problems(application) + checklist_problems(application)


def _missing_detail(application) -> list[str]:
    return [f"请先填写“{application.get_kind_display()}”的申请信息。"]


# --- 运营商注册 -------------------------------------------------------------------


def operator_registration(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    problems = []
    if detail.registered_capital < OperatorRegistration.MIN_CAPITAL_WAN:
        problems.append(
            f"注册资金为 {detail.registered_capital} 万元，运营商准入条件要求不少于 "
            f"{OperatorRegistration.MIN_CAPITAL_WAN} 万元。"
        )
    technicians = list(detail.technicians.select_related("certificate"))
    if len(technicians) < OperatorRegistration.MIN_TECHNICIANS:
        problems.append(
            f"需填写 {OperatorRegistration.MIN_TECHNICIANS} 名及以上持电工进网作业许可证的专职"
            f"运行维护人员，目前为 {len(technicians)} 名。"
        )
    for technician in technicians:
        if technician.certificate is None:
            problems.append(f"技术人员“{technician.name}”还没有上传电工进网作业许可证。")
    if not detail.platform_name:
        problems.append("请填写服务平台名称。")
    if not detail.software_copyright_number:
        problems.append("请填写计算机软件著作权登记号。")
    return problems


# --- 互联互通接入 -----------------------------------------------------------------


def registered_station_counts(applicant) -> tuple[int, int]:
    stations = Station.objects.filter(owner=applicant)
    return stations.count(), sum(stations.values_list("pile_count", flat=True))


def interconnection(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    problems = []
    stations, piles = registered_station_counts(application.applicant)
    if detail.station_count != stations or detail.pile_count != piles:
        problems.append(
            f"填写的充电站 {detail.station_count} 座、充电桩 {detail.pile_count} 个，与“我的充电站”"
            f"中的 {stations} 座、{piles} 个不一致。请核对；若站点数据与实际不符，请联系运营平台"
            "重新推送。"
        )
    return problems


# --- 建站资料 ---------------------------------------------------------------------


def find_station(applicant, name: str):
    """The applicant's station with exactly this name, or None."""
    return Station.objects.filter(owner=applicant, name=name).first()


def station_binding_problem(applicant, name: str, dossier=None) -> str:
    station = find_station(applicant, name)
    if station is not None:
        bound = getattr(station, "dossier", None)
        if bound is not None and (dossier is None or bound.pk != dossier.pk):
            return f"充电站“{name}”已绑定其他建站资料（{bound.application.reference}）。"
        return ""
    names = list(Station.objects.filter(owner=applicant).values_list("name", flat=True))
    if not names:
        return (
            "“我的充电站”中还没有站点，无法绑定。请先让运营平台通过互联互通把站点信息推送到省平台。"
        )
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = (
        f"名称相近的站点：{'、'.join(close)}。"
        if close
        else f"您的站点有：{'、'.join(names[:10])}。"
    )
    return (
        f"“我的充电站”中没有名称为“{name}”的站点，无法绑定。{hint}"
        "请把建站资料中的充电站名称改成与“我的充电站”完全一致后再提交。"
    )


def station_dossier(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    problems = []
    if detail.completed_on < detail.started_on:
        problems.append("完工时间不能早于开工时间。")
    problem = station_binding_problem(application.applicant, detail.station_name, detail)
    if problem:
        problems.append(problem)
    return problems


# --- 建设补贴申请 -----------------------------------------------------------------

TOLERANCE = Decimal("0.00")


def dossier_is_complete(station) -> bool:
    """完成建站资料录入: a bound dossier that has been submitted (or approved)."""
    dossier = getattr(station, "dossier", None)
    return dossier is not None and dossier.application.state not in (State.DRAFT,)


def invoice_problems(lines, *, applicant_name: str, subsidy_year: int, has_explanation: bool):
    """The invoice rules of the guide, on any iterable of InvoiceLine-like objects."""
    problems = []
    groups = defaultdict(list)
    for line in lines:
        groups[(line.invoice_code, line.invoice_number)].append(line)
    needs_explanation = []
    for (code, number), group in groups.items():
        label = f"发票 {code + '-' if code else ''}{number}"
        amounts = {line.invoice_amount for line in group}
        if len(amounts) > 1:
            problems.append(
                f"{label} 的各行发票金额不一致（{'、'.join(str(a) for a in sorted(amounts))}），同一张发票的发票金额应相同。"
            )
            continue
        invoice_amount = group[0].invoice_amount
        used = sum((line.used_amount for line in group), Decimal("0"))
        if abs(used - invoice_amount) > TOLERANCE:
            problems.append(
                f"{label} 的使用金额合计 {used} 元，与发票金额 {invoice_amount} 元不一致；"
                "一张发票多个设备时每个设备录一条，使用金额之和应等于发票金额。"
            )
        for line in group:
            if line.used_amount > line.invoice_amount:
                problems.append(f"{label} 的使用金额 {line.used_amount} 元超过发票金额。")
        dates = {line.issued_on for line in group}
        if any(d.year != subsidy_year for d in dates):
            needs_explanation.append(f"{label} 开票日期不在 {subsidy_year} 补贴年度内")
        buyers = {line.buyer_name.strip() for line in group}
        if any(b != applicant_name for b in buyers):
            needs_explanation.append(f"{label} 发票抬头与申请主体“{applicant_name}”不一致")
    if needs_explanation and not has_explanation:
        problems.append(
            "；".join(needs_explanation)
            + "。请上传加盖公章的发票说明（材料“发票说明（加盖公章）”）。"
        )
    return problems


def construction_subsidy(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    problems = []
    if detail.station.owner_id != application.applicant_id:
        problems.append("只能为自己的充电站申请建设补贴。")
    elif not dossier_is_complete(detail.station):
        problems.append(
            f"充电站“{detail.station.name}”还没有完成建站资料录入，请先提交建站资料并绑定站点。"
        )
    lines = list(detail.invoice_lines.all())
    if not lines:
        problems.append("请至少录入一条发票信息。")
    for line in lines:
        if line.invoice_file_id is None:
            problems.append(
                f"发票 {line.invoice_number}（{line.get_equipment_display()}）还没有上传发票文件。"
            )
    has_explanation = application.attachments.filter(
        requirement__code="invoice-explanation"
    ).exists()
    problems += invoice_problems(
        lines,
        applicant_name=application.applicant.name,
        subsidy_year=detail.subsidy_year,
        has_explanation=has_explanation,
    )
    return problems


# --- 运营补贴申请 -----------------------------------------------------------------


def orders_for_year(applicant, year: int):
    return ChargeOrder.objects.filter(
        station__owner=applicant, started_at__year=year
    ).select_related("station")


def operation_subsidy(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    if not orders_for_year(application.applicant, detail.year).exists():
        return [f"{detail.year} 年度没有符合运营补贴的订单，无法申请。"]
    return []


# --- 充电桩报装一件事 -------------------------------------------------------------


def joint_installation(application) -> list[str]:
    detail = application.detail
    if detail is None:
        return _missing_detail(application)
    problems = []
    today = timezone.localdate()
    if detail.survey_date <= today:
        problems.append("期望现场踏勘日期应晚于今天。")
    else:
        try:
            if not is_working_day(detail.survey_date):
                problems.append(
                    f"期望现场踏勘日期 {detail.survey_date:%Y-%m-%d} 是节假日或周末，请选择工作日。"
                )
        except CalendarNotCovered as exc:
            problems.append(
                f"期望现场踏勘日期所在年度{exc.year}年的工作日历尚未发布，请选择更近的日期。"
            )
    items = list(application.items.all())
    groups = {item.joint_group or item.name for item in items}
    if "用电报装" in groups:
        if not detail.power_use:
            problems.append("已选择用电报装，请选择用电业务类型。")
        if detail.capacity_kva is None:
            problems.append("已选择用电报装，请填写供电容量（kVA）。")
        # 低压居民新装 is the power item open to residents ("...-non-resident" is not).
        resident = any(item.joint_group == "用电报装" and item.for_resident for item in items)
        if resident and detail.power_use and detail.power_use != "residential":
            problems.append("低压居民新装的业务类型应为“居民生活用电”。")
        if not resident and detail.power_use == "residential":
            problems.append("企业新装请选择商业、普通工业、非工业或其他业务类型。")
    road_items = {"占用、挖掘城市道路审批", "影响交通安全占道施工审核"} & groups
    if road_items:
        for field, label in (
            ("road_type", "道路类型"),
            ("road_name", "道路名称"),
            ("occupation_reason", "临时占用、挖掘原因"),
            ("occupation_start", "占用开始日期"),
            ("occupation_end", "占用结束日期"),
        ):
            if not getattr(detail, field):
                problems.append(f"已选择“{'、'.join(sorted(road_items))}”，请填写{label}。")
        if (
            detail.occupation_start
            and detail.occupation_end
            and detail.occupation_end < detail.occupation_start
        ):
            problems.append("占用结束日期不能早于开始日期。")
    if "工程建设涉及城市绿地、树木审批" in groups:
        for field, label in (
            ("green_address", "占用绿地地址"),
            ("green_nature", "绿地性质"),
            ("green_length_m", "占用长度"),
            ("green_width_m", "占用宽度"),
        ):
            if not getattr(detail, field):
                problems.append(f"已选择绿地审批，请填写{label}。")
    if detail.delivery == "post" and not detail.postal_address:
        problems.append("送达方式为邮寄，请填写邮寄地址。")
    return problems


CHECKS = {
    ApplicationKind.OPERATOR_REGISTRATION: operator_registration,
    ApplicationKind.INTERCONNECTION: interconnection,
    ApplicationKind.STATION_DOSSIER: station_dossier,
    ApplicationKind.CONSTRUCTION_SUBSIDY: construction_subsidy,
    ApplicationKind.OPERATION_SUBSIDY: operation_subsidy,
    ApplicationKind.JOINT_INSTALLATION: joint_installation,
}


def eligible_items(applicant, kind):
    """The live service items of this kind the applicant's type may apply for."""
    items = ServiceItem.objects.filter(kind=kind, live=True).select_related("department")
    return [item for item in items if item.allows(applicant.kind)]

"""运营补贴 order lists: numbered on download, signed, uploaded back against the number.

Downloading makes an OrderList (number, digest of the eligible orders, totals, amount)
and its xlsx: title, list number, one row per order, totals, the computed amount under
the year's rule and a signature block. The signed scan is uploaded with that number;
if the orders that count changed since (new, corrected or late-pushed orders), the
upload and the submission are refused and the applicant is told to download again.
"""

import io
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from applications.materials import add_attachment, requirement_for
from applications.uploads import UploadRejected
from cms.exports import neutralise

from . import service
from .models import OrderList

SIGNED_CODE = "signed-order-list"
HEADERS = [
    "序号",
    "充电站",
    "充电订单号",
    "开始充电时间",
    "结束充电时间",
    "充电量（kWh）",
    "订单金额（元）",
]
SIGNATURE = [
    "申请单位（盖章）：________________",
    "法定代表人或负责人签字：________________",
    "日期：______年____月____日",
]
CHANGED = (
    "订单数据在您下载补贴清单（编号 {number}）之后发生了变化，请重新下载补贴清单，"
    "签字并加盖公章后重新上传。"
)


class OrderListError(Exception):
    pass


def _rule_and_orders(application):
    year = service.year_of(application)
    rule_set = service.rule_for(year) if year else None
    if rule_set is None:
        raise OrderListError(f"{year} 年度补贴规则尚未发布，暂不能生成补贴清单。")
    return year, rule_set, service.eligible_orders(application.applicant, year, rule_set)


@transaction.atomic
def issue(application) -> tuple[OrderList, object]:
    """A new numbered list of today's eligible orders: (OrderList, computation result)."""
    year, _, orders = _rule_and_orders(application)
    _, _, result = service.compute_for(application)
    totals = orders.order_by().aggregate(n=Count("pk"))
    stem = f"QD{year}-{application.reference}-"
    count = OrderList.objects.filter(number__startswith=stem).count()
    order_list = OrderList.objects.create(
        application=application,
        number=f"{stem}{count + 1:02d}",
        digest=service.order_digest(orders),
        order_count=totals["n"],
        energy_kwh=result.energy_kwh,
        amount=result.amount,
    )
    return order_list, result


def workbook_bytes(application, order_list, result) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year, rule_set, orders = _rule_and_orders(application)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度补贴清单"
    sheet.append([f"{application.applicant.name} {year}年度运营补贴订单清单"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"清单编号：{order_list.number}", "", f"申请编号：{application.reference}"])
    sheet.append(
        [f"生成时间：{timezone.localtime(order_list.created_at):%Y-%m-%d %H:%M}", "", str(rule_set)]
    )
    sheet.append(HEADERS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    energy, money = Decimal("0"), Decimal("0")
    for number, order in enumerate(orders.iterator(chunk_size=2000), start=1):
        energy += order.energy_kwh
        money += order.amount
        sheet.append(
            [
                number,
                neutralise(order.station.name),
                neutralise(order.start_charge_seq),
                timezone.localtime(order.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(order.ended_at).strftime("%Y-%m-%d %H:%M:%S"),
                order.energy_kwh,
                order.amount,
            ]
        )
    sheet.append(["合计", f"{order_list.order_count} 笔", "", "", "", energy, money])
    sheet.append([])
    sheet.append(
        [f"补贴标准：{rule_set.rate_per_kwh} 元/kWh", "", f"核定补贴金额：{result.amount} 元"]
    )
    for cap in result.caps:
        if cap.bit:
            sheet.append([f"已适用{cap.label}：{cap.limit} 元（适用前 {cap.before} 元）"])
    sheet.append([])
    for line in SIGNATURE:
        sheet.append([line])
    for letter, width in zip("ABCDEFG", (10, 30, 30, 21, 21, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def current_list_problem(application) -> str:
    """'' when the signed list is tied to a number whose orders are still today's."""
    signed = list(application.attachments.filter(requirement__code=SIGNED_CODE))
    if not signed:
        return ""  # the checklist already says the material is missing
    tied = OrderList.objects.filter(signed_file__in=signed).order_by("-created_at", "-pk")
    untied = [a.original_name for a in signed if not tied.filter(signed_file=a).exists()]
    if untied:
        return (
            f"签字盖章的清单“{'、'.join(untied)}”没有对应的清单编号：请删除后在“补贴清单”中"
            "按清单编号重新上传。"
        )
    latest = tied.first()
    _, _, orders = _rule_and_orders(application)
    if latest.digest != service.order_digest(orders):
        return CHANGED.format(number=latest.number)
    return ""


@transaction.atomic
def upload_signed(application, number: str, upload, *, user):
    """Store the signed scan of list `number` (of this application, still current)."""
    number = (number or "").strip()
    order_list = OrderList.objects.filter(application=application, number=number).first()
    if order_list is None:
        raise UploadRejected(f"清单编号“{number}”不是本申请下载的补贴清单编号，请核对。")
    _, _, orders = _rule_and_orders(application)
    if order_list.digest != service.order_digest(orders):
        raise UploadRejected(CHANGED.format(number=number))
    attachment = add_attachment(
        application, requirement_for(application, SIGNED_CODE), upload, user=user
    )
    order_list.signed_file = attachment
    order_list.save(update_fields=["signed_file"])
    return order_list

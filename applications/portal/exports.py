"""The order list of an operation-subsidy application (运营补贴订单明细) as CSV and XLSX."""

import csv
import io
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from catalogue.models import ApplicationKind
from cms.exports import neutralise

from .. import access, rules, workflow
from .helpers import current_applicant, no_store

# --- order list export (运营补贴) ----------------------------------------------------

ORDER_HEADERS = [
    "序号",
    "充电站名称",
    "订单编号",
    "开始充电时间",
    "结束充电时间",
    "充电量（kWh）",
    "订单金额（元）",
]


SIGNATURE_LINE = "申请单位（盖章）：____________    负责人签字：____________    日期：____________"


def _safe_text(value) -> str:
    """Text cells never start like a formula (CSV/Excel injection)."""
    return neutralise(str(value))


def _order_export(request, reference):
    application = access.get_visible_application(request.user, reference)
    if application.kind != ApplicationKind.OPERATION_SUBSIDY or application.detail is None:
        raise Http404("此申请没有订单明细")
    applicant = current_applicant(request)
    if applicant is None or applicant.pk != application.applicant_id:
        workflow.record_view(application, request.user, "exported", note="订单明细")
    year = application.detail.year
    orders = rules.orders_for_year(application.applicant, year).order_by("started_at", "pk")
    title = f"{application.applicant.name} {year}年度运营补贴订单明细（申请编号 {application.reference}）"
    return application, year, orders, title


def _order_rows(orders):
    energy, amount = Decimal("0"), Decimal("0")
    for number, order in enumerate(orders, start=1):
        energy += order.energy_kwh
        amount += order.amount
        yield [
            number,
            _safe_text(order.station.name),
            _safe_text(order.start_charge_seq),
            timezone.localtime(order.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            timezone.localtime(order.ended_at).strftime("%Y-%m-%d %H:%M:%S"),
            order.energy_kwh,
            order.amount,
        ]
    yield ["合计", "", "", "", "", energy, amount]


def _export_filename(application, year, ext):
    return f"{year}年度运营补贴订单明细-{application.reference}.{ext}"


@login_required
def orders_csv(request, reference):
    application, year, orders, title = _order_export(request, reference)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title])
    writer.writerow(ORDER_HEADERS)
    for row in _order_rows(orders):
        writer.writerow(row)
    writer.writerow([])
    writer.writerow([SIGNATURE_LINE])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _export_filename(application, year, "csv")
    )
    return no_store(response)


@login_required
def orders_xlsx(request, reference):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    application, year, orders, title = _order_export(request, reference)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年度订单明细"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(ORDER_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in _order_rows(orders):
        sheet.append(row)
    last = sheet.max_row
    for cells in sheet.iter_rows(min_row=3, max_row=last, min_col=6, max_col=7):
        cells[0].number_format = "0.000"
        cells[1].number_format = "0.00"
    sheet.cell(row=last, column=1).font = Font(bold=True)
    sheet.append([])
    sheet.append([SIGNATURE_LINE])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=7)
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(horizontal="left")
    for letter, width in zip("ABCDEFG", (8, 30, 26, 21, 21, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _export_filename(application, year, "xlsx")
    )
    return no_store(response)

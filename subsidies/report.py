"""The finance office's report: approved and pending subsidy amounts by year, city,
subsidy type and operator, in the admin and as xlsx.

One grouped query over the stored computations (SubsidyComputation.amount, fixed at
submission from the recorded inputs); the city is the application's region's city.
Pending = submitted, in review, awaiting supplement or resubmitted.
"""

import io
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header

from applications.models import State
from catalogue.reviewers import is_reviewer
from cms.exports import neutralise
from regions.models import Region

from .models import SubsidyComputation, SubsidyKind

PENDING = (State.SUBMITTED, State.UNDER_REVIEW, State.NEEDS_SUPPLEMENT, State.RESUBMITTED)
HEADERS = [
    "补贴年度",
    "城市",
    "补贴类型",
    "运营商",
    "已通过（笔）",
    "已通过金额（元）",
    "审核中（笔）",
    "审核中金额（元）",
]
ZERO = Decimal("0.00")


def _money(condition):
    return Coalesce(
        Sum("amount", filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def report_rows(year: int | None = None) -> tuple[list[dict], dict]:
    """([row per year × city × type × operator], totals)."""
    approved = Q(application__state=State.APPROVED)
    pending = Q(application__state__in=PENDING)
    queryset = SubsidyComputation.objects.filter(approved | pending)
    if year:
        queryset = queryset.filter(year=year)
    grouped = (
        queryset.values(
            "year",
            "kind",
            "application__applicant__name",
            "application__region__level",
            "application__region__name",
            "application__region__parent__name",
        )
        .annotate(
            approved=_money(approved),
            approved_n=Sum(Value(1), filter=approved),
            pending=_money(pending),
            pending_n=Sum(Value(1), filter=pending),
        )
        .order_by()
    )
    merged = defaultdict(
        lambda: {"approved": ZERO, "pending": ZERO, "approved_n": 0, "pending_n": 0}
    )
    kinds = dict(SubsidyKind.choices)
    for row in grouped:
        county = row["application__region__level"] == Region.Level.COUNTY
        city = (
            row["application__region__parent__name"] if county else row["application__region__name"]
        )
        key = (row["year"], city or "—", kinds[row["kind"]], row["application__applicant__name"])
        target = merged[key]
        for name in ("approved", "pending", "approved_n", "pending_n"):
            target[name] += row[name] or 0
    rows = [
        {"year": k[0], "city": k[1], "kind": k[2], "operator": k[3], **v}
        for k, v in sorted(merged.items(), key=lambda item: (-item[0][0], *item[0][1:]))
    ]
    totals = {
        name: sum((r[name] for r in rows), ZERO if "_n" not in name else 0)
        for name in ("approved", "pending", "approved_n", "pending_n")
    }
    return rows, totals


def _allowed(user) -> bool:
    """Reviewers (department members) and superusers: the same people who review."""
    return is_reviewer(user)


def _year(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else None


def report_view(request):
    if not _allowed(request.user):
        raise PermissionDenied
    year = _year(request)
    rows, totals = report_rows(year)
    years = SubsidyComputation.objects.order_by("-year").values_list("year", flat=True).distinct()
    return TemplateResponse(
        request,
        "subsidies/report.html",
        {
            "page_title": "补贴资金统计",
            "header_title": "补贴资金统计",
            "header_icon": "table",
            "rows": rows,
            "totals": totals,
            "year": year,
            "years": list(years),
            "headers": HEADERS,
        },
    )


def workbook(rows, totals) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "补贴资金统计"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(
            [
                r["year"],
                neutralise(r["city"]),
                r["kind"],
                neutralise(r["operator"]),
                r["approved_n"],
                r["approved"],
                r["pending_n"],
                r["pending"],
            ]
        )
    sheet.append(
        [
            "合计",
            "",
            "",
            "",
            totals["approved_n"],
            totals["approved"],
            totals["pending_n"],
            totals["pending"],
        ]
    )
    for cells in sheet.iter_rows(min_row=2, min_col=6, max_col=8):
        cells[0].number_format = cells[2].number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_xlsx(request):
    if not _allowed(request.user):
        raise PermissionDenied
    year = _year(request)
    rows, totals = report_rows(year)
    response = HttpResponse(
        workbook(rows, totals),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"补贴资金统计{'-' + str(year) if year else ''}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response

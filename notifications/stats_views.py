"""统计分析 in the Wagtail admin: charts with their tables, and the same tables as xlsx."""

import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from . import stats
from .admin_views import _render, _require, is_manager
from .charts import chart_for

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text cells never start like a formula (spreadsheet formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _today(request) -> datetime.date:
    """The reference day (``?date=YYYY-MM-DD`` for a past view), default today."""
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def statistics(request):
    _require(is_manager(request.user))
    today = _today(request)
    data = stats.summary(today)
    if request.GET.get("format") == "xlsx":
        return _xlsx(data, today)
    charts = [(table, chart_for(table)) for table in data["tables"]]
    return _render(
        request,
        "notifications/admin/statistics.html",
        "统计分析",
        {**data, "charts": charts},
        icon="table",
    )


def _xlsx(data, today) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in [*data["tables"], data["overdue"]]:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.append([safe_cell(h) for h in table.headers])
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-{today:%Y%m%d}.xlsx"; '
        f"filename*=UTF-8''%E7%BB%9F%E8%AE%A1%E5%88%86%E6%9E%90-{today:%Y%m%d}.xlsx"
    )
    return response

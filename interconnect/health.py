"""The data-health line of a station: 数据正常 / 互联互通数据异常 with the reasons.

Used by 我的充电站, the API and (later) the subsidy pages.
"""

import datetime
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from .models import ChargeOrder, Reconciliation, Station

OK = "数据正常"
BROKEN = "互联互通数据异常"
QUIET_DAYS = 30


def station_rows(owner) -> list[dict]:
    """Every station of `owner` with equipment, connectors, orders per year and health."""
    stations = list(
        Station.objects.filter(owner=owner)
        .select_related("region", "dossier__application")
        .prefetch_related("equipment__connectors")
    )
    ids = [s.pk for s in stations]
    per_year = defaultdict(dict)
    rows = (
        ChargeOrder.objects.filter(station_id__in=ids)
        .annotate(year=ExtractYear("started_at"))
        .values("station_id", "year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    for row in rows:
        per_year[row["station_id"]][str(row["year"])] = row["n"]
    since = timezone.now() - datetime.timedelta(days=QUIET_DAYS)
    recent = set(
        ChargeOrder.objects.filter(station_id__in=ids, started_at__gte=since).values_list(
            "station_id", flat=True
        )
    )
    check = Reconciliation.objects.filter(platform__applicant=owner).first()
    disputed = check is not None and not check.consistent
    result = []
    for station in stations:
        reasons = []
        if station.status_pushed_at is None:
            reasons.append("尚未收到充电接口状态数据")
        if station.pk not in recent:
            reasons.append(f"最近 {QUIET_DAYS} 天没有订单数据")
        if disputed:
            reasons.append(f"订单对账不一致（对账流水号 {check.check_order_seq}）")
        result.append(
            {
                "station": station,
                "orders_by_year": per_year.get(station.pk, {}),
                "health": BROKEN if reasons else OK,
                "reasons": reasons,
            }
        )
    return result

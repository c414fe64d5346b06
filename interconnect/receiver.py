"""What each receiving interface does with a validated payload (inside one transaction).

Each handler takes the caller's Platform and the decoded JSON, and returns the answer
payload; a PayloadError (Ret 4004, Chinese reason) rolls everything back.
"""

from decimal import Decimal

from django.utils import timezone

from regions.models import Region

from . import credentials, hotpath, payloads
from .models import (
    ChargeOrder,
    Connector,
    Equipment,
    Reconciliation,
    Station,
)
from .payloads import PayloadError

CENT = Decimal("0.01")


def query_token(platform, data):
    body = payloads.parse(payloads.QueryToken, data)
    answer = {
        "OperatorID": platform.operator_id,
        "SuccStat": 1,
        "AccessToken": "",
        "TokenAvailableTime": 0,
        "FailReason": 0,
    }
    if body.OperatorID != platform.operator_id:
        return {**answer, "FailReason": 1}  # 无此运营商
    if not credentials.hmac_equal(body.OperatorSecret, platform.secrets()["operator_secret"]):
        return {**answer, "FailReason": 2}  # 密钥错误
    token, ttl = credentials.issue_token(platform)
    return {**answer, "SuccStat": 0, "AccessToken": token, "TokenAvailableTime": ttl}


# --- part 2: stations ---------------------------------------------------------------


def notification_station_info(platform, data):
    push = payloads.parse(payloads.StationInfoPush, data)
    if not push.stations:
        raise PayloadError("StationInfos 不能为空。")
    for info in push.stations:
        _save_station(platform, info)
    return {"Status": 0}


def _save_station(platform, info):
    owner = platform.applicant_id
    if info.OperatorID != platform.operator_id:
        raise PayloadError(
            f"充电站 {info.StationID} 的 OperatorID（{info.OperatorID}）不是调用方"
            f"（{platform.operator_id}），不能推送其他运营商的站点。"
        )
    region = Region.objects.filter(code=info.AreaCode).first()
    if region is None:
        raise PayloadError(
            f"充电站 {info.StationID} 的 AreaCode {info.AreaCode} 不是有效的行政区划代码。"
        )
    clash = Station.objects.filter(owner_id=owner, name=info.StationName).exclude(
        station_id=info.StationID
    )
    if clash.exists():
        raise PayloadError(f"站点名称“{info.StationName}”已被本运营商的另一个 StationID 使用。")
    station, _ = Station.objects.update_or_create(
        owner_id=owner,
        station_id=info.StationID,
        defaults={
            "operator_id": info.OperatorID,
            "equipment_owner_id": info.EquipmentOwnerID,
            "name": info.StationName,
            "address": info.Address,
            "area_code": info.AreaCode,
            "region": region,
            "station_type": info.StationType,
            "construction": info.Construction,
            "station_status": info.StationStatus,
            "lng": info.StationLng,
            "lat": info.StationLat,
            "park_nums": info.ParkNums,
            "service_tel": info.ServiceTel,
            "electricity_fee": info.ElectricityFee,
            "service_fee": info.ServiceFee,
            "pile_count": len(info.EquipmentInfos),
            "pushed_at": timezone.now(),
        },
    )
    _save_equipment(station, info.EquipmentInfos)


def _save_equipment(station, infos):
    ids = [e.EquipmentID for e in infos]
    if len(set(ids)) != len(ids):
        raise PayloadError(f"充电站 {station.station_id} 的 EquipmentID 有重复。")
    station.equipment.exclude(equipment_id__in=ids).delete()
    for info in infos:
        equipment, _ = Equipment.objects.update_or_create(
            station=station,
            equipment_id=info.EquipmentID,
            defaults={
                "equipment_type": info.EquipmentType,
                "power_kw": info.Power,
                "manufacturer_id": info.ManufacturerID,
                "manufacturer_name": info.ManufacturerName,
                "model": info.EquipmentModel,
                "production_date": info.ProductionDate,
                "name": info.EquipmentName,
            },
        )
        connector_ids = [c.ConnectorID for c in info.ConnectorInfos]
        if len(set(connector_ids)) != len(connector_ids):
            raise PayloadError(f"设备 {info.EquipmentID} 的 ConnectorID 有重复。")
        taken = Connector.objects.filter(
            connector_id__in=connector_ids, equipment__station__owner_id=station.owner_id
        ).exclude(equipment=equipment)
        if taken.exists():
            raise PayloadError(f"充电接口 {taken.first().connector_id} 已属于本运营商的其他设备。")
        equipment.connectors.exclude(connector_id__in=connector_ids).delete()
        for c in info.ConnectorInfos:
            Connector.objects.update_or_create(
                equipment=equipment,
                connector_id=c.ConnectorID,
                defaults={
                    "name": c.ConnectorName,
                    "connector_type": c.ConnectorType,
                    "power_kw": c.Power,
                    "voltage_upper": c.VoltageUpperLimits,
                    "voltage_lower": c.VoltageLowerLimits,
                    "current": c.Current,
                    "national_standard": c.NationalStandard,
                },
            )


def notification_station_status(platform, data):
    push = payloads.parse(payloads.StatusPush, data)
    if not push.statuses:
        raise PayloadError("ConnectorStatusInfos 不能为空。")
    wanted = {s.ConnectorID: s.Status for s in push.statuses}
    found = hotpath.connectors(platform.applicant_id, list(wanted))
    _refuse_unknown(wanted, found)
    hotpath.set_statuses(found, wanted, timezone.now())
    return {"Status": 0}


def _refuse_unknown(wanted, found) -> None:
    unknown = [cid for cid in wanted if cid not in found]
    if unknown:
        raise PayloadError(f"未知的充电接口 {'、'.join(unknown[:5])}：请先推送站点信息。")


def station_status_in_one(platform, data, request_env, ok_msg):
    """PostgreSQL: notification_station_status with the replay guard and the audit row
    in one statement (hotpath.status_in_one). Returns GENERAL when the payload is not
    well formed, so that the general path answers it with the same precedence of
    checks (a replay before a bad payload); raises hotpath.Replay for a replay."""
    try:
        push = payloads.parse(payloads.StatusPush, data)
    except PayloadError:
        return GENERAL
    if not push.statuses:
        return GENERAL
    wanted = {s.ConnectorID: s.Status for s in push.statuses}
    outcome = hotpath.status_in_one(
        platform, request_env, wanted, "notification_stationStatus", ok_msg, timezone.now()
    )
    if outcome.replay:
        raise hotpath.Replay
    _refuse_unknown(wanted, outcome.found)
    return {"Status": 0}


GENERAL = object()  # "answer this message through the general path"


# --- part 3: orders -----------------------------------------------------------------


def notification_charge_order_info(platform, data):
    order = payloads.parse(payloads.ChargeOrderInfo, data)
    answer = {
        "StartChargeSeq": order.StartChargeSeq,
        "ConnectorID": order.ConnectorID,
        "ConfirmResult": 0,
    }
    if not order.StartChargeSeq.startswith(platform.operator_id):
        raise PayloadError(
            "StartChargeSeq 应以调用方的 OperatorID 开头（9 位 OperatorID + 流水号）。"
        )
    if ChargeOrder.objects.filter(start_charge_seq=order.StartChargeSeq).exists():
        return answer  # a re-sent order: already confirmed, nothing changes
    connector = hotpath.connectors(platform.applicant_id, [order.ConnectorID]).get(
        order.ConnectorID
    )
    if connector is None:
        raise PayloadError(f"未知的充电接口 {order.ConnectorID}：请先推送站点信息。")
    ChargeOrder.objects.create(
        station_id=connector.station_pk,
        start_charge_seq=order.StartChargeSeq,
        connector_id=order.ConnectorID,
        started_at=order.StartTime,
        ended_at=order.EndTime,
        energy_kwh=order.TotalPower.quantize(Decimal("0.001")),
        elec_money=order.TotalElecMoney.quantize(CENT),
        service_money=order.TotalServiceMoney.quantize(CENT),
        amount=order.TotalMoney.quantize(CENT),
        stop_reason=order.StopReason,
        details=[_detail(d) for d in order.ChargeDetails],
    )
    return answer


def _detail(d) -> dict:
    return {
        "DetailStartTime": d.DetailStartTime.strftime("%Y-%m-%d %H:%M:%S"),
        "DetailEndTime": d.DetailEndTime.strftime("%Y-%m-%d %H:%M:%S"),
        "ElecPrice": str(d.ElecPrice),
        "ServicePrice": str(d.ServicePrice),
        "DetailPower": str(d.DetailPower),
        "DetailElecMoney": str(d.DetailElecMoney),
        "DetailServiceMoney": str(d.DetailServiceMoney),
    }


def check_charge_orders(platform, data):
    check = payloads.parse(payloads.CheckOrders, data)
    if check.EndTime < check.StartTime:
        raise PayloadError("EndTime 早于 StartTime。")
    ours = {
        o.start_charge_seq: o
        for o in ChargeOrder.objects.filter(
            station__owner_id=platform.applicant_id,
            started_at__gte=check.StartTime,
            started_at__lte=check.EndTime,
        )
    }
    claimed = {c.StartChargeSeq: c for c in check.ChargeOrders}
    disputes, missing_here, mismatched = [], [], []
    for seq, c in claimed.items():
        mine = ours.get(seq)
        if mine is None:
            missing_here.append(seq)
            disputes.append(_dispute(seq, c.TotalPower, c.TotalMoney, 1))
        elif mine.amount != c.TotalMoney.quantize(CENT):
            mismatched.append(seq)
            disputes.append(_dispute(seq, mine.energy_kwh, mine.amount, 2))
        elif mine.energy_kwh != c.TotalPower.quantize(Decimal("0.001")):
            mismatched.append(seq)
            disputes.append(_dispute(seq, mine.energy_kwh, mine.amount, 3))
    missing_there = sorted(set(ours) - set(claimed))
    for seq in missing_there:
        disputes.append(_dispute(seq, ours[seq].energy_kwh, ours[seq].amount, 1))
    Reconciliation.objects.create(
        platform=platform,
        check_order_seq=check.CheckOrderSeq,
        start_time=check.StartTime,
        end_time=check.EndTime,
        claimed_count=check.OrderCount,
        missing_here=missing_here,
        missing_there=missing_there,
        mismatched=mismatched,
    )
    return {
        "CheckOrderSeq": check.CheckOrderSeq,
        "StartTime": check.StartTime.strftime("%Y-%m-%d %H:%M:%S"),
        "EndTime": check.EndTime.strftime("%Y-%m-%d %H:%M:%S"),
        "TotalDisputeOrder": len(disputes),
        "TotalDisputePower": float(sum((d["_power"] for d in disputes), Decimal("0"))),
        "TotalDisputeMoney": float(sum((d["_money"] for d in disputes), Decimal("0"))),
        "DisputeOrders": [{k: v for k, v in d.items() if not k.startswith("_")} for d in disputes],
    }


def _dispute(seq, power, money, reason) -> dict:
    return {
        "StartChargeSeq": seq,
        "TotalPower": float(power),
        "TotalMoney": float(money),
        "DisputeReason": reason,  # 1 交易不存在, 2 金额不一致, 3 电量不一致
        "_power": Decimal(power),
        "_money": Decimal(money),
    }


# --- 联调: the operator's own stations back -------------------------------------------


def query_stations_info(platform, data):
    query = payloads.parse(payloads.QueryStations, data)
    stations = Station.objects.filter(owner_id=platform.applicant_id).order_by("station_id")
    total = stations.count()
    page_count = max(1, -(-total // query.PageSize))
    start = (query.PageNo - 1) * query.PageSize
    page = stations.prefetch_related("equipment__connectors")[start : start + query.PageSize]
    return {
        "PageNo": query.PageNo,
        "PageCount": page_count,
        "ItemSize": total,
        "StationInfos": [station_info(s) for s in page],
    }


def station_info(station) -> dict:
    return {
        "StationID": station.station_id,
        "OperatorID": station.operator_id,
        "EquipmentOwnerID": station.equipment_owner_id,
        "StationName": station.name,
        "CountryCode": "CN",
        "AreaCode": station.area_code,
        "Address": station.address,
        "ServiceTel": station.service_tel,
        "StationType": station.station_type,
        "StationStatus": station.station_status,
        "ParkNums": station.park_nums,
        "StationLng": float(station.lng) if station.lng is not None else None,
        "StationLat": float(station.lat) if station.lat is not None else None,
        "Construction": station.construction,
        "ElectricityFee": station.electricity_fee,
        "ServiceFee": station.service_fee,
        "EquipmentInfos": [
            {
                "EquipmentID": e.equipment_id,
                "EquipmentType": e.equipment_type,
                "Power": float(e.power_kw),
                "ConnectorInfos": [
                    {
                        "ConnectorID": c.connector_id,
                        "ConnectorType": c.connector_type,
                        "Power": float(c.power_kw),
                        "NationalStandard": c.national_standard,
                    }
                    for c in e.connectors.all()
                ],
            }
            for e in station.equipment.all()
        ],
    }


HANDLERS = {
    "query_token": query_token,
    "notification_stationInfo": notification_station_info,
    "notification_stationStatus": notification_station_status,
    "notification_charge_order_info": notification_charge_order_info,
    "check_charge_orders": check_charge_orders,
    "query_stations_info": query_stations_info,
}

# Interfaces with a one-statement form on PostgreSQL (views use it when available).
ONE_STATEMENT = {"notification_stationStatus": station_status_in_one}

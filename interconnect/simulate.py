"""Generated operator-platform data pushed through the real interface (demo, tests, bench)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .client import HttpTransport, InProcessTransport, OperatorClient, shanghai_text
from .models import Platform

NAMES = ["羊山", "湖东", "平桥", "南湾", "五星", "金牛山", "新华", "工区", "茶韵", "百花"]


def client_for(platform: Platform, url: str = "") -> OperatorClient:
    transport = HttpTransport(url) if url else InProcessTransport()
    return OperatorClient(platform.operator_id, platform.secrets(), transport)


def station_info(platform, n: int, area_code: str, name: str = "") -> dict:
    sid = f"S{n:04d}"
    equipment = []
    for e in range(2):
        dc = e == 0
        equipment.append(
            {
                "EquipmentID": f"{sid}E{e + 1}",
                "ManufacturerName": "许继电气",
                "EquipmentModel": "EVC-120" if dc else "EVA-7",
                "ProductionDate": "2025-06-01",
                "EquipmentType": 1 if dc else 2,
                "Power": 120.0 if dc else 7.0,
                "ConnectorInfos": [
                    {
                        "ConnectorID": f"{sid}E{e + 1}C1",
                        "ConnectorType": 4 if dc else 3,
                        "VoltageUpperLimits": 750 if dc else 220,
                        "VoltageLowerLimits": 200 if dc else 220,
                        "Current": 250 if dc else 32,
                        "Power": 120.0 if dc else 7.0,
                        "NationalStandard": 2,
                    }
                ],
            }
        )
    return {
        "StationID": sid,
        "OperatorID": platform.operator_id,
        "EquipmentOwnerID": platform.operator_id,
        "StationName": name or f"{NAMES[n % len(NAMES)]}充电站{n:03d}",
        "CountryCode": "CN",
        "AreaCode": area_code,
        "Address": f"演示路 {n} 号",
        "ServiceTel": "0376-12345678",
        "StationType": 1,
        "StationStatus": 50,
        "ParkNums": 4,
        "StationLng": 114.091234,
        "StationLat": 32.123456,
        "Construction": 9,
        "ElectricityFee": "0.65元/度",
        "ServiceFee": "0.55元/度",
        "EquipmentInfos": equipment,
    }


def connector_ids(info: dict) -> list[str]:
    return [c["ConnectorID"] for e in info["EquipmentInfos"] for c in e["ConnectorInfos"]]


def order(platform, connector_id: str, number: int, started: datetime.datetime) -> dict:
    power = Decimal("18.500") + number % 20
    elec = (power * Decimal("0.65")).quantize(Decimal("0.01"))
    service = (power * Decimal("0.55")).quantize(Decimal("0.01"))
    ended = started + datetime.timedelta(minutes=45)
    return {
        "StartChargeSeq": f"{platform.operator_id}{started.year}{number:014d}",
        "ConnectorID": connector_id,
        "StartTime": shanghai_text(started),
        "EndTime": shanghai_text(ended),
        "TotalPower": float(power),
        "TotalElecMoney": float(elec),
        "TotalSeviceMoney": float(service),
        "TotalMoney": float(elec + service),
        "StopReason": 0,
        "SumPeriod": 1,
        "ChargeDetails": [
            {
                "DetailStartTime": shanghai_text(started),
                "DetailEndTime": shanghai_text(ended),
                "ElecPrice": 0.65,
                "SevicePrice": 0.55,
                "DetailPower": float(power),
                "DetailElecMoney": float(elec),
                "DetailSeviceMoney": float(service),
            }
        ],
    }


def run(platform, *, stations: int, orders: int, url: str = "", names=(), area_code=""):
    """Push `stations` stations, every connector's status, and `orders` orders this year.
    Returns (stations pushed, orders pushed, failures as 'interface Ret Msg')."""
    client = client_for(platform, url)
    region = platform.applicant.region
    area = area_code or (region.code if region else "411502")
    failures, infos = [], []
    for n in range(1, stations + 1):
        name = names[n - 1] if n - 1 < len(names) else ""
        info = station_info(platform, n, area, name)
        infos.append(info)
        _expect(client.call("notification_stationInfo", {"StationInfo": info}), failures, "站点")
    statuses = [{"ConnectorID": cid, "Status": 1} for info in infos for cid in connector_ids(info)]
    if statuses:
        _expect(
            client.call("notification_stationStatus", {"ConnectorStatusInfos": statuses}),
            failures,
            "状态",
        )
    now = timezone.localtime()
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    connectors = [cid for info in infos for cid in connector_ids(info)]
    for n in range(orders if connectors else 0):
        started = max(year_start, now - datetime.timedelta(days=(n * 7) % 300, hours=2 + n))
        payload = order(platform, connectors[n % len(connectors)], n + 1, started)
        _expect(client.call("notification_charge_order_info", payload), failures, "订单")
    return len(infos), orders if connectors else 0, failures


def _expect(result, failures, what):
    ret, msg, _ = result
    if ret != 0:
        failures.append(f"{what}：Ret {ret} {msg}")

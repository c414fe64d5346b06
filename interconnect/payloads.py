"""Typed payloads of the receiving interfaces (T/CEC 102 parts 2 and 3).

Enumerations follow the published schemas (StationType, StationStatus, Construction,
EquipmentType, ConnectorType, connector Status). Fields spelled two ways in the wild
(`TotalSeviceMoney`/`TotalServiceMoney`, `SevicePrice`/`ServicePrice`,
`DetailSeviceMoney`/`DetailServiceMoney`, `ElecMoney`/`ElectMoney`) accept both.
`StationInfo`/`ConnectorStatusInfo` come as one object or as the plural arrays.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .models import (
    ConnectorStatus,
    ConnectorType,
    Construction,
    EquipmentType,
    StationStatus,
    StationType,
)


class PayloadError(ValueError):
    """A payload of the wrong shape; `reason` is Chinese for the caller (Ret 4004)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _enum(choices):
    allowed = set(choices.values)

    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"取值 {value} 不在标准枚举 {sorted(allowed)} 中")
        return value

    return check


def _time(value: str) -> datetime.datetime:
    try:
        naive = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise ValueError("时间格式应为 yyyy-MM-dd HH:mm:ss") from exc
    return timezone.make_aware(naive, timezone.get_fixed_timezone(480))


def both(*names):
    return Field(validation_alias=AliasChoices(*names))


Time = Annotated[str, AfterValidator(_time)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14)]
Power = Annotated[Decimal, Field(ge=0, max_digits=10)]
Text = Annotated[str, Field(max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ConnectorInfo(Strict):
    ConnectorID: Annotated[str, Field(min_length=1, max_length=50)]
    ConnectorName: Annotated[str, Field(max_length=30)] = ""
    ConnectorType: Annotated[int, AfterValidator(_enum(ConnectorType))]
    VoltageUpperLimits: Annotated[int, Field(ge=0)] = 0
    VoltageLowerLimits: Annotated[int, Field(ge=0)] = 0
    Current: Annotated[int, Field(ge=0)] = 0
    Power: Power
    NationalStandard: Annotated[int, Field(ge=1, le=2)] = 2


class EquipmentInfo(Strict):
    EquipmentID: Annotated[str, Field(min_length=1, max_length=50)]
    ManufacturerID: Annotated[str, Field(max_length=9)] = ""
    ManufacturerName: Annotated[str, Field(max_length=30)] = ""
    EquipmentModel: Annotated[str, Field(max_length=20)] = ""
    ProductionDate: Annotated[str, Field(max_length=30)] = ""
    EquipmentType: Annotated[int, AfterValidator(_enum(EquipmentType))]
    ConnectorInfos: Annotated[list[ConnectorInfo], Field(min_length=1)]
    Power: Power
    EquipmentName: Annotated[str, Field(max_length=30)] = ""


class StationInfo(Strict):
    StationID: Annotated[str, Field(min_length=1, max_length=20)]
    OperatorID: Annotated[str, Field(min_length=9, max_length=9)]
    EquipmentOwnerID: Annotated[str, Field(max_length=9)] = ""
    StationName: Annotated[str, Field(min_length=1, max_length=200)]
    AreaCode: Annotated[str, Field(pattern=r"^\d{6}$")]
    Address: Annotated[str, Field(max_length=300)]
    ServiceTel: Annotated[str, Field(max_length=30)] = ""
    StationType: Annotated[int, AfterValidator(_enum(StationType))]
    StationStatus: Annotated[int, AfterValidator(_enum(StationStatus))]
    ParkNums: Annotated[int, Field(ge=0)] = 0
    StationLng: Annotated[Decimal, Field(ge=-180, le=180)] | None = None
    StationLat: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    Construction: Annotated[int, AfterValidator(_enum(Construction))]
    ElectricityFee: Annotated[str, Field(max_length=2000)] = ""
    ServiceFee: Annotated[str, Field(max_length=2000)] = ""
    EquipmentInfos: list[EquipmentInfo] = []


class StationInfoPush(Strict):
    stations: list[StationInfo]

    @model_validator(mode="before")
    @classmethod
    def one_or_many(cls, data):
        return {"stations": _one_or_many(data, "StationInfo", "StationInfos")}


class ConnectorStatusInfo(Strict):
    ConnectorID: Annotated[str, Field(min_length=1, max_length=50)]
    Status: Annotated[int, AfterValidator(_enum(ConnectorStatus))]
    ParkStatus: int | None = None
    LockStatus: int | None = None


class StatusPush(Strict):
    statuses: list[ConnectorStatusInfo]

    @model_validator(mode="before")
    @classmethod
    def one_or_many(cls, data):
        return {"statuses": _one_or_many(data, "ConnectorStatusInfo", "ConnectorStatusInfos")}


class ChargeDetail(Strict):
    DetailStartTime: Time
    DetailEndTime: Time
    ElecPrice: Money = Decimal("0")
    ServicePrice: Money = both("SevicePrice", "ServicePrice")
    DetailPower: Power
    DetailElecMoney: Money = both("DetailElecMoney", "DetailElectMoney")
    DetailServiceMoney: Money = both("DetailSeviceMoney", "DetailServiceMoney")


class ChargeOrderInfo(Strict):
    StartChargeSeq: Annotated[str, Field(min_length=9, max_length=64)]
    ConnectorID: Annotated[str, Field(min_length=1, max_length=50)]
    StartTime: Time
    EndTime: Time
    TotalPower: Power
    TotalElecMoney: Money = both("TotalElecMoney", "TotalElectMoney", "ElecMoney", "ElectMoney")
    TotalServiceMoney: Money = both(
        "TotalSeviceMoney", "TotalServiceMoney", "SeviceMoney", "ServiceMoney"
    )
    TotalMoney: Money
    StopReason: Annotated[int, Field(ge=0)] = 0
    SumPeriod: Annotated[int, Field(ge=0)] = 0
    ChargeDetails: list[ChargeDetail] = []

    @model_validator(mode="after")
    def times_in_order(self):
        if self.EndTime < self.StartTime:
            raise ValueError("EndTime 早于 StartTime")
        return self


class CheckedOrder(Strict):
    StartChargeSeq: Annotated[str, Field(min_length=1, max_length=64)]
    TotalPower: Power
    TotalMoney: Money


class CheckOrders(Strict):
    CheckOrderSeq: Annotated[str, Field(min_length=1, max_length=64)]
    StartTime: Time
    EndTime: Time
    OrderCount: Annotated[int, Field(ge=0)]
    TotalOrderPower: Power
    TotalOrderMoney: Money
    ChargeOrders: Annotated[list[CheckedOrder], Field(max_length=10000)] = []


class QueryToken(Strict):
    OperatorID: Annotated[str, Field(min_length=9, max_length=9)]
    OperatorSecret: Annotated[str, Field(min_length=1, max_length=64)]


class QueryStations(Strict):
    LastQueryTime: str = ""
    PageNo: Annotated[int, Field(ge=1)] = 1
    PageSize: Annotated[int, Field(ge=1, le=100)] = 10


def _one_or_many(data, single: str, plural: str):
    if not isinstance(data, dict):
        raise ValueError("应为 JSON 对象")
    if plural in data:
        return data[plural]
    if single in data:
        value = data[single]
        return value if isinstance(value, list) else [value]
    raise ValueError(f"缺少 {single} 或 {plural}")


MESSAGES = {
    "missing": "缺少字段",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "decimal_parsing": "应为数值",
    "decimal_type": "应为数值",
    "string_type": "应为字符串",
    "list_type": "应为数组",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "greater_than_equal": "不能小于下限",
    "less_than_equal": "超出上限",
    "string_too_long": "过长",
    "string_too_short": "过短或为空",
    "too_short": "不能为空",
    "too_long": "条目过多",
    "string_pattern_mismatch": "格式不正确",
    "decimal_max_digits": "位数过多",
}


def _describe(error) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "Data"
    if error["type"] == "value_error":
        what = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        what = MESSAGES.get(error["type"], "不符合标准")
    return f"{where}：{what}"


def parse(model, data):
    """Validate `data` against `model`; PayloadError with a Chinese reason otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        shown = "；".join(_describe(error) for error in errors[:3])
        more = f"（另有 {len(errors) - 3} 处）" if len(errors) > 3 else ""
        raise PayloadError(f"Data 内容不符合 T/CEC 102：{shown}{more}。") from exc

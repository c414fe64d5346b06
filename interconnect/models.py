"""What operator platforms push through T/CEC 102, and the interface's own bookkeeping.

Platform: an operator's active credentials (copied, encrypted, from its approved
互联互通接入). Station → Equipment → Connector mirror part 2's StationInfo; the connector
keeps its current status, ConnectorStatusChange a compact history (changes only).
ChargeOrder is part 3's order, unique on StartChargeSeq. Reconciliation holds the result
of check_charge_orders. Message is the log behind the 联调 page.
"""

from django.db import models
from django.utils import timezone

from accounts.models import Applicant
from cms.crypto import EncryptedTextField
from regions.models import Region


class StationType(models.IntegerChoices):
    PUBLIC = 1, "公共"
    PERSONAL = 50, "个人"
    BUS = 100, "公交（专用）"
    SANITATION = 101, "环卫（专用）"
    LOGISTICS = 102, "物流（专用）"
    TAXI = 103, "出租车（专用）"
    OTHER = 255, "其他"


class Construction(models.IntegerChoices):
    RESIDENTIAL = 1, "居民区"
    PUBLIC_INSTITUTION = 2, "公共机构"
    ENTERPRISE = 3, "企事业单位"
    OFFICE = 4, "写字楼"
    INDUSTRIAL_PARK = 5, "工业园区"
    TRANSPORT_HUB = 6, "交通枢纽"
    VENUE = 7, "大型文体设施"
    GREEN_SPACE = 8, "城市绿地"
    PARKING = 9, "大型建筑配建停车场"
    ROADSIDE = 10, "路边停车位"
    HIGHWAY = 11, "城际高速服务区"
    OTHER = 255, "其他"


class StationStatus(models.IntegerChoices):
    UNKNOWN = 0, "未知"
    BUILDING = 1, "建设中"
    CLOSED = 5, "关闭下线"
    MAINTENANCE = 6, "维护中"
    IN_USE = 50, "正常使用"


class EquipmentType(models.IntegerChoices):
    DC = 1, "直流设备"
    AC = 2, "交流设备"
    HYBRID = 3, "交直流一体设备"
    WIRELESS = 4, "无线设备"
    OTHER = 5, "其他"


class ConnectorType(models.IntegerChoices):
    HOUSEHOLD = 1, "家用插座"
    AC_SOCKET = 2, "交流接口插座"
    AC_PLUG = 3, "交流接口插头（带枪线）"
    DC_PLUG = 4, "直流接口枪头"
    WIRELESS = 5, "无线充电座"
    OTHER = 6, "其他"


class ConnectorStatus(models.IntegerChoices):
    OFFLINE = 0, "离网"
    IDLE = 1, "空闲"
    OCCUPIED = 2, "占用（未充电）"
    CHARGING = 3, "占用（充电中）"
    RESERVED = 4, "占用（预约锁定）"
    FAULT = 255, "故障"


class Platform(models.Model):
    """An operator platform's credentials; `active` only while its 互联互通 stands."""

    SECRET_FIELDS = ("operator_secret", "sig_secret", "data_secret", "data_secret_iv")

    applicant = models.OneToOneField(
        Applicant, verbose_name="运营商", on_delete=models.CASCADE, related_name="platform"
    )
    operator_id = models.CharField("运营商标识（OperatorID）", max_length=9, unique=True)
    operator_secret = EncryptedTextField("运营商密钥（OperatorSecret）")
    sig_secret = EncryptedTextField("签名密钥（SigSecret）")
    data_secret = EncryptedTextField("消息密钥（DataSecret）")
    data_secret_iv = EncryptedTextField("消息密钥初始化向量（DataSecretIV）")
    source = models.CharField("依据的互联互通接入申请", max_length=20, blank=True)
    active = models.BooleanField("接口已启用", default=True)
    activated_at = models.DateTimeField("启用时间", default=timezone.now)
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "互联互通平台"
        verbose_name_plural = "互联互通平台"

    def __str__(self):
        return f"{self.applicant} ({self.operator_id})"

    def secrets(self) -> dict:
        # str.__str__: the plaintext of a loaded Secret, or of a value just assigned.
        return {name: str.__str__(getattr(self, name)) for name in self.SECRET_FIELDS}


class AccessToken(models.Model):
    """An issued AccessToken, stored as its SHA-256 only."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"

    def __str__(self):
        return f"{self.platform.operator_id} token"


class SeenMessage(models.Model):
    """(OperatorID, TimeStamp, Seq) already accepted: a second one is a replay."""

    operator_id = models.CharField(max_length=9)
    timestamp = models.CharField(max_length=14)
    seq = models.CharField(max_length=4)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operator_id", "timestamp", "seq"], name="unique_interconnect_seq"
            )
        ]

    def __str__(self):
        return f"{self.operator_id} {self.timestamp} {self.seq}"


class Station(models.Model):
    owner = models.ForeignKey(
        Applicant, verbose_name="所属运营商", on_delete=models.CASCADE, related_name="stations"
    )
    station_id = models.CharField("充电站ID（StationID）", max_length=20)
    operator_id = models.CharField("运营商ID", max_length=9, blank=True)
    equipment_owner_id = models.CharField("设备所属方ID", max_length=9, blank=True)
    name = models.CharField("充电站名称", max_length=200)
    address = models.CharField("地址", max_length=300, blank=True)
    area_code = models.CharField("行政区划代码", max_length=6, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name="所属地区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    station_type = models.PositiveSmallIntegerField(
        "站点类型", choices=StationType.choices, default=StationType.PUBLIC
    )
    construction = models.PositiveSmallIntegerField(
        "建设场所", choices=Construction.choices, default=Construction.OTHER
    )
    station_status = models.PositiveSmallIntegerField(
        "站点状态", choices=StationStatus.choices, default=StationStatus.UNKNOWN
    )
    lng = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=10, decimal_places=6, null=True, blank=True)
    park_nums = models.PositiveIntegerField("车位数量", default=0)
    service_tel = models.CharField("服务电话", max_length=30, blank=True)
    electricity_fee = models.TextField("充电电费率", blank=True)
    service_fee = models.TextField("服务费率", blank=True)
    pile_count = models.PositiveIntegerField("充电桩数量", default=0)
    pushed_at = models.DateTimeField("信息推送时间", default=timezone.now)
    status_pushed_at = models.DateTimeField("最近状态推送", null=True, blank=True)

    class Meta:
        verbose_name = "充电站"
        verbose_name_plural = "充电站"
        ordering = ["owner", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "station_id"], name="unique_station_id"),
            models.UniqueConstraint(fields=["owner", "name"], name="unique_station_name"),
        ]

    def __str__(self):
        return self.name


class Equipment(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="equipment")
    equipment_id = models.CharField("设备编码", max_length=50)
    equipment_type = models.PositiveSmallIntegerField("设备类型", choices=EquipmentType.choices)
    power_kw = models.DecimalField("额定功率（kW）", max_digits=8, decimal_places=1)
    manufacturer_id = models.CharField("生产商组织机构代码", max_length=9, blank=True)
    manufacturer_name = models.CharField("生产商名称", max_length=30, blank=True)
    model = models.CharField("设备型号", max_length=20, blank=True)
    production_date = models.CharField("生产日期", max_length=30, blank=True)
    name = models.CharField("设备名称", max_length=30, blank=True)

    class Meta:
        verbose_name = "充电设备"
        verbose_name_plural = "充电设备"
        ordering = ["station", "equipment_id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "equipment_id"], name="unique_equipment_id")
        ]

    def __str__(self):
        return self.equipment_id


class Connector(models.Model):
    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="connectors")
    connector_id = models.CharField("充电接口编码", max_length=50)
    name = models.CharField("接口名称", max_length=30, blank=True)
    connector_type = models.PositiveSmallIntegerField("接口类型", choices=ConnectorType.choices)
    power_kw = models.DecimalField("额定功率（kW）", max_digits=8, decimal_places=1)
    voltage_upper = models.PositiveIntegerField("额定电压上限（V）", default=0)
    voltage_lower = models.PositiveIntegerField("额定电压下限（V）", default=0)
    current = models.PositiveIntegerField("额定电流（A）", default=0)
    national_standard = models.PositiveSmallIntegerField(
        "国家标准", choices=[(1, "2011"), (2, "2015")], default=2
    )
    status = models.PositiveSmallIntegerField(
        "状态", choices=ConnectorStatus.choices, null=True, blank=True
    )
    status_at = models.DateTimeField("状态时间", null=True, blank=True)

    class Meta:
        verbose_name = "充电接口"
        verbose_name_plural = "充电接口"
        ordering = ["equipment", "connector_id"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "connector_id"], name="unique_connector")
        ]

    def __str__(self):
        return self.connector_id


class ConnectorStatusChange(models.Model):
    """Compact history: one row per change of status, not per notification."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="history")
    status = models.PositiveSmallIntegerField(choices=ConnectorStatus.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["connector", "-at"])]

    def __str__(self):
        return f"{self.connector} {self.status}"


class ChargeOrder(models.Model):
    """An order the operator platform pushed; the basis of the operation subsidy."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="orders")
    start_charge_seq = models.CharField("充电订单号（StartChargeSeq）", max_length=64, unique=True)
    connector_id = models.CharField("充电接口编码", max_length=50, blank=True)
    started_at = models.DateTimeField("开始充电时间", db_index=True)
    ended_at = models.DateTimeField("结束充电时间")
    energy_kwh = models.DecimalField("充电量（kWh）", max_digits=12, decimal_places=3)
    elec_money = models.DecimalField("电费（元）", max_digits=12, decimal_places=2, default=0)
    service_money = models.DecimalField("服务费（元）", max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField("订单金额（元）", max_digits=12, decimal_places=2)
    stop_reason = models.PositiveSmallIntegerField("中止原因", default=0)
    details = models.JSONField("充电明细", default=list, blank=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now)

    class Meta:
        verbose_name = "充电订单"
        verbose_name_plural = "充电订单"
        ordering = ["started_at", "pk"]

    def __str__(self):
        return self.start_charge_seq


class Reconciliation(models.Model):
    """The result of one check_charge_orders: what the two sides disagree on."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="checks")
    check_order_seq = models.CharField("对账流水号", max_length=64)
    start_time = models.DateTimeField("对账开始时间")
    end_time = models.DateTimeField("对账结束时间")
    claimed_count = models.PositiveIntegerField("对方订单数")
    missing_here = models.JSONField("省平台缺少的订单", default=list)
    missing_there = models.JSONField("运营平台未列的订单", default=list)
    mismatched = models.JSONField("金额或电量不一致的订单", default=list)
    created_at = models.DateTimeField("对账时间", default=timezone.now)

    class Meta:
        verbose_name = "订单对账"
        verbose_name_plural = "订单对账"
        ordering = ["-created_at"]

    def __str__(self):
        return self.check_order_seq

    @property
    def consistent(self) -> bool:
        return not (self.missing_here or self.missing_there or self.mismatched)


class Message(models.Model):
    """One received message and its answer (the 联调 log); never the payload itself."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    operator_id = models.CharField("OperatorID", max_length=20, blank=True)
    interface = models.CharField("接口", max_length=40)
    ret = models.PositiveIntegerField("Ret")
    msg = models.CharField("说明", max_length=300, blank=True)
    seq = models.CharField("Seq", max_length=4, blank=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "互联互通报文"
        verbose_name_plural = "互联互通报文"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["platform", "interface", "-received_at"])]

    def __str__(self):
        return f"{self.interface} {self.ret}"

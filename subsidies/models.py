"""Subsidy rules as data, and what each subsidy application was computed with.

SubsidyRuleSet: one per subsidy year, tied to the 政策汇编 page that sets it. Its
建设补贴 part: 奖补比例 per StationType × Construction (ConstructionRatio rows), the
eligible 设备种类 and three caps; its 运营补贴 part: the rate per kWh, what makes an order
eligible and two caps. Every save bumps `version`, and a computation stores the rule's
snapshot, so a figure can be reproduced after editors changed the rule.

SubsidyComputation: the inputs (rule snapshot, station facts, invoice lines or order
totals), the result (per line, caps that bit, amount) and the station's data health at
submission. OrderList: one downloaded 运营补贴 list, its number and the digest of the
orders it showed; the signed list uploaded back names that number.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from applications.models import Application, Attachment, InvoiceLine
from interconnect.models import Construction, StationType

ZERO = Decimal("0")
cap = {
    "max_digits": 14,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(ZERO)],
}


class SubsidyKind(models.TextChoices):
    CONSTRUCTION = "construction", "建设补贴"
    OPERATION = "operation", "运营补贴"


class SubsidyRuleSet(ClusterableModel):
    year = models.PositiveSmallIntegerField(
        "补贴年度", unique=True, validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    title = models.CharField("名称", max_length=100, help_text="例如 2025 年度充电基础设施补贴规则")
    is_example = models.BooleanField(
        "示例规则", default=False, help_text="演示数据：本门户自拟的示例，并非正式政策。"
    )
    policy = models.ForeignKey(
        "policies.PolicyPage",
        verbose_name="依据政策（政策汇编）",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidy_rules",
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # 建设补贴
    construction_enabled = models.BooleanField("本年度发放建设补贴", default=True)
    eligible_equipment = models.JSONField(
        "可补贴设备种类", default=list, blank=True, help_text="发票明细中可计入补贴的设备种类。"
    )
    cap_per_kw = models.DecimalField("每千瓦补贴上限（元/kW）", **cap)
    cap_per_station = models.DecimalField("单站补贴上限（元）", **cap)
    cap_per_applicant = models.DecimalField("单个申请人年度建设补贴上限（元）", **cap)
    # 运营补贴
    operation_enabled = models.BooleanField("本年度发放运营补贴", default=True)
    rate_per_kwh = models.DecimalField(
        "运营补贴标准（元/kWh）",
        max_digits=8,
        decimal_places=4,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    min_order_kwh = models.DecimalField(
        "订单最低充电量（kWh）",
        max_digits=10,
        decimal_places=3,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text="充电量低于此值的订单不计入运营补贴。",
    )
    public_only = models.BooleanField("仅限公共充电站", default=True)
    operation_cap_per_station = models.DecimalField("单站年度运营补贴上限（元）", **cap)
    operation_cap_per_applicant = models.DecimalField("单个申请人年度运营补贴上限（元）", **cap)

    class Meta:
        verbose_name = "补贴规则"
        verbose_name_plural = "补贴规则"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.title}{'（示例）' if self.is_example else ''}"

    def clean(self):
        super().clean()
        valid = set(InvoiceLine.Equipment.values)
        unknown = [value for value in self.eligible_equipment or [] if value not in valid]
        if unknown:
            raise ValidationError({"eligible_equipment": f"未知的设备种类：{'、'.join(unknown)}"})

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version = (
                SubsidyRuleSet.objects.filter(pk=self.pk).values_list("version", flat=True).first()
                or 0
            ) + 1
        super().save(*args, **kwargs)

    @property
    def kinds(self) -> list[str]:
        """What this rule set covers, e.g. ['建设补贴', '运营补贴']."""
        kinds = []
        if self.construction_enabled:
            kinds.append(SubsidyKind.CONSTRUCTION.label)
        if self.operation_enabled:
            kinds.append(SubsidyKind.OPERATION.label)
        return kinds

    @property
    def kinds_label(self) -> str:
        return "、".join(self.kinds) or "—"

    @property
    def eligible_equipment_labels(self) -> str:
        labels = dict(InvoiceLine.Equipment.choices)
        return "、".join(labels.get(v, v) for v in self.eligible_equipment) or "—"


class ConstructionRatio(Orderable):
    """奖补比例 for one 站点类型 (and one 建设场所, or every 建设场所 when left empty)."""

    rule_set = ParentalKey(SubsidyRuleSet, on_delete=models.CASCADE, related_name="ratios")
    station_type = models.PositiveSmallIntegerField("站点类型", choices=StationType.choices)
    construction = models.PositiveSmallIntegerField(
        "建设场所",
        choices=Construction.choices,
        null=True,
        blank=True,
        help_text="留空表示该站点类型的所有建设场所。",
    )
    ratio = models.DecimalField(
        "奖补比例",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))],
        help_text="0 到 1 之间，例如 0.3 表示 30%。",
    )

    class Meta(Orderable.Meta):
        verbose_name = "奖补比例"
        verbose_name_plural = "奖补比例"

    def __str__(self):
        return f"{self.label}：{self.percent}"

    @property
    def label(self) -> str:
        where = Construction(self.construction).label if self.construction else "所有建设场所"
        return f"{StationType(self.station_type).label} · {where}"

    @property
    def percent(self) -> str:
        return f"{(self.ratio * 100).normalize():f}%"


class SubsidyComputation(models.Model):
    """The amount of one subsidy application and everything it was computed from."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="subsidy_computation"
    )
    kind = models.CharField("补贴类型", max_length=20, choices=SubsidyKind.choices)
    year = models.PositiveSmallIntegerField("补贴年度", db_index=True)
    rule_set = models.ForeignKey(
        SubsidyRuleSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule_version = models.PositiveIntegerField("规则版本", default=0)
    inputs = models.JSONField("核算依据", default=dict)
    result = models.JSONField("核算结果", default=dict)
    amount = models.DecimalField("核定金额（元）", max_digits=14, decimal_places=2, default=ZERO)
    health_at_submission = models.CharField("提交时互联互通数据", max_length=20, blank=True)
    health_reasons = models.JSONField("提交时数据异常原因", default=list, blank=True)
    computed_at = models.DateTimeField("核算时间", default=timezone.now)

    class Meta:
        verbose_name = "补贴核算"
        verbose_name_plural = "补贴核算"
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self):
        return f"{self.application.reference} {self.amount}"


class OrderList(models.Model):
    """One downloaded 运营补贴 order list: its number and the orders it showed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="order_lists"
    )
    number = models.CharField("清单编号", max_length=40, unique=True)
    digest = models.CharField("订单摘要（SHA-256）", max_length=64)
    order_count = models.PositiveIntegerField("订单数")
    energy_kwh = models.DecimalField("充电量合计（kWh）", max_digits=16, decimal_places=3)
    amount = models.DecimalField("补贴金额（元）", max_digits=14, decimal_places=2)
    created_at = models.DateTimeField("下载时间", default=timezone.now)
    signed_file = models.OneToOneField(
        Attachment,
        verbose_name="签字盖章的清单",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_list",
    )

    class Meta:
        verbose_name = "运营补贴清单"
        verbose_name_plural = "运营补贴清单"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.number

"""装表接电 after the 供电 approval of a joint application (信电〔2024〕141号 办理流程):
现场踏勘 appointment → (居民: 住建 confirms the property/parking facts, the property manager
is invited) → 踏勘 done → 供电方案/合同 signed by the applicant → construction → 装表接电.
Only the last step completes the case (applications.workflow.complete_connection)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import mobile_validator
from applications.models import private_storage


class HalfDay(models.TextChoices):
    AM = "am", "上午"
    PM = "pm", "下午"


class SignedVia(models.TextChoices):
    PORTAL = "portal", "网上确认签署"
    SCAN = "scan", "上传签字扫描件"


class Connection(models.Model):
    class Status(models.TextChoices):
        SURVEY_REQUESTED = "survey_requested", "待确认踏勘时间"
        SURVEY_SCHEDULED = "survey_scheduled", "待现场踏勘"
        SURVEYED = "surveyed", "待出具供电方案"
        PLAN_OFFERED = "plan_offered", "待签署供电方案（合同）"
        PLAN_SIGNED = "plan_signed", "待施工"
        CONSTRUCTION = "construction", "施工中"
        CONNECTED = "connected", "已装表接电"

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="connection"
    )
    status = models.CharField(
        "装表接电进度", max_length=20, choices=Status.choices, default=Status.SURVEY_REQUESTED
    )
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    residential = models.BooleanField("居民报装", default=False)
    # 现场踏勘
    preferred_date = models.DateField("期望踏勘日期")
    preferred_half_day = models.CharField("期望时段", max_length=2, choices=HalfDay.choices)
    survey_date = models.DateField("踏勘日期", null=True, blank=True)
    survey_half_day = models.CharField(
        "踏勘时段", max_length=2, choices=HalfDay.choices, blank=True
    )
    survey_confirmed_at = models.DateTimeField("踏勘确认时间", null=True, blank=True)
    surveyed_at = models.DateTimeField("踏勘完成时间", null=True, blank=True)
    property_manager = models.CharField("物业服务企业/联系人", max_length=100, blank=True)
    property_manager_phone = models.CharField(
        "物业联系电话", max_length=11, blank=True, validators=[mobile_validator]
    )
    # 住建: property and parking facts, attendance
    property_facts = models.TextField("产权及车位情况（住建确认）", blank=True)
    housing_confirmed_at = models.DateTimeField("住建确认时间", null=True, blank=True)
    housing_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # 供电方案（合同）
    plan_text = models.TextField("供电方案", blank=True)
    plan_capacity_kva = models.DecimalField(
        "核定容量（kVA）",
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    plan_offered_at = models.DateTimeField("方案出具时间", null=True, blank=True)
    plan_signed_at = models.DateTimeField("签署时间", null=True, blank=True)
    plan_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan_signed_via = models.CharField(
        "签署方式", max_length=10, choices=SignedVia.choices, blank=True
    )
    # The signed paper contract, scanned: content-checked like every upload, private.
    signed_scan = models.FileField(
        "签字扫描件", storage=private_storage, max_length=255, blank=True
    )
    signed_scan_name = models.CharField("扫描件文件名", max_length=255, blank=True)
    signed_scan_format = models.CharField("扫描件格式", max_length=10, blank=True)
    signed_scan_size = models.PositiveBigIntegerField("扫描件大小（字节）", null=True, blank=True)
    signed_scan_sha256 = models.CharField("扫描件 SHA-256", max_length=64, blank=True)
    # 施工与装表接电
    construction_started_on = models.DateField("开工日期", null=True, blank=True)
    permits = models.TextField("施工许可", blank=True)
    connected_on = models.DateField("装表接电日期", null=True, blank=True)

    class Meta:
        verbose_name = "装表接电"
        verbose_name_plural = "装表接电"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.application.reference} 装表接电"

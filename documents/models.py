"""Delivery of the printed documents (送达), one row per issued document.

A row is written when a document becomes available for a case (`documents.delivery`);
its method is the application's 送达方式 at that moment. 系统推送 is done when the
applicant first downloads it, 窗口领取 when staff record the hand-over (who, when, to
whom), 邮寄 when staff record the posting (address, carrier, tracking number).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from applications.models import Application, JointInstallation
from catalogue.models import Department

Method = JointInstallation.Delivery


class DocumentDelivery(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="document_deliveries"
    )
    kind = models.CharField("文书种类", max_length=30)
    # Which one of a kind: the department code of a decision, the notice's id, or "".
    key = models.CharField(max_length=40, blank=True)
    title = models.CharField("文书名称", max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name="出具部门",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField("送达方式", max_length=10, choices=Method.choices)
    available_at = models.DateTimeField("出具时间", default=timezone.now)
    downloaded_at = models.DateTimeField("申请人首次下载", null=True, blank=True)
    handed_over_at = models.DateTimeField("领取时间", null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_by = models.CharField("领取人", max_length=50, blank=True)
    postal_address = models.CharField("邮寄地址", max_length=300, blank=True)
    carrier = models.CharField("快递公司", max_length=50, blank=True)
    tracking_number = models.CharField("运单号", max_length=40, blank=True)
    posted_at = models.DateTimeField("寄出时间", null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="寄件经办人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "文书送达"
        verbose_name_plural = "文书送达"
        ordering = ["available_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "key"], name="one_delivery_per_document"
            )
        ]

    def __str__(self):
        return f"{self.application.reference} {self.title}"

    @property
    def is_done(self) -> bool:
        if self.method == Method.WINDOW:
            return self.handed_over_at is not None
        if self.method == Method.POST:
            return self.posted_at is not None
        return self.downloaded_at is not None

    @property
    def state(self) -> str:
        """The delivery state in the applicant's words."""
        if self.method == Method.WINDOW:
            if self.handed_over_at:
                return f"已领取（{timezone.localtime(self.handed_over_at):%Y-%m-%d}）"
            return "待窗口领取"
        if self.method == Method.POST:
            if self.posted_at:
                return f"已邮寄（{self.carrier} {self.tracking_number}）"
            return "待邮寄"
        if self.downloaded_at:
            return "已下载"
        return "待下载"

    @property
    def public_state(self) -> str:
        """The state for the public progress page: no tracking number, no names."""
        if self.method == Method.POST:
            return "已邮寄" if self.posted_at else "待邮寄"
        if self.method == Method.WINDOW:
            return "已领取" if self.handed_over_at else "待窗口领取"
        return "可网上下载"

"""The 综合窗口 (「高效办成一件事」专窗) of each county/district and what it records.

`WindowDesk` is the role: its members are the window staff of one region, the way a
Department's members are its reviewers. `ClaimTicket` lets a resident or company the
window filed for take the application over online later (see window.claim).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cms.crypto import EncryptedTextField
from regions.models import Region


class WindowDesk(models.Model):
    region = models.OneToOneField(
        Region, verbose_name="所属县（区）", on_delete=models.PROTECT, related_name="window_desk"
    )
    name = models.CharField("窗口名称", max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="窗口工作人员",
        blank=True,
        related_name="window_desks",
    )

    class Meta:
        verbose_name = "综合窗口"
        verbose_name_plural = "综合窗口"
        ordering = ["region__code"]

    def __str__(self):
        return self.name


class ClaimTicket(models.Model):
    """The one-time 认领码 printed on the 受理回执 of an application filed at the window
    for someone without an online account. Claiming needs the code AND an online account
    whose mobile (and ID number / credit code) match what the window recorded."""

    MAX_ATTEMPTS = 5

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="claim_ticket"
    )
    code = EncryptedTextField("认领码")
    mobile = models.CharField("登记手机号码", max_length=11)
    created_at = models.DateTimeField(default=timezone.now)
    failed_attempts = models.PositiveSmallIntegerField("认领失败次数", default=0)
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "网上认领码"
        verbose_name_plural = "网上认领码"

    def __str__(self):
        return f"{self.application.reference} 认领码"

    @property
    def is_blocked(self) -> bool:
        return self.failed_attempts >= self.MAX_ATTEMPTS

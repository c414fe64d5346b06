"""Applicants (企业或居民) and what protects their accounts: review, idle lock and login
rate limits. API tokens are Wagtail's own `wagtail.models.APIToken` (digest only)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Max
from django.utils import timezone
from stdnum.cn import ric
from wagtail.models import APIToken

from catalogue.models import ApplicantType
from cms import credit_code
from cms.crypto import EncryptedTextField
from regions.models import Region

IDLE_LOCK_AFTER = timedelta(days=90)  # “账号三个月需登录一次”

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", "手机号码应为 11 位数字、以 1 开头，例如 13812345678。"
)


def validate_credit_code(value: str) -> None:
    """统一社会信用代码 per GB 32100-2015, including its check character; letter-prefixed
    codes (N 农村集体经济组织, Y 其他, A …) are as legal as 91… ones."""
    try:
        credit_code.validate(value)
    except credit_code.CreditCodeError as exc:
        raise ValidationError(exc.message, code="invalid_credit_code") from exc


def normalise_credit_code(value: str) -> str:
    return credit_code.compact(value)


def validate_id_number(value: str) -> None:
    """Resident identity card number (GB 11643) with its check digit."""
    try:
        ric.validate(value)
    except Exception as exc:
        raise ValidationError(
            "身份证号码不正确，请核对 18 位号码（最后一位可能是 X）。", code="invalid_id_number"
        ) from exc


class Applicant(models.Model):
    """The organisation (or resident) behind a portal user account."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        ACTIVE = "active", "已启用"
        REJECTED = "rejected", "未通过审核"
        LOCKED = "locked", "已锁定"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant"
    )
    kind = models.CharField("用户类型", max_length=20, choices=ApplicantType.choices)
    name = models.CharField("企业名称/姓名", max_length=100)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text="企业用户必填，18 位。",
    )
    id_number = EncryptedTextField("身份证号码", blank=True)
    contact_name = models.CharField("联系人", max_length=50)
    mobile = models.CharField("联系电话", max_length=11, validators=[mobile_validator])
    region = models.ForeignKey(
        Region,
        verbose_name="注册地",
        on_delete=models.PROTECT,
        # Counties, and 济源 (a city directly under the province, without counties),
        # exactly what regions.choices.registration_choices() offers.
        limit_choices_to=models.Q(level=Region.Level.COUNTY)
        | models.Q(level=Region.Level.CITY, children__isnull=True),
        related_name="applicants",
    )
    status = models.CharField(
        "账号状态", max_length=20, choices=Status.choices, default=Status.PENDING
    )
    status_note = models.CharField("状态说明", max_length=200, blank=True)
    created_at = models.DateTimeField("注册时间", default=timezone.now)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="unique_applicant_credit_code",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalise_credit_code(self.credit_code)
        if self.kind == ApplicantType.RESIDENT:
            if not self.id_number:
                raise ValidationError({"id_number": "个人/居民用户请填写身份证号码。"})
        elif not self.credit_code:
            raise ValidationError({"credit_code": "企业用户请填写统一社会信用代码。"})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_operator(self) -> bool:
        return self.kind == ApplicantType.OPERATOR

    def last_seen(self):
        """The latest sign of use: a login, or an API call with one of the user's tokens
        (operator platforms may only use the API)."""
        api_use = APIToken.objects.filter(user=self.user).aggregate(at=Max("last_used_at"))["at"]
        return max(m for m in (self.user.last_login, api_use, self.created_at) if m)

    def is_idle(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.ACTIVE and now - self.last_seen() > IDLE_LOCK_AFTER

    def lock(self, reason: str = "超过三个月未登录") -> None:
        self.status = self.Status.LOCKED
        self.locked_at = timezone.now()
        self.status_note = reason
        self.save(update_fields=["status", "locked_at", "status_note"])
        end_sessions(self.user)

    def unlock(self) -> None:
        self.status = self.Status.ACTIVE
        self.locked_at = None
        self.status_note = ""
        self.save(update_fields=["status", "locked_at", "status_note"])
        # The idle clock restarts at the unlock, not at the stale last login.
        self.user.last_login = timezone.now()
        self.user.save(update_fields=["last_login"])


def end_sessions(user) -> int:
    """Delete every stored session of `user` (database sessions); returns how many.
    Other session engines are covered by AccountStateMiddleware, which logs a locked
    account out at its next request."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended


class LoginAttempt(models.Model):
    """Every login attempt, for rate limiting and the audit trail."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    succeeded = models.BooleanField("成功", default=False)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"

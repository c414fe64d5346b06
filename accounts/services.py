"""Registering, reviewing, locking and logging in applicants.

The registration form, the `create_applicant` command and the tests all call these
functions; the authentication backend enforces the lock and the rate limit for every
login, the Wagtail admin's included.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalogue.models import ApplicantType
from cms.net import client_address

from .hooks import account_review
from .models import Applicant, LoginAttempt

# Login rate limits: per user name and per client address, over a sliding window.
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_IP = 20


class LoginRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Registration:
    user: object
    applicant: Applicant
    application: object | None  # the 账号注册 application under review, if any


@transaction.atomic
def register(
    *,
    username: str,
    password: str,
    kind: str,
    name: str,
    contact_name: str,
    mobile: str,
    region,
    credit_code: str = "",
    id_number: str = "",
    email: str = "",
    licence=None,
    licence_name: str = "",
    submit: bool = True,
) -> Registration:
    """Create the user and applicant; enterprises go to review with their licence scan.

    Callers validate the fields first (forms or the command); this function stores them
    all or nothing: if the licence upload fails, no user or applicant row remains.
    With ``submit=False`` (accounts already reviewed offline, see ``create_applicant``)
    the 账号注册 application is left as a draft for the caller to close, and the licence
    scan is optional.
    """
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    applicant = Applicant(
        user=user,
        kind=kind,
        name=name.strip(),
        credit_code=credit_code,
        id_number=id_number,
        contact_name=contact_name.strip(),
        mobile=mobile.strip(),
        region=region,
    )
    applicant.full_clean(exclude=["user"])
    if kind == ApplicantType.RESIDENT:
        # Residents are identified by their ID card number; no licence review.
        applicant.status = Applicant.Status.ACTIVE
        applicant.reviewed_at = timezone.now()
        applicant.save()
        return Registration(user, applicant, None)
    applicant.save()
    application = account_review().open(
        applicant, user=user, licence=licence, licence_name=licence_name, submit=submit
    )
    return Registration(user, applicant, application)


def lock_idle(now=None) -> int:
    """Lock every active account unused for three months; returns how many."""
    now = now or timezone.now()
    count = 0
    for applicant in Applicant.objects.filter(status=Applicant.Status.ACTIVE).select_related(
        "user"
    ):
        if applicant.is_idle(now):
            applicant.lock()
            count += 1
    return count


def recent_failures(username: str = "", ip: str | None = None, now=None) -> tuple[int, int]:
    since = (now or timezone.now()) - FAILURE_WINDOW
    failures = LoginAttempt.objects.filter(succeeded=False, at__gte=since)
    by_name = failures.filter(username__iexact=username).count() if username else 0
    by_ip = failures.filter(ip_address=ip).count() if ip else 0
    return by_name, by_ip


def check_login_allowed(username: str, ip: str | None) -> None:
    """Raise LoginRefused when the rate limit or the account state forbids a login.

    The per-name limit refuses. The per-address limit slows every attempt from that
    address down and refuses only names that failed from there themselves: one busy
    address (a proxy, an office NAT) cannot lock out a correct password."""
    by_name, by_ip = recent_failures(username, ip)
    refused = by_name >= MAX_FAILURES_PER_USERNAME
    if by_ip >= MAX_FAILURES_PER_IP:
        time.sleep(getattr(settings, "PORTAL_LOGIN_SLOWDOWN_SECONDS", 1.0))
        refused = refused or _failed_from(username, ip)
    if refused:
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        raise LoginRefused(f"登录失败次数过多，为保护账号安全，请 {minutes} 分钟后再试。")
    applicant = (
        Applicant.objects.select_related("user").filter(user__username__iexact=username).first()
    )
    if applicant is not None and enforce_idle_lock(applicant):
        raise LoginRefused(
            "账号超过三个月未登录，已被锁定。请联系省平台解锁（技术支持电话见页面底部）。"
        )


def _failed_from(username: str, ip: str) -> bool:
    since = timezone.now() - FAILURE_WINDOW
    return LoginAttempt.objects.filter(
        succeeded=False, at__gte=since, ip_address=ip, username__iexact=username
    ).exists()


def enforce_idle_lock(applicant) -> bool:
    """The three-month idle rule, the same for web logins and API tokens: lock an idle
    account; True when the account is locked (now or before)."""
    if applicant.is_idle():
        applicant.lock()
    return applicant.status == Applicant.Status.LOCKED


def record_attempt(username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip_address=ip, succeeded=succeeded)


def client_ip(request) -> str | None:
    return client_address(request)

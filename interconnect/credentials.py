"""An operator's interface credentials, activated by its approved 互联互通接入.

`applications.workflow` calls `activate` when an interconnection application is
approved (a later one replaces the secrets: rotation) and `revoke` stops the interface.
A locked or otherwise inactive account is refused at request time (Ret 4003).
Secrets are encrypted at rest (cms.crypto) and never logged.
"""

import datetime
import hashlib
import hmac
import logging
import secrets as random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AccessToken, Platform

log = logging.getLogger(__name__)

SECRET_LENGTH = 16


def operator_id_for(credit_code: str) -> str:
    """T/CEC 102 OperatorID: the 组织机构代码, characters 9–17 of the 统一社会信用代码."""
    return (credit_code or "").strip().upper()[8:17]


def random_secret() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(random.choice(alphabet) for _ in range(SECRET_LENGTH))


@transaction.atomic
def activate(applicant, *, source: str, operator_secret, sig_secret, data_secret, data_secret_iv):
    """Make these the operator's live secrets; issued tokens of older secrets are void."""
    operator_id = operator_id_for(applicant.credit_code)
    if len(operator_id) != 9:
        raise ValueError("申请人没有有效的统一社会信用代码，无法生成 OperatorID。")
    values = {
        "operator_id": operator_id,
        "operator_secret": str.__str__(operator_secret),
        "sig_secret": str.__str__(sig_secret),
        "data_secret": str.__str__(data_secret),
        "data_secret_iv": str.__str__(data_secret_iv),
        "source": source,
        "active": True,
        "activated_at": timezone.now(),
        "revoked_at": None,
    }
    platform, _ = Platform.objects.update_or_create(applicant=applicant, defaults=values)
    platform.tokens.all().delete()
    log.info("Interconnection activated for operator %s from %s", operator_id, source)
    return platform


def revoke(applicant) -> bool:
    """Stop the interface (approval withdrawn); tokens are void at once."""
    platform = Platform.objects.filter(applicant=applicant, active=True).first()
    if platform is None:
        return False
    platform.active = False
    platform.revoked_at = timezone.now()
    platform.save(update_fields=["active", "revoked_at"])
    platform.tokens.all().delete()
    log.info("Interconnection revoked for operator %s", platform.operator_id)
    return True


# --- tokens -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a token (and looked up per message): its SHA-256; "" for none."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest() if token else ""


def token_ttl() -> int:
    return int(getattr(settings, "INTERCONNECT_TOKEN_TTL", 7200))


def issue_token(platform) -> tuple[str, int]:
    now = timezone.now()
    ttl = token_ttl()
    AccessToken.objects.filter(platform=platform, expires_at__lte=now).delete()
    token = random.token_urlsafe(36)
    AccessToken.objects.create(
        platform=platform,
        token_hash=token_hash(token),
        expires_at=now + datetime.timedelta(seconds=ttl),
    )
    return token, ttl


def hmac_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))

"""认领: the applicant takes over online an application the window filed for them.

Safe by design: the 认领码 (8 digits, printed only on the 受理回执 handed over in person)
must match, the claiming account's mobile must be the one recorded at the window, and
its ID number (resident) or credit code (company) must match the applicant the window
registered. Every failure gives the same neutral message and counts; after
MAX_ATTEMPTS failures the ticket is blocked until the window issues a new one.
"""

import hmac
import re
import secrets

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from applications.workflow import WorkflowError, record_step

from .intake import desk_for
from .models import ClaimTicket

NEUTRAL = "申请编号、认领码与您的账号信息不匹配，请核对受理回执；多次失败后需到窗口重新办理。"
BLOCKED = "认领失败次数过多，请携带身份证件到综合窗口重新获取认领码。"


def _matches(ticket, claimer, code: str) -> bool:
    owner = ticket.application.applicant
    same_person = (
        claimer.kind == owner.kind
        and (claimer.id_number == owner.id_number if owner.id_number else True)
        and (claimer.credit_code == owner.credit_code)
    )
    code_ok = hmac.compare_digest(str(ticket.code.plaintext), (code or "").strip())
    return code_ok and same_person and claimer.mobile == ticket.mobile


def claim(user, reference: str, code: str) -> Application:
    claimer = getattr(user, "applicant", None)
    if claimer is None or not claimer.is_active:
        raise WorkflowError("请使用已启用的申请人账号登录后认领。")
    reference = (reference or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]{1,40}", reference):
        raise WorkflowError(NEUTRAL)  # no such case can exist; nothing to count
    with transaction.atomic():
        ticket = (
            ClaimTicket.objects.select_for_update()
            .select_related("application__applicant")
            .filter(application__reference=reference, claimed_at__isnull=True)
            .first()
        )
        if ticket is None:
            raise WorkflowError(NEUTRAL)
        if ticket.is_blocked:
            raise WorkflowError(BLOCKED)
        if not _matches(ticket, claimer, code):
            ticket.failed_attempts += 1
            ticket.save(update_fields=["failed_attempts"])
            failed = True
        else:
            failed = False
            application = ticket.application
            application.applicant = claimer
            application.save(update_fields=["applicant", "updated_at"])
            ticket.claimed_at = timezone.now()
            ticket.claimed_by = user
            ticket.save(update_fields=["claimed_at", "claimed_by"])
            record_step(application, user, "claimed", note="申请人网上认领窗口代办的申请")
    # The failed attempt is committed above, then reported.
    if failed:
        raise WorkflowError(NEUTRAL)
    return application


@transaction.atomic
def reissue(application, *, user) -> ClaimTicket:
    """A new 认领码 (lost receipt, or blocked after failures), issued by the county window."""
    desk_for(user, application.region)
    ticket = ClaimTicket.objects.select_for_update().filter(application=application).first()
    if ticket is None or ticket.claimed_at is not None:
        raise WorkflowError("该申请没有待认领的认领码。")
    ticket.code = f"{secrets.randbelow(10**8):08d}"
    ticket.failed_attempts = 0
    ticket.save(update_fields=["code", "failed_attempts"])
    record_step(application, user, "claim_code_reissued", note="窗口重新出具认领码")
    return ticket

"""The facts the printed window documents need (受理回执, 不予受理告知书), as plain dicts
for the `documents` app's templates. ID numbers appear masked only."""

from django.utils import timezone

from cms.crypto import mask


def _masked_id(applicant) -> str:
    value = applicant.id_number
    if not value:
        return ""
    plain = value.plaintext if hasattr(value, "plaintext") else str(value)
    return plain[:3] + "*" * (len(plain) - 7) + plain[-4:] if len(plain) >= 8 else mask(plain)


def receipt_facts(application) -> dict:
    """受理回执: who, what, when, which window, and the 认领码 for a walk-in applicant."""
    applicant = application.applicant
    ticket = getattr(application, "claim_ticket", None)
    desk = getattr(application.region, "window_desk", None)
    entered_by = application.entered_by
    return {
        "reference": application.reference,
        "channel": application.get_channel_display(),
        "state": application.get_state_display(),
        "applicant": applicant.name,
        "id_number": _masked_id(applicant),
        "credit_code": applicant.credit_code,
        "mobile": applicant.mobile[:3] + "****" + applicant.mobile[-4:],
        "items": [item.name for item in application.items.order_by("sort_order", "pk")],
        "materials": [
            f"{a.requirement.name}：{a.original_name}"
            for a in application.attachments.select_related("requirement")
        ],
        "window": desk.name if desk else application.region.name,
        "entered_by": (entered_by.get_full_name() or entered_by.username) if entered_by else "",
        "submitted_at": application.submitted_at,
        "accepted_at": application.accepted_at,
        "window_due_date": application.window_due_date,
        "claim_code": ticket.code.plaintext if ticket and not ticket.claimed_at else "",
        "printed_at": timezone.now(),
    }


def rejection_facts(application) -> dict:
    """不予受理告知书: the reason as the window recorded it."""
    event = application.events.filter(action="not_accepted").order_by("-at").first()
    return {
        **receipt_facts(application),
        "reason": event.note if event else "",
        "decided_at": application.decided_at,
    }

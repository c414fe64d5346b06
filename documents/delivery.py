"""Issuing and delivering documents (送达方式 of the application).

`sync` runs after every workflow step (documents.signals): each document the case now
has gets its `DocumentDelivery` row, and the new ones are announced to the applicant in
one `documents_ready` event (notifications turns it into messages). Staff record a
window hand-over or a posting; the applicant's first download completes a 系统推送.
"""

from django.db import transaction
from django.utils import timezone

from applications import events
from applications.models import JointInstallation
from applications.workflow import WorkflowError, lock

from .kinds import KINDS, issued_documents
from .models import DocumentDelivery, Method

MAX_TEXT = {"received_by": 50, "carrier": 50, "tracking_number": 40, "postal_address": 300}


def method_for(application) -> str:
    joint = getattr(application, "joint_installation", None)
    return joint.delivery if joint is not None else JointInstallation.Delivery.SYSTEM


def sync(application) -> list[DocumentDelivery]:
    """Write the rows of newly available documents; returns the new rows."""
    existing = set(application.document_deliveries.values_list("kind", "key"))
    joint = getattr(application, "joint_installation", None)
    new = []
    for document in issued_documents(application, delivered_only=True):
        if (document.kind, document.key) in existing:
            continue
        new.append(
            DocumentDelivery.objects.create(
                application=application,
                kind=document.kind,
                key=document.key,
                title=document.title,
                department=document.department,
                method=method_for(application),
                available_at=document.issued_at or timezone.now(),
                postal_address=joint.postal_address if joint is not None else "",
            )
        )
    if new:
        events.record(
            application,
            None,
            "documents_ready",
            from_state=application.state,
            note="已出具：" + "、".join(_label(row) for row in new),
        )
    return new


def _label(row) -> str:
    return f"{row.title}（{row.department.name}）" if row.department_id else row.title


def deliveries(application) -> list[DocumentDelivery]:
    return list(
        application.document_deliveries.select_related("department", "handed_over_by").order_by(
            "available_at", "pk"
        )
    )


def record_download(application, kind: str, key: str, user) -> None:
    """The applicant's first download completes a 系统推送."""
    if application.applicant.user_id != getattr(user, "pk", None):
        return
    DocumentDelivery.objects.filter(
        application=application, kind=kind, key=key, downloaded_at__isnull=True
    ).update(downloaded_at=timezone.now())


def _clean(values: dict, required: tuple[str, ...]) -> dict:
    cleaned = {name: (values.get(name) or "").strip() for name in MAX_TEXT}
    problems = []
    labels = {
        "received_by": "领取人",
        "carrier": "快递公司",
        "tracking_number": "运单号",
        "postal_address": "邮寄地址",
    }
    for name in required:
        if not cleaned[name]:
            problems.append(f"请填写{labels[name]}。")
    for name, limit in MAX_TEXT.items():
        if len(cleaned[name]) > limit:
            problems.append(f"{labels[name]}不能超过 {limit} 个字。")
        elif any(ord(c) < 32 for c in cleaned[name]):
            problems.append(f"{labels[name]}包含无效字符。")
    if problems:
        raise WorkflowError(problems)
    return cleaned


@transaction.atomic
def record_handover(delivery: DocumentDelivery, *, user, received_by: str) -> DocumentDelivery:
    """窗口领取: who handed it over (the signed-in staff), when, to whom."""
    values = _clean({"received_by": received_by}, ("received_by",))
    application = lock(delivery.application)
    delivery = DocumentDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.method != Method.WINDOW:
        raise WorkflowError("该文书的送达方式不是窗口领取。")
    if delivery.handed_over_at is not None:
        raise WorkflowError("该文书已登记领取，不能重复登记。")
    delivery.handed_over_at = timezone.now()
    delivery.handed_over_by = user
    delivery.received_by = values["received_by"]
    delivery.save(update_fields=["handed_over_at", "handed_over_by", "received_by"])
    _audit(
        application,
        user,
        "document_handed_over",
        f"{_label(delivery)}，领取人：{values['received_by']}",
    )
    return delivery


@transaction.atomic
def record_post(
    delivery: DocumentDelivery, *, user, postal_address: str, carrier: str, tracking_number: str
) -> DocumentDelivery:
    """邮寄: the address (prefilled from the form), carrier and tracking number."""
    values = _clean(
        {"postal_address": postal_address, "carrier": carrier, "tracking_number": tracking_number},
        ("postal_address", "carrier", "tracking_number"),
    )
    application = lock(delivery.application)
    delivery = DocumentDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.method != Method.POST:
        raise WorkflowError("该文书的送达方式不是邮寄送达。")
    if delivery.posted_at is not None:
        raise WorkflowError("该文书已登记寄出，不能重复登记。")
    delivery.postal_address = values["postal_address"]
    delivery.carrier = values["carrier"]
    delivery.tracking_number = values["tracking_number"]
    delivery.posted_at = timezone.now()
    delivery.posted_by = user
    delivery.save(
        update_fields=["postal_address", "carrier", "tracking_number", "posted_at", "posted_by"]
    )
    _audit(
        application,
        user,
        "document_posted",
        f"{_label(delivery)}，{values['carrier']} {values['tracking_number']}",
    )
    return delivery


def _audit(application, user, action, note) -> None:
    events.record(application, user, action, from_state=application.state, note=note)


def kind_title(name: str) -> str:
    kind = KINDS.get(name)
    return kind.title if kind else name

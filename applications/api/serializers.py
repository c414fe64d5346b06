"""Model → JSON for the API's answers (the shapes documented in `schemas`).

Money as strings, dates ISO; encrypted fields only ever masked.
"""

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse

from catalogue.models import ApplicationKind, MaterialRequirement
from cms.crypto import EncryptedTextField, mask

from ..materials import checklist
from ..models import Application, Attachment, Event, Station
from ..rules import problems_for_submission


def plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def detail_data(obj) -> dict | None:
    """The per-type detail as {field name: value}; encrypted fields only ever masked."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in ("id", "application"):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, EncryptedTextField):
            value = mask(str.__str__(value)) if value else ""
        data[field.name] = plain(value)
    station = getattr(obj, "station", None)
    if isinstance(station, Station):
        data["station_name"] = station.name
    return data


def material_out(req: MaterialRequirement) -> dict:
    return {
        "id": req.pk,
        "code": req.code,
        "name": req.name,
        "source": req.source,
        "source_label": req.get_source_display(),
        "formats": req.format_list,
        "formats_label": req.formats_label,
        "required": req.required,
        "min_count": req.min_count,
        "max_count": req.max_count,
        "due_at_submission": req.due_at_submission,
        "note": req.note,
    }


def item_out(item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "department": item.department.code,
        "department_name": item.department.name,
    }


def attachment_out(attachment: Attachment, application: Application) -> dict:
    technician = getattr(attachment, "technician", None)
    return {
        "id": attachment.pk,
        "requirement": attachment.requirement.code,
        "requirement_id": attachment.requirement_id,
        "requirement_name": attachment.requirement.name,
        "item": attachment.requirement.item.code,
        "name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "format": attachment.format,
        "content_type": attachment.content_type,
        "pages": attachment.pages,
        "width": attachment.width,
        "height": attachment.height,
        "uploaded_at": attachment.uploaded_at,
        "verdict": attachment.verdict,
        "verdict_label": attachment.get_verdict_display(),
        "verdict_note": attachment.verdict_note,
        "technician": technician.pk if technician is not None else None,
        "download_url": reverse(
            "portal-api:download_attachment",
            kwargs={"reference": application.reference, "attachment_id": attachment.pk},
        ),
    }


def technician_out(technician) -> dict:
    return {
        "id": technician.pk,
        "name": technician.name,
        "phone": technician.phone,
        "certificate_number": technician.certificate_number,
        "certificate": technician.certificate_id,
    }


def invoice_line_out(line) -> dict:
    return {
        "id": line.pk,
        "equipment": line.equipment,
        "equipment_label": line.get_equipment_display(),
        "quantity": line.quantity,
        "cost_name": line.cost_name,
        "invoice_number": line.invoice_number,
        "invoice_code": line.invoice_code,
        "invoice_amount": str(line.invoice_amount),
        "used_amount": str(line.used_amount),
        "issued_on": line.issued_on,
        "buyer_name": line.buyer_name,
        "invoice_file": line.invoice_file_id,
    }


def notice_out(notice) -> dict:
    return {
        "id": notice.pk,
        "created_at": notice.created_at,
        "items": [
            {
                "material": item.get("material", ""),
                "department": item.get("department", ""),
                "problem": item.get("problem", ""),
            }
            for item in notice.items or []
        ],
        "message": notice.message,
        "resolved": notice.resolved_at is not None,
        "resolved_at": notice.resolved_at,
    }


def summary_out(application: Application) -> dict:
    return {
        "reference": application.reference,
        "kind": application.kind,
        "kind_label": application.get_kind_display(),
        "title": application.title,
        "state": application.state,
        "state_label": application.get_state_display(),
        "editable": application.is_editable,
        "items": [item_out(item) for item in application.items.all()],
        "region": application.region.code,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
    }


def application_out(application: Application) -> dict:
    """Everything the applicant may know about one application, read fresh."""
    app = (
        Application.objects.select_related("region")
        .prefetch_related("items__department")
        .get(pk=application.pk)
    )
    data = summary_out(app)
    detail = app.detail
    data["detail"] = detail_data(detail)
    data["technicians"] = (
        [technician_out(t) for t in detail.technicians.all()]
        if app.kind == ApplicationKind.OPERATOR_REGISTRATION and detail is not None
        else []
    )
    data["invoice_lines"] = (
        [invoice_line_out(line) for line in detail.invoice_lines.all()]
        if app.kind == ApplicationKind.CONSTRUCTION_SUBSIDY and detail is not None
        else []
    )
    data["checklist"] = [
        {
            "requirement": row.requirement.code,
            "requirement_id": row.requirement.pk,
            "name": row.requirement.name,
            "item": row.requirement.item.code,
            "department_name": row.requirement.item.department.name,
            "source_label": row.requirement.get_source_display(),
            "formats": row.requirement.format_list,
            "required": row.requirement.required,
            "min_count": row.requirement.min_count,
            "max_count": row.requirement.max_count,
            "due_at_submission": row.requirement.due_at_submission,
            "status": row.status,
            "status_label": row.status_label,
            "problem": row.problem,
            "attachments": [a.pk for a in row.attachments],
        }
        for row in checklist(app)
    ]
    data["attachments"] = [
        attachment_out(a, app)
        for a in app.attachments.select_related("requirement__item", "technician")
    ]
    data["submission_problems"] = problems_for_submission(app) if app.is_editable else []
    data["reviews"] = [
        {
            "department": review.department.code,
            "department_name": review.department.name,
            "status": review.status,
            "status_label": review.get_status_display(),
            "items": [item.code for item in review.items.all()],
            "received_at": review.received_at,
            "due_date": review.due_date,
            "calendar_missing_year": review.calendar_missing_year,
            "overdue": review.is_overdue(),
            "decided_at": review.decided_at,
            "opinion": review.opinion,
        }
        for review in app.reviews.select_related("department").prefetch_related("items")
    ]
    data["notices"] = [notice_out(n) for n in app.supplement_notices.all()]
    data["events"] = [
        {
            "at": event.at,
            "action": event.action,
            "action_label": event.label,
            "department": event.department.name if event.department else None,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "note": event.note,
        }
        for event in app.events.select_related("department").exclude(action__in=Event.STAFF_READS)
    ]
    return data


def station_out(row) -> dict:
    s = row["station"]
    dossier = getattr(s, "dossier", None)
    return {
        "id": s.pk,
        "station_id": s.station_id,
        "name": s.name,
        "address": s.address,
        "region": s.region.code if s.region else None,
        "station_type": s.get_station_type_display(),
        "construction": s.get_construction_display(),
        "pile_count": s.pile_count,
        "equipment": [
            {
                "equipment_id": e.equipment_id,
                "type": e.get_equipment_type_display(),
                "power_kw": str(e.power_kw),
                "connectors": [
                    {
                        "connector_id": c.connector_id,
                        "power_kw": str(c.power_kw),
                        "status": c.get_status_display() if c.status is not None else None,
                    }
                    for c in e.connectors.all()
                ],
            }
            for e in s.equipment.all()
        ],
        "last_status_at": s.status_pushed_at,
        "orders_by_year": row["orders_by_year"],
        "health": row["health"],
        "health_reasons": row["reasons"],
        "dossier": dossier.application.reference if dossier else None,
    }

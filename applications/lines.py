"""Repeating rows of an application: technicians (运营商注册) and invoice lines (建设补贴).

Each row may carry a file; the row and its file are stored together or not at all.
"""

from contextlib import contextmanager

from django.db import transaction

from catalogue.models import ApplicationKind

from .files import discard_objects, object_names
from .forms import InvoiceLineForm, TechnicianForm
from .materials import add_attachment, remove_attachment, requirement_for
from .models import Attachment, InvoiceLine
from .uploads import UploadRejected
from .workflow import WorkflowError


@contextmanager
def _files_removed_on_failure():
    """Inside an outer transaction, a failure after a file was stored rolls the rows back
    but not the object store: remove what this block stored before re-raising."""
    stored = []

    def keep(attachment):
        stored.append(attachment)
        return attachment

    try:
        yield keep
    except BaseException:
        discard_objects(object_names(*stored))
        raise


def _editable_detail(application, kind):
    if application.kind != kind:
        raise WorkflowError(f"此申请不是“{ApplicationKind(kind).label}”。")
    if not application.is_editable:
        raise WorkflowError("申请已提交，当前不能修改；如需修改，请先撤回申请。")
    if application.detail is None:
        raise WorkflowError(f"请先填写“{ApplicationKind(kind).label}”的基本信息。")
    return application.detail


@transaction.atomic
def add_technician(application, data, certificate=None, *, user, certificate_name=""):
    """Returns (technician, form); technician is None when the form has errors."""
    registration = _editable_detail(application, ApplicationKind.OPERATOR_REGISTRATION)
    form = TechnicianForm(data)
    if not form.is_valid():
        return None, form
    number = form.cleaned_data["certificate_number"]
    if registration.technicians.filter(certificate_number=number).exists():
        form.add_error("certificate_number", f"许可证编号 {number} 已经填写过。")
        return None, form
    technician = form.save(commit=False)
    technician.registration = registration
    with _files_removed_on_failure() as stored:
        if certificate is not None:
            technician.certificate = stored(
                add_attachment(
                    application,
                    requirement_for(application, "electrician-licence"),
                    certificate,
                    user=user,
                    name=certificate_name or getattr(certificate, "name", ""),
                )
            )
        technician.save()
    return technician, form


@transaction.atomic
def remove_technician(technician, *, user) -> None:
    application = technician.registration.application
    _editable_detail(application, ApplicationKind.OPERATOR_REGISTRATION)
    certificate = technician.certificate
    technician.delete()
    if certificate is not None:
        remove_attachment(certificate, user=user)


@transaction.atomic
def attach_certificate(technician, requirement, upload, *, user, name=""):
    """Upload a technician's 电工进网作业许可证 and link it: both stored or neither."""
    if requirement.code != "electrician-licence":
        raise UploadRejected(
            "关联技术人员时，材料应为“电工进网作业许可证”（electrician-licence）。"
        )
    if technician.certificate_id:
        raise UploadRejected(
            f"技术人员“{technician.name}”已上传许可证（文件编号 {technician.certificate_id}），"
            "如需更换请先删除原文件。"
        )
    application = technician.registration.application
    with _files_removed_on_failure() as stored:
        attachment = stored(add_attachment(application, requirement, upload, user=user, name=name))
        technician.certificate = attachment
        technician.save(update_fields=["certificate"])
    return attachment


@transaction.atomic
def attach_invoice_file(line, requirement, upload, *, user, name=""):
    """Upload the file of an invoice and link it to every line of that invoice still
    without one: all stored or nothing."""
    if requirement.code != "invoice":
        raise UploadRejected("关联发票明细时，材料应为“发票”（invoice）。")
    if line.invoice_file_id:
        raise UploadRejected(
            f"该发票明细已关联发票文件（文件编号 {line.invoice_file_id}），如需更换请先删除原文件。"
        )
    application = line.subsidy.application
    with _files_removed_on_failure() as stored:
        attachment = stored(add_attachment(application, requirement, upload, user=user, name=name))
        line.subsidy.invoice_lines.filter(
            invoice_code=line.invoice_code,
            invoice_number=line.invoice_number,
            invoice_file__isnull=True,
        ).update(invoice_file=attachment)
    return attachment


def _invoice_attachment(application, attachment_id):
    try:
        return application.attachments.get(pk=attachment_id, requirement__code="invoice")
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise UploadRejected("所选发票文件不属于此申请，请重新选择或上传。") from exc


@transaction.atomic
def add_invoice_line(
    application, data, invoice=None, *, user, invoice_name="", invoice_file_id=None
):
    """One device of one invoice. Several lines of the same invoice share its file:
    upload it with the first line and pick it (invoice_file_id) for the others."""
    subsidy = _editable_detail(application, ApplicationKind.CONSTRUCTION_SUBSIDY)
    form = InvoiceLineForm(data)
    if not form.is_valid():
        return None, form
    line = form.save(commit=False)
    line.subsidy = subsidy
    with _files_removed_on_failure() as stored:
        if invoice is not None:
            line.invoice_file = stored(
                add_attachment(
                    application,
                    requirement_for(application, "invoice"),
                    invoice,
                    user=user,
                    name=invoice_name or getattr(invoice, "name", ""),
                )
            )
        elif invoice_file_id:
            line.invoice_file = _invoice_attachment(application, invoice_file_id)
        else:
            same = subsidy.invoice_lines.filter(
                invoice_code=line.invoice_code, invoice_number=line.invoice_number
            ).exclude(invoice_file=None)
            line.invoice_file = same.first().invoice_file if same.exists() else None
        line.save()
    return line, form


@transaction.atomic
def remove_invoice_line(line, *, user) -> None:
    application = line.subsidy.application
    _editable_detail(application, ApplicationKind.CONSTRUCTION_SUBSIDY)
    invoice_file = line.invoice_file
    line.delete()
    if (
        invoice_file is not None
        and not InvoiceLine.objects.filter(invoice_file=invoice_file).exists()
    ):
        remove_attachment(invoice_file, user=user)

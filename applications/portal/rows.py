"""Portal views for the repeating rows of a detail: technicians and invoice lines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cms.storage import StorageUnavailable

from .. import access, lines, workflow
from ..forms import InvoiceLineForm, TechnicianForm
from ..models import (
    InvoiceLine,
    Technician,
)
from ..uploads import UploadRejected
from .detail import render_detail
from .helpers import detail_url

# --- repeating rows -----------------------------------------------------------------


@login_required
@require_POST
def add_technician(request, reference):
    application = access.get_own_application(request.user, reference)
    certificate = request.FILES.get("certificate")
    form = TechnicianForm(request.POST, prefix="tech")
    data = {name: form[name].value() for name in form.fields}
    try:
        technician, form = lines.add_technician(
            application,
            data,
            certificate,
            user=request.user,
            certificate_name=certificate.name if certificate else "",
        )
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url(application, "technicians"))
    except (UploadRejected, StorageUnavailable) as exc:
        form = TechnicianForm(request.POST, prefix="tech")
        form.is_valid()
        return render_detail(
            request,
            application,
            technician_form=form,
            technician_file_errors=[getattr(exc, "message", str(exc))],
        )
    if technician is None:
        bound = TechnicianForm(request.POST, prefix="tech")
        bound.is_valid()
        for field, errors in form.errors.items():
            for error in errors:
                if error not in bound.errors.get(field, []):
                    bound.add_error(field if field != "__all__" else None, error)
        return render_detail(request, application, technician_form=bound)
    messages.success(request, f"已添加技术人员“{technician.name}”。")
    return redirect(detail_url(application, "technicians"))


@login_required
@require_POST
def remove_technician(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    technician = Technician.objects.filter(pk=pk, registration__application=application).first()
    if technician is None:
        raise Http404("没有这名技术人员")
    try:
        lines.remove_technician(technician, user=request.user)
    except (workflow.WorkflowError, UploadRejected) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除技术人员“{technician.name}”。")
    return redirect(detail_url(application, "technicians"))


@login_required
@require_POST
def add_invoice_line(request, reference):
    application = access.get_own_application(request.user, reference)
    invoice = request.FILES.get("invoice")
    chosen = request.POST.get("invoice_file_id") or None
    form = InvoiceLineForm(request.POST, prefix="invoice")
    data = {name: form[name].value() for name in form.fields}
    try:
        line, form = lines.add_invoice_line(
            application,
            data,
            invoice,
            user=request.user,
            invoice_name=invoice.name if invoice else "",
            invoice_file_id=chosen if not invoice else None,
        )
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url(application, "invoices"))
    except (UploadRejected, StorageUnavailable) as exc:
        bound = InvoiceLineForm(request.POST, prefix="invoice")
        bound.is_valid()
        return render_detail(
            request,
            application,
            invoice_form=bound,
            invoice_file_errors=[getattr(exc, "message", str(exc))],
        )
    if line is None:
        bound = InvoiceLineForm(request.POST, prefix="invoice")
        bound.is_valid()
        return render_detail(request, application, invoice_form=bound)
    messages.success(
        request, f"已添加发票 {line.invoice_number}（{line.get_equipment_display()}）。"
    )
    return redirect(detail_url(application, "invoices"))


@login_required
@require_POST
def remove_invoice_line(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    line = InvoiceLine.objects.filter(pk=pk, subsidy__application=application).first()
    if line is None:
        raise Http404("没有这条发票明细")
    try:
        lines.remove_invoice_line(line, user=request.user)
    except (workflow.WorkflowError, UploadRejected) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除发票明细 {line.invoice_number}。")
    return redirect(detail_url(application, "invoices"))

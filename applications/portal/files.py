"""Portal views for material files: upload, delete, download and preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cms.storage import StorageUnavailable

from .. import access, files, materials, workflow
from ..models import (
    Attachment,
    InvoiceLine,
    Technician,
)
from ..uploads import UploadRejected
from .detail import render_detail
from .helpers import current_applicant, detail_url

# --- materials ----------------------------------------------------------------------


@login_required
@require_POST
def upload(request, reference, requirement_pk):
    application = access.get_own_application(request.user, reference)
    try:
        requirement = materials.requirement_for(application, requirement_pk)
    except UploadRejected as exc:
        raise Http404("此申请没有这项材料") from exc
    files = request.FILES.getlist("files")
    if not files:
        return render_detail(
            request, application, upload_errors={requirement.pk: ["请先选择要上传的文件。"]}
        )
    stored, errors = [], []
    for upload_file in files:
        try:
            materials.add_attachment(
                application, requirement, upload_file, user=request.user, name=upload_file.name
            )
        except UploadRejected as exc:
            errors.append(str(exc))
        except StorageUnavailable as exc:
            errors.append(exc.message)
            break
        else:
            stored.append(upload_file.name)
    if stored:
        messages.success(request, f"“{requirement.name}”已上传 {len(stored)} 个文件。")
    if errors:
        return render_detail(request, application, upload_errors={requirement.pk: errors})
    return redirect(detail_url(application, f"req-{requirement.pk}"))


def _own_attachment(application, pk):
    try:
        return application.attachments.select_related("requirement").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404("文件不存在") from exc


@login_required
@require_POST
def remove_file(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    attachment = _own_attachment(application, pk)
    if Technician.objects.filter(certificate=attachment).exists():
        messages.error(request, "此文件是技术人员的许可证，请在“从业技术人员”中删除该人员。")
        return redirect(detail_url(application, "technicians"))
    if InvoiceLine.objects.filter(invoice_file=attachment).exists():
        messages.error(request, "此文件是发票明细的发票文件，请先删除使用它的发票明细。")
        return redirect(detail_url(application, "invoices"))
    try:
        materials.remove_attachment(attachment, user=request.user)
    except (UploadRejected, StorageUnavailable) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除“{attachment.original_name}”。")
    return redirect(detail_url(application, f"req-{attachment.requirement_id}"))


# --- files --------------------------------------------------------------------------


def _is_owner(request, application) -> bool:
    applicant = current_applicant(request)
    return applicant is not None and applicant.pk == application.applicant_id


@login_required
def download(request, pk):
    attachment = access.get_visible_attachment(request.user, pk)
    response = files.serve_attachment(attachment)
    _record_staff_read(request, attachment, "downloaded")
    return response


@login_required
def preview(request, pk):
    attachment = access.get_visible_attachment(request.user, pk)
    response = files.serve_preview(attachment)
    _record_staff_read(request, attachment, "previewed")
    return response


def _record_staff_read(request, attachment, what):
    if not _is_owner(request, attachment.application):
        workflow.record_view(
            attachment.application,
            request.user,
            what,
            note=f"{attachment.requirement.name}：{attachment.original_name}",
        )

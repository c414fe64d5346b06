"""The documents of a case: a list with their delivery state (applicant and staff), each
document as a web page and as a PDF from the same template, and the staff's record of
a window hand-over or a posting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from applications.access import reviewer_departments
from applications.workflow import WorkflowError, record_view
from catalogue.reviewers import is_reviewer
from window.intake import desks_of

from . import delivery as deliveries
from .access import get_document_application, is_own, is_staff_for
from .kinds import KINDS, select
from .models import DocumentDelivery, Method
from .rendering import pdf_filename, render_html, render_pdf


def _refuse(request, application, message, status):
    return render(
        request,
        "documents/unavailable.html",
        {"application": application, "message": message},
        status=status,
    )


def _document(request, reference, kind_name):
    """(application, kind, issued, error response)."""
    application = get_document_application(request.user, reference)
    kind = KINDS.get(kind_name)
    if kind is None:
        return application, None, None, _refuse(request, application, "没有这种文书。", 404)
    key = (request.GET.get("key") or "").strip()[:40]
    issued, reason = select(kind, application, key)
    if issued is None:
        status = 400 if "请指定" in reason else 404
        return application, kind, None, _refuse(request, application, reason, status)
    return application, kind, issued, None


@login_required
def document_html(request, reference, kind):
    application, kind, issued, refused = _document(request, reference, kind)
    if refused:
        return refused
    response = HttpResponse(render_html(kind, application, issued, web=True))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_pdf(request, reference, kind):
    application, kind, issued, refused = _document(request, reference, kind)
    if refused:
        return refused
    return pdf_response(application, kind, issued, request.user)


def pdf_response(application, kind, issued, user):
    """The PDF as a download (portal and API alike), with the delivery/audit record."""
    data = render_pdf(kind, application, issued)
    if is_own(user, application):
        deliveries.record_download(application, kind.name, issued.key, user)
    else:
        record_view(application, user, "downloaded", note=f"文书：{issued.title}")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, pdf_filename(application, issued)
    )
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _rows(application):
    rows = []
    by_key = {(d.kind, d.key): d for d in deliveries.deliveries(application)}
    for kind in KINDS.values():
        issued = kind.issued(application)
        if not issued:
            rows.append({"kind": kind, "reason": kind.why_not(application)})
        for document in issued:
            rows.append(
                {
                    "kind": kind,
                    "issued": document,
                    "delivery": by_key.get((kind.name, document.key)),
                }
            )
    return rows


@login_required
def document_list(request, reference):
    application = get_document_application(request.user, reference)
    staff = is_staff_for(request.user, application)
    return render(
        request,
        "documents/list.html",
        {
            "application": application,
            "rows": _rows(application),
            "staff": staff,
            "own": is_own(request.user, application),
            "Method": Method,
        },
    )


@login_required
@require_POST
def record_delivery(request, reference, pk):
    application = get_document_application(request.user, reference)
    if not is_staff_for(request.user, application):
        return _refuse(request, application, "只有窗口或审核人员可以登记送达。", 403)
    row = get_object_or_404(DocumentDelivery, pk=pk, application=application)
    try:
        if row.method == Method.POST:
            deliveries.record_post(
                row,
                user=request.user,
                postal_address=request.POST.get("postal_address", ""),
                carrier=request.POST.get("carrier", ""),
                tracking_number=request.POST.get("tracking_number", ""),
            )
            messages.success(request, f"已登记寄出：{row.title}。")
        elif row.method == Method.WINDOW:
            deliveries.record_handover(
                row, user=request.user, received_by=request.POST.get("received_by", "")
            )
            messages.success(request, f"已登记领取：{row.title}。")
        else:
            raise WorkflowError("系统推送的文书由申请人在网上下载，无需登记。")
    except WorkflowError as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        response = document_list(request, reference)
        response.status_code = 400
        return response
    return redirect("documents:list", reference=application.reference)


@login_required
def pending(request):
    """Staff's list of documents waiting for a window hand-over or a posting."""
    desks = desks_of(request.user)
    if not (desks.exists() or is_reviewer(request.user)):
        return render(
            request,
            "documents/unavailable.html",
            {"message": "只有窗口或审核人员可以查看待送达文书。"},
            status=403,
        )
    rows = DocumentDelivery.objects.filter(
        method__in=(Method.WINDOW, Method.POST), handed_over_at__isnull=True, posted_at__isnull=True
    ).select_related("application", "department")
    if not request.user.is_superuser:  # their county's window, their departments' cases
        rows = rows.filter(
            Q(application__region__in=desks.values("region"))
            | Q(application__reviews__department__in=reviewer_departments(request.user))
        ).distinct()
    return render(request, "documents/pending.html", {"rows": rows.order_by("available_at")[:500]})

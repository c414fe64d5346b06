"""The applicant's 运营补贴 page: the year's eligible orders, the amount, the numbered
list download and the signed list upload (mounted at /my/subsidies/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from applications import access
from applications.uploads import UploadRejected
from catalogue.models import ApplicationKind
from cms.storage import StorageUnavailable

from . import orderlist, service
from .hooks import summary

PER_PAGE = 100


def _operation_application(request, reference):
    application = access.get_own_application(request.user, reference)
    if application.kind != ApplicationKind.OPERATION_SUBSIDY or application.detail is None:
        raise Http404("此申请没有运营补贴订单清单")
    return application


def _secure(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def orders(request, reference):
    application = _operation_application(request, reference)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择签字并加盖公章的补贴清单文件。")
        else:
            try:
                order_list = orderlist.upload_signed(
                    application, request.POST.get("number", ""), upload, user=request.user
                )
            except (UploadRejected, StorageUnavailable) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已上传清单 {order_list.number} 的签字盖章件。")
        return redirect(reverse("subsidies:orders", args=[reference]))
    year = service.year_of(application)
    rule_set = service.rule_for(year)
    page = None
    if rule_set is not None:
        eligible = service.eligible_orders(application.applicant, year, rule_set)
        page = Paginator(eligible, PER_PAGE).get_page(request.GET.get("page"))
    problem = orderlist.current_list_problem(application)
    context = {
        "application": application,
        "year": year,
        "rule_set": rule_set,
        "page": page,
        "s": summary(application),
        "lists": list(application.order_lists.select_related("signed_file")),
        "problem": problem,
    }
    return _secure(render(request, "subsidies/orders.html", context))


@login_required
def order_list_xlsx(request, reference):
    application = _operation_application(request, reference)
    try:
        order_list, result = orderlist.issue(application)
    except orderlist.OrderListError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("subsidies:orders", args=[reference]))
    response = HttpResponse(
        orderlist.workbook_bytes(application, order_list, result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"运营补贴清单-{order_list.number}.xlsx"
    )
    return _secure(response)

"""Portal pages: the inbox (站内信), channel preferences, and the applicant's answer to a
差评整改 (accept or appeal once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from applications.access import get_own_application
from applications.portal.detail import render_detail
from applications.portal.helpers import detail_url
from applications.workflow import WorkflowError

from . import ratings
from .models import Message, Preference, Rectification
from .transports import sms_enabled

PAGE_SIZE = 20


def _inbox(user):
    return Message.objects.filter(recipient=user, channel=Message.Channel.INBOX)


@login_required
def inbox(request):
    page_obj = Paginator(_inbox(request.user).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page_obj": page_obj})


@login_required
def message_detail(request, pk):
    message = get_object_or_404(_inbox(request.user), pk=pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return render(request, "notifications/message.html", {"message": message})


@login_required
@require_POST
def mark_all_read(request):
    count = _inbox(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    preference = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user
    )
    if request.method == "POST":
        preference.email = request.POST.get("email") == "on"
        preference.sms = request.POST.get("sms") == "on" and sms_enabled()
        preference.save()
        messages.success(request, "通知方式已保存。")
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "preference": preference,
            "has_email": bool(request.user.email),
            "sms_available": sms_enabled(),
        },
    )


def _own_rectification(user, pk):
    return get_object_or_404(
        Rectification.objects.select_related("rating__application"),
        pk=pk,
        rating__application__applicant__user=user,
    )


def _back(rectification):
    return (
        redirect("portal:detail", reference=rectification.rating.application.reference).url
        + "#rating"
    )


@login_required
@require_POST
def accept(request, pk):
    rectification = _own_rectification(request.user, pk)
    try:
        ratings.accept(rectification, user=request.user)
        messages.success(request, "您已认可整改答复，感谢您的监督。")
    except WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect(_back(rectification))


@login_required
@require_POST
def appeal(request, pk):
    rectification = _own_rectification(request.user, pk)
    try:
        ratings.appeal(rectification, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "申诉已提交，责任部门将再次答复。")
    except WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect(_back(rectification))


@login_required
@require_POST
def rate(request, reference):
    """好差评 on an application's page (portal:rate, wired into the portal by cms/urls.py)."""
    application = get_own_application(request.user, reference)
    try:
        ratings.rate_online(
            application,
            user=request.user,
            level=request.POST.get("level"),
            comment=request.POST.get("comment", ""),
            department_id=request.POST.get("department") or None,
        )
    except WorkflowError as exc:
        return render_detail(request, application, rating_errors=exc.problems)
    messages.success(request, "感谢您的评价！")
    return redirect(detail_url(application, "rating"))

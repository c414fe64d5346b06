"""Wagtail admin pages: 通知发送记录 (outbox with 重发), 好差评 (list and staff entry of
phone/window ratings), 差评整改 (department replies).

Who sees what: managers (superusers and 省平台 members) see everything; a reviewer sees
the ratings and rectifications of the departments they belong to.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.admin import messages

from applications.access import is_reviewer, reviewer_departments
from applications.models import Application
from applications.workflow import WorkflowError
from catalogue.models import Department

from . import ratings as rating_service
from .models import Level, Message, Rating, Rectification
from .tasks import resend

PLATFORM_DEPARTMENT = "platform"
PAGE_SIZE = 50


def is_manager(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.review_departments.filter(code=PLATFORM_DEPARTMENT).exists()


def _require(condition):
    if not condition:
        raise PermissionDenied


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _render(request, template, title, context, icon="mail", status=200):
    return TemplateResponse(
        request,
        template,
        {"page_title": title, "header_title": title, "header_icon": icon, **context},
        status=status,
    )


# --- 通知发送记录 -------------------------------------------------------------------


def outbox(request):
    _require(is_manager(request.user))
    if request.method == "POST":
        message = get_object_or_404(
            Message.objects.exclude(channel=Message.Channel.INBOX), pk=request.POST.get("resend")
        )
        resend(message)
        messages.success(request, f"已重新发送：{message.subject}")
        return redirect(request.get_full_path())
    queryset = Message.objects.exclude(channel=Message.Channel.INBOX).select_related(
        "recipient", "application"
    )
    state = request.GET.get("state", "")
    if state in Message.State.values:
        queryset = queryset.filter(state=state)
    channel = request.GET.get("channel", "")
    if channel in (Message.Channel.EMAIL, Message.Channel.SMS):
        queryset = queryset.filter(channel=channel)
    return _render(
        request,
        "notifications/admin/outbox.html",
        "通知发送记录",
        {
            "page_obj": _page(request, queryset.order_by("-created_at", "-pk")),
            "states": Message.State.choices,
            "state": state,
            "channel": channel,
            "failed": Message.objects.filter(state=Message.State.FAILED).count(),
        },
    )


# --- 好差评 -------------------------------------------------------------------------


def _visible_ratings(user):
    queryset = Rating.objects.select_related("application", "department", "entered_by")
    if is_manager(user):
        return queryset
    return queryset.filter(
        Q(department__in=reviewer_departments(user))
        | Q(application__reviews__department__in=reviewer_departments(user))
    ).distinct()


def ratings(request):
    _require(is_reviewer(request.user))
    errors = []
    if request.method == "POST":
        errors = _enter_rating(request)
        if not errors:
            return redirect("notifications_ratings")
    queryset = _visible_ratings(request.user)
    level = request.GET.get("level", "")
    if level.isdigit() and int(level) in Level.values:
        queryset = queryset.filter(level=int(level))
    return _render(
        request,
        "notifications/admin/ratings.html",
        "好差评",
        {
            "page_obj": _page(request, queryset),
            "levels": Level.choices,
            "level": level,
            "channels": [c for c in Rating.Channel.choices if c[0] != Rating.Channel.ONLINE],
            "departments": Department.objects.order_by("pk"),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        icon="pick",
        status=400 if errors else 200,
    )


def _enter_rating(request) -> list[str]:
    reference = (request.POST.get("reference") or "").strip().upper()
    application = Application.objects.filter(reference=reference).first()
    if application is None or not (
        is_manager(request.user)
        or application.reviews.filter(department__in=reviewer_departments(request.user)).exists()
    ):
        return ["未找到该申请编号，或您无权为其录入评价。"]
    try:
        rating = rating_service.rate_by_staff(
            application,
            user=request.user,
            level=request.POST.get("level"),
            channel=request.POST.get("channel", ""),
            comment=request.POST.get("comment", ""),
            department_id=request.POST.get("department") or None,
        )
    except WorkflowError as exc:
        return exc.problems
    messages.success(request, f"已录入 {application.reference} 的{rating.get_channel_display()}。")
    return []


# --- 差评整改 -----------------------------------------------------------------------


def _visible_rectifications(user):
    queryset = Rectification.objects.select_related("rating__application", "department")
    if is_manager(user):
        return queryset
    return queryset.filter(department__in=reviewer_departments(user))


def rectifications(request):
    _require(is_reviewer(request.user))
    queryset = _visible_rectifications(request.user)
    state = request.GET.get("state", "")
    if state in Rectification.State.values:
        queryset = queryset.filter(state=state)
    return _render(
        request,
        "notifications/admin/rectifications.html",
        "差评整改",
        {
            "page_obj": _page(request, queryset),
            "states": Rectification.State.choices,
            "state": state,
        },
        icon="warning",
    )


def rectify(request, pk):
    _require(is_reviewer(request.user))
    rectification = get_object_or_404(_visible_rectifications(request.user), pk=pk)
    errors = []
    if request.method == "POST":
        try:
            rating_service.reply(
                rectification, user=request.user, text=request.POST.get("reply", "")
            )
        except WorkflowError as exc:
            errors = exc.problems
        else:
            messages.success(request, "答复已发送给申请人。")
            return redirect(reverse("notifications_rectify", args=[pk]))
    return _render(
        request,
        "notifications/admin/rectify.html",
        f"差评整改 {rectification.rating.application.reference}",
        {
            "r": rectification,
            "rating": rectification.rating,
            "can_reply": rectification.awaits_department
            and rating_service.can_handle(request.user, rectification),
            "errors": errors,
        },
        icon="warning",
        status=400 if errors else 200,
    )

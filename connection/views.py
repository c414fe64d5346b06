"""装表接电 page at /connection/<reference>/: the applicant follows it and signs the plan;
供电 staff confirm/move the survey and record each step; 住建 confirms the property and
parking facts of a 居民 case. Thin views over connection.steps."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from applications.access import can_review
from applications.models import Application, State
from applications.workflow import WorkflowError
from catalogue.models import Department

from . import steps
from .models import HalfDay


def _roles(user, application) -> set[str]:
    roles = set()
    if application.applicant.user_id == user.pk:
        roles.add("applicant")
    power = Department.objects.get(code=steps.POWER)
    if can_review(user, application, power):
        roles.add("power")
    housing = Department.objects.get(code=steps.HOUSING)
    if user.is_superuser or housing.members.filter(pk=user.pk).exists():
        roles.add("housing")
    return roles


def _application(user, reference):
    application = Application.objects.filter(
        reference=reference, state__in=(State.CONNECTING, State.APPROVED)
    ).first()
    if application is None or not steps.needs_connection(application):
        raise Http404("没有这个装表接电办件")
    roles = _roles(user, application)
    if not roles:
        raise Http404("没有这个装表接电办件")
    return application, roles


def _context(application, roles, problems=()):
    connection = steps.connection_for(application)
    return {
        "application": application,
        "connection": connection,
        "roles": roles,
        "problems": list(problems),
        "permits": steps.permits(application),
        "confirm_due": steps.survey_confirm_due(connection),
        "half_days": HalfDay.choices,
        "today": timezone.localdate(),
    }


@login_required
def page(request, reference):
    application, roles = _application(request.user, reference)
    return render(request, "connection/page.html", _context(application, roles))


def _date(value):
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise WorkflowError("请按 年-月-日 填写日期，例如 2026-06-12。") from exc


def _run(action, application, user, post):
    if action == "confirm_survey":
        date = _date(post["date"]) if post.get("date") else None
        return steps.confirm_survey(
            application,
            user=user,
            date=date,
            half_day=post.get("half_day") or None,
            property_manager=post.get("property_manager", ""),
            phone=post.get("phone", ""),
        )
    if action == "confirm_property":
        return steps.confirm_property(application, user=user, facts=post.get("facts", ""))
    if action == "record_survey":
        return steps.record_survey(application, user=user)
    if action == "offer_plan":
        return steps.offer_plan(
            application,
            user=user,
            text=post.get("text", ""),
            capacity_kva=post.get("capacity") or None,
        )
    if action == "sign_plan":
        return steps.sign_plan(application, user=user)
    if action == "start_construction":
        return steps.start_construction(application, user=user, started_on=_date(post.get("date")))
    if action == "connect":
        return steps.connect(application, user=user, connected_on=_date(post.get("date")))
    raise Http404("没有这个操作")


@login_required
@require_POST
def act(request, reference, action):
    application, roles = _application(request.user, reference)
    try:
        _run(action, application, request.user, request.POST)
    except WorkflowError as exc:
        return render(
            request, "connection/page.html", _context(application, roles, exc.problems), status=400
        )
    except ValidationError as exc:  # a field of the record (capacity, phone)
        return render(
            request, "connection/page.html", _context(application, roles, exc.messages), status=400
        )
    messages.success(request, "已办理。")
    return redirect("connection:page", reference=reference)

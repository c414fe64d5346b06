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

from applications.models import Application, State
from applications.uploads import UploadRejected
from applications.workflow import WorkflowError

from . import contract, steps
from .models import HalfDay


def _application(user, reference):
    application = Application.objects.filter(
        reference=reference, state__in=(State.CONNECTING, State.APPROVED)
    ).first()
    if application is None or not steps.needs_connection(application):
        raise Http404("没有这个装表接电办件")
    roles = steps.roles(user, application)
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


def _scan(files):
    if "scan" not in files:
        raise WorkflowError("请选择签字确认的供电方案（合同）扫描件（PDF、JPG 或 PNG）。")
    return files["scan"]


def _confirm_survey(application, user, post, files):
    return steps.confirm_survey(
        application,
        user=user,
        date=_date(post["date"]) if post.get("date") else None,
        half_day=post.get("half_day") or None,
        property_manager=post.get("property_manager", ""),
        phone=post.get("phone", ""),
    )


# action -> fn(application, user, POST, FILES); each is one step of connection.steps/contract
ACTIONS = {
    "propose_survey": lambda a, u, post, f: steps.propose_survey(
        a, user=u, date=_date(post.get("date")), half_day=post.get("half_day")
    ),
    "confirm_survey": _confirm_survey,
    "confirm_property": lambda a, u, post, f: steps.confirm_property(
        a, user=u, facts=post.get("facts", "")
    ),
    "record_survey": lambda a, u, post, f: steps.record_survey(a, user=u),
    "offer_plan": lambda a, u, post, f: steps.offer_plan(
        a, user=u, text=post.get("text", ""), capacity_kva=post.get("capacity") or None
    ),
    "sign_plan": lambda a, u, post, f: steps.sign_plan(a, user=u),
    "upload_scan": lambda a, u, post, files: contract.upload_signed_scan(
        a, user=u, upload=_scan(files)
    ),
    "start_construction": lambda a, u, post, f: steps.start_construction(
        a, user=u, started_on=_date(post.get("date"))
    ),
    "connect": lambda a, u, post, f: steps.connect(a, user=u, connected_on=_date(post.get("date"))),
}


def _run(action, application, user, post, files):
    if action not in ACTIONS:
        raise Http404("没有这个操作")
    return ACTIONS[action](application, user, post, files)


@login_required
@require_POST
def act(request, reference, action):
    application, roles = _application(request.user, reference)
    try:
        _run(action, application, request.user, request.POST, request.FILES)
    except UploadRejected as exc:
        return render(
            request, "connection/page.html", _context(application, roles, [str(exc)]), status=400
        )
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


@login_required
def signed_scan(request, reference):
    """The signed contract's scan, to the applicant, 供电 and 住建 (and the window that
    uploaded it); everyone else gets the same 404 as for a case that does not exist."""
    application, _roles = _application(request.user, reference)
    return contract.serve_signed_scan(steps.connection_for(application))

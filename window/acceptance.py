"""预审 at the 综合窗口: every joint application (online or window) lands here first.
受理 pushes it to the departments in parallel (their clocks start then), 补正 sends one
一次性告知, 不予受理 ends it with a reason. State changes go through applications.workflow;
this module checks the window role first."""

from django.utils import timezone

from applications import workflow
from applications.models import State
from catalogue.models import ApplicationKind

from .intake import desk_for, window_applications
from .models import WindowDesk


def needs_window_acceptance(application) -> bool:
    """The gate registered with applications.workflow (see WindowConfig.ready): a joint
    application lands at its county's window when that window is staffed. A county
    without a staffed WindowDesk sends it straight to the departments, so no case waits
    for a window nobody works at."""
    return (
        application.kind == ApplicationKind.JOINT_INSTALLATION
        and WindowDesk.objects.filter(
            region_id=application.region_id, members__is_active=True
        ).exists()
    )


def queue(user):
    """The applications waiting for this person's windows, oldest first."""
    return window_applications(user).filter(state=State.AT_WINDOW).order_by("submitted_at", "pk")


def is_overdue(application, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        application.state == State.AT_WINDOW
        and application.window_due_date is not None
        and today > application.window_due_date
    )


def accept(application, *, user):
    desk_for(user, application.region)
    return workflow.accept_at_window(application, user=user)


def request_supplement(application, *, user, extra=(), message=""):
    desk_for(user, application.region)
    return workflow.window_supplement(application, user=user, extra=extra, message=message)


def refuse(application, *, user, reason):
    desk_for(user, application.region)
    return workflow.refuse_at_window(application, user=user, reason=reason)


def progress_steps(application) -> list[dict]:
    """The 综合窗口预审 row of the public progress page and the reviewer lists."""
    if application.window_due_date is None and application.state != State.AT_WINDOW:
        return []
    if application.state == State.AT_WINDOW:
        status = "预审中（已超期）" if is_overdue(application) else "预审中"
    elif application.state == State.NOT_ACCEPTED:
        status = "不予受理"
    elif application.accepted_at:
        status = "已受理"
    else:
        status = "待补正"
    done = application.accepted_at or (
        application.decided_at if application.state == State.NOT_ACCEPTED else None
    )
    return [
        {
            "name": "综合窗口预审",
            "status": status,
            "due_date": application.window_due_date,
            "done_at": done,
        }
    ]

"""好差评 (国办发〔2019〕51号): five levels, one online rating per finished case, ratings
given by phone or at the window entered by staff, and every 差评 followed up: the
responsible department answers within a working-day deadline, the applicant accepts
the answer or appeals once, and an appeal gets a final answer."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications import events
from applications.access import reviewer_departments
from applications.workflow import WorkflowError
from workdays.calendar import deadline_for

from .models import Level, Rating, Rectification
from .service import notify
from .signals import application_context, portal_link

REVIEW_ADMIN_LINK = "notifications_rectify"


def _level(value) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise WorkflowError("请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。")
    return level


def _department(application, department_id):
    """The department the rating concerns: chosen, or the only one of the case."""
    departments = [r.department for r in application.reviews.select_related("department")]
    if department_id not in (None, ""):
        for department in departments:
            if str(department.pk) == str(department_id):
                return department
        raise WorkflowError("所选部门未参与办理此申请，请重新选择。")
    if len(departments) == 1:
        return departments[0]
    return None


def _create(application, *, user, level, comment, channel, department_id) -> Rating:
    level = _level(level)
    department = _department(application, department_id)
    if level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED) and department is None:
        raise WorkflowError("给出不满意评价时，请选择涉及的部门，以便交办整改。")
    rating = Rating.objects.create(
        application=application,
        level=level,
        comment=(comment or "").strip()[:500],
        channel=channel,
        department=department,
        entered_by=user if user is not None and user.is_authenticated else None,
    )
    events.record(
        application,
        user,
        "rated",
        department=department,
        from_state=application.state,
        note=f"{rating.get_channel_display()}：{rating.get_level_display()}",
    )
    if rating.is_bad:
        open_rectification(rating)
    return rating


@transaction.atomic
def rate_online(application, *, user, level, comment="", department_id=None) -> Rating:
    """The applicant's own rating, once per case, after completion."""
    if not application.is_finished:
        raise WorkflowError("办结后才能进行评价。")
    if application.ratings.filter(channel=Rating.Channel.ONLINE).exists():
        raise WorkflowError("您已评价过此申请（一事一评）。")
    return _create(
        application,
        user=user,
        level=level,
        comment=comment,
        channel=Rating.Channel.ONLINE,
        department_id=department_id,
    )


@transaction.atomic
def rate_by_staff(application, *, user, level, channel, comment="", department_id=None):
    """A rating given by phone or at the window, entered by staff."""
    if channel not in (Rating.Channel.PHONE, Rating.Channel.WINDOW):
        raise WorkflowError("工作人员只能录入电话评价或窗口评价。")
    if application.state == "draft":
        raise WorkflowError("草稿不能评价。")
    return _create(
        application,
        user=user,
        level=level,
        comment=comment,
        channel=channel,
        department_id=department_id,
    )


def open_rectification(rating: Rating, days: int = Rectification.DEFAULT_DAYS) -> Rectification:
    now = timezone.now()
    rectification = Rectification.objects.create(
        rating=rating,
        department=rating.department,
        opened_at=now,
        due_date=deadline_for(now, days).due,
    )
    application = rating.application
    context = {
        **application_context(application),
        "department": rating.department.name,
        "level": rating.get_level_display(),
        "note": rating.comment,
        "due_date": rectification.due_date or "（日历未维护）",
    }
    _tell_department(rectification, "rectification_opened", rating.comment, context)
    return rectification


def _tell_department(rectification, event, note, context=None) -> None:
    application = rectification.rating.application
    context = context or {
        **application_context(application),
        "department": rectification.department.name,
        "note": note,
    }
    link = reverse("notifications_rectify", args=[rectification.pk])
    for member in rectification.department.members.filter(is_active=True):
        notify(
            event,
            member,
            context,
            application=application,
            link=link,
            dedupe_key=f"{event}:{rectification.pk}",
        )


def can_handle(user, rectification) -> bool:
    return reviewer_departments(user).filter(pk=rectification.department_id).exists()


@transaction.atomic
def reply(rectification, *, user, text: str) -> Rectification:
    """The department's answer (or, after an appeal, its final answer)."""
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if not can_handle(user, rectification):
        raise WorkflowError("您不属于责任部门，不能答复此整改。")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写整改答复。")
    now = timezone.now()
    if rectification.state == Rectification.State.OPEN:
        rectification.reply = text
        rectification.replied_at = now
        rectification.replied_by = user
        rectification.state = Rectification.State.REPLIED
    elif rectification.state == Rectification.State.APPEALED:
        rectification.final_reply = text
        rectification.state = Rectification.State.CLOSED
        rectification.closed_at = now
    else:
        raise WorkflowError(f"整改状态为“{rectification.get_state_display()}”，无需答复。")
    rectification.save()
    application = rectification.rating.application
    notify(
        "rectification_replied",
        application.applicant.user,
        {
            **application_context(application),
            "department": rectification.department.name,
            "reply": text,
        },
        application=application,
        link=portal_link(application) + "#rating",
        dedupe_key=f"rectification_replied:{rectification.pk}:{rectification.state}",
    )
    return rectification


def _own(rectification, user):
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if rectification.rating.application.applicant.user_id != user.pk:
        raise WorkflowError("只有评价人可以认可或申诉整改答复。")
    if rectification.state != Rectification.State.REPLIED:
        raise WorkflowError("责任部门答复后才能认可或申诉；申诉只能提出一次。")
    return rectification


@transaction.atomic
def accept(rectification, *, user) -> Rectification:
    rectification = _own(rectification, user)
    rectification.state = Rectification.State.ACCEPTED
    rectification.closed_at = timezone.now()
    rectification.save(update_fields=["state", "closed_at"])
    return rectification


@transaction.atomic
def appeal(rectification, *, user, reason: str) -> Rectification:
    rectification = _own(rectification, user)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请写明申诉理由。")
    rectification.state = Rectification.State.APPEALED
    rectification.appeal_reason = reason[:2000]
    rectification.appealed_at = timezone.now()
    rectification.save(update_fields=["state", "appeal_reason", "appealed_at"])
    _tell_department(rectification, "rectification_appealed", reason)
    return rectification

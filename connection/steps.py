"""The 装表接电 steps. 供电 staff confirm or move the 现场踏勘, record it, issue the
供电方案/合同, start construction and record 装表接电; 住建 confirms the property and
parking facts of a 居民 case (and attends the survey); the applicant signs the plan in
the portal. Each step writes an applications Event; the last one completes the case."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications import hooks, workflow
from applications.access import can_review
from applications.models import DepartmentReview, State
from applications.workflow import StateConflict, WorkflowError
from catalogue.models import ApplicationKind, Department
from workdays.calendar import CalendarNotCovered, deadline_for, is_working_day

from .models import Connection, HalfDay, SignedVia

POWER, HOUSING = "power", "housing"
RESIDENT_ITEM = "xy-low-voltage-resident"
PERMIT_DEPARTMENTS = ("urban", "police")
S = Connection.Status


def needs_connection(application) -> bool:
    """Registered with applications.workflow: a joint case with a 用电报装 item goes on to
    装表接电 after approval instead of being 办结."""
    return (
        application.kind == ApplicationKind.JOINT_INSTALLATION
        and application.items.filter(department__code=POWER).exists()
    )


def connection_for(application) -> Connection:
    """The case's 装表接电 record, opened with the applicant's preferred survey slot."""
    if application.state not in (State.CONNECTING, State.APPROVED):
        raise StateConflict("供电审核通过后才能办理装表接电。")
    existing = Connection.objects.filter(application=application).first()
    if existing is not None:
        return existing
    joint = application.joint_installation
    return Connection.objects.create(
        application=application,
        preferred_date=joint.survey_date,
        preferred_half_day=joint.survey_half_day,
        residential=application.items.filter(code=RESIDENT_ITEM).exists(),
    )


def survey_confirm_due(connection):
    """供电 confirms or moves the survey within CONNECTION_SURVEY_CONFIRM_DAYS working days."""
    days = getattr(settings, "CONNECTION_SURVEY_CONFIRM_DAYS", 1)
    return deadline_for(connection.created_at, days).due


def _department(code):
    return Department.objects.get(code=code)


def _require(user, application, code):
    department = _department(code)
    if not can_review(user, application, department) and not (
        code == HOUSING and department.members.filter(pk=user.pk).exists()
    ):
        raise WorkflowError(f"只有{department.name}部门的工作人员可以办理这一步。")
    return department


def may_sign_for(user, application) -> bool:
    """The applicant, or for a resident without an online account the county's window
    (the paper contract is signed at the counter and its scan uploaded there)."""
    if application.applicant.user_id == user.pk:
        return True
    return hooks.acts_on_behalf(user, application)


def roles(user, application) -> set[str]:
    """Who `user` is on this case's 装表接电: applicant, power, housing, window."""
    found = set()
    if application.applicant.user_id == user.pk:
        found.add("applicant")
    if can_review(user, application, _department(POWER)):
        found.add("power")
    if user.is_superuser or _department(HOUSING).members.filter(pk=user.pk).exists():
        found.add("housing")
    if "applicant" not in found and may_sign_for(user, application):
        found.add("window")
    return found


def _locked(application, expected) -> Connection:
    connection = Connection.objects.select_for_update().get(pk=connection_for(application).pk)
    if connection.status not in expected:
        raise StateConflict(
            f"装表接电当前进度为“{connection.get_status_display()}”，不能办理这一步。"
        )
    return connection


def _working_day(day: datetime.date) -> None:
    if day < timezone.localdate():
        raise WorkflowError("踏勘日期不能早于今天。")
    try:
        working = is_working_day(day)
    except CalendarNotCovered as exc:
        raise WorkflowError(f"{exc.year}年的工作日历尚未维护，暂不能约定该日期。") from exc
    if not working:
        raise WorkflowError(f"{day:%Y-%m-%d}不是工作日，请另选工作日。")


@transaction.atomic
def propose_survey(application, *, user, date: datetime.date, half_day: str):
    """The applicant changes the preferred 踏勘 slot while 供电 has not confirmed one."""
    if application.applicant.user_id != user.pk:
        raise WorkflowError("只有申请人本人可以预约现场踏勘时间。")
    workflow.require_applicant_may_act(application)
    connection = _locked(application, (S.SURVEY_REQUESTED,))
    if half_day not in HalfDay.values:
        raise WorkflowError("请选择上午或下午。")
    _working_day(date)
    connection.preferred_date, connection.preferred_half_day = date, half_day
    connection.save(update_fields=["preferred_date", "preferred_half_day"])
    workflow.record_step(
        application,
        user,
        "survey_proposed",
        note=f"期望踏勘：{date:%Y-%m-%d}{HalfDay(half_day).label}",
    )
    return connection


@transaction.atomic
def confirm_survey(application, *, user, date=None, half_day=None, property_manager="", phone=""):
    """供电 confirms the applicant's slot, or moves it to another working-day half-day.
    For a 居民 case 住建 and the property manager are invited."""
    department = _require(user, application, POWER)
    connection = _locked(application, (S.SURVEY_REQUESTED, S.SURVEY_SCHEDULED))
    date = date or connection.preferred_date
    half_day = half_day or connection.preferred_half_day
    if half_day not in HalfDay.values:
        raise WorkflowError("请选择上午或下午。")
    _working_day(date)
    moved = (date, half_day) != (connection.preferred_date, connection.preferred_half_day)
    connection.survey_date, connection.survey_half_day = date, half_day
    connection.survey_confirmed_at = timezone.now()
    connection.property_manager = (property_manager or "").strip()[:100]
    connection.property_manager_phone = (phone or "").strip()
    connection.full_clean(exclude=["application"])
    connection.status = S.SURVEY_SCHEDULED
    connection.save()
    note = f"现场踏勘：{date:%Y-%m-%d}{HalfDay(half_day).label}"
    if connection.residential:
        note += "；已邀请住建部门和物业参加"
    workflow.record_step(
        application,
        user,
        "survey_moved" if moved else "survey_confirmed",
        note=note,
        department=department,
    )
    return connection


@transaction.atomic
def confirm_property(application, *, user, facts: str):
    """住建: the property and parking facts of a 居民 case, confirmed before the survey."""
    department = _require(user, application, HOUSING)
    connection = _locked(application, (S.SURVEY_REQUESTED, S.SURVEY_SCHEDULED))
    if not connection.residential:
        raise WorkflowError("非居民报装无需住建确认场地信息。")
    facts = (facts or "").strip()
    if not facts:
        raise WorkflowError("请填写产权及固定车位的核实情况。")
    connection.property_facts = facts[:2000]
    connection.housing_confirmed_at = timezone.now()
    connection.housing_confirmed_by = user
    connection.save(
        update_fields=["property_facts", "housing_confirmed_at", "housing_confirmed_by"]
    )
    workflow.record_step(
        application, user, "property_confirmed", note=facts[:200], department=department
    )
    return connection


@transaction.atomic
def record_survey(application, *, user):
    department = _require(user, application, POWER)
    connection = _locked(application, (S.SURVEY_SCHEDULED,))
    if connection.residential and connection.housing_confirmed_at is None:
        raise WorkflowError("居民报装须先由住建部门确认产权及车位情况。")
    connection.status = S.SURVEYED
    connection.surveyed_at = timezone.now()
    connection.save(update_fields=["status", "surveyed_at"])
    workflow.record_step(application, user, "surveyed", department=department)
    return connection


@transaction.atomic
def offer_plan(application, *, user, text: str, capacity_kva):
    department = _require(user, application, POWER)
    connection = _locked(application, (S.SURVEYED, S.PLAN_OFFERED))
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写供电方案内容。")
    connection.plan_text = text
    connection.plan_capacity_kva = capacity_kva
    connection.full_clean(exclude=["application"])
    connection.plan_offered_at = timezone.now()
    connection.status = S.PLAN_OFFERED
    connection.save()
    workflow.record_step(
        application,
        user,
        "plan_offered",
        note=f"核定容量 {capacity_kva} kVA",
        department=department,
    )
    return connection


@transaction.atomic
def sign_plan(application, *, user):
    """The applicant accepts the 供电方案/合同 in the portal."""
    if application.applicant.user_id != user.pk:
        raise WorkflowError("只有申请人本人可以签署供电方案（合同）。")
    workflow.require_applicant_may_act(application)
    connection = _locked(application, (S.PLAN_OFFERED,))
    connection.status = S.PLAN_SIGNED
    connection.plan_signed_at = timezone.now()
    connection.plan_signed_by = user
    connection.plan_signed_via = SignedVia.PORTAL
    connection.save(update_fields=["status", "plan_signed_at", "plan_signed_by", "plan_signed_via"])
    workflow.record_step(application, user, "plan_signed", note="申请人网上确认签署")
    return connection


def permits(application) -> list[str]:
    """The 城管/公安 permits the construction relies on, when those items were chosen."""
    reviews = application.reviews.filter(department__code__in=PERMIT_DEPARTMENTS)
    return [
        f"{review.department.name}：{'、'.join(i.name for i in review.items.all())}"
        for review in reviews.select_related("department").prefetch_related("items")
        if review.status == DepartmentReview.Status.APPROVED
    ]


@transaction.atomic
def start_construction(application, *, user, started_on: datetime.date):
    department = _require(user, application, POWER)
    connection = _locked(application, (S.PLAN_SIGNED,))
    if started_on > timezone.localdate():
        raise WorkflowError("开工日期不能晚于今天。")
    connection.status = S.CONSTRUCTION
    connection.construction_started_on = started_on
    connection.permits = "\n".join(permits(application))
    connection.save(update_fields=["status", "construction_started_on", "permits"])
    workflow.record_step(
        application,
        user,
        "construction_started",
        note=connection.permits.replace("\n", "；") or "无需占道、绿地审批",
        department=department,
    )
    return connection


@transaction.atomic
def connect(application, *, user, connected_on: datetime.date):
    """装表接电 done: the case is 办结 now, and the rating is offered."""
    department = _require(user, application, POWER)
    connection = _locked(application, (S.CONSTRUCTION,))
    if connected_on > timezone.localdate() or connected_on < connection.construction_started_on:
        raise WorkflowError("装表接电日期应在开工日期与今天之间。")
    connection.status = S.CONNECTED
    connection.connected_on = connected_on
    connection.save(update_fields=["status", "connected_on"])
    workflow.complete_connection(
        application, user=user, note=f"{department.name}：{connected_on:%Y-%m-%d}装表接电"
    )
    return connection


def progress_steps(application) -> list[dict]:
    """The 装表接电 rows of the public progress page and the reviewer lists."""
    if application.kind != ApplicationKind.JOINT_INSTALLATION or application.state not in (
        State.CONNECTING,
        State.APPROVED,
    ):
        return []  # no query for the other rows of a list
    connection = Connection.objects.filter(application=application).first()
    if connection is None:
        if application.state == State.CONNECTING:
            return [{"name": "现场踏勘", "status": "待确认", "due_date": None, "done_at": None}]
        return []
    order = list(S.values)
    reached = order.index(connection.status)

    def row(name, at_status, done_at, due=None):
        done = reached > order.index(at_status)
        status = "已完成" if done else ("办理中" if reached == order.index(at_status) else "未开始")
        return {"name": name, "status": status, "due_date": due, "done_at": done_at}

    survey_due = connection.survey_date or survey_confirm_due(connection)
    return [
        row("现场踏勘", S.SURVEY_SCHEDULED, connection.surveyed_at, survey_due),
        row("供电方案（合同）签署", S.PLAN_OFFERED, connection.plan_signed_at),
        row("施工", S.CONSTRUCTION, connection.connected_on),
        {
            "name": "装表接电",
            "status": "已完成" if connection.connected_on else "未完成",
            "due_date": None,
            "done_at": connection.connected_on,
        },
    ]


def portal_links(user, application=None) -> list[tuple[str, str]]:
    """Registered in applications.hooks: the 装表接电 page from the application page."""
    if application is None or application.state not in (State.CONNECTING, State.APPROVED):
        return []
    if not needs_connection(application) or not roles(user, application):
        return []
    label = "装表接电：踏勘预约、供电方案签署与进度"
    links = [(label, reverse("connection:page", args=[application.reference]))]
    connection = Connection.objects.filter(application=application).first()
    if connection is not None and connection.signed_scan:
        links.append(
            (
                f"已签字的供电方案（合同）扫描件：{connection.signed_scan_name}",
                reverse("connection:signed_scan", args=[application.reference]),
            )
        )
    return links

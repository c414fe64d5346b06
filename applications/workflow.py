"""The review workflow: the only code that changes an application's state.

draft → submitted → under review → needs supplement → resubmitted → approved / rejected.
A joint application fans out into one DepartmentReview per department, reviewed in
parallel, each with its own working-day deadline; the application's state follows
from its reviews. Every step writes an Event (history and audit trail).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Applicant
from catalogue.models import ApplicantType, ApplicationKind, ServiceItem
from interconnect import credentials as interconnect_credentials
from workdays.calendar import deadline_for

from . import events, hooks
from .access import can_review, reviewer_departments
from .checklist import checklist
from .deadlines import deadline_fields
from .files import discard_objects, object_names
from .models import (
    Application,
    Attachment,
    Channel,
    DepartmentReview,
    Event,
    State,
    SupplementNotice,
)
from .rules import eligible_items, find_station, problems_for_submission

# The states in which departments are reviewing (the applicant waits).
IN_REVIEW = (State.SUBMITTED, State.UNDER_REVIEW, State.RESUBMITTED)
# States in which a department may still act on its own review: the others review in
# parallel while one waits for a supplement.
REVIEWABLE = (*IN_REVIEW, State.NEEDS_SUPPLEMENT)


class WorkflowError(Exception):
    """A step the rules do not allow; `problems` lists what to fix, in Chinese."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("；".join(self.problems))

    @property
    def message(self) -> str:
        return "；".join(self.problems)


def _event(application, user, action, *, note="", department=None, from_state=""):
    return events.record(
        application, user, action, note=note, department=department, from_state=from_state
    )


class StateConflict(WorkflowError):
    """The data behind the application does not allow this step yet (the API answers
    409): e.g. the station's 互联互通数据异常 at the 建设补贴 station step."""


INACTIVE_MESSAGE = "账号尚未通过审核或已被锁定，暂不能办理业务。"


def require_applicant_may_act(application) -> None:
    """Every change an applicant makes checks the account state afresh: only an active
    account acts, and a pending one only on its own 账号注册 application."""
    status = (
        Applicant.objects.filter(pk=application.applicant_id)
        .values_list("status", flat=True)
        .first()
    )
    if status == Applicant.Status.ACTIVE:
        return
    if status == Applicant.Status.PENDING and application.kind == ApplicationKind.ACCOUNT:
        return
    raise WorkflowError(INACTIVE_MESSAGE)


def lock(application) -> Application:
    """The application re-read under a row lock (SELECT ... FOR UPDATE on PostgreSQL),
    so two departments or an applicant and a reviewer acting at once take turns and each
    sees what the other committed. Call inside a transaction. The caller's instance is
    refreshed in place, so it shows the outcome of the step it asked for."""
    application.refresh_from_db(from_queryset=Application.objects.select_for_update())
    return application


_DECIDED = (DepartmentReview.Status.APPROVED, DepartmentReview.Status.REJECTED)


def can_withdraw(application) -> bool:
    """撤回 is possible while the application is in review and no department has decided."""
    return (
        application.state in (*IN_REVIEW, State.AT_WINDOW)
        and not application.reviews.filter(status__in=_DECIDED).exists()
    )


def reopen_approved(application, departments=None, *, user, note: str) -> list:
    """Changing what a department approved reopens that department's review: it goes back
    to 需补正 and restarts when the applicant resubmits. `departments=None`: every
    department (the application form is shared). Returns the reopened reviews."""
    reviews = application.reviews.filter(status=DepartmentReview.Status.APPROVED)
    if departments is not None:
        reviews = reviews.filter(department__in=departments)
    reopened = list(reviews.select_related("department"))
    for review in reopened:
        review.status = DepartmentReview.Status.NEEDS_SUPPLEMENT
        review.decided_at = None
        review.save(update_fields=["status", "decided_at"])
        _event(
            application,
            user,
            "review_reopened",
            department=review.department,
            from_state=application.state,
            note=f"{review.department.name}已通过的内容被修改（{note}），重新提交后需重新审核。",
        )
    return reopened


def record_view(application, user, what="viewed", note="") -> None:
    """Audit trail for reads by staff (views, downloads, exports)."""
    record_views([application], user, what, note)


def record_views(applications, user, what="viewed", note="") -> None:
    """`record_view` for many applications in one INSERT (a list export)."""
    events.record_many(applications, user, what, note=note)


STATION_IN_USE = "该站点已有建设补贴申请，请先删除补贴申请，再撤回、修改或删除建站资料。"


def require_dossier_station_free(application) -> None:
    """建站资料 may be withdrawn, edited or deleted only while no 建设补贴 references its
    station: the bound one or, when a withdrawal has unbound it, the station its name
    binds to (unless another dossier holds that station)."""
    if application.kind != ApplicationKind.STATION_DOSSIER or application.detail is None:
        return
    dossier = application.detail
    station = dossier.station or find_station(application.applicant, dossier.station_name)
    if station is None:
        return
    holder = getattr(station, "dossier", None)
    if holder is not None and holder.pk != dossier.pk:
        return
    if station.subsidies.exists():
        raise WorkflowError(STATION_IN_USE)


# --- Creating ---------------------------------------------------------------------


def choose_items(applicant, kind, item_codes=None) -> list[ServiceItem]:
    """The service items an application of this kind covers, checked for eligibility."""
    eligible = eligible_items(applicant, kind)
    label = ApplicationKind(kind).label
    if not eligible:
        raise WorkflowError(f"{ApplicantType(applicant.kind).label}不能办理“{label}”。")
    if kind != ApplicationKind.JOINT_INSTALLATION:
        return eligible[:1]
    by_code = {item.code: item for item in eligible}
    codes = list(dict.fromkeys(item_codes or []))
    if not codes:
        raise WorkflowError("请至少选择一项联合报装事项。")
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        names = dict(ServiceItem.objects.filter(code__in=unknown).values_list("code", "name"))
        raise WorkflowError(
            f"您不能选择这些事项：{'、'.join(names.get(code, code) for code in unknown)}。"
        )
    chosen = [by_code[code] for code in codes]
    groups = {}
    for item in chosen:
        if item.joint_group:
            groups.setdefault(item.joint_group, []).append(item.name)
    for group, names in groups.items():
        if len(names) > 1:
            raise WorkflowError(f"“{group}”只能选择一项（已选：{'、'.join(names)}）。")
    return chosen


@transaction.atomic
def create_application(
    applicant, kind, *, user, item_codes=None, title="", channel=Channel.ONLINE
) -> Application:
    """`channel=Channel.WINDOW`: entered by 综合窗口 staff (`user`) for the applicant."""
    if kind != ApplicationKind.ACCOUNT and not applicant.is_active:
        raise WorkflowError(INACTIVE_MESSAGE)
    if (
        kind == ApplicationKind.OPERATOR_REGISTRATION
        and Application.objects.filter(applicant=applicant, kind=kind)
        .exclude(state=State.REJECTED)
        .exists()
    ):
        raise WorkflowError("已有一份运营商注册申请，请在原申请上修改或等待审核结果。")
    items = choose_items(applicant, kind, item_codes)
    application = Application.objects.create(
        applicant=applicant,
        kind=kind,
        region=applicant.region,
        title=title,
        channel=channel,
        entered_by=user if channel == Channel.WINDOW else None,
    )
    application.items.set(items)
    _event(application, user, "created")
    return application


def set_items(application, item_codes, *, user) -> None:
    """Change the chosen joint items of a draft (the checklist follows)."""
    require_applicant_may_act(application)
    if application.state != State.DRAFT:
        raise WorkflowError("申请已提交，不能修改办理事项；如需修改，请先撤回申请。")
    items = choose_items(application.applicant, application.kind, item_codes)
    application.items.set(items)
    _event(application, user, "items_changed", note="、".join(i.name for i in items))


# --- Submitting ---------------------------------------------------------------------


@transaction.atomic
def submit(application, *, user) -> Application:
    application = lock(application)
    require_applicant_may_act(application)
    if application.state not in (State.DRAFT, State.NEEDS_SUPPLEMENT):
        raise WorkflowError(f"申请当前状态为“{application.get_state_display()}”，不能提交。")
    problems = problems_for_submission(application)
    if problems:
        raise WorkflowError(problems)
    if lands_at_window(application):
        return _to_window(application, user)

    now = timezone.now()
    resubmission = application.state == State.NEEDS_SUPPLEMENT
    _push_to_departments(application, now)

    if application.kind == ApplicationKind.STATION_DOSSIER:
        dossier = application.detail
        dossier.station = find_station(application.applicant, dossier.station_name)
        dossier.save(update_fields=["station"])

    before = application.state
    application.state = State.RESUBMITTED if resubmission else State.SUBMITTED
    application.submitted_at = now
    application.save(update_fields=["state", "submitted_at", "updated_at"])
    application.supplement_notices.filter(resolved_at__isnull=True).update(resolved_at=now)
    _event(application, user, "resubmitted" if resubmission else "submitted", from_state=before)
    hooks.submitted(application)
    return application


def _push_to_departments(application, now) -> None:
    """One DepartmentReview per department of the chosen items, clocks starting `now`
    (a review back from 补正 restarts its clock)."""
    items = list(application.items.select_related("department"))
    by_department = {}
    for item in items:
        by_department.setdefault(item.department, []).append(item)
    for department, dept_items in by_department.items():
        review = DepartmentReview.objects.filter(
            application=application, department=department
        ).first()
        if review is None:
            review = DepartmentReview.objects.create(
                application=application,
                department=department,
                received_at=now,
                **deadline_fields(now, dept_items),
            )
        elif review.status == DepartmentReview.Status.NEEDS_SUPPLEMENT:
            # The time limit starts again from the day the supplement arrives.
            review.status = DepartmentReview.Status.PENDING
            review.received_at = now
            for name, value in deadline_fields(now, dept_items).items():
                setattr(review, name, value)
            review.save()
        review.items.set(dept_items)


@transaction.atomic
def withdraw(application, *, user) -> Application:
    """撤回: back to draft while no department has decided."""
    application = lock(application)
    require_applicant_may_act(application)
    if application.state not in (*IN_REVIEW, State.AT_WINDOW):
        raise WorkflowError(f"申请当前状态为“{application.get_state_display()}”，不能撤回。")
    if not can_withdraw(application):
        raise WorkflowError("已有部门作出审核结论，不能撤回。")
    require_dossier_station_free(application)
    before = application.state
    application.reviews.all().delete()
    application.attachments.update(
        verdict=Attachment.Verdict.PENDING, verdict_note="", verdict_by=None, verdict_at=None
    )
    if application.kind == ApplicationKind.STATION_DOSSIER and application.detail:
        application.detail.station = None
        application.detail.save(update_fields=["station"])
    application.state = State.DRAFT
    application.save(update_fields=["state", "updated_at"])
    _event(application, user, "withdrawn", from_state=before)
    return application


def delete_application(application, *, user) -> None:
    """删除: only drafts; stored files are removed after the rows are gone."""

    if application.kind == ApplicationKind.ACCOUNT and not application.applicant.is_active:
        # While the account is not active, its 账号注册 is the record of its review.
        raise WorkflowError("账号注册申请不能删除。")
    require_applicant_may_act(application)
    if application.state != State.DRAFT:
        raise WorkflowError("只能删除草稿；已提交的申请请先撤回。")
    require_dossier_station_free(application)
    names = object_names(*application.attachments.all())
    with transaction.atomic():
        application.delete()
        transaction.on_commit(lambda: discard_objects(names))


# --- Reviewing ----------------------------------------------------------------------


def _require_reviewer(user, application, department=None):
    if not can_review(user, application, department):
        raise WorkflowError("您没有审核此申请的权限。")


def _review_for(application, user, department=None) -> DepartmentReview:
    reviews = application.reviews.filter(department__in=reviewer_departments(user))
    if department is not None:
        reviews = reviews.filter(department=department)
    review = reviews.select_related("department").first()
    if review is None:
        raise WorkflowError("您没有审核此申请的权限。")
    return review


@transaction.atomic
def start_review(application, *, user, department=None) -> DepartmentReview:
    application = lock(application)
    review = _review_for(application, user, department)
    if application.state not in REVIEWABLE:
        raise WorkflowError(f"申请当前状态为“{application.get_state_display()}”，不能开始审核。")
    if review.status == DepartmentReview.Status.PENDING:
        review.status = DepartmentReview.Status.UNDER_REVIEW
        review.reviewer = user
        review.save(update_fields=["status", "reviewer"])
        before = application.state
        _recompute_state(application)
        _event(application, user, "review_started", department=review.department, from_state=before)
    return review


@transaction.atomic
def judge_material(attachment, *, user, accepted: bool, note: str = "") -> Attachment:
    application = lock(attachment.application)
    # Only the department that handles the material's item may judge it.
    _require_reviewer(user, application, attachment.requirement.item.department)
    if application.state not in IN_REVIEW:
        raise WorkflowError("只有审核中的申请才能审核材料。")
    review = application.reviews.filter(department=attachment.requirement.item.department).first()
    if review is not None and not review.is_open:
        raise WorkflowError(
            f"{review.department.name}已作出审核结论（{review.get_status_display()}），"
            "不能再判定本部门的材料。"
        )
    note = (note or "").strip()
    if not accepted and not note:
        raise WorkflowError("判定材料不合格时，请写明原因，以便申请人一次改正。")
    attachment.verdict = Attachment.Verdict.ACCEPTED if accepted else Attachment.Verdict.REJECTED
    attachment.verdict_note = note
    attachment.verdict_by = user
    attachment.verdict_at = timezone.now()
    attachment.save(update_fields=["verdict", "verdict_note", "verdict_by", "verdict_at"])
    _event(
        application,
        user,
        "material_accepted" if accepted else "material_rejected",
        note=f"{attachment.requirement.name}：{attachment.original_name}{('，' + note) if note else ''}",
        from_state=application.state,
    )
    return attachment


def supplement_items(application, extra=()) -> list[dict]:
    """Everything the applicant must fix, gathered once: rejected and missing materials
    plus the reviewer's own points."""
    items = []
    for row in checklist(application):
        if row.problem:
            items.append(
                {
                    "material": row.requirement.name,
                    "department": row.requirement.item.department.name,
                    "problem": row.problem,
                }
            )
    for text in extra:
        text = (text or "").strip()
        if text:
            items.append({"material": "", "department": "", "problem": text})
    return items


@transaction.atomic
def request_supplement(application, *, user, extra=(), message="", department=None):
    """一次性告知: one notice listing every missing or wrong item at once."""
    application = lock(application)
    review = _review_for(application, user, department)
    if not (review.is_open or review.status == DepartmentReview.Status.NEEDS_SUPPLEMENT):
        raise WorkflowError("本部门已作出审核结论，不能再要求补正。")
    if application.state not in IN_REVIEW:
        raise WorkflowError("只有审核中的申请才能要求补正。")
    items = supplement_items(application, extra)
    if not items:
        raise WorkflowError(
            "没有需要补正的内容：请先把不合格的材料标记为不合格并写明原因，或填写补正要求。"
        )
    for item in items:
        if not item["department"]:
            item["department"] = review.department.name
    notice = SupplementNotice.objects.create(
        application=application, created_by=user, items=items, message=message.strip()
    )
    review.status = DepartmentReview.Status.NEEDS_SUPPLEMENT
    review.reviewer = user
    review.save(update_fields=["status", "reviewer"])
    before = application.state
    application.state = State.NEEDS_SUPPLEMENT
    application.save(update_fields=["state", "updated_at"])
    _event(
        application,
        user,
        "supplement_requested",
        department=review.department,
        from_state=before,
        note=f"一次性告知 {len(items)} 项",
    )
    return notice


@transaction.atomic
def decide(application, *, user, approve: bool, opinion: str = "", department=None):
    # The lock makes concurrent decisions take turns: the second one recomputes the
    # application's state from the first one's committed review, never from a stale read.
    application = lock(application)
    review = _review_for(application, user, department)
    if not review.is_open:
        raise WorkflowError(f"本部门审核状态为“{review.get_status_display()}”，不能再作结论。")
    if application.state not in REVIEWABLE:
        raise WorkflowError(
            f"申请当前状态为“{application.get_state_display()}”，不能作出审核结论。"
        )
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise WorkflowError("不予通过时，请填写审核意见，说明原因。")
    if approve:
        rejected = [
            a.original_name
            for a in application.attachments.filter(
                verdict=Attachment.Verdict.REJECTED, requirement__item__department=review.department
            )
        ]
        if rejected:
            raise WorkflowError(
                f"仍有不合格材料（{'、'.join(rejected)}），请先要求补正或改判材料。"
            )
    review.status = (
        DepartmentReview.Status.APPROVED if approve else DepartmentReview.Status.REJECTED
    )
    review.opinion = opinion
    review.reviewer = user
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "opinion", "reviewer", "decided_at"])
    before = application.state
    _recompute_state(application)
    _event(
        application,
        user,
        "approved" if approve else "rejected",
        department=review.department,
        from_state=before,
        note=opinion,
    )
    return review


def _recompute_state(application) -> None:
    statuses = set(application.reviews.values_list("status", flat=True))
    s = DepartmentReview.Status
    if not statuses:
        return
    if s.NEEDS_SUPPLEMENT in statuses:
        state = State.NEEDS_SUPPLEMENT
    elif statuses <= {s.APPROVED}:
        state = State.CONNECTING if continues_after_approval(application) else State.APPROVED
    elif statuses <= {s.APPROVED, s.REJECTED}:
        state = State.REJECTED
    elif statuses & {s.UNDER_REVIEW, s.APPROVED, s.REJECTED}:
        state = State.UNDER_REVIEW
    else:
        state = application.state
    if state == application.state:
        return
    application.state = state
    fields = ["state", "updated_at"]
    if state in (State.APPROVED, State.REJECTED):
        application.decided_at = timezone.now()
        fields.append("decided_at")
    application.save(update_fields=fields)
    if state == State.APPROVED:
        _on_approved(application)
    elif state == State.REJECTED and application.kind == ApplicationKind.ACCOUNT:
        applicant = application.applicant
        applicant.status = applicant.Status.REJECTED
        applicant.reviewed_at = timezone.now()
        applicant.save(update_fields=["status", "reviewed_at"])


def activate_applicant(applicant) -> None:
    """The account may act: after its 账号注册 is approved, or as the staff shortcut
    (scripts, tests) that approves an account without the review form."""
    applicant.status = applicant.Status.ACTIVE
    applicant.reviewed_at = timezone.now()
    applicant.status_note = ""
    applicant.save(update_fields=["status", "reviewed_at", "status_note"])


def approve_offline(application, *, note: str) -> Application:
    """A 账号注册 reviewed outside the portal (``create_applicant``): record it as
    submitted and approved now, and activate the account."""
    if application.kind != ApplicationKind.ACCOUNT:
        raise WorkflowError("只有账号注册申请可以登记为线下审核通过。")
    before = application.state
    now = timezone.now()
    application.state = State.APPROVED
    application.submitted_at = now
    application.decided_at = now
    application.save(update_fields=["state", "submitted_at", "decided_at", "updated_at"])
    _event(application, None, "approved", note=note, from_state=before)
    _on_approved(application)
    return application


def _on_approved(application) -> None:
    if application.kind == ApplicationKind.ACCOUNT:
        activate_applicant(application.applicant)
    elif application.kind == ApplicationKind.INTERCONNECTION and application.detail is not None:
        # The approved 互联互通接入 activates (or rotates) the operator's T/CEC 102 secrets.
        detail = application.detail
        interconnect_credentials.activate(
            application.applicant,
            source=application.reference,
            operator_secret=detail.access_key,
            sig_secret=detail.signing_key,
            data_secret=detail.message_key,
            data_secret_iv=detail.message_iv,
        )


# --- After completion ---------------------------------------------------------------

# 好差评 (ratings and the follow-up of bad ones) live in notifications.ratings.


# --- Hooks for the steps around the departments (issue 15) --------------------------
# The apps above this one register predicates in their AppConfig.ready(): `window` makes
# joint applications land at the 综合窗口 first, `connection` keeps an approved case open
# for 装表接电. This module never imports them.


def lands_at_window(application) -> bool:
    """A submission goes to the window while no department has received it yet (first
    submission, or resubmission after the window's own 补正)."""
    return any(gate(application) for gate in hooks.ACCEPTANCE_GATES) and not (
        application.reviews.exists()
    )


def continues_after_approval(application) -> bool:
    return any(step(application) for step in hooks.COMPLETION_STEPS)


def _to_window(application, user) -> Application:
    now = timezone.now()
    resubmission = application.state == State.NEEDS_SUPPLEMENT
    before = application.state
    application.state = State.AT_WINDOW
    application.submitted_at = now
    days = getattr(settings, "WINDOW_ACCEPTANCE_DAYS", 0)
    application.window_due_date = deadline_for(now, days).due
    application.save(update_fields=["state", "submitted_at", "window_due_date", "updated_at"])
    application.supplement_notices.filter(resolved_at__isnull=True).update(resolved_at=now)
    _event(
        application,
        user,
        "resubmitted" if resubmission else "submitted",
        from_state=before,
        note="已提交至综合窗口预审",
    )
    return application


def _require_at_window(application) -> None:
    if application.state != State.AT_WINDOW:
        raise WorkflowError(
            f"申请当前状态为“{application.get_state_display()}”，不在窗口预审环节。"
        )


@transaction.atomic
def accept_at_window(application, *, user) -> Application:
    """受理: pushed to every department in parallel; their clocks start now. The caller
    (window.acceptance) has checked the window role."""
    application = lock(application)
    _require_at_window(application)
    now = timezone.now()
    _push_to_departments(application, now)
    application.state = State.SUBMITTED
    application.accepted_at = now
    application.save(update_fields=["state", "accepted_at", "updated_at"])
    _event(application, user, "accepted", from_state=State.AT_WINDOW)
    return application


@transaction.atomic
def window_supplement(application, *, user, extra=(), message="") -> SupplementNotice:
    """补正 at the window: one 一次性告知 listing everything missing."""
    application = lock(application)
    _require_at_window(application)
    items = supplement_items(application, extra)
    if not items:
        raise WorkflowError("没有需要补正的内容：请填写需要申请人补正的事项。")
    for item in items:
        item["department"] = item["department"] or "综合窗口"
    notice = SupplementNotice.objects.create(
        application=application, created_by=user, items=items, message=message.strip()
    )
    application.state = State.NEEDS_SUPPLEMENT
    application.save(update_fields=["state", "updated_at"])
    _event(
        application,
        user,
        "window_supplement_requested",
        from_state=State.AT_WINDOW,
        note=f"一次性告知 {len(items)} 项",
    )
    return notice


@transaction.atomic
def refuse_at_window(application, *, user, reason: str) -> Application:
    """不予受理, with the reason the applicant is told."""
    application = lock(application)
    _require_at_window(application)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("不予受理时，请填写理由。")
    application.state = State.NOT_ACCEPTED
    application.decided_at = timezone.now()
    application.save(update_fields=["state", "decided_at", "updated_at"])
    _event(application, user, "not_accepted", from_state=State.AT_WINDOW, note=reason)
    return application


def record_step(application, user, action, *, note="", department=None) -> Event:
    """An Event for a step that does not change the state (装表接电 milestones)."""
    return _event(
        application, user, action, note=note, department=department, from_state=application.state
    )


@transaction.atomic
def complete_connection(application, *, user, note="") -> Application:
    """装表接电 done: only now is the case 办结 (and the rating offered)."""
    application = lock(application)
    if application.state != State.CONNECTING:
        raise WorkflowError(
            f"申请当前状态为“{application.get_state_display()}”，不在装表接电环节。"
        )
    application.state = State.APPROVED
    application.decided_at = timezone.now()
    application.save(update_fields=["state", "decided_at", "updated_at"])
    _event(application, user, "connected", from_state=State.CONNECTING, note=note)
    return application

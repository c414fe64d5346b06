"""The applicant portal (我的办事): thin views over the core functions.

Every lookup goes through `applications.access` (someone else's reference is a 404),
every change through `workflow`, `materials`, `lines` and `forms.save_detail`; the views
only turn their Chinese messages into pages. POST actions redirect after success.
"""

from collections import OrderedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalogue.models import ApplicantType, ApplicationKind
from interconnect import health as interconnect_health

from .. import access, hooks, workflow
from ..models import (
    DepartmentReview,
    State,
)
from .detail import render_detail
from .helpers import current_applicant, detail_url

PAGE_SIZE = 20


def _account_review(applicant):
    if applicant is None or applicant.status != applicant.Status.PENDING:
        return None
    return (
        DepartmentReview.objects.filter(
            application__applicant=applicant, application__kind=ApplicationKind.ACCOUNT
        )
        .order_by("-received_at")
        .first()
    )


def _new_kinds(applicant):
    """[(kind, label, items)] the applicant may start now (账号注册 excluded)."""
    if applicant is None or not applicant.is_active:
        return []
    kinds = []
    for kind in ApplicationKind:
        if kind == ApplicationKind.ACCOUNT:
            continue
        items = workflow.eligible_items(applicant, kind)
        if items:
            kinds.append((kind.value, kind.label, items))
    return kinds


def _reviews_prefetch():
    return Prefetch(
        "reviews", queryset=DepartmentReview.objects.select_related("department").order_by("pk")
    )


# --- dashboard and stations ---------------------------------------------------------


def _filters(query) -> tuple[str, str]:
    """The dashboard's kind and state filters; unknown values are ignored ("")."""
    kind, state = query.get("kind", ""), query.get("state", "")
    return (
        kind if kind in ApplicationKind.values else "",
        state if state in State.values else "",
    )


@login_required
def dashboard(request):
    applicant = current_applicant(request)
    applications = (
        access.own_applications(request.user)
        .prefetch_related(_reviews_prefetch(), "items")
        .order_by("-created_at", "-pk")
    )
    kind, state = _filters(request.GET)
    if kind:
        applications = applications.filter(kind=kind)
    if state:
        applications = applications.filter(state=state)
    page_obj = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in (("kind", kind), ("state", state)) if v])
    return render(
        request,
        "applications/dashboard.html",
        {
            "applicant": applicant,
            "account_review": _account_review(applicant),
            "page_obj": page_obj,
            "query": query,
            "kind": kind,
            "state": state,
            "kind_choices": ApplicationKind.choices,
            "state_choices": State.choices,
            "new_kinds": _new_kinds(applicant),
            "filtered": bool(kind or state),
            "extra_links": hooks.portal_links(request.user),
        },
    )


@login_required
def stations(request):
    applicant = current_applicant(request)
    rows = []
    if applicant is not None:
        rows = interconnect_health.station_rows(applicant)
        for row in rows:
            row["dossier"] = getattr(row["station"], "dossier", None)
    return render(
        request,
        "applications/stations.html",
        {
            "applicant": applicant,
            "rows": rows,
            "pile_total": sum(r["station"].pile_count for r in rows),
            "may_file_dossier": any(
                k == ApplicationKind.STATION_DOSSIER for k, *_ in _new_kinds(applicant)
            ),
        },
    )


# --- creating -----------------------------------------------------------------------


def _joint_groups(items, chosen):
    """Joint items grouped by their 联办分组, in catalogue order; a group with several
    items (用电报装) allows one choice."""
    groups = OrderedDict()
    for item in items:
        groups.setdefault(item.joint_group or item.name, []).append(item)
    return [
        {
            "index": n,
            "name": name,
            "items": members,
            "single": len(members) > 1,
            "none_chosen": not any(item.code in chosen for item in members),
        }
        for n, (name, members) in enumerate(groups.items())
    ]


def _chosen_codes(post) -> list[str]:
    codes = list(post.getlist("items"))
    codes += [value for key, value in post.items() if key.startswith("group-") and value]
    return codes


def _kind_or_404(kind):
    if kind not in ApplicationKind.values or kind == ApplicationKind.ACCOUNT:
        raise Http404("没有这种申请类型")
    return ApplicationKind(kind)


def _creation_problems(applicant, kind, items) -> list[str]:
    if not items:
        return [f"{ApplicantType(applicant.kind).label}不能办理“{kind.label}”。"]
    if not applicant.is_active:
        return ["账号尚未通过审核或已被锁定，暂不能办理业务。"]
    return []


def _items_page(request, kind, applicant, items, chosen, problems, *, can_create, application=None):
    """The page choosing what to apply for (new) or the joint items (change)."""
    chosen = set(chosen)
    context = {
        "kind": kind,
        "applicant": applicant,
        "items": items,
        "groups": _joint_groups(items, chosen)
        if kind == ApplicationKind.JOINT_INSTALLATION
        else [],
        "chosen": chosen,
        "problems": problems,
        "can_create": can_create,
    }
    if application is not None:
        context["application"] = application
    return render(request, "applications/new.html", context)


def _create(request, applicant, kind, chosen):
    """(application, []) or (None, the problems that prevented it)."""
    try:
        application = workflow.create_application(
            applicant,
            kind,
            user=request.user,
            item_codes=chosen if kind == ApplicationKind.JOINT_INSTALLATION else None,
        )
    except workflow.WorkflowError as exc:
        return None, exc.problems
    return application, []


@login_required
def new_application(request, kind):
    kind = _kind_or_404(kind)
    applicant = current_applicant(request)
    if applicant is None:
        # Window staff file for an applicant at the 综合窗口 intake (issue 15).
        url = hooks.staff_filing_url(request.user, kind)
        if url:
            return redirect(url)
        raise Http404("工作人员账号不能办理申请")
    items = workflow.eligible_items(applicant, kind)
    problems = _creation_problems(applicant, kind, items)
    chosen = []
    if request.method == "POST" and not problems:
        chosen = _chosen_codes(request.POST)
        application, problems = _create(request, applicant, kind, chosen)
        if application is not None:
            messages.success(
                request,
                f"已创建“{kind.label}”申请（编号 {application.reference}），请填写信息并上传材料。",
            )
            return redirect(detail_url(application))
    return _items_page(
        request,
        kind,
        applicant,
        items,
        chosen,
        problems,
        can_create=bool(items) and applicant.is_active,
    )


@login_required
def change_items(request, reference):
    """Change the chosen joint items of an editable joint application."""
    application = access.get_own_application(request.user, reference)
    if application.kind != ApplicationKind.JOINT_INSTALLATION:
        raise Http404("只有联办申请可以修改事项")
    applicant = application.applicant
    items = workflow.eligible_items(applicant, application.kind)
    problems = []
    chosen = set(application.items.values_list("code", flat=True))
    if not application.is_editable:
        problems.append("申请已提交，不能修改办理事项。")
    elif request.method == "POST":
        codes = _chosen_codes(request.POST)
        chosen = set(codes)
        try:
            workflow.set_items(application, codes, user=request.user)
        except workflow.WorkflowError as exc:
            problems = exc.problems
        else:
            messages.success(request, "办理事项已修改，材料清单已随之更新。")
            return redirect(detail_url(application))
    return _items_page(
        request,
        ApplicationKind(application.kind),
        applicant,
        items,
        chosen,
        problems,
        can_create=application.is_editable,
        application=application,
    )


# --- state changes ------------------------------------------------------------------


def _deadline_text(review) -> str:
    if review.due_date:
        return f"{review.department.name}{review.due_date:%Y-%m-%d}前"
    if review.calendar_missing_year:
        return f"{review.department.name}（{review.calendar_missing_year}年日历未覆盖）"
    return ""


@login_required
@require_POST
def submit(request, reference):
    application = access.get_own_application(request.user, reference)
    try:
        application = workflow.submit(application, user=request.user)
    except workflow.WorkflowError as exc:
        return render_detail(request, application, submit_problems=exc.problems)
    deadlines = [
        text
        for text in (_deadline_text(r) for r in application.reviews.select_related("department"))
        if text
    ]
    text = f"申请 {application.reference} 已提交，请等待审核。"
    if deadlines:
        text += "办理期限：" + "；".join(deadlines) + "。"
    messages.success(request, text)
    return redirect(detail_url(application))


@login_required
@require_POST
def withdraw(request, reference):
    application = access.get_own_application(request.user, reference)
    try:
        workflow.withdraw(application, user=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回，现为草稿，修改后可重新提交。")
    return redirect(detail_url(application))


@login_required
@require_POST
def delete(request, reference):
    application = access.get_own_application(request.user, reference)
    try:
        workflow.delete_application(application, user=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url(application))
    messages.success(request, f"草稿 {reference} 已删除。")
    return redirect("portal:dashboard")

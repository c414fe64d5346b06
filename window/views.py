"""The 综合窗口 desk at /window/: intake for people without an online account, the joint
form and scanned material entered for them, 预审 (受理 / 补正 / 不予受理), and the
applicant's online claim at /window/claim/. Thin views over window.intake, .acceptance,
.claim, applications.forms / materials / workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from applications import hooks, materials, workflow
from applications.forms import detail_form, save_detail
from applications.models import Channel, State
from applications.uploads import UploadRejected
from catalogue.models import ApplicantType, ApplicationKind, ServiceItem
from cms.storage import StorageUnavailable

from . import acceptance, claim, intake

APPLICANT_FIELDS = ("kind", "name", "id_number", "credit_code", "contact_name", "mobile")


def _staff_only(request):
    if not intake.is_window_staff(request.user):
        raise Http404("综合窗口工作人员专用")


ONLINE_ONLY = "网上申请由申请人本人修改和提交；窗口只能预审。"


def _entered_here(application) -> None:
    """Window staff edit, upload and submit only what was filed at the window."""
    if application.channel != Channel.WINDOW:
        raise workflow.WorkflowError(ONLINE_ONLY)


def print_url(application, kind: str) -> str:
    """The `documents` app's print URL (documents:pdf); the path it will have, until merged."""
    try:
        return reverse("documents:pdf", kwargs={"reference": application.reference, "kind": kind})
    except NoReverseMatch:
        return f"/documents/{application.reference}/{kind}.pdf"


@login_required
def desk(request):
    _staff_only(request)
    desks = list(intake.desks_of(request.user))
    queue = list(acceptance.queue(request.user))
    for application in queue:
        application.overdue = acceptance.is_overdue(application)
    recent = intake.window_applications(request.user).filter(channel="window")[:20]
    return render(request, "window/desk.html", {"desks": desks, "queue": queue, "recent": recent})


def _new_context(request, desk_obj, problems=(), data=None):
    joint = ServiceItem.objects.filter(kind=ApplicationKind.JOINT_INSTALLATION, live=True)
    items = {
        kind: [item for item in joint if item.allows(kind)]
        for kind in (ApplicantType.RESIDENT, ApplicantType.BUILDER)
    }
    return {
        "desk": desk_obj,
        "problems": list(problems),
        "data": data or {},
        "resident_items": items[ApplicantType.RESIDENT],
        "company_items": items[ApplicantType.BUILDER],
        "desks": intake.desks_of(request.user),
    }


@login_required
def new(request):
    """Find or create the applicant on the spot and open the joint application."""
    _staff_only(request)
    desks = intake.desks_of(request.user)
    chosen = request.POST.get("desk", "")
    desk_obj = (desks.filter(pk=int(chosen)).first() if chosen.isdigit() else None) or (
        desks.first()
    )
    if request.method != "POST":
        return render(request, "window/new.html", _new_context(request, desk_obj))
    data = {name: request.POST.get(name, "") for name in APPLICANT_FIELDS}
    try:
        if data["kind"] == ApplicantType.RESIDENT:
            applicant = intake.find_or_create_resident(
                desk_obj, name=data["name"], id_number=data["id_number"], mobile=data["mobile"]
            )
        else:
            applicant = intake.find_or_create_company(
                desk_obj,
                name=data["name"],
                credit_code=data["credit_code"],
                contact_name=data["contact_name"],
                mobile=data["mobile"],
            )
        application = intake.open_application(
            desk_obj, applicant, request.POST.getlist("items"), staff=request.user
        )
    except workflow.WorkflowError as exc:
        data.pop("id_number")  # never echoed back into the page
        return render(
            request,
            "window/new.html",
            _new_context(request, desk_obj, exc.problems, data),
            status=400,
        )
    messages.success(request, f"已为{applicant.name}创建联办申请（编号 {application.reference}）。")
    return redirect("window:detail", reference=application.reference)


def _detail_context(request, application, form=None, problems=()):
    notice = application.supplement_notices.filter(resolved_at__isnull=True).first()
    return {
        "application": application,
        "applicant": application.applicant,
        "form": form if form is not None else detail_form(application),
        "checklist": materials.checklist(application),
        "editable": application.is_editable and application.channel == Channel.WINDOW,
        "at_window": application.state == State.AT_WINDOW,
        "problems": list(problems),
        "notice": notice,
        "ticket": getattr(application, "claim_ticket", None),
        "receipt_url": print_url(application, "acceptance_receipt"),
        "form_url": print_url(application, "application_form"),
        "rejection_url": print_url(application, "rejection_notice"),
        "supplement_url": print_url(application, "supplement_notice"),
        "overdue": acceptance.is_overdue(application),
        "extra_links": hooks.portal_links(request.user, application),  # 装表接电 for a walk-in
    }


@login_required
def detail(request, reference):
    _staff_only(request)
    application = intake.get_window_application(request.user, reference)
    if request.method == "POST":
        try:
            _entered_here(application)
            obj, form = save_detail(application, request.POST, user=request.user)
        except workflow.WorkflowError as exc:
            return render(
                request,
                "window/detail.html",
                _detail_context(request, application, None, exc.problems),
                status=400,
            )
        if obj is None:
            return render(
                request,
                "window/detail.html",
                _detail_context(request, application, form),
                status=400,
            )
        messages.success(request, "联办申请表已保存。")
        return redirect("window:detail", reference=reference)
    return render(request, "window/detail.html", _detail_context(request, application))


@login_required
@require_POST
def upload(request, reference, requirement_pk):
    """Scanned paper material, through the one upload path (applications.materials)."""
    _staff_only(request)
    application = intake.get_window_application(request.user, reference)
    try:
        _entered_here(application)
        requirement = materials.requirement_for(application, requirement_pk)
    except (UploadRejected, workflow.WorkflowError) as exc:
        messages.error(request, str(exc))
        return redirect("window:detail", reference=reference)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, "请选择要上传的扫描件。")
    for upload_file in files:
        try:
            materials.add_attachment(application, requirement, upload_file, user=request.user)
        except (UploadRejected, StorageUnavailable) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已上传“{requirement.name}”：{upload_file.name}")
    return redirect("window:detail", reference=reference)


@login_required
@require_POST
def act(request, reference, action):
    """提交 (for the applicant), 受理, 补正, 不予受理."""
    _staff_only(request)
    application = intake.get_window_application(request.user, reference)
    try:
        if action == "submit":
            _entered_here(application)
            workflow.submit(application, user=request.user)
            done = "已提交至窗口预审。"
        elif action == "accept":
            acceptance.accept(application, user=request.user)
            done = "已受理，申请已同时推送各部门并联审批。"
        elif action == "supplement":
            extra = (request.POST.get("extra") or "").splitlines()
            notice = acceptance.request_supplement(
                application, user=request.user, extra=extra, message=request.POST.get("message", "")
            )
            done = f"已出具一次性告知（{len(notice.items)} 项）。"
        elif action == "reissue":
            claim.reissue(application, user=request.user)
            done = "已重新出具认领码，请重新打印受理回执。"
        elif action == "refuse":
            acceptance.refuse(application, user=request.user, reason=request.POST.get("reason", ""))
            done = "已作出不予受理决定。"
        else:
            raise Http404("没有这个操作")
    except workflow.WorkflowError as exc:
        application.refresh_from_db()
        return render(
            request,
            "window/detail.html",
            _detail_context(request, application, None, exc.problems),
            status=400,
        )
    messages.success(request, done)
    return redirect("window:detail", reference=reference)


@login_required
def claim_view(request):
    """The applicant claims a window-filed application with its 认领码."""
    if getattr(request.user, "applicant", None) is None:
        raise Http404("申请人账号专用")
    context = {"reference": request.POST.get("reference", "")}
    if request.method == "POST":
        try:
            application = claim.claim(
                request.user, request.POST.get("reference", ""), request.POST.get("code", "")
            )
        except workflow.WorkflowError as exc:
            return render(
                request, "window/claim.html", {**context, "problems": exc.problems}, status=400
            )
        messages.success(request, f"已认领申请 {application.reference}。")
        return redirect("portal:detail", application.reference)
    return render(request, "window/claim.html", context)

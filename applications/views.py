"""The applicant portal (我的办事): thin views over the core functions.

Every lookup goes through `applications.access` (someone else's reference is a 404),
every change through `workflow`, `materials`, `lines` and `forms.save_detail`; the views
only turn their Chinese messages into pages. POST actions redirect after success.
"""

import csv
import datetime
import io
from collections import OrderedDict
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from catalogue.models import ApplicantType, ApplicationKind
from catalogue.views import count_label
from cms.exports import neutralise
from cms.storage import StorageUnavailable
from interconnect import health as interconnect_health

from . import access, files, lines, materials, rules, workflow
from .forms import DETAIL_FORMS, InvoiceLineForm, TechnicianForm, detail_form, save_detail
from .models import (
    Attachment,
    DepartmentReview,
    Event,
    Interconnection,
    InvoiceLine,
    State,
    Technician,
)
from .uploads import UploadRejected

PAGE_SIZE = 20


# Materials uploaded together with a row of the form, not on their own.
LINKED_MATERIALS = {
    (ApplicationKind.OPERATOR_REGISTRATION, "electrician-licence"): (
        "technicians",
        "请在上方“从业技术人员”中逐人填写并上传许可证。",
    ),
    (ApplicationKind.CONSTRUCTION_SUBSIDY, "invoice"): (
        "invoices",
        "请在上方“发票明细”中随发票信息上传发票文件。",
    ),
}

# Field groups of the longer forms; other types show one group.
FIELDSETS = {
    ApplicationKind.OPERATOR_REGISTRATION: [
        (
            "企业基本信息",
            [
                "company_name",
                "registered_capital",
                "registered_on",
                "total_assets",
                "legal_representative",
                "industry",
                "registration_type",
                "service_scope",
            ],
        ),
        (
            "联系方式",
            [
                "postcode",
                "phone",
                "fax",
                "email",
                "registered_address",
                "mailing_address",
            ],
        ),
        ("服务平台", ["platform_name", "software_copyright_number"]),
    ],
    ApplicationKind.INTERCONNECTION: [
        (
            "平台信息",
            [
                "platform_operator",
                "builder",
                "builder_address",
                "platform_name",
                "scope",
                "station_count",
                "pile_count",
            ],
        ),
        ("联调人员", ["liaison", "engineer", "engineer_phone"]),
        ("对接密钥", list(Interconnection.SECRET_FIELDS)),
    ],
    ApplicationKind.JOINT_INSTALLATION: [
        ("企业基本信息", ["applicant_name", "tenure", "contact_name", "contact_phone"]),
        ("报装事项基本信息", ["address", "business", "survey_date", "survey_half_day"]),
        ("用电报装", ["power_use", "capacity_kva", "expected_power_date"]),
        (
            "项目基本信息（外线施工联审）",
            [
                "project_code",
                "construction_address",
                "construction_company",
                "construction_contact",
                "works_description",
                "occupation_reason",
                "occupation_start",
                "occupation_end",
                "road_type",
                "road_name",
                "road_address",
            ],
        ),
        (
            "占用绿地",
            ["green_address", "green_nature", "green_length_m", "green_width_m"],
        ),
        ("送达方式", ["delivery", "postal_address"]),
    ],
}


# --- helpers ------------------------------------------------------------------------


def _applicant(request):
    return getattr(request.user, "applicant", None)


def _detail_url(application, anchor=""):
    url = reverse("portal:detail", args=[application.reference])
    return f"{url}#{anchor}" if anchor else url


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


def _secure(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- dashboard and stations ---------------------------------------------------------


@login_required
def dashboard(request):
    applicant = _applicant(request)
    applications = (
        access.own_applications(request.user)
        .prefetch_related(_reviews_prefetch(), "items")
        .order_by("-created_at", "-pk")
    )
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    if kind in ApplicationKind.values:
        applications = applications.filter(kind=kind)
    else:
        kind = ""
    if state in State.values:
        applications = applications.filter(state=state)
    else:
        state = ""
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
        },
    )


@login_required
def stations(request):
    applicant = _applicant(request)
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


@login_required
def new_application(request, kind):
    kind = _kind_or_404(kind)
    applicant = _applicant(request)
    if applicant is None:
        raise Http404("工作人员账号不能办理申请")
    items = workflow.eligible_items(applicant, kind)
    problems = []
    chosen = []
    if not items:
        problems.append(f"{ApplicantType(applicant.kind).label}不能办理“{kind.label}”。")
    elif not applicant.is_active:
        problems.append("账号尚未通过审核或已被锁定，暂不能办理业务。")
    if request.method == "POST" and not problems:
        chosen = _chosen_codes(request.POST)
        try:
            application = workflow.create_application(
                applicant,
                kind,
                user=request.user,
                item_codes=chosen if kind == ApplicationKind.JOINT_INSTALLATION else None,
            )
        except workflow.WorkflowError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"已创建“{kind.label}”申请（编号 {application.reference}），请填写信息并上传材料。",
            )
            return redirect(_detail_url(application))
    return render(
        request,
        "applications/new.html",
        {
            "kind": kind,
            "applicant": applicant,
            "items": items,
            "groups": _joint_groups(items, set(chosen))
            if kind == ApplicationKind.JOINT_INSTALLATION
            else [],
            "chosen": set(chosen),
            "problems": problems,
            "can_create": bool(items) and applicant.is_active,
        },
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
            return redirect(_detail_url(application))
    return render(
        request,
        "applications/new.html",
        {
            "kind": ApplicationKind(application.kind),
            "applicant": applicant,
            "application": application,
            "items": items,
            "groups": _joint_groups(items, chosen),
            "chosen": chosen,
            "problems": problems,
            "can_create": application.is_editable,
        },
    )


# --- the detail page ----------------------------------------------------------------


def _display_value(obj, field):
    value = getattr(obj, field.name)
    if field.name in Interconnection.SECRET_FIELDS:
        return value.masked if value else "—"
    if field.choices and value not in (None, ""):
        return getattr(obj, f"get_{field.name}_display")()
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _grouped(kind, names, make):
    groups = FIELDSETS.get(kind) or [("基本信息", names)]
    result, seen = [], set()
    for legend, group_names in groups:
        members = [make(n) for n in group_names if n in names]
        seen.update(n for n in group_names if n in names)
        if members:
            result.append({"legend": legend, "fields": members})
    rest = [make(n) for n in names if n not in seen]
    if rest:
        result.append({"legend": "其他信息", "fields": rest})
    return result


def detail_rows(application):
    """The saved detail as fieldsets of (label, shown value); secrets masked."""
    obj = application.detail
    form_class = DETAIL_FORMS.get(application.kind)
    if obj is None or form_class is None:
        return []
    names = list(form_class._meta.fields)

    def make(name):
        field = obj._meta.get_field(name)
        return {"label": field.verbose_name, "value": _display_value(obj, field)}

    return _grouped(application.kind, names, make)


def form_groups(application, form):
    return _grouped(application.kind, list(form.fields), lambda name: form[name])


def _accept(requirement) -> str:
    extensions = {"jpg": ".jpg,.jpeg", "png": ".png", "pdf": ".pdf"}
    return ",".join(extensions.get(f, f".{f}") for f in requirement.format_list)


def _checklist(application, upload_errors):
    dupes = materials.duplicate_hashes(application)
    rows = []
    for row in materials.checklist(application):
        req = row.requirement
        linked = LINKED_MATERIALS.get((application.kind, req.code))
        rows.append(
            {
                "row": row,
                "requirement": req,
                "count_label": count_label(req),
                "accept": _accept(req),
                "linked_hint": linked[1] if linked else "",
                "linked_anchor": linked[0] if linked else "",
                "can_upload": (
                    application.is_editable or materials.accepts_late_upload(application, req)
                )
                and req.takes_upload
                and not linked
                and row.count < req.max_count,
                "full": req.takes_upload and row.count >= req.max_count,
                "attachments": [
                    {"file": a, "duplicate": a.sha256 in dupes} for a in row.attachments
                ],
                "errors": (upload_errors or {}).get(req.pk, []),
            }
        )
    return rows


def _events(application):
    events = []
    owner_id = application.applicant.user_id
    for event in (
        application.events.exclude(action__in=Event.STAFF_READS)
        .select_related("department", "actor")
        .order_by("at", "pk")
    ):
        if event.actor_id is None:
            who = "系统"
        elif event.actor_id == owner_id:
            who = "申请人"
        elif event.department is not None:
            who = f"{event.department.name}审核人员"
        else:
            who = "审核人员"
        events.append(
            {
                "event": event,
                "label": event.label,
                "who": who,
                "to_state": State(event.to_state).label if event.to_state in State.values else "",
            }
        )
    return events


def _render_detail(
    request,
    application,
    *,
    form=None,
    technician_form=None,
    technician_file_errors=None,
    invoice_form=None,
    invoice_file_errors=None,
    upload_errors=None,
    submit_problems=None,
    rating_errors=None,
):
    editable = application.is_editable
    detail = application.detail
    if form is None and editable:
        form = detail_form(application)
    reviews = list(
        application.reviews.select_related("department").prefetch_related("items").order_by("pk")
    )
    context = {
        "application": application,
        "applicant": application.applicant,
        "detail": detail,
        "editable": editable,
        "form": form,
        "form_groups": form_groups(application, form) if form is not None else [],
        "detail_rows": [] if editable else detail_rows(application),
        "checklist": _checklist(application, upload_errors),
        "notice": application.supplement_notices.filter(resolved_at__isnull=True)
        .order_by("-created_at")
        .first(),
        "reviews": reviews,
        "events": _events(application),
        "submit_problems": submit_problems or [],
        "rating_errors": rating_errors or [],
        "can_withdraw": workflow.can_withdraw(application),
        "can_delete": application.state == State.DRAFT
        and application.kind != ApplicationKind.ACCOUNT,
        "is_joint": application.kind == ApplicationKind.JOINT_INSTALLATION,
    }
    if application.kind == ApplicationKind.OPERATOR_REGISTRATION and detail is not None:
        context["technicians"] = list(detail.technicians.select_related("certificate"))
        context["technician_form"] = technician_form or TechnicianForm(prefix="tech")
        context["technician_file_errors"] = technician_file_errors or []
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY and detail is not None:
        context["invoice_lines"] = list(detail.invoice_lines.select_related("invoice_file"))
        context["invoice_form"] = invoice_form or InvoiceLineForm(prefix="invoice")
        context["invoice_file_errors"] = invoice_file_errors or []
        context["invoice_files"] = list(
            application.attachments.filter(requirement__code="invoice").order_by("pk")
        )
    if application.kind == ApplicationKind.OPERATION_SUBSIDY and detail is not None:
        context["order_count"] = rules.orders_for_year(application.applicant, detail.year).count()
    response = render(request, "applications/detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def detail(request, reference):
    application = access.get_own_application(request.user, reference)
    if request.method == "POST":
        try:
            obj, form = save_detail(application, request.POST, user=request.user)
        except workflow.WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect(_detail_url(application))
        if form is None:
            raise Http404("此类申请没有申请表")
        if obj is not None:
            messages.success(request, "申请信息已保存。")
            return redirect(_detail_url(application, "detail-form"))
        application.refresh_from_db()
        return _render_detail(request, application, form=form)
    return _render_detail(request, application)


# --- materials ----------------------------------------------------------------------


@login_required
@require_POST
def upload(request, reference, requirement_pk):
    application = access.get_own_application(request.user, reference)
    try:
        requirement = materials.requirement_for(application, requirement_pk)
    except UploadRejected as exc:
        raise Http404("此申请没有这项材料") from exc
    files = request.FILES.getlist("files")
    if not files:
        return _render_detail(
            request, application, upload_errors={requirement.pk: ["请先选择要上传的文件。"]}
        )
    stored, errors = [], []
    for upload_file in files:
        try:
            materials.add_attachment(
                application, requirement, upload_file, user=request.user, name=upload_file.name
            )
        except UploadRejected as exc:
            errors.append(str(exc))
        except StorageUnavailable as exc:
            errors.append(exc.message)
            break
        else:
            stored.append(upload_file.name)
    if stored:
        messages.success(request, f"“{requirement.name}”已上传 {len(stored)} 个文件。")
    if errors:
        return _render_detail(request, application, upload_errors={requirement.pk: errors})
    return redirect(_detail_url(application, f"req-{requirement.pk}"))


def _own_attachment(application, pk):
    try:
        return application.attachments.select_related("requirement").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404("文件不存在") from exc


@login_required
@require_POST
def remove_file(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    attachment = _own_attachment(application, pk)
    if Technician.objects.filter(certificate=attachment).exists():
        messages.error(request, "此文件是技术人员的许可证，请在“从业技术人员”中删除该人员。")
        return redirect(_detail_url(application, "technicians"))
    if InvoiceLine.objects.filter(invoice_file=attachment).exists():
        messages.error(request, "此文件是发票明细的发票文件，请先删除使用它的发票明细。")
        return redirect(_detail_url(application, "invoices"))
    try:
        materials.remove_attachment(attachment, user=request.user)
    except (UploadRejected, StorageUnavailable) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除“{attachment.original_name}”。")
    return redirect(_detail_url(application, f"req-{attachment.requirement_id}"))


# --- repeating rows -----------------------------------------------------------------


@login_required
@require_POST
def add_technician(request, reference):
    application = access.get_own_application(request.user, reference)
    certificate = request.FILES.get("certificate")
    form = TechnicianForm(request.POST, prefix="tech")
    data = {name: form[name].value() for name in form.fields}
    try:
        technician, form = lines.add_technician(
            application,
            data,
            certificate,
            user=request.user,
            certificate_name=certificate.name if certificate else "",
        )
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(application, "technicians"))
    except (UploadRejected, StorageUnavailable) as exc:
        form = TechnicianForm(request.POST, prefix="tech")
        form.is_valid()
        return _render_detail(
            request,
            application,
            technician_form=form,
            technician_file_errors=[getattr(exc, "message", str(exc))],
        )
    if technician is None:
        bound = TechnicianForm(request.POST, prefix="tech")
        bound.is_valid()
        for field, errors in form.errors.items():
            for error in errors:
                if error not in bound.errors.get(field, []):
                    bound.add_error(field if field != "__all__" else None, error)
        return _render_detail(request, application, technician_form=bound)
    messages.success(request, f"已添加技术人员“{technician.name}”。")
    return redirect(_detail_url(application, "technicians"))


@login_required
@require_POST
def remove_technician(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    technician = Technician.objects.filter(pk=pk, registration__application=application).first()
    if technician is None:
        raise Http404("没有这名技术人员")
    try:
        lines.remove_technician(technician, user=request.user)
    except (workflow.WorkflowError, UploadRejected) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除技术人员“{technician.name}”。")
    return redirect(_detail_url(application, "technicians"))


@login_required
@require_POST
def add_invoice_line(request, reference):
    application = access.get_own_application(request.user, reference)
    invoice = request.FILES.get("invoice")
    chosen = request.POST.get("invoice_file_id") or None
    form = InvoiceLineForm(request.POST, prefix="invoice")
    data = {name: form[name].value() for name in form.fields}
    try:
        line, form = lines.add_invoice_line(
            application,
            data,
            invoice,
            user=request.user,
            invoice_name=invoice.name if invoice else "",
            invoice_file_id=chosen if not invoice else None,
        )
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(application, "invoices"))
    except (UploadRejected, StorageUnavailable) as exc:
        bound = InvoiceLineForm(request.POST, prefix="invoice")
        bound.is_valid()
        return _render_detail(
            request,
            application,
            invoice_form=bound,
            invoice_file_errors=[getattr(exc, "message", str(exc))],
        )
    if line is None:
        bound = InvoiceLineForm(request.POST, prefix="invoice")
        bound.is_valid()
        return _render_detail(request, application, invoice_form=bound)
    messages.success(
        request, f"已添加发票 {line.invoice_number}（{line.get_equipment_display()}）。"
    )
    return redirect(_detail_url(application, "invoices"))


@login_required
@require_POST
def remove_invoice_line(request, reference, pk):
    application = access.get_own_application(request.user, reference)
    line = InvoiceLine.objects.filter(pk=pk, subsidy__application=application).first()
    if line is None:
        raise Http404("没有这条发票明细")
    try:
        lines.remove_invoice_line(line, user=request.user)
    except (workflow.WorkflowError, UploadRejected) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"已删除发票明细 {line.invoice_number}。")
    return redirect(_detail_url(application, "invoices"))


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
        return _render_detail(request, application, submit_problems=exc.problems)
    deadlines = [
        text
        for text in (_deadline_text(r) for r in application.reviews.select_related("department"))
        if text
    ]
    text = f"申请 {application.reference} 已提交，请等待审核。"
    if deadlines:
        text += "办理期限：" + "；".join(deadlines) + "。"
    messages.success(request, text)
    return redirect(_detail_url(application))


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
    return redirect(_detail_url(application))


@login_required
@require_POST
def delete(request, reference):
    application = access.get_own_application(request.user, reference)
    if application.kind == ApplicationKind.ACCOUNT:
        messages.error(request, "账号注册申请不能删除。")
        return redirect(_detail_url(application))
    try:
        workflow.delete_application(application, user=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(application))
    messages.success(request, f"草稿 {reference} 已删除。")
    return redirect("portal:dashboard")


@login_required
@require_POST
def rate(request, reference):
    from notifications.ratings import rate_online

    application = access.get_own_application(request.user, reference)
    try:
        rate_online(
            application,
            user=request.user,
            level=request.POST.get("level"),
            comment=request.POST.get("comment", ""),
            department_id=request.POST.get("department") or None,
        )
    except workflow.WorkflowError as exc:
        return _render_detail(request, application, rating_errors=exc.problems)
    messages.success(request, "感谢您的评价！")
    return redirect(_detail_url(application, "rating"))


# --- order list export (运营补贴) ----------------------------------------------------

ORDER_HEADERS = [
    "序号",
    "充电站名称",
    "订单编号",
    "开始充电时间",
    "结束充电时间",
    "充电量（kWh）",
    "订单金额（元）",
]
SIGNATURE_LINE = "申请单位（盖章）：____________    负责人签字：____________    日期：____________"


def _safe_text(value) -> str:
    """Text cells never start like a formula (CSV/Excel injection)."""
    return neutralise(str(value))


def _order_export(request, reference):
    application = access.get_visible_application(request.user, reference)
    if application.kind != ApplicationKind.OPERATION_SUBSIDY or application.detail is None:
        raise Http404("此申请没有订单明细")
    applicant = _applicant(request)
    if applicant is None or applicant.pk != application.applicant_id:
        workflow.record_view(application, request.user, "exported", note="订单明细")
    year = application.detail.year
    orders = rules.orders_for_year(application.applicant, year).order_by("started_at", "pk")
    title = f"{application.applicant.name} {year}年度运营补贴订单明细（申请编号 {application.reference}）"
    return application, year, orders, title


def _order_rows(orders):
    energy, amount = Decimal("0"), Decimal("0")
    for number, order in enumerate(orders, start=1):
        energy += order.energy_kwh
        amount += order.amount
        yield [
            number,
            _safe_text(order.station.name),
            _safe_text(order.start_charge_seq),
            timezone.localtime(order.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            timezone.localtime(order.ended_at).strftime("%Y-%m-%d %H:%M:%S"),
            order.energy_kwh,
            order.amount,
        ]
    yield ["合计", "", "", "", "", energy, amount]


def _export_filename(application, year, ext):
    return f"{year}年度运营补贴订单明细-{application.reference}.{ext}"


@login_required
def orders_csv(request, reference):
    application, year, orders, title = _order_export(request, reference)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title])
    writer.writerow(ORDER_HEADERS)
    for row in _order_rows(orders):
        writer.writerow(row)
    writer.writerow([])
    writer.writerow([SIGNATURE_LINE])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _export_filename(application, year, "csv")
    )
    return _secure(response)


@login_required
def orders_xlsx(request, reference):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    application, year, orders, title = _order_export(request, reference)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年度订单明细"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(ORDER_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in _order_rows(orders):
        sheet.append(row)
    last = sheet.max_row
    for cells in sheet.iter_rows(min_row=3, max_row=last, min_col=6, max_col=7):
        cells[0].number_format = "0.000"
        cells[1].number_format = "0.00"
    sheet.cell(row=last, column=1).font = Font(bold=True)
    sheet.append([])
    sheet.append([SIGNATURE_LINE])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=7)
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(horizontal="left")
    for letter, width in zip("ABCDEFG", (8, 30, 26, 21, 21, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _export_filename(application, year, "xlsx")
    )
    return _secure(response)


# --- files --------------------------------------------------------------------------


def _is_owner(request, application) -> bool:
    applicant = _applicant(request)
    return applicant is not None and applicant.pk == application.applicant_id


@login_required
def download(request, pk):
    attachment = access.get_visible_attachment(request.user, pk)
    response = files.serve_attachment(attachment)
    _record_staff_read(request, attachment, "downloaded")
    return response


@login_required
def preview(request, pk):
    attachment = access.get_visible_attachment(request.user, pk)
    response = files.serve_preview(attachment)
    _record_staff_read(request, attachment, "previewed")
    return response


def _record_staff_read(request, attachment, what):
    if not _is_owner(request, attachment.application):
        workflow.record_view(
            attachment.application,
            request.user,
            what,
            note=f"{attachment.requirement.name}：{attachment.original_name}",
        )

"""The detail page of one application (申请详情): the saved detail or its form, the
materials checklist, reviews, notices and history; also re-rendered with errors by
the POST views of `rows`, `files` and `pages`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from catalogue.models import ApplicationKind
from catalogue.views import count_label

from .. import access, extensions, materials, rules, workflow
from ..forms import DETAIL_FORMS, InvoiceLineForm, TechnicianForm, detail_form, save_detail
from ..models import (
    Event,
    Interconnection,
    State,
)
from .helpers import detail_url

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


def render_detail(
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
        "extra_links": extensions.portal_links(request.user, application),
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
            return redirect(detail_url(application))
        if form is None:
            raise Http404("此类申请没有申请表")
        if obj is not None:
            messages.success(request, "申请信息已保存。")
            return redirect(detail_url(application, "detail-form"))
        application.refresh_from_db()
        return render_detail(request, application, form=form)
    return render_detail(request, application)

"""The detail page of one application (申请详情): the saved detail or its form, the
materials checklist, reviews, notices and history; also re-rendered with errors by
the POST views of `rows`, `files` and `pages`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from catalogue.models import ApplicationKind
from catalogue.views import count_label

from .. import access, hooks, materials, rules, workflow
from ..display import detail_rows, form_groups
from ..forms import InvoiceLineForm, TechnicianForm, detail_form, save_detail
from ..models import Event, State
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


# --- the detail page ----------------------------------------------------------------


def _accept(requirement) -> str:
    suffixes = {"jpg": ".jpg,.jpeg", "png": ".png", "pdf": ".pdf"}
    return ",".join(suffixes.get(f, f".{f}") for f in requirement.format_list)


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
    upload_errors=None,
    submit_problems=None,
    rating_errors=None,
    **row_forms,
):
    """The detail page; POST views pass back their errors and bound forms (`row_forms`:
    technician_form, technician_file_errors, invoice_form, invoice_file_errors)."""
    step_problems = []
    if form is None and application.is_editable:
        form, step_problems = _step_choice(application, request.GET)
    context = {
        **_page_context(application, form, upload_errors),
        "step_problems": step_problems,
        **_rows_context(application, application.detail, **row_forms),
        "submit_problems": submit_problems or [],
        "rating_errors": rating_errors or [],
    }
    # Figures and gates registered by apps above this one (subsidies).
    context["summaries"] = hooks.summaries(application)
    context["subsidy_blocked"] = [p for s in context["summaries"] for p in s.get("blocked", [])]
    context["extra_links"] = hooks.portal_links(request.user, application)
    response = render(request, "applications/detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _step_choice(application, query):
    """The detail form, filled from the query when a refused 下一步 left the applicant's
    choice there, and what the step's checks (hooks.DETAIL_CHECKS) say about that choice
    now: while they object, 下一步 stays disabled; a reload after the data changed (the
    operator platform pushed) checks again."""
    form = detail_form(application)
    if form is None or not set(query) & set(form.fields):
        return form, []
    chosen = detail_form(application, query)
    if not chosen.is_valid():
        return form, []
    return chosen, hooks.detail_problems(application, chosen.instance)


def _page_context(application, form, upload_errors) -> dict:
    editable = application.is_editable
    return {
        "application": application,
        "applicant": application.applicant,
        "detail": application.detail,
        "editable": editable,
        "form": form,
        "form_groups": form_groups(application, form) if form is not None else [],
        "detail_rows": [] if editable else detail_rows(application),
        "checklist": _checklist(application, upload_errors),
        "notice": application.supplement_notices.filter(resolved_at__isnull=True)
        .order_by("-created_at")
        .first(),
        "reviews": list(
            application.reviews.select_related("department")
            .prefetch_related("items")
            .order_by("pk")
        ),
        "events": _events(application),
        "can_withdraw": workflow.can_withdraw(application),
        "can_delete": application.state == State.DRAFT
        and application.kind != ApplicationKind.ACCOUNT,
        "is_joint": application.kind == ApplicationKind.JOINT_INSTALLATION,
    }


@login_required
def detail(request, reference):
    application = access.get_own_application(request.user, reference)
    if request.method == "POST":
        try:
            obj, form = save_detail(application, request.POST, user=request.user)
        except workflow.StateConflict:  # the page shows why, with the choice kept
            fields = detail_form(application).fields
            choice = {k: v for k, v in request.POST.items() if k in fields}
            return redirect(f"{detail_url(application)}?{urlencode(choice)}#detail-form")
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


def _rows_context(
    application,
    detail,
    *,
    technician_form=None,
    technician_file_errors=None,
    invoice_form=None,
    invoice_file_errors=None,
) -> dict:
    """The per-type parts of the detail page: technicians, invoice lines, orders."""
    context = {}
    if detail is None:
        return context
    if application.kind == ApplicationKind.OPERATOR_REGISTRATION:
        context["technicians"] = list(detail.technicians.select_related("certificate"))
        context["technician_form"] = technician_form or TechnicianForm(prefix="tech")
        context["technician_file_errors"] = technician_file_errors or []
    if application.kind == ApplicationKind.CONSTRUCTION_SUBSIDY:
        context["invoice_lines"] = list(detail.invoice_lines.select_related("invoice_file"))
        context["invoice_form"] = invoice_form or InvoiceLineForm(prefix="invoice")
        context["invoice_file_errors"] = invoice_file_errors or []
        context["invoice_files"] = list(
            application.attachments.filter(requirement__code="invoice").order_by("pk")
        )
    if application.kind == ApplicationKind.OPERATION_SUBSIDY:
        context["order_count"] = rules.orders_for_year(application.applicant, detail.year).count()
    return context

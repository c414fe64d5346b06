"""The JSON API operator platforms use to submit applications programmatically.

Mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs).
Every route needs ``Authorization: Bearer <token>`` with a Wagtail API token of an
*active* applicant, and only ever sees that applicant's applications: anything else is
a 404, never a 403, so nobody can learn that someone else's application exists.

The API is a thin layer: details go through ``applications.forms`` (same fields and
Chinese messages as the web forms), files through ``applications.materials`` (same
content checks), and every state change through ``applications.workflow``.

Error answers are JSON ``{"detail": "<中文说明>", ...}``:

* 400 — the body is not valid JSON;
* 401 — no token, unknown or revoked token, or a deactivated user;
* 403 — the token's account is not an active applicant (pending review, rejected, locked);
* 404 — no such application (or not this applicant's), file, technician or invoice line;
* 409 — the application's state does not allow the operation (changing a submitted
  application, deleting a non-draft, withdrawing after a department has decided);
* 422 — the content breaks a rule: form errors (``errors``/``fields``), upload refusals,
  or submission problems (``problems``, all listed at once);
* 503 — the file store is unreachable; nothing was stored.

Request bodies are never logged: the interconnection secrets travel in them.
"""

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from ninja import File, Form, NinjaAPI, Path, Query, Status, UploadedFile
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from wagtail.api.v3.auth import BearerTokenAuth

from accounts.models import Applicant
from accounts.services import enforce_idle_lock
from catalogue.models import ApplicationKind, MaterialRequirement
from cms.crypto import EncryptedTextField, mask
from cms.storage import StorageUnavailable
from interconnect import health as interconnect_health

from . import lines, workflow
from .access import get_own_application
from .api_schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    AttachmentOut,
    ErrorOut,
    FormErrorOut,
    InvoiceLineIn,
    InvoiceLineOut,
    NoticeOut,
    ProblemsOut,
    ServiceItemOut,
    StationOut,
    TechnicianIn,
    TechnicianOut,
)
from .files import serve_attachment
from .forms import DETAIL_FORMS, form_errors, save_detail
from .materials import (
    add_attachment,
    checklist,
    delete_stored_objects,
    remove_attachment,
    requirement_for,
)
from .models import Application, Attachment, Event, Interconnection, State, Station
from .rules import problems_for_submission
from .uploads import UploadRejected
from .workflow import WorkflowError

logger = logging.getLogger(__name__)

Reference = Annotated[str, Path(description="申请编号，如 SQ202611210001。")]
FileId = Annotated[int, Path(description="编号。")]

API_KINDS = [kind for kind in ApplicationKind if kind != ApplicationKind.ACCOUNT]


UNAUTHENTICATED = (
    "未提供访问令牌，或令牌无效、已撤销。请在请求头中加入 Authorization: Bearer <令牌>；"
    "令牌由省平台开户时发放。"
)
STATUS_REFUSALS = {
    Applicant.Status.PENDING: "账号尚在审核中，审核通过后才能使用接口。",
    Applicant.Status.REJECTED: "账号未通过审核，不能使用接口；请按审核意见处理或联系省平台。",
    Applicant.Status.LOCKED: "账号已被锁定（{note}），请联系省平台解锁后再使用接口。",
}


MAX_OFFSET = 1_000_000  # larger offsets overflow the database's integers

# --- Authentication ---------------------------------------------------------------


class ApplicantTokenAuth(BearerTokenAuth):
    """Wagtail's bearer-token lookup, plus: the user must be an active applicant."""

    def __call__(self, request):
        # Same parsing as ninja's HttpBearer, minus its DEBUG log of the raw header.
        scheme, _, token = (request.headers.get(self.header) or "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str):
        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        applicant = Applicant.objects.filter(user=request.user).first()
        if applicant is None:
            raise AuthorizationError(message="此令牌所属的用户不是申请人账号，不能调用办事接口。")
        enforce_idle_lock(applicant)  # the web login's three-month rule
        if applicant.status != Applicant.Status.ACTIVE:
            message = STATUS_REFUSALS.get(applicant.status, "账号当前不能使用接口。")
            raise AuthorizationError(
                message=message.format(note=applicant.status_note or "长期未登录")
            )
        request.applicant = applicant
        super()._touch_last_used(api_token)  # only a token that was let in counts as use
        return api_token

    def _touch_last_used(self, api_token):
        """Deferred: the base class would record use before the account checks above."""


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese stays readable in curl output and logs of the caller."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="河南省充电基础设施服务门户 接口",
    version="1.0",
    description=(
        "供充电设施运营商、建设方的平台以程序方式办理业务：查询可办事项和材料清单，创建申请、"
        "填写申请信息、上传材料、提交和撤回，查询审核进度与一次性告知。\n\n"
        "**认证**：每个请求带 `Authorization: Bearer <令牌>`，令牌由省平台开户时发放；"
        "只有审核通过（已启用）的账号能使用。\n\n"
        '**错误**：均为 JSON `{"detail": "中文说明"}`。400 请求体不是有效的 JSON；401 令牌缺失或无效；'
        "403 账号未启用；"
        "404 申请（或文件等）不存在或不属于本账号；409 申请当前状态不允许此操作（已提交后修改、"
        "删除非草稿、已有部门作出结论后撤回等）；422 内容不符合规则（表单错误见 `errors`/"
        "`fields`，提交时的全部问题见 `problems`）；503 文件存储暂不可用，未保存任何内容。\n\n"
        '**金额**以字符串传递（如 "12000.00"），日期为 YYYY-MM-DD。'
    ),
    urls_namespace="portal-api",
    docs_url="/docs",
    auth=ApplicantTokenAuth(),
    renderer=UnicodeJSONRenderer(),
)


# --- Errors -----------------------------------------------------------------------


class ApiError(Exception):
    """An answer other than success: status, Chinese detail and optional extra keys."""

    def __init__(self, status: int, detail: str, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def _error(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.detail, **exc.extra)


def problems_detail(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"共 {len(problems)} 项问题需要先处理：" + "".join(
        p if p.endswith(("。", "！", "？")) else p + "。" for p in problems
    )


@api.exception_handler(WorkflowError)
def _workflow_error(request, exc: WorkflowError):
    return _error(request, 422, problems_detail(exc.problems), problems=exc.problems)


@api.exception_handler(UploadRejected)
def _upload_rejected(request, exc: UploadRejected):
    return _error(request, 422, str(exc))


@api.exception_handler(StorageUnavailable)
def _storage_unavailable(request, exc: StorageUnavailable):
    return _error(request, 503, exc.message)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return _error(request, 404, str(exc) or "请求的内容不存在。")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc: AuthenticationError):
    detail = str(exc) if str(exc) != "Unauthorized" else UNAUTHENTICATED
    response = _error(request, 401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="portal-api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        detail = (
            "请求内容不是有效的 JSON，请检查格式（UTF-8 编码，Content-Type: application/json）。"
        )
    return _error(request, exc.status_code, detail)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request, exc: DjangoValidationError):
    return _error(request, 422, "；".join(exc.messages))


REQUEST_ERROR_MESSAGES = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文本",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "model_attributes_type": "应为 JSON 对象",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "bool_parsing": "应为 true 或 false",
    "json_invalid": "不是有效的 JSON",
}


def _request_error_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    return REQUEST_ERROR_MESSAGES.get(kind, error.get("msg", "格式不正确"))


@api.exception_handler(NinjaValidationError)
def _request_invalid(request, exc: NinjaValidationError):
    """Malformed requests answer in the shape of form errors: {field: [messages]}."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is (source, [payload name,] field, ...): keep the part the caller wrote.
        loc = [str(part) for part in error.get("loc", ())[1:] if part != "payload"]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(_request_error_message(error))
    where = "；".join(f"{key}：{'、'.join(messages)}" for key, messages in fields.items())
    return _error(request, 422, f"请求格式不正确：{where}。", errors=fields, fields=fields)


def responses(ok: dict, *codes: int) -> dict:
    """Response documentation: success schemas plus the error schemas of `codes`."""
    schemas = {
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: FormErrorOut,
        503: ErrorOut,
    }
    documented = {**ok, 401: ErrorOut, 403: ErrorOut}
    for code in codes:
        documented[code] = schemas[code]
    return documented


# --- Helpers ----------------------------------------------------------------------


def _applicant(request) -> Applicant:
    return request.applicant


def _own(request, reference: str) -> Application:
    return get_own_application(request.user, reference)


def _require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ApiError(
            409,
            f"申请当前状态为“{application.get_state_display()}”，不能修改；"
            "只有草稿或待补正的申请可以修改，如需修改请先撤回。",
        )


def _parse_kind(value: str, *, allow_blank=False) -> str | None:
    if allow_blank and not value:
        return None
    if value not in API_KINDS:
        choices = "、".join(f"{k.value}（{k.label}）" for k in API_KINDS)
        raise ApiError(422, f"申请类型“{value}”不正确，可选：{choices}。")
    return value


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def detail_data(obj) -> dict | None:
    """The per-type detail as {field name: value}; encrypted fields only ever masked."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in ("id", "application"):
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, EncryptedTextField):
            value = mask(str.__str__(value)) if value else ""
        data[field.name] = _plain(value)
    station = getattr(obj, "station", None)
    if isinstance(station, Station):
        data["station_name"] = station.name
    return data


def _material(req: MaterialRequirement) -> dict:
    return {
        "id": req.pk,
        "code": req.code,
        "name": req.name,
        "source": req.source,
        "source_label": req.get_source_display(),
        "formats": req.format_list,
        "formats_label": req.formats_label,
        "required": req.required,
        "min_count": req.min_count,
        "max_count": req.max_count,
        "due_at_submission": req.due_at_submission,
        "note": req.note,
    }


def _item(item) -> dict:
    return {
        "code": item.code,
        "name": item.name,
        "department": item.department.code,
        "department_name": item.department.name,
    }


def _attachment(attachment: Attachment, application: Application) -> dict:
    technician = getattr(attachment, "technician", None)
    return {
        "id": attachment.pk,
        "requirement": attachment.requirement.code,
        "requirement_id": attachment.requirement_id,
        "requirement_name": attachment.requirement.name,
        "item": attachment.requirement.item.code,
        "name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "format": attachment.format,
        "content_type": attachment.content_type,
        "pages": attachment.pages,
        "width": attachment.width,
        "height": attachment.height,
        "uploaded_at": attachment.uploaded_at,
        "verdict": attachment.verdict,
        "verdict_label": attachment.get_verdict_display(),
        "verdict_note": attachment.verdict_note,
        "technician": technician.pk if technician is not None else None,
        "download_url": reverse(
            "portal-api:download_attachment",
            kwargs={"reference": application.reference, "attachment_id": attachment.pk},
        ),
    }


def _technician(technician) -> dict:
    return {
        "id": technician.pk,
        "name": technician.name,
        "phone": technician.phone,
        "certificate_number": technician.certificate_number,
        "certificate": technician.certificate_id,
    }


def _invoice_line(line) -> dict:
    return {
        "id": line.pk,
        "equipment": line.equipment,
        "equipment_label": line.get_equipment_display(),
        "quantity": line.quantity,
        "cost_name": line.cost_name,
        "invoice_number": line.invoice_number,
        "invoice_code": line.invoice_code,
        "invoice_amount": str(line.invoice_amount),
        "used_amount": str(line.used_amount),
        "issued_on": line.issued_on,
        "buyer_name": line.buyer_name,
        "invoice_file": line.invoice_file_id,
    }


def _notice(notice) -> dict:
    return {
        "id": notice.pk,
        "created_at": notice.created_at,
        "items": [
            {
                "material": item.get("material", ""),
                "department": item.get("department", ""),
                "problem": item.get("problem", ""),
            }
            for item in notice.items or []
        ],
        "message": notice.message,
        "resolved": notice.resolved_at is not None,
        "resolved_at": notice.resolved_at,
    }


def _summary(application: Application) -> dict:
    return {
        "reference": application.reference,
        "kind": application.kind,
        "kind_label": application.get_kind_display(),
        "title": application.title,
        "state": application.state,
        "state_label": application.get_state_display(),
        "editable": application.is_editable,
        "items": [_item(item) for item in application.items.all()],
        "region": application.region.code,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
    }


def application_out(application: Application) -> dict:
    """Everything the applicant may know about one application, read fresh."""
    app = (
        Application.objects.select_related("region")
        .prefetch_related("items__department")
        .get(pk=application.pk)
    )
    data = _summary(app)
    detail = app.detail
    data["detail"] = detail_data(detail)
    data["technicians"] = (
        [_technician(t) for t in detail.technicians.all()]
        if app.kind == ApplicationKind.OPERATOR_REGISTRATION and detail is not None
        else []
    )
    data["invoice_lines"] = (
        [_invoice_line(line) for line in detail.invoice_lines.all()]
        if app.kind == ApplicationKind.CONSTRUCTION_SUBSIDY and detail is not None
        else []
    )
    data["checklist"] = [
        {
            "requirement": row.requirement.code,
            "requirement_id": row.requirement.pk,
            "name": row.requirement.name,
            "item": row.requirement.item.code,
            "department_name": row.requirement.item.department.name,
            "source_label": row.requirement.get_source_display(),
            "formats": row.requirement.format_list,
            "required": row.requirement.required,
            "min_count": row.requirement.min_count,
            "max_count": row.requirement.max_count,
            "due_at_submission": row.requirement.due_at_submission,
            "status": row.status,
            "status_label": row.status_label,
            "problem": row.problem,
            "attachments": [a.pk for a in row.attachments],
        }
        for row in checklist(app)
    ]
    data["attachments"] = [
        _attachment(a, app)
        for a in app.attachments.select_related("requirement__item", "technician")
    ]
    data["submission_problems"] = problems_for_submission(app) if app.is_editable else []
    data["reviews"] = [
        {
            "department": review.department.code,
            "department_name": review.department.name,
            "status": review.status,
            "status_label": review.get_status_display(),
            "items": [item.code for item in review.items.all()],
            "received_at": review.received_at,
            "due_date": review.due_date,
            "calendar_missing_year": review.calendar_missing_year,
            "overdue": review.is_overdue(),
            "decided_at": review.decided_at,
            "opinion": review.opinion,
        }
        for review in app.reviews.select_related("department").prefetch_related("items")
    ]
    data["notices"] = [_notice(n) for n in app.supplement_notices.all()]
    data["events"] = [
        {
            "at": event.at,
            "action": event.action,
            "action_label": event.label,
            "department": event.department.name if event.department else None,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "note": event.note,
        }
        for event in app.events.select_related("department").exclude(action__in=Event.STAFF_READS)
    ]
    return data


def _form_data(application: Application, raw: dict) -> dict:
    """JSON detail → form data, refusing unknown keys and keeping masked secrets."""
    form_class = DETAIL_FORMS.get(application.kind)
    if form_class is None:
        raise ApiError(422, f"“{application.get_kind_display()}”没有需要填写的申请信息。")
    model_fields = {f.name for f in form_class._meta.model._meta.get_fields()}
    unknown = sorted(k for k in raw if k not in form_class.base_fields and k not in model_fields)
    if unknown:
        raise ApiError(
            422,
            f"申请信息中有无法识别的字段：{'、'.join(unknown)}。",
            errors={name: ["无法识别的字段。"] for name in unknown},
            fields={name: ["无法识别的字段。"] for name in unknown},
        )
    stored = application.detail
    data, nested = {}, []
    for name, value in raw.items():
        if name not in form_class.base_fields or value is None:
            continue  # read-only fields (station binding, station_name) are ignored
        if isinstance(value, (dict, list)):
            nested.append(name)
            continue
        if (
            application.kind == ApplicationKind.INTERCONNECTION
            and name in Interconnection.SECRET_FIELDS
            and stored is not None
            and value == mask(str.__str__(getattr(stored, name) or ""))
        ):
            continue  # the masked value read back: keep the stored secret
        data[name] = str(value).lower() if isinstance(value, bool) else value
    if nested:
        raise ApiError(
            422,
            f"字段 {'、'.join(nested)} 应为文本、数字或日期。",
            errors={name: ["应为文本、数字或日期。"] for name in nested},
            fields={name: ["应为文本、数字或日期。"] for name in nested},
        )
    return data


@sensitive_variables("raw", "data")
def _save_detail(application: Application, raw: dict, *, user):
    data = _form_data(application, raw)
    obj, form = save_detail(application, data, user=user)
    if obj is None:
        raise ApiError(
            422,
            "申请信息有误，请按提示修改后重新提交。",
            errors=form_errors(form),
            fields={name: [str(m) for m in messages] for name, messages in form.errors.items()},
        )
    return obj


def _form_invalid(form, detail: str):
    return ApiError(
        422,
        detail,
        errors=form_errors(form),
        fields={name: [str(m) for m in messages] for name, messages in form.errors.items()},
    )


def _requirement(application: Application, value: str) -> MaterialRequirement:
    """By material code, "item-code/material-code" (joint applications) or id."""
    value = (value or "").strip()
    if "/" in value:
        item_code, code = value.split("/", 1)
        found = application.requirements().filter(item__code=item_code, code=code).first()
        if found is None:
            raise UploadRejected(f"此申请没有“{value}”这项材料，请按材料清单选择。")
        return found
    return requirement_for(application, value)


def _technician_of(application: Application, pk: int):
    detail = application.detail
    if application.kind != ApplicationKind.OPERATOR_REGISTRATION or detail is None:
        raise Http404("技术人员不存在")
    try:
        return detail.technicians.get(pk=pk)
    except detail.technicians.model.DoesNotExist as exc:
        raise Http404("技术人员不存在") from exc


def _invoice_line_of(application: Application, pk: int):
    detail = application.detail
    if application.kind != ApplicationKind.CONSTRUCTION_SUBSIDY or detail is None:
        raise Http404("发票明细不存在")
    try:
        return detail.invoice_lines.get(pk=pk)
    except detail.invoice_lines.model.DoesNotExist as exc:
        raise Http404("发票明细不存在") from exc


def _attachment_of(application: Application, pk: int) -> Attachment:
    try:
        return application.attachments.select_related("requirement__item").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404("材料文件不存在") from exc


def _detail_fields_doc() -> str:
    """Every detail field per type, from the forms themselves, for the OpenAPI text."""
    parts = []
    for kind, form_class in DETAIL_FORMS.items():
        fields = []
        for name, field in form_class.base_fields.items():
            flags = "必填" if field.required else "选填"
            if kind == ApplicationKind.INTERCONNECTION and name in Interconnection.SECRET_FIELDS:
                flags = "必填；修改时不传或传回掩码则保持原值；只以掩码返回"
            choices = getattr(field, "choices", None)
            if choices and name != "station":
                values = "/".join(str(value) for value, _ in choices if value != "")
                flags += f"；可选 {values}"
            fields.append(f"`{name}` {field.label}（{flags}）")
        parts.append(f"- **{kind}**（{ApplicationKind(kind).label}）：" + "，".join(fields))
    return "\n".join(parts)


DETAIL_DOC = (
    "申请信息字段（日期 YYYY-MM-DD，金额为字符串；建设补贴的 `station` 为 GET /stations 返回的"
    "站点编号）：\n\n" + _detail_fields_doc()
)


# --- Catalogue --------------------------------------------------------------------


@api.get(
    "/catalogue/items",
    response=responses({200: list[ServiceItemOut]}, 422),
    summary="可办理的事项及材料清单",
    description="本账号可以申请的事项，及每项所需材料（编码、格式、份数、是否提交时必交）。",
    tags=["事项目录"],
)
def catalogue_items(
    request,
    kind: str = Query("", description="只列出此申请类型的事项，如 joint_installation。"),
):
    applicant = _applicant(request)
    kinds = [_parse_kind(kind)] if kind else API_KINDS
    result = []
    for each in kinds:
        for item in workflow.eligible_items(applicant, each):
            result.append(
                {
                    "code": item.code,
                    "name": item.name,
                    "kind": item.kind,
                    "kind_label": item.get_kind_display(),
                    "department": item.department.code,
                    "department_name": item.department.name,
                    "time_limit_label": item.time_limit_label,
                    "joint_group": item.joint_group,
                    "materials": [_material(m) for m in item.materials.all()],
                }
            )
    return result


@api.get(
    "/stations",
    response=responses({200: list[StationOut]}),
    summary="我的充电站",
    description="运营平台通过互联互通推送的站点。建站资料按名称完全一致绑定站点，"
    "建设补贴申请的 station 字段填写这里的站点编号。",
    tags=["事项目录"],
)
def stations(request):
    rows = interconnect_health.station_rows(_applicant(request))
    return [_station_out(row) for row in rows]


def _station_out(row) -> dict:
    s = row["station"]
    dossier = getattr(s, "dossier", None)
    return {
        "id": s.pk,
        "station_id": s.station_id,
        "name": s.name,
        "address": s.address,
        "region": s.region.code if s.region else None,
        "station_type": s.get_station_type_display(),
        "construction": s.get_construction_display(),
        "pile_count": s.pile_count,
        "equipment": [
            {
                "equipment_id": e.equipment_id,
                "type": e.get_equipment_type_display(),
                "power_kw": str(e.power_kw),
                "connectors": [
                    {
                        "connector_id": c.connector_id,
                        "power_kw": str(c.power_kw),
                        "status": c.get_status_display() if c.status is not None else None,
                    }
                    for c in e.connectors.all()
                ],
            }
            for e in s.equipment.all()
        ],
        "last_status_at": s.status_pushed_at,
        "orders_by_year": row["orders_by_year"],
        "health": row["health"],
        "health_reasons": row["reasons"],
        "dossier": dossier.application.reference if dossier else None,
    }


# --- Applications -----------------------------------------------------------------


@api.get(
    "/applications",
    response=responses({200: ApplicationPage}, 422),
    summary="我的申请",
    description="本账号的申请，按创建时间倒序，分页（limit 最大 100）。",
    tags=["申请"],
)
def list_applications(
    request,
    kind: str = Query("", description="按申请类型筛选。"),
    state: str = Query("", description="按状态筛选，如 draft、needs_supplement。"),
    limit: int = Query(20, ge=1, le=100, description="每页条数，1–100。"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="起始位置，0–1000000。"),
):
    query = Application.objects.filter(applicant=_applicant(request))
    if kind:
        query = query.filter(kind=_parse_kind(kind))
    if state:
        if state not in State.values:
            choices = "、".join(f"{s.value}（{s.label}）" for s in State)
            raise ApiError(422, f"状态“{state}”不正确，可选：{choices}。")
        query = query.filter(state=state)
    page = query.select_related("region").prefetch_related("items__department")[
        offset : offset + limit
    ]
    return {
        "count": query.count(),
        "limit": limit,
        "offset": offset,
        "items": [_summary(app) for app in page],
    }


@api.post(
    "/applications",
    response=responses({201: ApplicationOut}, 422),
    summary="创建申请",
    description="创建一份草稿申请，可同时填写申请信息。申请信息校验不通过时返回 422"
    "（errors/fields 列出各字段问题），且不会留下申请；本账号不能办理此类申请时也返回 422"
    "（problems 说明原因）。\n\n" + DETAIL_DOC,
    tags=["申请"],
)
@sensitive_variables("payload")
def create_application(request, payload: ApplicationIn):
    kind = _parse_kind(payload.kind)
    if payload.items and kind != ApplicationKind.JOINT_INSTALLATION:
        raise ApiError(422, "只有“充电桩报装一件事”需要选择事项（items），其他类型请不要传入。")
    with transaction.atomic():
        application = workflow.create_application(
            _applicant(request), kind, user=request.user, item_codes=payload.items
        )
        if payload.detail is not None:
            _save_detail(application, payload.detail, user=request.user)
    return Status(201, application_out(application))


@api.get(
    "/applications/{reference}",
    response=responses({200: ApplicationOut}, 404),
    summary="申请详情",
    description="状态、申请信息（密钥仅以掩码返回）、材料清单、已上传文件、各部门审核与期限、"
    "一次性告知和办理记录。",
    tags=["申请"],
)
def get_application(request, reference: Reference):
    return application_out(_own(request, reference))


@api.put(
    "/applications/{reference}/detail",
    response=responses({200: ApplicationOut}, 400, 404, 409, 422),
    summary="填写或修改申请信息",
    description="请求体为申请信息对象（整体替换，必填项都要传）。只有草稿或待补正的申请可以修改，"
    "否则返回 409。\n\n" + DETAIL_DOC,
    tags=["申请"],
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "required": True,
        }
    },
)
@sensitive_variables("body")
def update_detail(request, reference: Reference):
    application = _own(request, reference)
    _require_editable(application)
    body = _json_body(request)
    _save_detail(application, body, user=request.user)
    return application_out(application)


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(
            400,
            "请求内容不是有效的 JSON，请检查格式（UTF-8 编码，Content-Type: application/json）。",
        ) from exc
    if not isinstance(body, dict):
        raise ApiError(422, '请求内容应为 JSON 对象，例如 {"station_name": "…"}。')
    return body


@api.post(
    "/applications/{reference}/submit",
    response={**responses({200: ApplicationOut}, 404, 409), 422: ProblemsOut},
    summary="提交申请",
    description="按与网页相同的规则检查后提交；有问题时返回 422，`problems` 一次性列出全部问题。"
    "待补正的申请提交后为“已补正”，办理期限重新起算。",
    tags=["申请"],
)
def submit_application(request, reference: Reference):
    application = _own(request, reference)
    if application.state not in (State.DRAFT, State.NEEDS_SUPPLEMENT):
        raise ApiError(409, f"申请当前状态为“{application.get_state_display()}”，不能提交。")
    workflow.submit(application, user=request.user)
    return application_out(application)


@api.post(
    "/applications/{reference}/withdraw",
    response=responses({200: ApplicationOut}, 404, 409),
    summary="撤回申请",
    description="已提交、审核中或已补正、且还没有部门作出结论的申请可以撤回为草稿；否则 409。",
    tags=["申请"],
)
def withdraw_application(request, reference: Reference):
    application = _own(request, reference)
    try:
        workflow.withdraw(application, user=request.user)
    except WorkflowError as exc:
        raise ApiError(409, exc.message) from exc
    return application_out(application)


@api.delete(
    "/applications/{reference}",
    response=responses({204: None}, 404, 409),
    summary="删除草稿",
    description="只能删除草稿（已提交的请先撤回），文件随之删除；否则 409。",
    tags=["申请"],
)
def delete_application(request, reference: Reference):
    application = _own(request, reference)
    try:
        workflow.delete_application(application, user=request.user)
    except WorkflowError as exc:
        raise ApiError(409, exc.message) from exc
    return Status(204, None)


@api.get(
    "/applications/{reference}/notices",
    response=responses({200: list[NoticeOut]}, 404),
    summary="一次性告知",
    description="审核部门要求补正时一次性列出的全部问题，最新的在前。",
    tags=["申请"],
)
def notices(request, reference: Reference):
    application = _own(request, reference)
    return [_notice(n) for n in application.supplement_notices.all()]


# --- Technicians and invoice lines ------------------------------------------------


@api.post(
    "/applications/{reference}/technicians",
    response=responses({201: TechnicianOut}, 404, 409, 422),
    summary="添加专职技术人员（运营商注册）",
    description="添加后用 POST .../attachments（requirement=electrician-licence，"
    "technician=技术人员编号）上传其电工进网作业许可证。",
    tags=["申请信息明细"],
)
def add_technician(request, reference: Reference, payload: TechnicianIn):
    application = _own(request, reference)
    _require_editable(application)
    technician, form = lines.add_technician(application, payload.dict(), user=request.user)
    if technician is None:
        raise _form_invalid(form, "技术人员信息有误，请按提示修改。")
    return Status(201, _technician(technician))


@api.delete(
    "/applications/{reference}/technicians/{technician_id}",
    response=responses({204: None}, 404, 409),
    summary="删除技术人员",
    description="同时删除其许可证文件。",
    tags=["申请信息明细"],
)
def delete_technician(request, reference: Reference, technician_id: FileId):
    application = _own(request, reference)
    technician = _technician_of(application, technician_id)
    _require_editable(application)
    lines.remove_technician(technician, user=request.user)
    return Status(204, None)


@api.post(
    "/applications/{reference}/invoice-lines",
    response=responses({201: InvoiceLineOut}, 404, 409, 422),
    summary="添加发票明细（建设补贴）",
    description="一张发票多个设备时每个设备录一条。发票文件可先上传（requirement=invoice）"
    "再以 invoice_file_id 关联，或添加后上传时传 invoice_line=明细编号。",
    tags=["申请信息明细"],
)
def add_invoice_line(request, reference: Reference, payload: InvoiceLineIn):
    application = _own(request, reference)
    _require_editable(application)
    data = payload.dict()
    invoice_file_id = data.pop("invoice_file_id", None)
    data["issued_on"] = data["issued_on"].isoformat()
    line, form = lines.add_invoice_line(
        application, data, user=request.user, invoice_file_id=invoice_file_id
    )
    if line is None:
        raise _form_invalid(form, "发票明细有误，请按提示修改。")
    return Status(201, _invoice_line(line))


@api.delete(
    "/applications/{reference}/invoice-lines/{line_id}",
    response=responses({204: None}, 404, 409),
    summary="删除发票明细",
    description="发票文件不再被其他明细使用时一并删除。",
    tags=["申请信息明细"],
)
def delete_invoice_line(request, reference: Reference, line_id: FileId):
    application = _own(request, reference)
    line = _invoice_line_of(application, line_id)
    _require_editable(application)
    lines.remove_invoice_line(line, user=request.user)
    return Status(204, None)


# --- Attachments ------------------------------------------------------------------


@api.post(
    "/applications/{reference}/attachments",
    response=responses({201: AttachmentOut}, 404, 409, 422, 503),
    summary="上传材料",
    description="multipart/form-data。文件类型按内容判定（不看扩展名），必须符合材料清单的格式；"
    "大小上限由平台设置（默认 50 MB），大文件以流方式处理。不符合时返回 422 及中文原因，"
    "不会保存任何内容。",
    tags=["材料"],
)
def upload_attachment(
    request,
    reference: Reference,
    requirement: Annotated[
        str,
        Form(
            description="材料编码（如 product-certificate）；联合报装中编码重复时用"
            "“事项编码/材料编码”；也可传材料编号。"
        ),
    ],
    file: Annotated[UploadedFile, File(description="文件本身（按内容判定类型）。")],
    technician: Annotated[
        int | None,
        Form(description="技术人员编号：上传的是该技术人员的电工进网作业许可证。"),
    ] = None,
    invoice_line: Annotated[
        int | None,
        Form(description="发票明细编号：上传的是该明细（及同号发票各明细）的发票文件。"),
    ] = None,
):
    """`requirement`: material code, "item-code/material-code" or material id."""
    application = _own(request, reference)
    _require_editable(application)
    if technician and invoice_line:
        raise ApiError(422, "technician 与 invoice_line 只能传一个。")
    req = _requirement(application, requirement)
    target = None
    if technician:
        target = _technician_of(application, technician)
        if req.code != "electrician-licence":
            raise UploadRejected(
                "关联技术人员时，材料应为“电工进网作业许可证”（electrician-licence）。"
            )
        if target.certificate_id:
            raise UploadRejected(
                f"技术人员“{target.name}”已上传许可证（文件编号 {target.certificate_id}），"
                "如需更换请先删除原文件。"
            )
    elif invoice_line:
        target = _invoice_line_of(application, invoice_line)
        if req.code != "invoice":
            raise UploadRejected("关联发票明细时，材料应为“发票”（invoice）。")
        if target.invoice_file_id:
            raise UploadRejected(
                f"该发票明细已关联发票文件（文件编号 {target.invoice_file_id}），"
                "如需更换请先删除原文件。"
            )

    with transaction.atomic():
        attachment = add_attachment(application, req, file, user=request.user, name=file.name)
        try:
            if technician:
                target.certificate = attachment
                target.save(update_fields=["certificate"])
            elif invoice_line:
                # Every line of the same invoice shares its one file.
                target.subsidy.invoice_lines.filter(
                    invoice_code=target.invoice_code,
                    invoice_number=target.invoice_number,
                    invoice_file__isnull=True,
                ).update(invoice_file=attachment)
        except BaseException:
            delete_stored_objects([attachment.file.name, attachment.preview.name])
            raise
    attachment = Attachment.objects.select_related("requirement__item", "technician").get(
        pk=attachment.pk
    )
    return Status(201, _attachment(attachment, application))


@api.delete(
    "/applications/{reference}/attachments/{attachment_id}",
    response=responses({204: None}, 404, 409, 503),
    summary="删除材料文件",
    description="只有草稿或待补正的申请可以删除材料。",
    tags=["材料"],
)
def delete_attachment(request, reference: Reference, attachment_id: FileId):
    application = _own(request, reference)
    attachment = _attachment_of(application, attachment_id)
    _require_editable(application)
    remove_attachment(attachment, user=request.user)
    return Status(204, None)


@api.get(
    "/applications/{reference}/attachments/{attachment_id}/download",
    response=responses({200: None, 302: None}, 404, 503),
    summary="下载材料文件",
    description="返回文件内容；文件存于对象存储时 302 跳转到短时有效的下载地址。",
    tags=["材料"],
    url_name="download_attachment",
)
def download_attachment(request, reference: Reference, attachment_id: FileId):
    application = _own(request, reference)
    return serve_attachment(_attachment_of(application, attachment_id))

"""The API's side of a request: path types, lookups of the applicant's own records,
and JSON details turned into form data (refusing unknown keys, keeping masked secrets).
"""

import json
from typing import Annotated

from django.http import Http404
from django.views.decorators.debug import sensitive_variables
from ninja import Path

from accounts.models import Applicant
from catalogue.models import ApplicationKind, MaterialRequirement
from cms.crypto import mask

from ..access import get_own_application
from ..forms import DETAIL_FORMS, form_errors, save_detail
from ..materials import requirement_for
from ..models import Application, Attachment, Interconnection
from ..uploads import UploadRejected
from .app import ApiError

Reference = Annotated[str, Path(description="申请编号，如 SQ202611210001。")]


FileId = Annotated[int, Path(description="编号。")]


API_KINDS = [kind for kind in ApplicationKind if kind != ApplicationKind.ACCOUNT]


MAX_OFFSET = 1_000_000  # larger offsets overflow the database's integers


# --- Helpers ----------------------------------------------------------------------


def request_applicant(request) -> Applicant:
    return request.applicant


def own_application(request, reference: str) -> Application:
    return get_own_application(request.user, reference)


def require_editable(application: Application) -> None:
    if not application.is_editable:
        raise ApiError(
            409,
            f"申请当前状态为“{application.get_state_display()}”，不能修改；"
            "只有草稿或待补正的申请可以修改，如需修改请先撤回。",
        )


def parse_kind(value: str, *, allow_blank=False) -> str | None:
    if allow_blank and not value:
        return None
    if value not in API_KINDS:
        choices = "、".join(f"{k.value}（{k.label}）" for k in API_KINDS)
        raise ApiError(422, f"申请类型“{value}”不正确，可选：{choices}。")
    return value


def form_data(application: Application, raw: dict) -> dict:
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
def save_detail_json(application: Application, raw: dict, *, user):
    data = form_data(application, raw)
    obj, form = save_detail(application, data, user=user)
    if obj is None:
        raise ApiError(
            422,
            "申请信息有误，请按提示修改后重新提交。",
            errors=form_errors(form),
            fields={name: [str(m) for m in messages] for name, messages in form.errors.items()},
        )
    return obj


def form_invalid(form, detail: str):
    return ApiError(
        422,
        detail,
        errors=form_errors(form),
        fields={name: [str(m) for m in messages] for name, messages in form.errors.items()},
    )


def find_requirement(application: Application, value: str) -> MaterialRequirement:
    """By material code, "item-code/material-code" (joint applications) or id."""
    value = (value or "").strip()
    if "/" in value:
        item_code, code = value.split("/", 1)
        found = application.requirements().filter(item__code=item_code, code=code).first()
        if found is None:
            raise UploadRejected(f"此申请没有“{value}”这项材料，请按材料清单选择。")
        return found
    return requirement_for(application, value)


def technician_of(application: Application, pk: int):
    detail = application.detail
    if application.kind != ApplicationKind.OPERATOR_REGISTRATION or detail is None:
        raise Http404("技术人员不存在")
    try:
        return detail.technicians.get(pk=pk)
    except detail.technicians.model.DoesNotExist as exc:
        raise Http404("技术人员不存在") from exc


def invoice_line_of(application: Application, pk: int):
    detail = application.detail
    if application.kind != ApplicationKind.CONSTRUCTION_SUBSIDY or detail is None:
        raise Http404("发票明细不存在")
    try:
        return detail.invoice_lines.get(pk=pk)
    except detail.invoice_lines.model.DoesNotExist as exc:
        raise Http404("发票明细不存在") from exc


def attachment_of(application: Application, pk: int) -> Attachment:
    try:
        return application.attachments.select_related("requirement__item").get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404("材料文件不存在") from exc


def json_body(request) -> dict:
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

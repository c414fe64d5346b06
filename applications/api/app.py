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

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from wagtail.api.v3.auth import BearerTokenAuth

from accounts.models import Applicant
from accounts.services import enforce_idle_lock
from cms.storage import StorageUnavailable

from ..uploads import UploadRejected
from ..workflow import StateConflict, WorkflowError
from .schemas import (
    ErrorOut,
    FormErrorOut,
)

logger = logging.getLogger(__name__)


UNAUTHENTICATED = (
    "未提供访问令牌，或令牌无效、已撤销。请在请求头中加入 Authorization: Bearer <令牌>；"
    "令牌由省平台开户时发放。"
)


STATUS_REFUSALS = {
    Applicant.Status.PENDING: "账号尚在审核中，审核通过后才能使用接口。",
    Applicant.Status.REJECTED: "账号未通过审核，不能使用接口；请按审核意见处理或联系省平台。",
    Applicant.Status.LOCKED: "账号已被锁定（{note}），请联系省平台解锁后再使用接口。",
}


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


class PortalAPI(NinjaAPI):
    """Operation ids stay "applications_api_<function>" whichever routes module holds
    the function, so generated clients keep their method names."""

    def get_openapi_operation_id(self, operation) -> str:
        return f"applications_api_{operation.view_func.__name__}"


api = PortalAPI(
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


def attach_router(router) -> None:
    """Add an upper app's router to /api/v1/ once (AppConfig.ready may run twice in tests)."""
    if all(attached is not router for _, attached in api._routers):
        api.add_router("", router)


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


@api.exception_handler(StateConflict)
def _state_conflict(request, exc: StateConflict):
    """The data behind the application does not allow the step yet (e.g. the station's
    互联互通数据异常 at the 建设补贴 station step): 409 with the same Chinese text."""
    return _error(request, 409, problems_detail(exc.problems), problems=exc.problems)


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

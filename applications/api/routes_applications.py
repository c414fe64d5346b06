"""API routes: applications — list, create, read, fill in, submit, withdraw, delete."""

from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from ninja import Query, Status

from catalogue.models import ApplicationKind

from .. import workflow
from ..models import Application, State
from ..workflow import WorkflowError
from .app import ApiError, api, responses
from .inputs import (
    DETAIL_DOC,
    MAX_OFFSET,
    Reference,
    json_body,
    own_application,
    parse_kind,
    request_applicant,
    require_editable,
    save_detail_json,
)
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    NoticeOut,
    ProblemsOut,
)
from .serializers import application_out, notice_out, summary_out

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
    query = Application.objects.filter(applicant=request_applicant(request))
    if kind:
        query = query.filter(kind=parse_kind(kind))
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
        "items": [summary_out(app) for app in page],
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
    kind = parse_kind(payload.kind)
    if payload.items and kind != ApplicationKind.JOINT_INSTALLATION:
        raise ApiError(422, "只有“充电桩报装一件事”需要选择事项（items），其他类型请不要传入。")
    with transaction.atomic():
        application = workflow.create_application(
            request_applicant(request), kind, user=request.user, item_codes=payload.items
        )
        if payload.detail is not None:
            save_detail_json(application, payload.detail, user=request.user)
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
    return application_out(own_application(request, reference))


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
    application = own_application(request, reference)
    require_editable(application)
    body = json_body(request)
    save_detail_json(application, body, user=request.user)
    return application_out(application)


@api.post(
    "/applications/{reference}/submit",
    response={**responses({200: ApplicationOut}, 404, 409), 422: ProblemsOut},
    summary="提交申请",
    description="按与网页相同的规则检查后提交；有问题时返回 422，`problems` 一次性列出全部问题。"
    "待补正的申请提交后为“已补正”，办理期限重新起算。",
    tags=["申请"],
)
def submit_application(request, reference: Reference):
    application = own_application(request, reference)
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
    application = own_application(request, reference)
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
    application = own_application(request, reference)
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
    application = own_application(request, reference)
    return [notice_out(n) for n in application.supplement_notices.all()]

"""API routes of 装表接电 for the applicant (a router added to the portal API by this
app's `ready`, so the applications app never imports it): read the steps, propose the
survey slot, accept the 供电方案（合同） or upload its signed scan, download the scan.
The API has no staff side (its tokens belong to applicants): 供电 and 住建 act on the
/connection/<reference>/ page. Routes only translate; the rules live in steps/contract."""

import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, File, Router, Schema, UploadedFile

from applications.api.app import responses
from applications.api.inputs import Reference, own_application
from applications.workflow import StateConflict

from . import contract, steps
from .models import Connection, HalfDay

router = Router(tags=["装表接电"])
HALF_DAYS = "、".join(f"{value}（{label}）" for value, label in HalfDay.choices)


class StepOut(Schema):
    name: str
    status: str
    due_date: datetime.date | None
    done_at: datetime.date | datetime.datetime | None


class SignedScanOut(Schema):
    name: str = Field(..., description="上传时的文件名（扩展名按内容判定的格式）")
    format: str = Field(..., description="pdf、jpg 或 png")
    size: int
    download_url: str


class ConnectionOut(Schema):
    status: str = Field(..., description="进度代码：" + "、".join(Connection.Status.values))
    status_label: str
    residential: bool = Field(..., description="居民报装（住建确认产权及车位、物业参加踏勘）")
    preferred_date: datetime.date
    preferred_half_day: str = Field(..., description=HALF_DAYS)
    survey_confirm_due: datetime.date | None = Field(None, description="供电确认踏勘的期限")
    survey_date: datetime.date | None
    survey_half_day: str = ""
    surveyed_at: datetime.datetime | None
    housing_confirmed_at: datetime.datetime | None
    plan_text: str = ""
    plan_capacity_kva: str | None = Field(None, description="核定容量（kVA），字符串")
    plan_offered_at: datetime.datetime | None
    plan_signed_at: datetime.datetime | None
    plan_signed_via: str = Field("", description="portal（网上确认）或 scan（上传签字扫描件）")
    signed_scan: SignedScanOut | None
    construction_started_on: datetime.date | None
    permits: list[str] = Field(default_factory=list, description="施工依据的城管、公安许可")
    connected_on: datetime.date | None
    steps: list[StepOut]


class SurveyIn(Schema):
    date: datetime.date = Field(..., description="期望踏勘日期（工作日），YYYY-MM-DD")
    half_day: str = Field(..., max_length=2, description=HALF_DAYS)


def _connection(request, reference):
    application = own_application(request, reference)
    if not steps.needs_connection(application):
        raise StateConflict("该申请没有用电报装事项，无需装表接电。")
    return application, steps.connection_for(application)


def _out(application, connection) -> dict:
    data = {name: getattr(connection, name, None) for name in ConnectionOut.model_fields}
    scan = None
    if connection.signed_scan:
        url = reverse("portal-api:connection_signed_scan", args=[application.reference])
        scan = {
            "name": connection.signed_scan_name,
            "format": connection.signed_scan_format,
            "size": connection.signed_scan_size,
            "download_url": url,
        }
    capacity = connection.plan_capacity_kva
    return {
        **data,
        "status_label": connection.get_status_display(),
        "survey_confirm_due": steps.survey_confirm_due(connection),
        "plan_capacity_kva": None if capacity is None else str(capacity),
        "signed_scan": scan,
        "permits": [p for p in connection.permits.split("\n") if p],
        "steps": steps.progress_steps(application),
    }


@router.get(
    "/applications/{reference}/connection",
    response=responses({200: ConnectionOut}, 404, 409, 422),
    summary="装表接电进度",
    description="供电审核通过后的现场踏勘、供电方案（合同）、施工与装表接电。"
    "申请尚未到装表接电环节或没有用电报装事项时返回 409。",
    url_name="connection",
)
def connection_detail(request, reference: Reference):
    return _out(*_connection(request, reference))


@router.post(
    "/applications/{reference}/connection/survey",
    response=responses({200: ConnectionOut}, 404, 409, 422),
    summary="预约现场踏勘时间",
    description="供电确认踏勘时间前，申请人可改选期望的日期（工作日，不早于今天）和上午/下午。",
)
def propose_survey(request, reference: Reference, payload: SurveyIn):
    application, _ = _connection(request, reference)
    connection = steps.propose_survey(
        application, user=request.user, date=payload.date, half_day=payload.half_day
    )
    return _out(application, connection)


@router.post(
    "/applications/{reference}/connection/sign",
    response=responses({200: ConnectionOut}, 404, 409, 422),
    summary="确认签署供电方案（合同）",
    description="在线确认签署供电公司出具的供电方案（合同）；只在“待签署”时可用，否则 409。",
)
def sign_plan(request, reference: Reference):
    application, _ = _connection(request, reference)
    return _out(application, steps.sign_plan(application, user=request.user))


@router.post(
    "/applications/{reference}/connection/signed-scan",
    response=responses({200: ConnectionOut}, 404, 409, 422, 503),
    summary="上传签字的供电方案（合同）扫描件",
    description="multipart/form-data，字段 file。打印方案、签字后扫描或拍照上传即视为签署；"
    "类型按内容判定，只接受 PDF、JPG、PNG，不符合时返回 422 及中文原因，不保存任何内容。",
)
def upload_signed_scan(
    request,
    reference: Reference,
    file: Annotated[UploadedFile, File(description="签字扫描件（PDF、JPG、PNG）。")],
):
    application, _ = _connection(request, reference)
    connection = contract.upload_signed_scan(
        application, user=request.user, upload=file, name=file.name
    )
    return _out(application, connection)


@router.get(
    "/applications/{reference}/connection/signed-scan",
    response=responses({200: None, 302: None}, 404, 409, 503),
    summary="下载签字的供电方案（合同）扫描件",
    description="文件存于对象存储时 302 跳转到短时有效的下载地址。",
    url_name="connection_signed_scan",
)
def download_signed_scan(request, reference: Reference):
    _, connection = _connection(request, reference)
    return contract.serve_signed_scan(connection)

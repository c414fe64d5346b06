"""API routes of the printed documents (a router added to the portal API by this app's
`ready`, so the applications app never imports it): the case's documents with their
delivery state, and each one as a PDF. Same rules as the portal: the token's applicant
sees only its own cases."""

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from applications.api.app import ApiError, responses
from applications.api.inputs import Reference, own_application

from .kinds import KINDS, select
from .views import pdf_response

router = Router(tags=["办理文书"])


class DocumentOut(Schema):
    kind: str = Field(..., description="文书种类：" + "、".join(KINDS))
    key: str = Field(..., description="部门编码（决定书、告知书）或一次性告知编号；唯一时为空")
    title: str
    issuer: str = Field(..., description="出具单位")
    issued_at: datetime | None
    delivery_method: str | None = Field(None, description="送达方式（联办申请表无）")
    delivery_state: str | None = Field(None, description="送达状态，如 待下载、已邮寄（EMS …）")
    pdf_url: str


@router.get(
    "/applications/{reference}/documents",
    response=responses({200: list[DocumentOut]}, 404),
    summary="办理文书列表",
    description="该申请已出具的文书及其送达状态。",
    url_name="documents",
)
def list_documents(request, reference: Reference):
    application = own_application(request, reference)
    rows = {(d.kind, d.key): d for d in application.document_deliveries.all()}
    out = []
    for kind in KINDS.values():
        for issued in kind.issued(application):
            delivery = rows.get((kind.name, issued.key))
            url = reverse("portal-api:document_pdf", args=[application.reference, kind.name])
            out.append(
                {
                    "kind": kind.name,
                    "key": issued.key,
                    "title": issued.title,
                    "issuer": issued.issuer,
                    "issued_at": issued.issued_at,
                    "delivery_method": delivery.get_method_display() if delivery else None,
                    "delivery_state": delivery.state if delivery else None,
                    "pdf_url": url + (f"?key={issued.key}" if issued.key else ""),
                }
            )
    return out


class KeyQuery(Schema):
    key: str = Field("", max_length=40, description="部门编码或一次性告知编号")


@router.get(
    "/applications/{reference}/documents/{kind}",
    response=responses({200: None}, 400, 404),
    summary="下载办理文书 PDF",
    description="该申请还没有这份文书时返回 404 及中文原因；有多份（各部门）时需指定 key。",
    url_name="document_pdf",
)
def download_document(
    request,
    reference: Reference,
    kind: Annotated[str, Field(max_length=40)],
    query: Query[KeyQuery],
):
    application = own_application(request, reference)
    document_kind = KINDS.get(kind)
    if document_kind is None:
        raise ApiError(404, f"没有文书种类“{kind[:40]}”；可选：{'、'.join(KINDS)}。")
    issued, reason = select(document_kind, application, query.key.strip())
    if issued is None:
        raise ApiError(400 if "请指定" in reason else 404, reason)
    return pdf_response(application, document_kind, issued, request.user)

"""API routes: uploading, deleting and downloading material files."""

from typing import Annotated

from django.db import transaction
from ninja import File, Form, Status, UploadedFile

from ..files import serve_attachment
from ..materials import (
    add_attachment,
    delete_stored_objects,
    remove_attachment,
)
from ..models import Attachment
from ..uploads import UploadRejected
from .app import ApiError, api, responses
from .inputs import (
    FileId,
    Reference,
    attachment_of,
    find_requirement,
    invoice_line_of,
    own_application,
    require_editable,
    technician_of,
)
from .schemas import AttachmentOut
from .serializers import attachment_out

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
    application = own_application(request, reference)
    require_editable(application)
    if technician and invoice_line:
        raise ApiError(422, "technician 与 invoice_line 只能传一个。")
    req = find_requirement(application, requirement)
    target = None
    if technician:
        target = technician_of(application, technician)
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
        target = invoice_line_of(application, invoice_line)
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
    return Status(201, attachment_out(attachment, application))


@api.delete(
    "/applications/{reference}/attachments/{attachment_id}",
    response=responses({204: None}, 404, 409, 503),
    summary="删除材料文件",
    description="只有草稿或待补正的申请可以删除材料。",
    tags=["材料"],
)
def delete_attachment(request, reference: Reference, attachment_id: FileId):
    application = own_application(request, reference)
    attachment = attachment_of(application, attachment_id)
    require_editable(application)
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
    application = own_application(request, reference)
    return serve_attachment(attachment_of(application, attachment_id))

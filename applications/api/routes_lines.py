"""API routes: the repeating rows of a detail — technicians and invoice lines."""

from ninja import Status

from .. import lines
from .app import api, responses
from .inputs import (
    FileId,
    Reference,
    form_invalid,
    invoice_line_of,
    own_application,
    require_editable,
    technician_of,
)
from .schemas import (
    InvoiceLineIn,
    InvoiceLineOut,
    TechnicianIn,
    TechnicianOut,
)
from .serializers import invoice_line_out, technician_out

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
    application = own_application(request, reference)
    require_editable(application)
    technician, form = lines.add_technician(application, payload.dict(), user=request.user)
    if technician is None:
        raise form_invalid(form, "技术人员信息有误，请按提示修改。")
    return Status(201, technician_out(technician))


@api.delete(
    "/applications/{reference}/technicians/{technician_id}",
    response=responses({204: None}, 404, 409),
    summary="删除技术人员",
    description="同时删除其许可证文件。",
    tags=["申请信息明细"],
)
def delete_technician(request, reference: Reference, technician_id: FileId):
    application = own_application(request, reference)
    technician = technician_of(application, technician_id)
    require_editable(application)
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
    application = own_application(request, reference)
    require_editable(application)
    data = payload.dict()
    invoice_file_id = data.pop("invoice_file_id", None)
    data["issued_on"] = data["issued_on"].isoformat()
    line, form = lines.add_invoice_line(
        application, data, user=request.user, invoice_file_id=invoice_file_id
    )
    if line is None:
        raise form_invalid(form, "发票明细有误，请按提示修改。")
    return Status(201, invoice_line_out(line))


@api.delete(
    "/applications/{reference}/invoice-lines/{line_id}",
    response=responses({204: None}, 404, 409),
    summary="删除发票明细",
    description="发票文件不再被其他明细使用时一并删除。",
    tags=["申请信息明细"],
)
def delete_invoice_line(request, reference: Reference, line_id: FileId):
    application = own_application(request, reference)
    line = invoice_line_of(application, line_id)
    require_editable(application)
    lines.remove_invoice_line(line, user=request.user)
    return Status(204, None)

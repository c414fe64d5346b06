"""Request and response schemas of the operator-platform API (documented in OpenAPI).

Money is returned as strings ("1234.50") so no amount is ever rounded through a float;
dates are "YYYY-MM-DD", times ISO 8601 with the +08:00 offset.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

# --- Errors -------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明（中文），可直接展示给经办人员。")


class FormErrorOut(ErrorOut):
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="按字段中文名称列出的错误，例如 {“注册资金（万元）”: [“请输入一个数字。”]}；"
        "“__all__” 为不属于单个字段的错误。",
    )
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="同一组错误，按接口字段名（如 registered_capital）列出，便于程序定位。",
    )


class ProblemsOut(ErrorOut):
    problems: list[str] = Field(
        default_factory=list,
        description="提交前必须解决的全部问题（一次性列出），每条为一句中文说明。",
    )


# --- Catalogue ----------------------------------------------------------------------


class MaterialOut(Schema):
    id: int = Field(..., description="材料编号（上传时也可用作 requirement）。")
    code: str = Field(..., description="材料编码，上传文件时作为 requirement 传入。")
    name: str = Field(..., description="材料名称。")
    source: str = Field(..., description="材料类型及来源代码。")
    source_label: str = Field(..., description="材料类型及来源，如“电子或原件扫描件”“可容缺”。")
    formats: list[str] = Field(
        ..., description="接受的文件格式（按文件内容判定，不看扩展名）；空表示无需上传。"
    )
    formats_label: str = Field(..., description="接受格式的中文说明。")
    required: bool = Field(..., description="是否必须提供。")
    min_count: int = Field(..., description="最少份数。")
    max_count: int = Field(..., description="最多份数。")
    due_at_submission: bool = Field(
        ..., description="提交申请时是否必须已上传（可容缺、系统获取、现场核验原件的材料为否）。"
    )
    note: str = Field("", description="材料说明。")


class ServiceItemOut(Schema):
    code: str = Field(..., description="事项编码；联合报装时在 items 中传入。")
    name: str = Field(..., description="事项名称。")
    kind: str = Field(..., description="申请类型代码。")
    kind_label: str = Field(..., description="申请类型名称。")
    department: str = Field(..., description="办理部门编码。")
    department_name: str = Field(..., description="办理部门。")
    time_limit_label: str = Field(..., description="办理时限，如“3个工作日（高峰期顺延）”。")
    joint_group: str = Field("", description="联办分组：同组事项只能选择一项。")
    materials: list[MaterialOut] = Field(default_factory=list, description="申请材料清单。")


class ConnectorOut(Schema):
    connector_id: str = Field(..., description="充电接口编码（ConnectorID）。")
    power_kw: str = Field(..., description="额定功率（kW，十进制字符串）。")
    status: str | None = Field(None, description="最近推送的状态（文字），未推送为 null。")


class EquipmentOut(Schema):
    equipment_id: str = Field(..., description="设备编码（EquipmentID）。")
    type: str = Field(..., description="设备类型（直流设备、交流设备……）。")
    power_kw: str = Field(..., description="额定功率（kW，十进制字符串）。")
    connectors: list[ConnectorOut]


class StationOut(Schema):
    id: int = Field(..., description="站点编号（建设补贴申请的 station 字段传入此值）。")
    station_id: str = Field(..., description="运营平台的充电站ID（StationID）。")
    name: str = Field(..., description="充电站名称（建站资料的充电站名称须与此完全一致）。")
    address: str = Field("", description="地址。")
    region: str | None = Field(None, description="所属地区代码。")
    station_type: str = Field(..., description="站点类型（文字）。")
    construction: str = Field(..., description="建设场所（文字）。")
    pile_count: int = Field(..., description="充电设备数量。")
    equipment: list[EquipmentOut]
    last_status_at: datetime | None = Field(None, description="最近状态推送时间。")
    orders_by_year: dict[str, int] = Field(..., description='各年度订单数，如 {"2026": 3}。')
    health: str = Field(..., description="数据正常 / 互联互通数据异常。")
    health_reasons: list[str] = Field(..., description="异常原因。")
    dossier: str | None = Field(None, description="已绑定的建站资料申请编号。")


# --- Applications -------------------------------------------------------------------


class ItemRef(Schema):
    code: str = Field(..., description="事项编码。")
    name: str = Field(..., description="事项名称。")
    department: str = Field(..., description="办理部门编码。")
    department_name: str = Field(..., description="办理部门。")


class ApplicationSummaryOut(Schema):
    reference: str = Field(..., description="申请编号，如 SQ202611210001。")
    kind: str = Field(..., description="申请类型代码。")
    kind_label: str = Field(..., description="申请类型名称。")
    title: str = Field("", description="申请名称（由申请信息自动生成）。")
    state: str = Field(
        ...,
        description="状态代码：draft 草稿、at_window 窗口预审、submitted 已提交、"
        "under_review 审核中、needs_supplement 待补正、resubmitted 已补正、"
        "connecting 装表接电中、approved 已通过、rejected 未通过、not_accepted 不予受理。",
    )
    state_label: str = Field(..., description="状态名称。")
    editable: bool = Field(..., description="当前能否修改申请信息和材料（草稿或待补正）。")
    items: list[ItemRef] = Field(default_factory=list, description="办理事项。")
    region: str = Field(..., description="所属地区代码。")
    created_at: datetime = Field(..., description="创建时间。")
    updated_at: datetime = Field(..., description="最后修改时间。")
    submitted_at: datetime | None = Field(None, description="最近一次提交时间。")
    decided_at: datetime | None = Field(None, description="办结时间。")


class ApplicationPage(Schema):
    count: int = Field(..., description="符合条件的申请总数。")
    limit: int = Field(..., description="本页最多条数。")
    offset: int = Field(..., description="本页起始位置。")
    items: list[ApplicationSummaryOut]


class AttachmentOut(Schema):
    id: int = Field(..., description="文件编号。")
    requirement: str = Field(..., description="材料编码。")
    requirement_id: int = Field(..., description="材料编号。")
    requirement_name: str = Field(..., description="材料名称。")
    item: str = Field(..., description="所属事项编码。")
    name: str = Field(..., description="文件名。")
    size: int = Field(..., description="大小（字节）。")
    sha256: str = Field(..., description="文件内容的 SHA-256（十六进制）。")
    format: str = Field(..., description="按文件内容识别出的格式，如 pdf、jpg、png。")
    content_type: str = Field(..., description="MIME 类型。")
    pages: int | None = Field(None, description="PDF 页数。")
    width: int | None = Field(None, description="图片宽度（像素）。")
    height: int | None = Field(None, description="图片高度（像素）。")
    uploaded_at: datetime = Field(..., description="上传时间。")
    verdict: str = Field(
        ..., description="审核结论代码：pending 待审、accepted 合格、rejected 不合格。"
    )
    verdict_label: str = Field(..., description="审核结论。")
    verdict_note: str = Field("", description="审核意见（不合格时说明原因）。")
    technician: int | None = Field(None, description="关联的技术人员编号（电工进网作业许可证）。")
    download_url: str = Field(..., description="下载地址（需同一令牌）。")


class ChecklistRowOut(Schema):
    requirement: str = Field(..., description="材料编码。")
    requirement_id: int = Field(..., description="材料编号。")
    name: str = Field(..., description="材料名称。")
    item: str = Field(..., description="所属事项编码。")
    department_name: str = Field(..., description="审核部门。")
    source_label: str = Field(..., description="材料类型及来源。")
    formats: list[str] = Field(default_factory=list, description="接受格式。")
    required: bool = Field(..., description="是否必须提供。")
    min_count: int = Field(..., description="最少份数。")
    max_count: int = Field(..., description="最多份数。")
    due_at_submission: bool = Field(..., description="提交时是否必须已上传。")
    status: str = Field(
        ...,
        description="ok 已提供、missing 缺少、rejected 需重新上传、later 可后补/系统获取/现场核验、"
        "optional 选交。",
    )
    status_label: str = Field(..., description="状态说明。")
    problem: str = Field("", description="需要处理的问题；无问题时为空。")
    attachments: list[int] = Field(default_factory=list, description="已上传的文件编号。")


class ReviewOut(Schema):
    department: str = Field(..., description="审核部门编码。")
    department_name: str = Field(..., description="审核部门。")
    status: str = Field(
        ...,
        description="pending 待审核、under_review 审核中、needs_supplement 待补正、"
        "approved 通过、rejected 不通过。",
    )
    status_label: str = Field(..., description="审核状态。")
    items: list[str] = Field(default_factory=list, description="本部门审核的事项编码。")
    received_at: datetime = Field(..., description="收件时间（补正后重新起算）。")
    due_date: date | None = Field(None, description="办理期限（按工作日计算）；无法定时限时为空。")
    calendar_missing_year: int | None = Field(
        None, description="期限落在尚未维护工作日历的年度时，为该年度；此时 due_date 为空。"
    )
    overdue: bool = Field(..., description="是否已超过办理期限。")
    decided_at: datetime | None = Field(None, description="本部门办结时间。")
    opinion: str = Field("", description="审核意见。")


class NoticeItemOut(Schema):
    material: str = Field("", description="涉及的材料；为空表示其他补正要求。")
    department: str = Field("", description="提出补正的部门。")
    problem: str = Field(..., description="需要补正的内容。")


class NoticeOut(Schema):
    id: int = Field(..., description="告知书编号。")
    created_at: datetime = Field(..., description="告知时间。")
    items: list[NoticeItemOut] = Field(default_factory=list, description="一次性告知的全部事项。")
    message: str = Field("", description="补充说明。")
    resolved: bool = Field(..., description="是否已补正提交。")
    resolved_at: datetime | None = Field(None, description="补正提交时间。")


class EventOut(Schema):
    at: datetime = Field(..., description="时间。")
    action: str = Field(..., description="操作代码。")
    action_label: str = Field(..., description="操作名称。")
    department: str | None = Field(None, description="相关部门。")
    from_state: str = Field("", description="操作前状态。")
    to_state: str = Field("", description="操作后状态。")
    note: str = Field("", description="说明。")


class TechnicianIn(Schema):
    name: str = Field(..., description="姓名。")
    phone: str = Field("", description="联系电话（11 位手机号，选填）。")
    certificate_number: str = Field(..., description="电工进网作业许可证编号。")


class TechnicianOut(Schema):
    id: int = Field(..., description="技术人员编号。")
    name: str = Field(..., description="姓名。")
    phone: str = Field("", description="联系电话。")
    certificate_number: str = Field(..., description="许可证编号。")
    certificate: int | None = Field(
        None,
        description="许可证文件编号；为空表示还未上传（上传时传 technician=本编号）。",
    )


class InvoiceLineIn(Schema):
    equipment: str = Field(
        ...,
        description="设备种类：dc_pile 直流充电桩、ac_pile 交流充电桩、swap 换电设备、"
        "transformer 变压器、distribution 配电设备、civil 土建及安装、other 其他。",
    )
    quantity: int = Field(..., description="设备数量（≥1）。")
    power_kw: str | None = Field(
        None,
        description="单台设备功率（kW），字符串如 “120.0”；充电桩必填，且数量和功率不能超过"
        "运营平台推送的该类设备。",
    )
    cost_name: str = Field(..., description="费用名称。")
    invoice_number: str = Field(
        ..., description="发票号码：8 位；数电票（全电发票）20 位。全角数字和空格会被忽略。"
    )
    invoice_code: str = Field(
        "", description="发票代码：10 或 12 位；数电票没有发票代码，必须留空。"
    )
    invoice_amount: str = Field(
        ..., description="发票金额（元），用字符串传入以免精度损失，如 “12000.00”。"
    )
    used_amount: str = Field(
        ...,
        description="使用金额（元）。一张发票多个设备时每个设备录一条，各条使用金额之和应等于发票金额。",
    )
    issued_on: date = Field(..., description="开票日期 YYYY-MM-DD。")
    buyer_name: str = Field(..., description="发票抬头（购买方）。")
    invoice_file_id: int | None = Field(
        None,
        description="已上传的发票文件编号（同一张发票的多个设备共用一个文件）；"
        "不传时自动沿用同号发票已关联的文件。",
    )


class InvoiceLineOut(Schema):
    id: int = Field(..., description="发票明细编号。")
    equipment: str = Field(..., description="设备种类代码。")
    equipment_label: str = Field(..., description="设备种类。")
    quantity: int = Field(..., description="设备数量。")
    power_kw: str | None = Field(None, description="单台设备功率（kW）。")
    cost_name: str = Field(..., description="费用名称。")
    invoice_number: str = Field(..., description="发票号码。")
    invoice_code: str = Field("", description="发票代码。")
    invoice_amount: str = Field(..., description="发票金额（元）。")
    used_amount: str = Field(..., description="使用金额（元）。")
    issued_on: date = Field(..., description="开票日期。")
    buyer_name: str = Field(..., description="发票抬头。")
    invoice_file: int | None = Field(None, description="发票文件编号；为空表示还未上传。")


class ApplicationOut(ApplicationSummaryOut):
    detail: dict[str, Any] | None = Field(
        None,
        description="申请信息（字段与 PUT /applications/{reference}/detail 相同）。"
        "互联互通的四项密钥只返回掩码（如 ab********yz），从不返回明文。",
    )
    technicians: list[TechnicianOut] = Field(
        default_factory=list, description="运营商注册的专职技术人员。"
    )
    invoice_lines: list[InvoiceLineOut] = Field(
        default_factory=list, description="建设补贴的发票明细。"
    )
    checklist: list[ChecklistRowOut] = Field(default_factory=list, description="材料清单及状态。")
    attachments: list[AttachmentOut] = Field(default_factory=list, description="已上传的文件。")
    submission_problems: list[str] = Field(
        default_factory=list,
        description="可修改时：现在提交会被退回的全部问题；为空表示可以提交。",
    )
    reviews: list[ReviewOut] = Field(default_factory=list, description="各部门审核情况。")
    notices: list[NoticeOut] = Field(default_factory=list, description="一次性告知。")
    events: list[EventOut] = Field(default_factory=list, description="办理记录。")
    subsidy: dict[str, Any] | None = Field(
        None,
        description="补贴核算（建设补贴、运营补贴）：适用规则及版本、奖补比例或补贴标准、各明细可补贴"
        "金额、各项上限及是否适用（caps[].bit）、补贴金额（amount，字符串）；建设补贴另含互联互通"
        "数据状态（health_now、health_at_submission）及阻止继续的原因（blocked）。",
    )


class ApplicationIn(Schema):
    kind: str = Field(
        ...,
        description="申请类型：operator_registration 运营商注册、interconnection 互联互通接入、"
        "station_dossier 建站资料、construction_subsidy 建设补贴申请、operation_subsidy "
        "运营补贴申请、joint_installation 充电桩报装一件事。",
    )
    items: list[str] | None = Field(
        None,
        description="仅 joint_installation：所选事项编码（见 GET /catalogue/items），"
        "同一联办分组只能选一项。",
    )
    detail: dict[str, Any] | None = Field(
        None,
        description="申请信息（可稍后用 PUT .../detail 填写）。字段见 PUT .../detail 的说明；"
        "校验不通过时返回 422，且不会创建申请。",
    )


class DetailIn(Schema):
    detail: dict[str, Any] = Field(..., description="完整的申请信息（整体替换）。")

"""Structured applications, their materials and their review.

`Application` is what every type shares: who applies, for which service items, in
which state, with which uploaded materials, reviewed by which departments. Each type's
own facts live in a one-to-one detail model with proper types (dates, Decimal money,
validated codes). The rules that move an application live in `applications.workflow`,
the per-type checks in `applications.rules`; views, the API and commands call those.
"""

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import Applicant, mobile_validator
from catalogue.models import ApplicationKind, Department, MaterialRequirement, ServiceItem
from cms.crypto import EncryptedTextField
from interconnect.models import Station
from regions.models import Region

from .history import ACTION_LABELS


def private_storage():
    """Uploaded material never lives in the public MEDIA folder."""
    return storages["private"]


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    AT_WINDOW = "at_window", "窗口预审"
    SUBMITTED = "submitted", "已提交"
    UNDER_REVIEW = "under_review", "审核中"
    NEEDS_SUPPLEMENT = "needs_supplement", "待补正"
    RESUBMITTED = "resubmitted", "已补正"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    CONNECTING = "connecting", "装表接电中"
    NOT_ACCEPTED = "not_accepted", "不予受理"


class Channel(models.TextChoices):
    """How the application came in: online, or entered by 综合窗口 staff for the applicant."""

    ONLINE = "online", "网上"
    WINDOW = "window", "窗口"


class Application(models.Model):
    applicant = models.ForeignKey(
        Applicant, verbose_name="申请人", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField("申请类型", max_length=40, choices=ApplicationKind.choices)
    reference = models.CharField("申请编号", max_length=20, unique=True, editable=False)
    title = models.CharField("申请名称", max_length=200, blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name="办理事项", related_name="+")
    region = models.ForeignKey(
        Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    channel = models.CharField(
        "申请渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="窗口代办时录入申请的工作人员。",
    )
    window_due_date = models.DateField("窗口受理期限", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)

    class Meta:
        verbose_name = "办事申请"
        verbose_name_plural = "办事申请"
        ordering = ["-created_at", "-pk"]
        permissions = [("review_application", "审核办事申请")]

    def __str__(self):
        return (
            f"{self.reference} {self.get_kind_display()}{' · ' + self.title if self.title else ''}"
        )

    def save(self, *args, **kwargs):
        if self.reference or self.pk:
            return super().save(*args, **kwargs)
        # Two applications created at the same moment may draw the same number; the
        # unique index refuses the second, which then draws the next one.
        for attempt in range(5):
            self.reference = self.next_reference()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if attempt == 4:
                    raise
                self.reference = ""

    @staticmethod
    def next_reference() -> str:
        """'SQ20261121' + a 4-digit daily sequence: readable on the phone and on paper."""
        stem = "SQ" + timezone.localdate().strftime("%Y%m%d")
        last = (
            Application.objects.filter(reference__startswith=stem)
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        number = int(last[len(stem) :]) + 1 if last else 1
        return f"{stem}{number:04d}"

    @property
    def is_editable(self) -> bool:
        return self.state in (State.DRAFT, State.NEEDS_SUPPLEMENT)

    @property
    def is_finished(self) -> bool:
        return self.state in (State.APPROVED, State.REJECTED, State.NOT_ACCEPTED)

    @property
    def detail(self):
        """The per-type detail record (OperatorRegistration, ...), or None."""
        name = DETAIL_RELATED_NAMES.get(self.kind)
        return getattr(self, name, None) if name else None

    def requirements(self):
        """Every material requirement of the chosen items, in catalogue order."""
        return (
            MaterialRequirement.objects.filter(item__in=self.items.all())
            .select_related("item", "item__department")
            .order_by("item__sort_order", "item_id", "sort_order", "pk")
        )


class Attachment(models.Model):
    """One uploaded file for one material requirement of one application."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "待审"
        ACCEPTED = "accepted", "合格"
        REJECTED = "rejected", "不合格"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    requirement = models.ForeignKey(
        MaterialRequirement, verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("文件", storage=private_storage, max_length=255)
    preview = models.FileField("预览图", storage=private_storage, max_length=255, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    format = models.CharField("格式", max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)
    verdict = models.CharField(
        "审核结论", max_length=20, choices=Verdict.choices, default=Verdict.PENDING
    )
    verdict_note = models.CharField("审核意见", max_length=500, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "申请材料文件"
        verbose_name_plural = "申请材料文件"
        ordering = ["requirement__sort_order", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.format in ("jpg", "png")

    def duplicates_in_application(self):
        return Attachment.objects.filter(
            application_id=self.application_id, sha256=self.sha256
        ).exclude(pk=self.pk)


class DepartmentReview(models.Model):
    """One department's part of an application, with its own working-day deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        UNDER_REVIEW = "under_review", "审核中"
        NEEDS_SUPPLEMENT = "needs_supplement", "待补正"
        APPROVED = "approved", "通过"
        REJECTED = "rejected", "不通过"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey(
        Department, verbose_name="审核部门", on_delete=models.PROTECT, related_name="reviews"
    )
    items = models.ManyToManyField(ServiceItem, verbose_name="事项", related_name="+")
    status = models.CharField(
        "审核状态", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    received_at = models.DateTimeField("收件时间")
    due_date = models.DateField("办理期限", null=True, blank=True)
    calendar_missing_year = models.PositiveSmallIntegerField(
        "日历缺失年度", null=True, blank=True, help_text="期限落在未维护的年度，无法计算。"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "部门审核"
        verbose_name_plural = "部门审核"
        ordering = ["application", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "department"], name="one_review_per_department"
            )
        ]
        # The overdue list (统计分析) and the reviewers' digest: open reviews by due date.
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=models.Q(status__in=["pending", "under_review"]),
                name="review_open_due",
            )
        ]

    def __str__(self):
        return f"{self.application.reference} · {self.department}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.UNDER_REVIEW)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and today > self.due_date


class SupplementNotice(models.Model):
    """一次性告知: every missing or wrong item, told once."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="supplement_notices"
    )
    created_at = models.DateTimeField("告知时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    items = models.JSONField("补正事项", default=list)  # [{"material", "department", "problem"}]
    message = models.TextField("补充说明", blank=True)
    resolved_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性告知"
        verbose_name_plural = "一次性告知"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.application.reference} 一次性告知 {self.created_at:%Y-%m-%d}"


class Event(models.Model):
    """History and audit trail: every state change, decision, download and view."""

    LABELS = ACTION_LABELS  # applications.history; apps above add theirs
    # Staff reads: the reviewers' audit trail, not part of the applicant's history.
    STAFF_READS = ("viewed", "downloaded", "previewed", "exported")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField("操作", max_length=40)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.application.reference} {self.label}"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


# --- Per-type details ---------------------------------------------------------------

money = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class OperatorRegistration(models.Model):
    """运营商注册: company facts, technicians, platform and software copyright."""

    MIN_CAPITAL_WAN = Decimal("1000")  # 注册资金不少于1000万元
    MIN_TECHNICIANS = 8

    class RegistrationType(models.TextChoices):
        LLC = "llc", "有限责任公司"
        JOINT_STOCK = "joint_stock", "股份有限公司"
        STATE_OWNED = "state_owned", "国有企业"
        COLLECTIVE = "collective", "集体企业"
        PRIVATE = "private", "私营企业"
        FOREIGN = "foreign", "外商投资企业"
        OTHER = "other", "其他"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="operator_registration"
    )
    company_name = models.CharField("企业名称", max_length=100)
    registered_capital = models.DecimalField("注册资金（万元）", **money)
    registered_on = models.DateField("注册时间")
    total_assets = models.DecimalField("资产总额（万元）", **money)
    legal_representative = models.CharField("法人代表", max_length=50)
    postcode = models.CharField(
        "邮政编号", max_length=6, validators=[RegexValidator(r"^\d{6}$", "邮政编码应为 6 位数字。")]
    )
    phone = models.CharField("电话", max_length=30)
    fax = models.CharField("传真", max_length=30, blank=True)
    email = models.EmailField("电子邮箱")
    registered_address = models.CharField("注册地址", max_length=300)
    mailing_address = models.CharField("通信地址", max_length=300)
    industry = models.CharField("所属行业", max_length=100)
    registration_type = models.CharField(
        "工商登记类型", max_length=20, choices=RegistrationType.choices
    )
    service_scope = models.CharField("服务范围", max_length=300)
    platform_name = models.CharField("服务平台名称", max_length=100, blank=True)
    software_copyright_number = models.CharField(
        "软件著作权登记号",
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{4}SR\d{6,8}$", "软件著作权登记号格式如 2024SR0123456，请对照登记证书填写。"
            )
        ],
    )

    class Meta:
        verbose_name = "运营商注册信息"

    def __str__(self):
        return self.company_name


class Technician(models.Model):
    """A full-time technician holding a 电工进网作业许可证."""

    registration = models.ForeignKey(
        OperatorRegistration, on_delete=models.CASCADE, related_name="technicians"
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=11, validators=[mobile_validator], blank=True)
    certificate_number = models.CharField("许可证编号", max_length=40)
    certificate = models.OneToOneField(
        Attachment,
        verbose_name="许可证文件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technician",
    )

    class Meta:
        verbose_name = "从业技术人员"
        verbose_name_plural = "从业技术人员"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "certificate_number"],
                name="unique_certificate_per_registration",
            )
        ]

    def __str__(self):
        return self.name


class Interconnection(models.Model):
    """互联互通接入, with the four platform secrets encrypted at rest."""

    class Scope(models.TextChoices):
        BASIC = "basic", "基础信息"
        SERVICE = "service", "充电服务（含清分结算）"

    SECRET_FIELDS = ("access_key", "signing_key", "message_key", "message_iv")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="interconnection"
    )
    platform_operator = models.CharField("平台运营商", max_length=100)
    builder = models.CharField("平台建设单位", max_length=100)
    builder_address = models.CharField("平台建设单位地址", max_length=300)
    liaison = models.CharField("联调负责人", max_length=50)
    engineer = models.CharField("联调工程师", max_length=50)
    engineer_phone = models.CharField("工程师电话", max_length=11, validators=[mobile_validator])
    platform_name = models.CharField("平台名称", max_length=100)
    access_key = EncryptedTextField("接入平台的密钥")
    signing_key = EncryptedTextField("签名密钥")
    message_key = EncryptedTextField("消息密钥")
    message_iv = EncryptedTextField("消息密钥初始化向量")
    scope = models.CharField("互联互通类型", max_length=20, choices=Scope.choices)
    station_count = models.PositiveIntegerField("充电站数量")
    pile_count = models.PositiveIntegerField("充电桩数量")

    class Meta:
        verbose_name = "互联互通接入信息"

    def __str__(self):
        return self.platform_name


class StationDossier(models.Model):
    """建站资料 for one built station, bound to one of the applicant's stations."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="station_dossier"
    )
    station_name = models.CharField("充电站名称", max_length=200)
    started_on = models.DateField("开工时间")
    completed_on = models.DateField("完工时间")
    manager = models.CharField("场站负责人", max_length=50)
    manager_phone = models.CharField("联系电话", max_length=11, validators=[mobile_validator])
    filed_name = models.CharField("备案充电站名称", max_length=200)
    filed_address = models.CharField("备案充电站地址", max_length=300)
    station = models.OneToOneField(
        Station,
        verbose_name="绑定站点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier",
    )

    class Meta:
        verbose_name = "建站资料"

    def __str__(self):
        return self.station_name


class ConstructionSubsidy(models.Model):
    """建设补贴申请 for a station with complete 建站资料."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="construction_subsidy"
    )
    station = models.ForeignKey(
        Station, verbose_name="充电站", on_delete=models.PROTECT, related_name="subsidies"
    )
    subsidy_year = models.PositiveSmallIntegerField("补贴年度")

    class Meta:
        verbose_name = "建设补贴申请信息"

    def __str__(self):
        return f"{self.station} {self.subsidy_year}"


class InvoiceLine(models.Model):
    """One device on an invoice; the used amounts of one invoice add up to its amount."""

    class Equipment(models.TextChoices):
        DC_PILE = "dc_pile", "直流充电桩"
        AC_PILE = "ac_pile", "交流充电桩"
        SWAP = "swap", "换电设备"
        TRANSFORMER = "transformer", "变压器"
        DISTRIBUTION = "distribution", "配电设备"
        CIVIL = "civil", "土建及安装"
        OTHER = "other", "其他"

    subsidy = models.ForeignKey(
        ConstructionSubsidy, on_delete=models.CASCADE, related_name="invoice_lines"
    )
    equipment = models.CharField("设备种类", max_length=20, choices=Equipment.choices)
    quantity = models.PositiveIntegerField("设备数量", validators=[MinValueValidator(1)])
    power_kw = models.DecimalField(
        "设备功率（kW）",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="单台设备的额定功率；充电桩必填，须与运营平台推送的设备功率一致。",
    )
    cost_name = models.CharField("费用名称", max_length=100)
    invoice_number = models.CharField(
        "发票号码",
        max_length=20,
        validators=[
            RegexValidator(r"^(\d{8}|\d{20})$", "发票号码应为 8 位（全电发票为 20 位）数字。")
        ],
    )
    invoice_code = models.CharField(
        "发票代码",
        max_length=12,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{10}|\d{12})$", "发票代码应为 10 或 12 位数字；全电发票无发票代码，留空。"
            )
        ],
    )
    invoice_amount = models.DecimalField("发票金额（元）", **money)
    used_amount = models.DecimalField("使用金额（元）", **money)
    issued_on = models.DateField("开票日期")
    buyer_name = models.CharField("发票抬头（购买方）", max_length=100)
    invoice_file = models.ForeignKey(
        Attachment,
        verbose_name="发票文件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "发票明细"
        verbose_name_plural = "发票明细"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.invoice_number} {self.get_equipment_display()}"

    # Kinds whose power is pushed by the operator platform (and so must be given).
    PILES = (Equipment.DC_PILE, Equipment.AC_PILE)

    @property
    def invoice_key(self) -> tuple[str, str]:
        return (self.invoice_code, self.invoice_number)


class OperationSubsidy(models.Model):
    """运营补贴申请: the year's order list, downloaded, signed, sealed and uploaded back."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="operation_subsidy"
    )
    year = models.PositiveSmallIntegerField("补贴年度")

    class Meta:
        verbose_name = "运营补贴申请信息"

    def __str__(self):
        return f"{self.year}年度运营补贴"


class JointInstallation(models.Model):
    """充电桩报装一件事: the joint application form (attachment 3 of 信电〔2024〕141号)."""

    class Tenure(models.TextChoices):
        OWNED = "owned", "自有"
        LEASED = "leased", "租赁"

    class Business(models.TextChoices):
        NEW_BUILD = "new_build", "新建（改建、扩建）充电桩报装"
        EXISTING = "existing", "既有建筑新增充电桩需求报装"

    class HalfDay(models.TextChoices):
        AM = "am", "上午"
        PM = "pm", "下午"

    class PowerUse(models.TextChoices):
        COMMERCIAL = "commercial", "商业"
        INDUSTRIAL = "industrial", "普通工业"
        NON_INDUSTRIAL = "non_industrial", "非工业"
        OTHER = "other", "其他"
        RESIDENTIAL = "residential", "居民生活用电"

    class RoadType(models.TextChoices):
        EXPRESSWAY = "expressway", "高速"
        NATIONAL = "national", "普通国省道"
        RURAL = "rural", "农村公路"
        URBAN_EXPRESS = "urban_express", "快速路"
        ARTERIAL = "arterial", "主干道"
        SECONDARY = "secondary", "次干道"
        BRANCH = "branch", "支路"
        MINOR = "minor", "支小路"

    class Delivery(models.TextChoices):
        SYSTEM = "system", "系统推送（网上下载）"
        WINDOW = "window", "窗口领取"
        POST = "post", "邮寄送达（费用自理）"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="joint_installation"
    )
    # 企业基本信息
    applicant_name = models.CharField("企业名称/申请人", max_length=100)
    tenure = models.CharField("产权类型", max_length=10, choices=Tenure.choices)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=11, validators=[mobile_validator])
    # 报装事项基本信息
    address = models.CharField("报装详细地址", max_length=300)
    business = models.CharField("业务种类", max_length=20, choices=Business.choices)
    survey_date = models.DateField("期望现场踏勘日期")
    survey_half_day = models.CharField("踏勘时段", max_length=2, choices=HalfDay.choices)
    # 用电报装
    power_use = models.CharField(
        "用电业务类型", max_length=20, choices=PowerUse.choices, blank=True
    )
    capacity_kva = models.DecimalField(
        "供电容量（kVA）",
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    expected_power_date = models.DateField("期望用电时间", null=True, blank=True)
    # 项目基本信息（外线施工联审）
    project_code = models.CharField("项目名称代码", max_length=100, blank=True)
    construction_address = models.CharField("项目建设地址", max_length=300, blank=True)
    construction_company = models.CharField("施工单位", max_length=100, blank=True)
    construction_contact = models.CharField("施工单位联系人及联系方式", max_length=100, blank=True)
    works_description = models.TextField("外线施工联审（备案）申请内容", blank=True)
    occupation_reason = models.CharField("临时占用、挖掘原因", max_length=300, blank=True)
    occupation_start = models.DateField("占用开始日期", null=True, blank=True)
    occupation_end = models.DateField("占用结束日期", null=True, blank=True)
    road_type = models.CharField("道路类型", max_length=20, choices=RoadType.choices, blank=True)
    road_name = models.CharField("道路名称", max_length=100, blank=True)
    road_address = models.CharField("道路地址", max_length=300, blank=True)
    # 绿地
    green_address = models.CharField("占用绿地地址", max_length=300, blank=True)
    green_nature = models.CharField("绿地性质", max_length=100, blank=True)
    green_length_m = models.DecimalField(
        "长（米）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    green_width_m = models.DecimalField(
        "宽（米）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    delivery = models.CharField("送达方式", max_length=10, choices=Delivery.choices)
    postal_address = models.CharField("邮寄地址", max_length=300, blank=True)

    class Meta:
        verbose_name = "联办申请表"

    def __str__(self):
        return self.address

    @property
    def green_area_m2(self) -> Decimal | None:
        if self.green_length_m is None or self.green_width_m is None:
            return None
        return (self.green_length_m * self.green_width_m).quantize(Decimal("0.01"))


DETAIL_RELATED_NAMES = {
    ApplicationKind.OPERATOR_REGISTRATION: "operator_registration",
    ApplicationKind.INTERCONNECTION: "interconnection",
    ApplicationKind.STATION_DOSSIER: "station_dossier",
    ApplicationKind.CONSTRUCTION_SUBSIDY: "construction_subsidy",
    ApplicationKind.OPERATION_SUBSIDY: "operation_subsidy",
    ApplicationKind.JOINT_INSTALLATION: "joint_installation",
}

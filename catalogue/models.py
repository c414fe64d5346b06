"""The service catalogue (办事事项): one source of truth.

A service item names the department that handles it, its time limit and who may apply;
its material requirements say what must be provided, in which form and format. The
public service guide, the applicant's checklist, upload validation and the reviewer's
checklist all read these rows — nothing else lists materials.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from .formats import describe_formats, normalise_formats

code_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "编码只能包含小写字母、数字和连字符，例如 operator-registration。",
)


class ApplicantType(models.TextChoices):
    OPERATOR = "operator", "充电设施运营商"
    BUILDER = "builder", "充电设施建设方"
    RESIDENT = "resident", "个人/居民"


class ApplicationKind(models.TextChoices):
    """Which structured form handles an item; one per application type."""

    ACCOUNT = "account", "账号注册"
    OPERATOR_REGISTRATION = "operator_registration", "运营商注册"
    INTERCONNECTION = "interconnection", "互联互通接入"
    STATION_DOSSIER = "station_dossier", "建站资料"
    CONSTRUCTION_SUBSIDY = "construction_subsidy", "建设补贴申请"
    OPERATION_SUBSIDY = "operation_subsidy", "运营补贴申请"
    JOINT_INSTALLATION = "joint_installation", "充电桩报装一件事"


class Department(models.Model):
    """A reviewing body: 供电 / 城管 / 公安 / 住建 / 省平台. Reviewers are its members."""

    code = models.CharField("编码", max_length=40, unique=True, validators=[code_validator])
    name = models.CharField("简称", max_length=20, unique=True)
    full_name = models.CharField("全称", max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人员",
        blank=True,
        related_name="review_departments",
    )

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("full_name"),
        FieldPanel("members"),
    ]

    class Meta:
        verbose_name = "审核部门"
        verbose_name_plural = "审核部门"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ServiceItem(ClusterableModel):
    """One 事项 with its department, time limit and eligible applicants."""

    class Handling(models.TextChoices):
        IMMEDIATE = "immediate", "即办件"
        WORKING_DAYS = "working_days", "承诺件（按工作日）"

    code = models.CharField("编码", max_length=60, unique=True, validators=[code_validator])
    name = models.CharField("事项名称", max_length=100)
    kind = models.CharField("申请类型", max_length=40, choices=ApplicationKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="items"
    )
    handling = models.CharField(
        "办理时限类型", max_length=20, choices=Handling.choices, default=Handling.WORKING_DAYS
    )
    working_days = models.PositiveSmallIntegerField(
        "办理时限（工作日）",
        null=True,
        blank=True,
        help_text="承诺件填写工作日数；即办件留空。未规定时限的事项也留空。",
    )
    peak_extension = models.BooleanField(
        "高峰期顺延", default=False, help_text="办事指南中注明“高峰期顺延”。"
    )
    for_operator = models.BooleanField("充电设施运营商可申请", default=False)
    for_builder = models.BooleanField("充电设施建设方可申请", default=False)
    for_resident = models.BooleanField("个人/居民可申请", default=False)
    joint_group = models.CharField(
        "联办分组",
        max_length=40,
        blank=True,
        help_text="“充电桩报装一件事”联办申请表中的勾选项，例如“用电报装”；同组事项只能选一项。",
    )
    summary = models.TextField("事项说明", blank=True)
    conditions = models.TextField("申请条件", blank=True, help_text="每行一条。")
    basis = models.CharField("依据", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    live = models.BooleanField("对外公开", default=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("department")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("handling"), FieldPanel("working_days")]),
                FieldPanel("peak_extension"),
            ],
            heading="办理时限",
        ),
        MultiFieldPanel(
            [FieldPanel("for_operator"), FieldPanel("for_builder"), FieldPanel("for_resident")],
            heading="申请对象",
        ),
        FieldPanel("joint_group"),
        FieldPanel("summary"),
        FieldPanel("conditions"),
        FieldPanel("basis"),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("live")]),
        InlinePanel("materials", heading="申请材料", label="材料"),
    ]

    class Meta:
        verbose_name = "办事事项"
        verbose_name_plural = "办事事项"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.handling == self.Handling.IMMEDIATE and self.working_days:
            raise ValidationError({"working_days": "即办件不填写工作日数。"})

    @property
    def time_limit_days(self) -> int | None:
        """Working days for the deadline: 0 for 即办件 (same working day), None if unset."""
        if self.handling == self.Handling.IMMEDIATE:
            return 0
        return self.working_days

    @property
    def time_limit_label(self) -> str:
        if self.handling == self.Handling.IMMEDIATE:
            return "即办件"
        if self.working_days is None:
            return "未规定办理时限"
        label = f"{self.working_days}个工作日"
        return f"{label}（高峰期顺延）" if self.peak_extension else label

    @property
    def applicant_types(self) -> list[str]:
        flags = {
            ApplicantType.OPERATOR: self.for_operator,
            ApplicantType.BUILDER: self.for_builder,
            ApplicantType.RESIDENT: self.for_resident,
        }
        return [value for value, allowed in flags.items() if allowed]

    @property
    def applicant_types_label(self) -> str:
        return "、".join(ApplicantType(value).label for value in self.applicant_types)

    def allows(self, applicant_type: str) -> bool:
        return applicant_type in self.applicant_types

    def condition_lines(self) -> list[str]:
        return [line.strip() for line in self.conditions.splitlines() if line.strip()]


class MaterialRequirement(Orderable):
    """One material an item needs: what, in which form, which formats, how many."""

    class Source(models.TextChoices):
        SYSTEM = "system", "系统自动获取（数据不全时提交电子材料）"
        ELECTRONIC = "electronic", "电子材料"
        SCAN = "scan", "电子或原件扫描件"
        ORIGINAL = "original", "原件"
        DEFERRABLE = "deferrable", "可容缺"
        FORM = "form", "在线填写"

    class ArchiveKind(models.TextChoices):
        LICENCE = "licence", "证照"
        CERTIFICATE = "certificate", "证书/合格证"
        INVOICE = "invoice", "发票"
        REPORT = "report", "报告"
        PHOTO = "photo", "照片"
        OTHER = "other", "其他"

    item = ParentalKey(ServiceItem, related_name="materials", on_delete=models.CASCADE)
    code = models.CharField("编码", max_length=60, validators=[code_validator])
    name = models.CharField("材料名称", max_length=200)
    source = models.CharField("材料类型及来源", max_length=20, choices=Source.choices)
    formats = models.CharField(
        "接受格式", max_length=60, blank=True, help_text="如 jpg,png 或 pdf；留空表示不需上传文件。"
    )
    required = models.BooleanField("必须提供", default=True)
    min_count = models.PositiveSmallIntegerField("最少份数", default=1)
    max_count = models.PositiveSmallIntegerField("最多份数", default=10)
    archive_kind = models.CharField(
        "档案类别", max_length=20, choices=ArchiveKind.choices, default=ArchiveKind.OTHER
    )
    note = models.TextField("说明", blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("formats")]),
        FieldRowPanel([FieldPanel("required"), FieldPanel("min_count"), FieldPanel("max_count")]),
        FieldPanel("archive_kind"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="unique_material_code_per_item")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.formats = ",".join(normalise_formats(self.formats))
        except ValueError as exc:
            raise ValidationError({"formats": str(exc)}) from exc
        if self.max_count < self.min_count:
            raise ValidationError({"max_count": "最多份数不能小于最少份数。"})

    @property
    def format_list(self) -> list[str]:
        return normalise_formats(self.formats) if self.formats else []

    @property
    def formats_label(self) -> str:
        return describe_formats(self.format_list) if self.formats else "—"

    @property
    def takes_upload(self) -> bool:
        return bool(self.formats)

    @property
    def due_at_submission(self) -> bool:
        """Must be present when the application is submitted.

        可容缺 materials may follow later; system-fetched ones come from the account and
        are uploaded only when the account data is incomplete; original documents are
        checked on site and need no upload.
        """
        return (
            self.required
            and self.takes_upload
            and self.source
            not in (self.Source.DEFERRABLE, self.Source.SYSTEM, self.Source.ORIGINAL)
        )

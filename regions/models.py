"""Administrative divisions (GB/T 2260 codes): province → city → county."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.snippets.models import register_snippet

region_code_validator = RegexValidator(
    r"^\d{6}$", "行政区划代码应为 6 位数字（GB/T 2260），例如 411500。"
)

# NOT a GB/T 2260 code: the portal's own code for the pseudo county "郑州-其他" (parent
# 郑州市 410100). The provincial guide tells operators registered outside Henan to choose
# "郑州-其他"; 民政部 has not assigned 410199 to any division (1981–2024).
OUTSIDE_HENAN_CODE = "410199"


class RegionQuerySet(models.QuerySet):
    def counties(self):
        """County-level rows (市辖区, 县级市, 县 and the 郑州-其他 pseudo county) by code,
        each with its city loaded. 济源 is level 2 (a city) and is not included."""
        return self.filter(level=Region.Level.COUNTY).select_related("parent").order_by("code")


class Region(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, "省"
        CITY = 2, "市"
        COUNTY = 3, "县（区）"

    code = models.CharField(
        "区划代码", max_length=6, unique=True, validators=[region_code_validator]
    )
    name = models.CharField("名称", max_length=50)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    OUTSIDE_HENAN_CODE = OUTSIDE_HENAN_CODE

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        """'河南省 信阳市 罗山县' style name, province first."""
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " ".join(reversed(names))


register_snippet(Region)

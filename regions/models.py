"""Administrative divisions (GB/T 2260 codes): province → city → county."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.snippets.models import register_snippet

region_code_validator = RegexValidator(
    r"^\d{6}$", "行政区划代码应为 6 位数字（GB/T 2260），例如 411500。"
)


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

"""☐/☑ boxes of the printed forms (附件3 prints its choices as tick boxes)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

CHECKED, EMPTY = "☑", "☐"


@register.simple_tag
def box(checked, label):
    return format_html('<span class="box">{} {}</span>', CHECKED if checked else EMPTY, label)


@register.simple_tag
def boxes(rows):
    return format_html_join(
        "",
        '<span class="box">{} {}</span>',
        ((CHECKED if row["checked"] else EMPTY, row["label"]) for row in rows),
    )

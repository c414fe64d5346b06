"""Template tags of the archive: ``{% archive_mismatch_panel attachment %}``."""

from django import template

from ..mismatches import mismatch_panel_context

register = template.Library()


@register.inclusion_tag("archive/includes/mismatch_panel.html")
def archive_mismatch_panel(attachment):
    """识别结果 of one attachment: status, recognised fields and mismatches."""
    return {"panel": mismatch_panel_context(attachment)}

"""Template tags of the archive: ``{% archive_mismatch_panel attachment %}`` beside a
material, ``{% archive_duplicates_panel application %}`` on the review page."""

from django import template

from ..duplicates import duplicates_for_application
from ..mismatches import mismatch_panel_context

register = template.Library()


@register.inclusion_tag("archive/includes/mismatch_panel.html")
def archive_mismatch_panel(attachment):
    """识别结果 of one attachment: status, recognised fields and mismatches."""
    return {"panel": mismatch_panel_context(attachment)}


@register.inclusion_tag("archive/includes/duplicates_panel.html")
def archive_duplicates_panel(application):
    """档案比对 of one application: the same file or invoice used elsewhere."""
    return {"messages": duplicates_for_application(application)}

from django import template

from ..views import missing_calendar_context

register = template.Library()


@register.inclusion_tag("workdays/includes/missing_calendar.html", takes_context=True)
def missing_calendar_notice(context):
    """The warning that a year's 工作日历 is missing (nothing when none is), with a link
    to the entry form for those who may use it."""
    request = context.get("request")
    return missing_calendar_context(getattr(request, "user", None))

from django import template

from ..models import Level, Rating
from ..service import unread_count as _unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    request = context.get("request")
    return _unread_count(request.user) if request is not None else 0


@register.simple_tag
def rating_state(application) -> dict:
    """What the portal's 好差评 section shows for one application."""
    online = (
        application.ratings.filter(channel=Rating.Channel.ONLINE)
        .select_related("department", "rectification", "rectification__department")
        .first()
    )
    rectification = getattr(online, "rectification", None) if online else None
    departments = [r.department for r in application.reviews.select_related("department")]
    return {
        "rating": online,
        "rectification": rectification,
        "departments": departments,
        "levels": Level.choices,
        "can_rate": application.is_finished and online is None,
    }

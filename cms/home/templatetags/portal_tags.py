import uuid

from django import template

from cms import cache as shared
from guides.models import GuideIndexPage
from policies.models import PolicyIndexPage

register = template.Library()
FRAGMENT_TTL = 24 * 3600


def _section_pages(request):
    links = []
    for model in (PolicyIndexPage, GuideIndexPage):
        page = shared.public(model.objects.live(), request).only("title", "url_path").first()
        if page:
            links.append({"title": page.title, "url": page.get_url(request)})
    return links


@register.simple_tag(takes_context=True)
def section_links(context):
    """The live policy and guide index pages, for the main navigation (shared cache)."""
    request = context.get("request")
    links = shared.get_or_build("nav", lambda: _section_pages(request), request=request)
    path = request.path if request else ""
    return [
        {**link, "current": bool(link["url"] and path.startswith(link["url"]))} for link in links
    ]


@register.simple_tag(takes_context=True)
def content_generation(context):
    """The shared cache's content generation, to key `{% cache fragment_ttl ... %}` with.

    A preview renders unsaved content: it gets a key of its own and a zero lifetime, so it
    neither reads nor stores the published fragment.
    """
    request = context.get("request")
    if getattr(request, "is_preview", False):
        context["fragment_ttl"] = 0
        return f"preview-{uuid.uuid4().hex}"
    context["fragment_ttl"] = FRAGMENT_TTL
    return shared.generation(request)

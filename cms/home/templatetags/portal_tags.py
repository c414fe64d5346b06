from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def section_links(context):
    """The live policy and guide index pages, for the main navigation."""
    from guides.models import GuideIndexPage
    from policies.models import PolicyIndexPage

    request = context.get("request")
    links = []
    for model in (PolicyIndexPage, GuideIndexPage):
        page = model.objects.live().public().first()
        if page:
            url = page.get_url(request)
            current = bool(request and url and request.path.startswith(url))
            links.append({"title": page.title, "url": url, "current": current})
    return links

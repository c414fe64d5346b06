from urllib.parse import urlencode

from django.template.response import TemplateResponse

from .service import SUGGESTIONS, site_search


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    page_type = request.GET.get("type") or None
    outcome = site_search(query, page_type=page_type) if query else None
    results = outcome.page(request.GET.get("page"), per_page=10) if outcome else None
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "page_type": page_type,
            "outcome": outcome,
            "results": results,
            "suggestions": SUGGESTIONS,
            "pagination_query": urlencode(
                {k: v for k, v in (("q", query), ("type", page_type)) if v}
            ),
        },
    )

"""Site search: the one function behind /search/, `search_site` and the API.

It asks the configured backend (OpenSearch in production) and falls back to the
database index when that backend is unreachable, so public search keeps answering.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from .highlight import make_snippet
from .text import query_terms, query_words

logger = logging.getLogger(__name__)

MAX_RESULTS = 500
SUGGESTIONS = ["补贴", "运营商注册", "互联互通", "建站资料", "充电桩报装", "工作日"]


@dataclass
class Hit:
    title: str
    url: str
    type: str
    type_label: str
    snippet: str
    score: float | None
    page: Page = field(repr=False)
    section: str = ""

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "url": self.url,
            "type": self.type,
            "type_label": self.type_label,
            "section": self.section,
            "snippet": str(self.snippet),
            "score": self.score,
            "page_id": self.page.pk,
        }


@dataclass
class SearchOutcome:
    query: str
    hits: list
    counts: dict  # type -> (label, count)
    backend: str

    @property
    def total(self) -> int:
        return len(self.hits)

    def page(self, number, per_page=10):
        return Paginator(self.hits, per_page).get_page(number)


def _backend_names():
    names = list(settings.WAGTAILSEARCH_BACKENDS)
    return ["default"] + [n for n in names if n != "default"]


def _raw_search(query: str):
    """(pages, backend name); tries each configured backend in turn."""
    queryset = Page.objects.live().public().specific()
    last_error = None
    for name in _backend_names():
        backend = get_search_backend(name)
        try:
            results = backend.search(query, queryset, operator="and").annotate_score("_score")
            return list(results[:MAX_RESULTS]), name
        except Exception as exc:  # a down engine must not take public search with it
            last_error = exc
            logger.warning("search backend %r failed, trying the next one: %s", name, exc)
    raise last_error


def _type_of(page) -> tuple[str, str]:
    model = type(page)
    return model._meta.label_lower, str(model._meta.verbose_name)


def _best_section(page, query: str):
    """For a guide, the section whose title or text best matches, to link straight to it."""
    outline = getattr(page, "outline", None)
    if outline is None:
        return None
    words = query_words(query)
    terms = query_terms(query)
    best, best_score = None, 0
    for node in outline.walk():
        title = node.title.lower()
        score = 10 * sum(w in title for w in words) + sum(t in title for t in terms)
        if score > best_score:
            best, best_score = node, score
    return best


def site_search(query: str, page_type: str | None = None) -> SearchOutcome:
    query = (query or "").strip()
    if not query_terms(query):
        return SearchOutcome(query, [], {}, "")
    pages, backend = _raw_search(query)
    hits, counts = [], {}
    for page in pages:
        type_key, type_label = _type_of(page)
        label, count = counts.get(type_key, (type_label, 0))
        counts[type_key] = (label, count + 1)
        if page_type and type_key != page_type:
            continue
        source = page.search_snippet_source() if hasattr(page, "search_snippet_source") else ""
        section = _best_section(page, query)
        hits.append(
            Hit(
                title=page.title,
                url=page.url + (f"#{section.anchor}" if section else ""),
                type=type_key,
                type_label=type_label,
                snippet=make_snippet(source or page.search_description or page.title, query),
                score=getattr(page, "_score", None),
                page=page,
                section=f"{section.label}{section.title}" if section else "",
            )
        )
    return SearchOutcome(query, hits, counts, backend)

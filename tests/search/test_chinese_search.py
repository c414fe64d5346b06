"""Chinese sub-word, multi-word and mixed-code search on every configured backend.

The embedded run uses SQLite; the integration run (tests/integration) repeats this
module against PostgreSQL and OpenSearch, and the top results must be the same.
"""

import pytest
from django.conf import settings
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from search.service import site_search
from search.text import index_terms, query_groups, query_terms

from .corpus import NO_MATCH_QUERIES, RECALL_CASES, TOP_RESULT_CASES

BACKENDS = list(settings.WAGTAILSEARCH_BACKENDS)


def slugs(backend_name, query):
    backend = get_search_backend(backend_name)
    backend.refresh_indexes()
    results = backend.search(query, Page.objects.live().specific(), operator="and")
    return [page.slug for page in results]


@pytest.mark.django_db
@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize(("query", "expected"), TOP_RESULT_CASES)
def test_top_result(corpus, backend_name, query, expected):
    found = slugs(backend_name, query)
    assert found, f"{query!r} found nothing on {backend_name}"
    assert found[0] == expected, f"{query!r} on {backend_name}: {found}"


@pytest.mark.django_db
@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize(("query", "expected"), RECALL_CASES)
def test_recall(corpus, backend_name, query, expected):
    assert expected <= set(slugs(backend_name, query))


@pytest.mark.django_db
@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("query", NO_MATCH_QUERIES)
def test_unrelated_queries_find_nothing(corpus, backend_name, query):
    assert slugs(backend_name, query) == []


@pytest.mark.django_db
def test_site_search_counts_types_and_highlights(corpus):
    get_search_backend().refresh_indexes()
    outcome = site_search("补贴")
    assert [hit.page.slug for hit in outcome.hits][:1] == ["subsidy"]
    assert outcome.counts["guides.guidepage"][1] == 2
    assert "<mark>补贴</mark>" in str(outcome.hits[0].snippet)
    only_policies = site_search("验收", page_type="policies.policypage")
    assert {hit.page.slug for hit in only_policies.hits} == {"acceptance"}


def test_terms_split_han_runs_and_keep_codes():
    # Sequence (pairs, then the chunk's last unit), then every unit: see search/text.py.
    assert index_terms("建设补贴") == ["建设", "设补", "补贴", "贴", "建", "设", "补", "贴"]
    assert index_terms("目标，标准") == ["目标", "标", "标准", "准", "目", "标", "标", "准"]
    assert index_terms("15个工") == ["15个", "个工", "工", "15", "个", "工"]
    assert query_terms("准入条件") == ["准入", "入条", "条件"]
    assert query_groups("准入条件") == [("准入", "入条", "条件")]
    assert query_terms("ＮＢ/T 33004-2020") == ["nb", "t", "33004", "2020"]
    assert query_groups("15个工作日 补") == [("15个", "个工", "工作", "作日"), ("补",)]
    assert query_groups("141号") == [("141号",)]

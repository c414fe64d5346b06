import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from .corpus import build_corpus

BACKENDS = list(settings.WAGTAILSEARCH_BACKENDS)


@pytest.fixture
def corpus(db, request):
    # An external engine keeps documents across test transactions: start empty.
    for name in BACKENDS:
        backend = get_search_backend(name)
        if hasattr(backend, "es"):
            backend.reset_indexes()
    policy_index = request.getfixturevalue("policy_index")
    guide_index = request.getfixturevalue("guide_index")
    return build_corpus(policy_index, guide_index)

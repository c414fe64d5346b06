"""Rebuilding the OpenSearch index never leaves a window where search finds nothing."""

import pytest
from django.core.management import call_command
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from tests.search.corpus import build_corpus

pytestmark = pytest.mark.django_db


def found(backend, query):
    backend.refresh_indexes()
    return [p.slug for p in backend.search(query, Page.objects.live().specific())]


def test_rebuild_swaps_alias_and_search_answers_throughout(policy_index, guide_index):
    backend = get_search_backend()
    build_corpus(policy_index, guide_index)
    call_command("update_index", backend_name="default", stdout=None)
    alias = backend.get_index_for_model(Page)
    assert alias.is_alias()
    before = {index.name for index in alias.aliased_indices()}
    assert found(backend, "补贴")[:1] == ["subsidy"]

    rebuilder = backend.rebuilder_class(alias)
    new_index = rebuilder.start()  # a new, still empty index beside the live one
    assert found(backend, "补贴")[:1] == ["subsidy"]  # the alias still serves the old one
    new_index.add_model(Page)
    for model in {type(p) for p in Page.objects.live().specific()}:
        new_index.add_items(model, list(model.objects.live()))
    rebuilder.finish()

    after = {index.name for index in alias.aliased_indices()}
    assert after == {new_index.name} and not (after & before)
    assert found(backend, "补贴")[:1] == ["subsidy"]
    assert not backend.es.indices.exists(index=next(iter(before)))

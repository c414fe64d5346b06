"""Every engine finds exactly what a brute-force scan of the indexed text finds.

Queries of every kind (1–4 Han characters, mixed Han/ASCII, codes, and joins such as
目标准 that occur nowhere although 目标 and 标准 do) are drawn from the corpus; recall
and precision must both be 1.000 on each backend (SQLite here; PostgreSQL and
OpenSearch in the integration run).
"""

import pytest
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from guides.models import GuidePage

from .conftest import BACKENDS
from .oracle import generate_queries, holds, leaf_texts

# Pages whose text sets traps: pairs that occur apart, codes beside Han characters.
TRAPS = [
    ("trap-apart", "目标，标准与规范", "项目目标：年度计划。执行标准：国家标准 GB 50966。"),
    ("trap-codes", "编号141号码登记", "批次a15个，批次 15 个；发文 2024年 与 2024 年。"),
    ("trap-edge", "申报材料", "材料，料理；理工，工单。"),
]


@pytest.fixture
def oracle_corpus(corpus, guide_index):
    for slug, title, text in TRAPS:
        page = GuidePage(title=title, slug=slug, sections=_section(text))
        guide_index.add_child(instance=page)
        page.save_revision().publish()
    pages = list(Page.objects.live().specific().filter(pk__in=_corpus_pks(corpus, guide_index)))
    return {page.pk: leaf_texts(page) for page in pages}


def _corpus_pks(corpus, guide_index):
    return [p.pk for p in corpus.values()] + list(
        guide_index.get_children().filter(slug__startswith="trap-").values_list("pk", flat=True)
    )


def _section(text):
    return [("section", {"title": "", "anchor": "", "content": [("paragraph", f"<p>{text}</p>")]})]


@pytest.mark.django_db
@pytest.mark.parametrize("backend_name", BACKENDS)
def test_results_equal_a_substring_scan(oracle_corpus, backend_name, capsys):
    backend = get_search_backend(backend_name)
    backend.refresh_indexes()
    all_texts = [t for texts in oracle_corpus.values() for t in texts]
    kinds = generate_queries(all_texts)
    queryset = Page.objects.live().filter(pk__in=oracle_corpus)
    true_pos = false_pos = false_neg = 0
    wrong = []
    for kind, queries in kinds.items():
        for query in queries:
            expected = {pk for pk, texts in oracle_corpus.items() if holds(texts, query)}
            found = {page.pk for page in backend.search(query, queryset, operator="and")}
            true_pos += len(found & expected)
            false_pos += len(found - expected)
            false_neg += len(expected - found)
            if found != expected:
                wrong.append((kind, query, sorted(found - expected), sorted(expected - found)))
    count = sum(len(q) for q in kinds.values())
    recall = true_pos / ((true_pos + false_neg) or 1)
    precision = true_pos / ((true_pos + false_pos) or 1)
    with capsys.disabled():  # the figures are the point: shown in every run
        print(
            f"\noracle {backend_name}: {count} queries, "
            f"recall {recall:.3f}, precision {precision:.3f}"
        )
    assert kinds["join"], "the corpus must yield non-occurring joins"
    assert count >= 150
    assert (recall, precision) == (1.0, 1.0), wrong[:20]

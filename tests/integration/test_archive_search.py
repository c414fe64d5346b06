"""Archive search through the real OpenSearch: the same cases as the embedded tests,
indexing by rebuild and by `entry_changed`, the alias swap, and the fall-back to the
database when OpenSearch cannot be reached.

The tests use their own index prefix, so they never touch another test's indexes.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from applications.models import State
from archive import documents, indexing
from archive.search import archive_search, table
from tests.archive.test_search import (
    ALL_CHECKS,
    INVOICE_NUMBER,
    build_archive,
    check_broad_prefix_equals_general,
    check_browse_equals_general,
    ids,
    make_entry,
    pks,
)
from tests.archive.test_search import (
    test_a_review_added_or_removed_moves_the_entries_in_and_out_of_a_scope as review_moves_entries,
)

pytestmark = pytest.mark.django_db

PREFIX = "portal_test_archsearch_"


def _drop_indexes():
    es = documents.client()
    for name in documents.concrete_indices(es):
        es.indices.delete(index=name, ignore_unavailable=True)
    if es.indices.exists(index=documents.alias_name()):
        es.indices.delete(index=documents.alias_name(), ignore_unavailable=True)


@pytest.fixture
def opensearch(settings):
    backends = {name: dict(config) for name, config in settings.WAGTAILSEARCH_BACKENDS.items()}
    assert backends["default"].get("URLS"), "integration tests need OPENSEARCH_URL"
    backends["default"]["INDEX_PREFIX"] = PREFIX
    settings.WAGTAILSEARCH_BACKENDS = backends
    assert documents.alias_name() == f"{PREFIX}archive"
    _drop_indexes()
    yield documents.client()
    _drop_indexes()


@pytest.fixture
def data(opensearch):
    data = build_archive()
    documents.rebuild()
    return data


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_opensearch_engine(data, check):
    check(data, "opensearch")


def test_mapping_segments_chinese_and_keeps_codes(data, opensearch):
    alias = documents.alias_name()
    (index,) = documents.aliased_indices()
    mapping = opensearch.indices.get_mapping(index=alias)[index]["mappings"]["properties"]
    assert mapping["text_terms"]["analyzer"] == "archive_terms"
    # Adjacent pairs indexed as terms: the phrase of a three-character chunk is one term.
    assert mapping["text_terms"]["index_phrases"] is True
    assert mapping["name_terms"]["index_phrases"] is True
    assert mapping["credit_code"]["type"] == "keyword"
    assert mapping["invoice_amount"]["type"] == "scaled_float"
    assert mapping["fields"]["enabled"] is False
    source = opensearch.get(index=alias, id=data.entries.licence_a.pk)["_source"]
    assert data.a.credit_code in source["codes"]
    assert source["region"] == ["411502", "411500"] and source["department"] == ["power"]
    assert (
        "补贴"
        in opensearch.get(index=alias, id=data.entries.subsidy_a.pk)["_source"][
            "text_terms"
        ].split()
    )
    invoice = opensearch.get(index=alias, id=data.entries.invoice_a.pk)["_source"]
    assert invoice["invoice_number"] == [INVOICE_NUMBER] and invoice["invoice_amount"] == 100000
    assert invoice["issued_on"] == "2026-05-20"
    assert invoice["submitted_at"] is not None and invoice["created_at"].startswith("2026-05-20")
    assert mapping["issued_on"]["type"] == "date"


def test_indexing_through_entry_changed(opensearch, django_capture_on_commit_callbacks):
    documents.ensure_alias()
    data = build_archive()
    documents.refresh()
    assert archive_search(data.users.root, "补贴").total == 0  # nothing indexed yet
    for entry in data.all:
        indexing.entry_changed(entry)
    documents.refresh()
    for check in ALL_CHECKS:
        check(data, "opensearch")

    # The text changes: the entry is found by its new words only.
    entry = data.entries.certificate_b
    entry.text = "充电桩验收报告 验收合格"
    entry.save()
    indexing.entry_changed(entry)
    documents.refresh()
    assert entry.pk in ids(archive_search(data.users.root, "验收"))
    assert entry.pk not in ids(archive_search(data.users.root, "检验员"))

    # The application's state changes (signal → entry_changed for each entry, once
    # the change commits).
    with django_capture_on_commit_callbacks(execute=True):
        data.a1.state = State.APPROVED
        data.a1.save(update_fields=["state"])
    documents.refresh()
    results = archive_search(data.users.root, "", state="approved")
    assert set(ids(results)) == pks(
        data.entries.licence_a,
        data.entries.subsidy_a,
        data.entries.invoice_a,
        data.entries.certificate_a,
    )

    # A deleted entry leaves the index (post_delete signal → entry_deleted on commit).
    gone = data.entries.imported.pk
    with django_capture_on_commit_callbacks(execute=True):
        data.entries.imported.delete()
    documents.refresh()
    assert gone not in ids(archive_search(data.users.root, "补贴"))
    response = opensearch.search(index=documents.alias_name(), body={"query": {"match_all": {}}})
    assert gone not in {int(hit["_id"]) for hit in response["hits"]["hits"]}


def test_rebuild_swaps_the_alias_and_search_answers_throughout(data, opensearch, monkeypatch):
    before = documents.aliased_indices()
    assert len(before) == 1
    during = {}
    real_actions = documents._actions

    def spying_actions(index_name, entry_ids, counter):
        for number, action in enumerate(real_actions(index_name, entry_ids, counter)):
            if number == 0:
                # The new index exists but is not live: the old one still answers.
                during["aliased"] = documents.aliased_indices()
                during["new"] = index_name
                during["hits"] = set(ids(archive_search(data.users.root, "补贴")))
                # A change made while the rebuild runs reaches the new index too.
                changed = data.entries.licence_b
                changed.text += "\n重建期间新增：充电站验收"
                changed.save()
                indexing.entry_changed(changed)
            yield action

    monkeypatch.setattr(documents, "_actions", spying_actions)
    out = io.StringIO()
    call_command("archive_reindex", stdout=out)
    assert during["aliased"] == before
    assert during["hits"] == pks(
        data.entries.subsidy_a, data.entries.same_b, data.entries.draft_a, data.entries.imported
    )
    after = documents.aliased_indices()
    assert after == [during["new"]] and after != before
    assert not opensearch.indices.exists(index=before[0])
    assert f"已索引 {len(data.all)} 份档案材料" in out.getvalue() and "用时" in out.getvalue()
    documents.refresh()
    assert set(ids(archive_search(data.users.root, "补贴"))) == during["hits"]
    assert ids(archive_search(data.users.root, "验收")) == [data.entries.licence_b.pk]


def test_falls_back_to_the_database_when_opensearch_is_unreachable(data, settings, caplog):
    backends = {name: dict(config) for name, config in settings.WAGTAILSEARCH_BACKENDS.items()}
    backends["default"]["URLS"] = ["http://127.0.0.1:9"]  # nothing listens there
    backends["default"]["TIMEOUT"] = 2
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        with caplog.at_level(logging.WARNING, logger="archive.search"):
            results = archive_search(data.users.root, "补贴")
        assert results.engine == "database"
        assert set(ids(results)) == pks(
            data.entries.subsidy_a,
            data.entries.same_b,
            data.entries.draft_a,
            data.entries.imported,
        )
        assert "OpenSearch failed" in caplog.text
        # Indexing against an unreachable OpenSearch only logs a warning.
        with caplog.at_level(logging.WARNING, logger="archive.indexing"):
            indexing.entry_changed(data.entries.licence_a)
            indexing.entry_deleted(data.entries.licence_a.pk)
        assert "archive_reindex" in caplog.text
        # The command says what failed instead of a traceback.
        with pytest.raises(CommandError, match="重建档案索引失败"):
            call_command("archive_reindex", stdout=io.StringIO())
    # OpenSearch answers again as soon as it is reachable.
    assert archive_search(data.users.root, "补贴").engine == "opensearch"


def test_command_json_through_opensearch(data):
    import json

    out = io.StringIO()
    call_command("archive_search", INVOICE_NUMBER, "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["entry_id"] == data.entries.invoice_a.pk and row["engine"] == "opensearch"
    assert row["exact"] and row["duplicate_flags"] == ["invoice_reused"]


def test_admin_page_through_opensearch(client, data):
    client.force_login(data.users.power)
    html = client.get("/admin/archive/search/", {"q": "补贴"}).content.decode()
    assert "检索引擎：OpenSearch" in html and "<mark>补贴</mark>" in html
    assert data.entries.same_b.original_name not in html


def test_a_plain_index_under_the_alias_name_is_replaced(opensearch):
    alias = documents.alias_name()
    opensearch.indices.create(index=alias)  # e.g. created by a stray write
    documents.ensure_alias()
    assert opensearch.indices.exists_alias(name=alias)
    (index,) = documents.aliased_indices()
    assert index.startswith(f"{alias}_")
    stats = documents.rebuild()
    assert documents.aliased_indices() == [stats["index"]]
    assert not opensearch.indices.exists(index=index)


@pytest.fixture
def database_data(settings):
    # The database engine on PostgreSQL: what answers when OpenSearch is not configured.
    settings.WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}
    return build_archive()


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_database_engine_on_postgresql(database_data, check):
    assert connection.vendor == "postgresql"
    check(database_data, "database")


def test_a_review_change_moves_the_entries_and_their_facet_group_on_postgresql(database_data):
    # PostgreSQL counts by the facet group: a review added or removed rewrites it.
    review_moves_entries(database_data)


def test_a_broad_code_prefix_answers_as_the_general_statement_on_postgresql(
    database_data, monkeypatch
):
    # Counted as every row of the scope less the rows the prefix misses (_broad.py).
    check_broad_prefix_equals_general(database_data, monkeypatch)


def test_browsing_answers_as_the_general_statement_on_postgresql(database_data):
    check_browse_equals_general(database_data)


def test_postgresql_connections_do_not_jit_compile(database_data):
    # JIT compilation is decided by plan cost: the broad prefix's 90 ms statement at
    # 100 000 entries was compiled for 351 ms on every call (cms/settings/base.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_rebuild_leaves_the_planner_statistics_of_the_search_tables(database_data):
    # Without them a broad prefix's probe of each missed row's codes ANDs in a bitmap of
    # every code of the prefix (table.refresh_statistics).
    tables = ["archive_searchrow", "archive_searchcode", "archive_searchtext"]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", [tables])
        table.rebuild()
        cursor.execute(
            "SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)", [tables]
        )
        assert sorted(name for (name,) in cursor.fetchall()) == sorted(tables)


def test_the_text_rows_stay_narrow_on_postgresql(database_data):
    # Migration archive/0011: a text search reads its matches from these rows, so their
    # vectors, terms and names are moved out of line down to 128 bytes a row and a page
    # holds dozens of rows; in the row (0008) each of 58 000 matches of 补贴 at 100 000
    # entries was a page read of its own.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'archive_searchtext'::regclass")
        assert cursor.fetchone()[0] == ["toast_tuple_target=128"]
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute "
            "WHERE attrelid = 'archive_searchtext'::regclass AND attname = ANY(%s)",
            [["terms", "names", "terms_tsv", "names_tsv"]],
        )
        assert set(dict(cursor.fetchall()).values()) == {"x"}
    root, application = database_data.users.root, database_data.a1
    before = archive_search(root, "合格证", engine="database").total
    text = "".join(
        f"第{i}条 充电设施建设补贴申请材料齐全，营业执照与合格证已核验。" for i in range(60)
    )
    entries = [
        make_entry(application, f"材料{i}.pdf", f"{text}{i}", kind="other", year=2025)
        for i in range(40)
    ]
    table.store([entry.pk for entry in entries])
    # 合格证 is one term there (its triple), 营业执照 a phrase rechecked out of line.
    assert archive_search(root, "合格证", engine="database").total == before + len(entries)
    assert archive_search(root, "第59条 营业执照", engine="database").total == len(entries)


def test_database_engine_on_postgresql_equals_a_substring_scan(database_data, capsys):
    from tests.archive.test_search_oracle import add_traps, check_oracle

    assert connection.vendor == "postgresql"
    add_traps()
    check_oracle(database_data.users.root, capsys, "database (PostgreSQL)")

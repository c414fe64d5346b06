"""Issue acceptance on the real source documents (skipped when ../shared/seeds is absent)."""

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(seeds_dir, policy_index, guide_index):
    call_command("import_document", str(seeds_dir), "--kind", "auto", "--publish", stdout=None)


def search_json(query, capsys):
    capsys.readouterr()
    call_command("search_site", query, "--json", "--limit", "5")
    return json.loads(capsys.readouterr().out)


def test_subsidy_search_leads_to_the_construction_subsidy_guide(imported, capsys):
    results = search_json("补贴", capsys)
    first = results[0]
    assert first["type"] == "guides.guidepage"
    assert "建设补贴" in first["section"]
    assert first["url"].endswith("#sec-3")


@pytest.mark.parametrize(
    ("query", "title_part"),
    [
        ("运营商", "使用帮助"),
        ("报装", "充电桩报装一件事"),
        ("信电〔2024〕141号", "充电桩报装一件事"),
    ],
)
def test_seed_queries_find_their_document_first(imported, capsys, query, title_part):
    assert title_part in search_json(query, capsys)[0]["title"]


def test_with_demo_content_a_construction_subsidy_guide_still_comes_first(
    seeds_dir, home_page, capsys
):
    call_command("load_demo", stdout=None)
    call_command("import_document", str(seeds_dir), "--kind", "auto", "--publish", stdout=None)
    first = search_json("补贴", capsys)[0]
    assert first["type"] == "guides.guidepage"
    assert "建设补贴" in first["title"] + first["section"]


def test_imported_plan_shows_metadata_and_the_22_row_table(imported, client):
    from policies.models import PolicyPage

    plan = PolicyPage.objects.get(document_number="信电〔2024〕141号")
    html = client.get(plan.url).content.decode()
    for fact in ["国网信阳供电公司", "信阳市行政审批和政务信息管理局", "2024年10月29日"]:
        assert fact in html
    table = next(b for b in plan.attachments if "联办事项清单" in b.value["title"])
    rows = table.value["content"][0].value["data"]
    assert len(rows) == 1 + 22

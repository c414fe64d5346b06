"""import_document: pages created, rendered, updated in place, drafts vs published."""

import re
from pathlib import Path

import pytest

from guides.models import GuidePage
from importer.build import ImporterError, import_document, import_text, table_value
from importer.parse import Merge, Table
from policies.models import IssuingBody, PolicyIssuer, PolicyPage

FIXTURES = Path(__file__).parent / "fixtures"
NOTICE = FIXTURES / "notice.txt"
GUIDE = FIXTURES / "guide.txt"

pytestmark = pytest.mark.django_db


def rows_of(html: str, start_marker: str, end_marker: str | None = None) -> list[str]:
    """The <tr> elements of the <tbody> in html[start_marker:end_marker]."""
    start = html.index(start_marker)
    end = html.index(end_marker, start) if end_marker else len(html)
    tbody = re.search(r"<tbody>(.*?)</tbody>", html[start:end], re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", tbody, re.S)


def cells_of(row: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


# --------------------------------------------------------------------------- fixtures


def test_policy_fields_from_fixture(policy_index):
    page, created = import_document(NOTICE, "policy", publish=True)
    assert created and isinstance(page, PolicyPage) and page.live
    assert page.get_parent().id == policy_index.id
    assert page.title == "关于转发《洛阳市“换电站备案一站办”工作规程》的通知"
    assert page.document_number == "洛发改〔2023〕57号"
    assert str(page.written_date) == "2023-05-08"
    assert page.slug == "洛发改-2023-57"
    assert [b.name for b in page.issuing_bodies] == [
        "洛阳市发展和改革委员会",
        "洛阳市住房和城乡建设局",
    ]
    kinds = [b.block_type for b in page.body]
    assert kinds[:3] == ["paragraph", "paragraph", "signature"]
    assert "heading" in kinds
    signature = page.body[2].value
    assert list(signature["bodies"]) == ["洛阳市发展和改革委员会", "洛阳市住房和城乡建设局"]
    assert [a.value["title"] for a in page.attachments] == [
        "“换电站备案一站办”事项清单",
        "“换电站备案一站办”申请表",
        "“换电站备案一站办”流程图",
    ]
    table = page.attachments[0].value["content"][0].value
    assert table["table_header_choice"] == "row"
    assert len(table["data"]) == 8
    assert {"row": 3, "col": 2, "rowspan": 3, "colspan": 1} in table["mergeCells"]


def test_policy_page_renders_table_with_rowspans(policy_index, client):
    page, _ = import_document(NOTICE, "policy", publish=True)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "洛发改〔2023〕57号" in html and "2023年5月8日" in html
    assert "洛阳市发展和改革委员会、洛阳市住房和城乡建设局" in html
    rows = rows_of(html, 'id="attachment-1"', 'id="attachment-2"')
    assert len(rows) == 7
    assert cells_of(rows[2]) == ["3", "市住建局", "施工许可", "施工合同", "电子证照", "即办件"]
    assert cells_of(rows[3]) == ["4", "安全措施", "申请人提交"]  # merged cells hidden
    assert re.search(r'rowspan="3" colspan="1"\s*>\s*施工许可', html)


def test_guide_fields_from_fixture(guide_index, client):
    page, created = import_document(GUIDE, "guide", publish=True)
    assert created and isinstance(page, GuidePage)
    assert page.title == "操作指南"
    assert "本平台用于办理换电站的备案登记" in page.intro
    outline = page.outline
    assert [n.title for n in outline.sections] == ["如何开通单位账户", "如何申报运营补助"]
    node = outline.find("sec-2-1")
    assert node.title == "补助申报" and node.label == "（一）"
    steps = next(v for kind, v in node.items if kind == "steps")
    assert [s.anchor for s in steps] == ["sec-2-1-step-1", "sec-2-1-step-2"]
    first = steps[0].value
    assert first["menu_path"] == "补助管理-新增申报"
    assert [f["name"] for f in first["fields"]] == ["站点名称", "投运日期", "申报金额", "竣工照片"]
    assert list(first["formats"]) == ["jpg", "jpeg"]
    review = steps[1].value["review_time"][0]
    assert review["working_days"] == 7

    html = client.get(page.url).content.decode()
    assert 'id="sec-2-1-step-2"' in html
    assert "二、如何申报运营补助" in html
    assert "7 个工作日" in html


def test_reimport_updates_the_same_page(policy_index):
    page, created = import_document(NOTICE, "policy", publish=True)
    again, created_again = import_document(NOTICE, "policy", publish=True)
    assert created and not created_again
    assert again.pk == page.pk
    assert PolicyPage.objects.count() == 1
    assert IssuingBody.objects.count() == 2
    assert PolicyIssuer.objects.filter(page=page).count() == 2
    assert page.revisions.count() == 2


def test_draft_update_leaves_live_content(policy_index, tmp_path):
    page, _ = import_document(NOTICE, "policy", publish=True)
    changed = tmp_path / "notice.txt"
    changed.write_text(
        NOTICE.read_text(encoding="utf-8").replace("制定本规程。", "制定本规程（修订）。"),
        encoding="utf-8",
    )
    updated, created = import_document(changed, "policy")
    assert not created and updated.pk == page.pk
    assert updated.live and updated.has_unpublished_changes
    live_text = " ".join(str(b.value) for b in updated.body)
    assert "（修订）" not in live_text
    draft = updated.get_latest_revision_as_object()
    assert "（修订）" in " ".join(str(b.value) for b in draft.body)


def test_new_import_without_publish_is_a_draft(policy_index, client):
    page, created = import_document(NOTICE, "policy")
    assert created and not page.live
    assert page.revisions.count() == 1
    assert client.get(page.url).status_code == 404


def test_identity_is_the_document_number(policy_index):
    import_text(NOTICE.read_text(encoding="utf-8"), "policy")
    retitled = NOTICE.read_text(encoding="utf-8").replace("工作规程》的通知", "工作规程》的函")
    _page, created = import_text(retitled, "policy")
    assert not created and PolicyPage.objects.count() == 1


def test_parent_by_slug_and_errors(home_page, policy_index):
    from policies.models import PolicyIndexPage

    other = home_page.add_child(instance=PolicyIndexPage(title="地方政策", slug="local"))
    page, _ = import_document(NOTICE, "policy", parent="local")
    assert page.get_parent().id == other.id
    with pytest.raises(ImporterError, match="找不到别名"):
        import_document(GUIDE, "policy", parent="missing")


def test_no_index_page_is_a_clear_error(home_page):
    with pytest.raises(ImporterError, match="还没有“使用帮助”栏目页"):
        import_document(GUIDE, "guide")


def test_unreadable_inputs(policy_index, tmp_path):
    with pytest.raises(ImporterError, match="文件不存在"):
        import_document(tmp_path / "missing.txt", "policy")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("关于印发方案的通知".encode("gbk"))
    with pytest.raises(ImporterError, match="不是 UTF-8 编码"):
        import_document(gbk, "policy")
    with pytest.raises(ImporterError, match="未知的文档类型"):
        import_document(NOTICE, "notice")


def test_table_value_hides_covered_cells():
    table = Table(
        [["a", "b"], ["c", "d"], ["e", "f"]], merges=[Merge(0, 0, 2, 1), Merge(2, 0, 1, 2)]
    )
    value = table_value(table, "标题")
    assert value["cell"] == [
        {"row": 1, "col": 0, "hidden": True},
        {"row": 2, "col": 1, "hidden": True},
    ]
    assert value["table_header_choice"] == "neither"
    assert value["table_caption"] == "标题"


# --------------------------------------------------------------------------- seeds


@pytest.mark.seeds
def test_seed_plan_page(seeds_dir, policy_index, client):
    page, created = import_document(seeds_dir / "004_a8b46cac7c4f28a0.txt", "policy", publish=True)
    assert created
    html = client.get(page.url).content.decode()
    assert "<h1>关于印发《信阳市“充电桩报装一件事”实施方案》的通知</h1>" in html
    assert "信电〔2024〕141号" in html
    assert "2024年10月29日" in html
    assert (
        "国网信阳供电公司、信阳市城市管理局、信阳市公安局、信阳市行政审批和政务信息管理局" in html
    )
    assert '<time datetime="2024-10-29">' in html  # 落款
    assert "<h2>一、工作目标</h2>" in html and "<h3>（一）服务对象</h3>" in html
    for n in range(1, 6):
        assert f'id="attachment-{n}"' in html

    rows = rows_of(html, 'id="attachment-2"', 'id="attachment-3"')
    assert len(rows) == 22
    assert [cells_of(r)[0] for r in rows] == [str(n) for n in range(1, 23)]
    assert cells_of(rows[0])[1:3] == ["供电公司", "低压居民新装"]
    assert len(cells_of(rows[1])) == 3  # 部门/事项名称/办理时限 merged from row 1
    assert re.search(r'rowspan="9" colspan="1"\s*>\s*占用、挖掘城市道路审批', html)
    assert re.search(r'rowspan="4" colspan="1"\s*>\s*工程建设涉及城市绿地、树木审批', html)
    assert "☐ 自有 ☐ 租赁" in html and "&lt;input" not in html


@pytest.mark.seeds
def test_seed_guide_page(seeds_dir, guide_index, client):
    page, created = import_document(seeds_dir / "000_0a25eaa30b567b10.txt", "guide", publish=True)
    assert created and page.title == "使用帮助"
    html = client.get(page.url).content.decode()
    assert "一、如何进行账号注册及登录" in html
    assert "（一）互联互通接入" in html
    assert 'id="sec-3-1-step-2"' in html
    assert "菜单：建设补贴-互联互通" in html
    assert "接入平台的密钥" in html
    assert "3 个工作日，高峰期顺延" in html
    assert "5 个工作日，高峰期顺延" in html
    assert "<code>pdf</code>" in html
    assert html.count('class="note note-warning"') == 3

    step = page.outline.find("sec-3-1")
    steps = next(v for kind, v in step.items if kind == "steps")
    assert steps[1].value["review_time"][0]["working_days"] == 3


@pytest.mark.seeds
def test_seed_reimport_does_not_duplicate(seeds_dir, policy_index, guide_index):
    for _ in range(2):
        import_document(seeds_dir / "004_a8b46cac7c4f28a0.txt", "policy", publish=True)
        import_document(seeds_dir / "000_0a25eaa30b567b10.txt", "guide", publish=True)
    assert PolicyPage.objects.count() == 1
    assert GuidePage.objects.count() == 1
    assert IssuingBody.objects.count() == 4


def test_bad_parent_slug_is_reported_even_for_an_existing_page(policy_index):
    import_document(NOTICE, "policy")
    with pytest.raises(ImporterError, match="找不到别名（slug）为“gone”"):
        import_document(NOTICE, "policy", parent="gone")


@pytest.mark.seeds
def test_seed_pages_open_in_the_admin_editor(seeds_dir, policy_index, guide_index, admin_client):
    from django.urls import reverse

    plan, _ = import_document(seeds_dir / "004_a8b46cac7c4f28a0.txt", "policy")
    guide, _ = import_document(seeds_dir / "000_0a25eaa30b567b10.txt", "guide")
    for page in (plan, guide):
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.id]))
        assert response.status_code == 200
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=[plan.id])).content.decode()
    assert "mergeCells" in html and "信电〔2024〕141号" in html

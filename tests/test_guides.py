import pytest

from guides.models import GuidePage
from guides.outline import chinese_numeral

pytestmark = pytest.mark.django_db


def step(text, **extra):
    value = {
        "text": f"<p>{text}</p>",
        "menu_path": "",
        "fields": [],
        "formats": [],
        "notes": [],
        "review_time": [],
    }
    value.update(extra)
    return value


@pytest.fixture
def guide(guide_index):
    page = GuidePage(
        title="建设补贴",
        slug="subsidy",
        sections=[
            (
                "section",
                {"title": "账号注册", "anchor": "", "content": [("steps", [step("填写企业信息")])]},
            ),
            (
                "section",
                {
                    "title": "申请建设补贴",
                    "anchor": "",
                    "content": [
                        (
                            "subsection",
                            {
                                "title": "互联互通",
                                "anchor": "",
                                "content": [
                                    (
                                        "steps",
                                        [
                                            step("打开菜单", menu_path="建设补贴-互联互通"),
                                            step(
                                                "提交接入申请",
                                                fields=[
                                                    {
                                                        "name": "接入平台的密钥",
                                                        "required": True,
                                                        "hint": "",
                                                    },
                                                    {"name": "传真", "required": False, "hint": ""},
                                                ],
                                                formats=["jpg", "png"],
                                                review_time=[
                                                    {"working_days": 3, "remark": "高峰期顺延"}
                                                ],
                                            ),
                                        ],
                                    )
                                ],
                            },
                        ),
                        ("subsection", {"title": "建站资料", "anchor": "site-docs", "content": []}),
                    ],
                },
            ),
        ],
    )
    guide_index.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_outline_numbers_sections_and_steps(guide):
    outline = guide.outline
    assert [(n.label, n.title, n.anchor) for n in outline.walk()] == [
        ("一、", "账号注册", "sec-1"),
        ("二、", "申请建设补贴", "sec-2"),
        ("（一）", "互联互通", "sec-2-1"),
        ("（二）", "建站资料", "site-docs"),
    ]
    steps = dict(outline.find("sec-2-1").items)["steps"]
    assert [(s.number, s.anchor) for s in steps] == [(1, "sec-2-1-step-1"), (2, "sec-2-1-step-2")]


def test_guide_page_renders_toc_anchors_fields_and_review_time(client, guide):
    html = client.get(guide.url).content.decode()
    assert 'href="#sec-2-1"' in html  # table of contents
    assert 'id="sec-2-1-step-2"' in html  # linkable step
    assert "步骤 2" in html
    assert 'aria-label="必填">*</span>接入平台的密钥' in html
    assert "传真" in html and 'aria-label="必填">*</span>传真' not in html
    assert "<code>jpg</code>" in html
    assert "3 个工作日，高峰期顺延" in html
    assert "菜单：建设补贴-互联互通" in html
    assert html.count("<h1") == 1


def test_chinese_numerals():
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 23)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
    ]


@pytest.mark.django_db
def test_the_help_index_lists_its_live_guides_only(client, guide, guide_index):
    draft = GuidePage(title="尚未发布的指南", slug="draft-guide")
    guide_index.add_child(instance=draft)
    draft.unpublish()
    response = client.get(guide_index.url)
    assert response.status_code == 200
    assert list(response.context["guides"]) == [guide]
    html = response.content.decode()
    assert guide.title in html and guide.url in html
    assert "尚未发布的指南" not in html

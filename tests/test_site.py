import pytest

from tests.search.corpus import build_corpus

pytestmark = pytest.mark.django_db


def test_home_page_has_landmarks_and_leads_to_sections(client, policy_index, guide_index):
    html = client.get("/").content.decode()
    assert html.count("<h1") == 1
    for landmark in ['role="banner"', '<main id="main"', 'role="contentinfo"', 'role="search"']:
        assert landmark in html
    assert 'href="/policies/"' in html and 'href="/help/"' in html
    assert 'class="skip-link"' in html
    assert 'lang="zh-Hans"' in html


def test_search_page_shows_counts_highlights_and_pages(client, policy_index, guide_index):
    build_corpus(policy_index, guide_index)
    response = client.get("/search/", {"q": "补贴"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "帮助指南（2）" in html
    assert "<mark>补贴</mark>" in html
    assert html.index("建设补贴申请步骤说明") < html.index("平台互联互通接入")


def test_empty_search_suggests_alternatives(client, policy_index, guide_index):
    html = client.get("/search/", {"q": "不存在的词语"}).content.decode()
    assert "没有找到与“不存在的词语”相关的内容" in html
    assert "大家常搜" in html and "?q=%E8%A1%A5%E8%B4%B4" in html


def test_search_site_command_prints_json(policy_index, guide_index, capsys):
    import json

    from django.core.management import call_command

    build_corpus(policy_index, guide_index)
    call_command("search_site", "补贴", "--json", "--limit", "1")
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 1
    assert results[0]["title"] == "建设补贴申请步骤说明"
    assert results[0]["type"] == "guides.guidepage"
    assert results[0]["url"].startswith("/help/subsidy/")


def test_admin_speaks_chinese(client):
    html = client.get("/admin/login/").content.decode()
    assert "登录" in html and 'lang="zh-hans"' in html.lower()


@pytest.mark.django_db
def test_healthz_on_a_fresh_var_folder(client, settings, tmp_path):
    """A first start has no media or private folder yet; that is healthy, not down."""
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    storages._storages.clear()
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {name: (c["status"], c["backend"]) for name, c in body["checks"].items()} == {
        "database": ("up", "sqlite"),
        "storage": ("up", "filesystem"),
        "search": ("up", "database (sqlite)"),
    }
    assert all(isinstance(c["ms"], float) for c in body["checks"].values())
    assert (tmp_path / "private").is_dir()
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_embedded_private_folder_cannot_be_made(client, settings, tmp_path):
    """The embedded default (local folders): a file where the private folder should be
    is reported as storage down, and the whole answer is 503 "degraded"."""
    from django.core.files.storage import storages

    blocker = tmp_path / "private"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "cms.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(blocker)},
        },
    }
    storages._storages.clear()
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "degraded"
    assert body["checks"]["storage"]["status"] == "down"
    assert body["checks"]["storage"]["error"].startswith("FileExistsError")
    assert "backend" not in body["checks"]["storage"]
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["search"]["status"] == "up"

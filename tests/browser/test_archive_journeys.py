"""A reviewer's journey through the archive in Chromium: 档案检索 (search, facets,
highlights, exact codes, duplicates, the link to the application and its 档案比对), and
staff restarting a failed recognition in 识别进度.

The archive is built with its text already extracted (tests/archive/test_search.py), so
the journey runs on the embedded default: the database answers the search.
"""

import re

import pytest

from archive.models import ArchiveEntry
from tests.archive.test_search import INVOICE_NUMBER, build_archive
from tests.browser.test_application_journeys import admin_login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive(live_server, home_page):
    return build_archive(), live_server.url


def result_count(page) -> str:
    return page.locator("#archive-results-heading").inner_text()


def search_for(page, query: str) -> None:
    page.get_by_label("检索词").fill(query)
    page.get_by_role("button", name="检索", exact=True).click()
    page.wait_for_load_state()


def test_reviewer_searches_the_archive_and_follows_a_duplicate(page, archive):
    data, base = archive
    admin_login(page, base, data.users.power.username)
    page.get_by_role("link", name="档案检索").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("search").count() == 1

    # Two characters inside 建设补贴申请表: only what the power department reviews
    # (not B's copy in an urban application, not A's draft, not the paper archive).
    search_for(page, "补贴")
    assert "共 1 份" in result_count(page)
    hit = page.locator("article.archive-hit")
    assert hit.locator("mark", has_text="补贴").count() >= 1
    assert hit.get_by_text("同一文件").is_visible()
    shot(page, "archive-search-subsidy")

    # An invoice number: the invoice comes first, marked exact and reused.
    search_for(page, INVOICE_NUMBER)
    first = page.locator("article.archive-hit").first
    assert first.get_by_text("编码精确匹配").is_visible()
    assert first.get_by_text("发票重复使用").is_visible()

    # Everything the department sees, narrowed by a facet.
    search_for(page, "")
    assert "共 4 份" in result_count(page)
    facets = page.get_by_role("navigation", name="筛选")
    facets.get_by_role("link", name=re.compile("发票")).first.click()
    page.wait_for_load_state()
    assert "共 1 份" in result_count(page)
    assert "kind=invoice" in page.url
    shot(page, "archive-search-facet")

    # The link to the application opens the review page with 档案比对.
    page.locator("article.archive-hit").first.get_by_role("link", name=data.a1.reference).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/review/{data.a1.reference}/")
    panel = page.locator(".archive-duplicates")
    assert panel.is_visible()
    assert data.a2.reference in panel.inner_text() and INVOICE_NUMBER in panel.inner_text()
    shot(page, "archive-review-duplicates")


def test_archive_search_fits_a_phone(phone, archive):
    data, base = archive
    admin_login(phone, base, data.users.power.username)
    phone.goto(base + "/admin/archive/search/?q=补贴")
    assert "共 1 份" in result_count(phone)
    overflow = phone.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"


def test_staff_restart_a_failed_recognition(page, archive):
    data, base = archive
    entry = data.entries.certificate_a
    ArchiveEntry.objects.filter(pk=entry.pk).update(
        status=ArchiveEntry.Status.FAILED, attempts=3, error="存储中找不到该文件，无法识别。"
    )
    admin_login(page, base, data.users.root.username, "pw-root-2026")
    page.get_by_role("link", name="识别进度").first.click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text=entry.original_name)
    assert row.get_by_text("失败").first.is_visible()

    row.get_by_role("link", name=entry.original_name).click()
    page.wait_for_load_state()
    assert page.get_by_text("存储中找不到该文件").first.is_visible()
    page.get_by_role("link", name="重新识别").first.click()
    page.get_by_role("button", name="确认重新识别").click()
    page.wait_for_load_state()
    assert page.get_by_text("已将“直流桩合格证.jpg”重新加入识别队列").is_visible()
    entry.refresh_from_db()
    assert entry.status == ArchiveEntry.Status.PENDING and entry.attempts == 0
    shot(page, "archive-retry")

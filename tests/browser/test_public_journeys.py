"""The public's journeys, in a real browser."""

import pytest

from tests.search.corpus import build_corpus


@pytest.fixture
def site(transactional_db, live_server, home_page):
    from guides.models import GuideIndexPage
    from policies.models import PolicyIndexPage

    home = home_page
    policies = home.add_child(instance=PolicyIndexPage(title="政策汇编", slug="policies"))
    guides = home.add_child(instance=GuideIndexPage(title="使用帮助", slug="help"))
    build_corpus(policies, guides)
    return live_server.url


def test_search_from_home_and_follow_first_result(page, site):
    page.goto(site + "/")
    page.get_by_label("搜索政策文件与使用帮助").fill("补贴")
    page.get_by_role("button", name="搜索").last.click()
    page.wait_for_url("**/search/?q=*")
    first = page.locator(".search-result h2 a").first
    assert first.inner_text() == "建设补贴申请步骤说明"
    assert page.locator(".search-result mark").first.inner_text() == "补贴"
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "建设补贴申请步骤说明"
    assert "/help/subsidy/" in page.url


def test_policy_list_filters_on_a_phone(phone, site):
    phone.goto(site + "/policies/")
    assert phone.locator("h1").inner_text() == "政策汇编"
    phone.get_by_label("发文机关").select_option(label="河南省发展和改革委员会")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_load_state()
    items = phone.locator(".policy-item h2")
    assert items.count() == 1
    assert items.first.inner_text() == "充电设施竣工验收工作要求"
    # no horizontal scrolling on a 390px-wide screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_keyboard_user_can_skip_to_content(page, site):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()

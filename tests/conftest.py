"""Shared fixtures: the portal's page tree and the seed documents."""

from pathlib import Path

import pytest

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GUIDE_SEED = SEEDS_DIR / "000_0a25eaa30b567b10.txt"
PLAN_SEED = SEEDS_DIR / "004_a8b46cac7c4f28a0.txt"


@pytest.fixture
def seeds_dir():
    if not (GUIDE_SEED.exists() and PLAN_SEED.exists()):
        pytest.skip("../shared/seeds is not present in this checkout")
    return SEEDS_DIR


@pytest.fixture(autouse=True)
def _fresh_content_generation():
    """Each test starts a new content generation: nothing cached by an earlier test (whose
    database rows were rolled back) is reused."""
    from cms.cache import bump_generation

    bump_generation()


@pytest.fixture
def home_page(db):
    """The site's home page; recreated when a transactional test has flushed the data
    migration's copy."""
    from wagtail.models import Locale, Page, Site

    from cms.home.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code="zh-hans")
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(instance=HomePage(title="河南省充电基础设施服务门户", slug="home"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
        )
    return home


@pytest.fixture
def policy_index(home_page):
    from policies.models import PolicyIndexPage

    return home_page.add_child(instance=PolicyIndexPage(title="政策汇编", slug="policies"))


@pytest.fixture
def guide_index(home_page):
    from guides.models import GuideIndexPage

    return home_page.add_child(instance=GuideIndexPage(title="使用帮助", slug="help"))


def pytest_sessionfinish(session):
    """Remove the throwaway var folder (media, demo login) the test settings created."""
    import shutil

    from django.conf import settings

    if settings.configured and "portal-test-var-" in str(settings.VAR_DIR):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)

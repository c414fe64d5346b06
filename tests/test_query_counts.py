"""Public pages render with a small, constant number of queries (issue 14).

The budgets hold for a visitor's request once the shared cache is warm (any earlier
request since the last publish), and stay the same whatever the number of policies and
the list's page size. A first request after a publish may do more, but is bounded too.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import ServiceItem
from guides.models import GuidePage
from policies.models import IssuingBody, PolicyIssuer, PolicyPage, PolicyTopic
from regions.models import Region

pytestmark = pytest.mark.django_db

BUDGETS = {  # warm cache, per request
    "home": 6,
    "policy_list": 8,
    "policy_page": 8,
    "guide": 8,
    "guide_index": 8,
    "search": 6,  # the database engine's own queries included
    "services": 6,
    "service": 6,
    "feed": 6,
    "sitemap": 3,
}
COLD_BUDGET = 16  # the first request after a publish, any page


def _policy(index, n, bodies, regions, topic):
    page = PolicyPage(
        title=f"关于充电设施建设补贴的第{n}号通知",
        slug=f"p{n}",
        document_number=f"豫充〔2025〕{n + 1}号",
        publish_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
        written_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
        topic=topic,
        summary="建设补贴申请条件与材料。",
        body=[
            ("heading", {"text": "一、补贴对象", "level": "2", "anchor": ""}),
            ("paragraph", "<p>充电设施运营商可申请建设补贴。</p>"),
        ],
        attachments=[
            ("attachment", {"title": "申请表", "content": [("paragraph", "<p>申请表样式</p>")]})
        ],
    )
    page.issuers = [PolicyIssuer(body=body, sort_order=i) for i, body in enumerate(bodies)]
    index.add_child(instance=page)
    page.regions.set(regions)
    return page


def _guide(index, n):
    step = {
        "text": "<p>选择充电站后录入发票信息。</p>",
        "menu_path": "补贴申请",
        "fields": [],
        "formats": [],
        "notes": [],
        "review_time": [],
    }
    section = {"title": f"第{n}部分", "anchor": "", "content": [("steps", [step, step])]}
    page = GuidePage(title=f"建设补贴申请步骤{n}", slug=f"g{n}", sections=[("section", section)])
    index.add_child(instance=page)
    return page


@pytest.fixture
def site_with(policy_index, guide_index):
    """Build a site with `count` policies (three issuers and regions each) and guides."""
    topic = PolicyTopic.objects.create(name="建设补贴")
    bodies = [IssuingBody.objects.create(name=f"发文机关{i}") for i in range(3)]
    regions = list(Region.objects.filter(level=2).order_by("code")[:3])

    def build(count):
        for n in range(count):
            _policy(policy_index, n, bodies, regions, topic)
        for n in range(3):
            _guide(guide_index, n)
        return policy_index

    return build


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response


def public_urls(policy_index):
    item = ServiceItem.objects.filter(live=True).first()
    return {
        "home": "/",
        "policy_list": policy_index.url,
        "policy_page": PolicyPage.objects.live().first().url,
        "guide": GuidePage.objects.live().first().url,
        "guide_index": GuidePage.objects.live().first().get_parent().url,
        "search": "/search/?q=补贴",
        "services": "/services/",
        "service": f"/services/{item.code}/",
        "feed": "/policies/feed/rss/",
        "sitemap": "/sitemap.xml",
    }


def test_every_public_page_stays_within_its_query_budget(client, site_with):
    index = site_with(30)
    for name, url in public_urls(index).items():
        cold, _ = count_queries(client, url)
        assert cold <= COLD_BUDGET, f"{name} ({url}): {cold} queries on a cold cache"
        warm, response = count_queries(client, url)
        assert warm <= BUDGETS[name], f"{name} ({url}): {warm} queries, budget {BUDGETS[name]}"
        assert response.content


def test_policy_list_costs_the_same_whatever_its_length_and_page_size(client, site_with):
    index = site_with(60)
    counts = {}
    for per_page in (5, 50):
        index.per_page = per_page
        index.save_revision().publish()
        client.get(index.url)  # warm
        counts[per_page], response = count_queries(client, index.url)
        assert len(response.context["policies"]) == per_page
        assert "发文机关2" in response.content.decode()
    assert counts[5] == counts[50] <= BUDGETS["policy_list"]
    filtered, _ = count_queries(client, f"{index.url}?topic={PolicyTopic.objects.get().pk}")
    assert filtered <= BUDGETS["policy_list"]


def test_home_page_is_served_from_the_cache_until_a_publish(
    client, site_with, django_capture_on_commit_callbacks
):
    index = site_with(3)
    assert "第2号通知" in client.get("/").content.decode()
    queries, _ = count_queries(client, "/")
    assert queries <= BUDGETS["home"]

    with django_capture_on_commit_callbacks(execute=True):
        new = PolicyPage(
            title="新发布的补贴通知", slug="new", publish_date=datetime.date(2026, 1, 5)
        )
        index.add_child(instance=new)
        new.save_revision().publish()
    html = client.get("/").content.decode()
    assert "新发布的补贴通知" in html  # the cached fragment was invalidated


def test_cached_fragments_follow_unpublish(client, site_with, django_capture_on_commit_callbacks):
    site_with(2)
    page = PolicyPage.objects.get(slug="p1")
    assert client.get(page.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert client.get(page.url).status_code == 404
    assert page.title not in client.get("/").content.decode()
    assert cache.get("portal:generation")  # the generation lives in the shared cache


def test_cached_sitemap_follows_publish_and_leaves_out_restricted_pages(
    client, site_with, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    index = site_with(2)
    client.get("/sitemap.xml")
    queries, response = count_queries(client, "/sitemap.xml")
    assert queries == 0  # served from the shared cache
    assert "/policies/p1/" in response.content.decode()

    page = PolicyPage.objects.get(slug="p1")
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert "/policies/p1/" not in client.get("/sitemap.xml").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=PolicyPage.objects.get(slug="p0"), restriction_type="login"
        )
    xml = client.get("/sitemap.xml").content.decode()
    assert "/policies/p0/" not in xml and index.url in xml

import datetime

import feedparser
import pytest
from django.core.exceptions import ValidationError

from policies.models import (
    IssuingBody,
    PolicyIssuer,
    PolicyPage,
    PolicyTopic,
    normalize_document_number,
    validate_document_number,
)
from regions.models import Region

pytestmark = pytest.mark.django_db


def make_policy(
    index,
    slug,
    title,
    *,
    number="",
    issuers=(),
    date=None,
    validity="in_force",
    topic=None,
    regions=(),
):
    page = PolicyPage(
        title=title,
        slug=slug,
        document_number=number,
        publish_date=date,
        written_date=date,
        validity=validity,
        topic=topic,
    )
    page.issuers = [
        PolicyIssuer(body=IssuingBody.objects.get_or_create(name=name)[0], sort_order=i)
        for i, name in enumerate(issuers)
    ]
    index.add_child(instance=page)
    page.regions.set(Region.objects.filter(code__in=regions))
    page.save_revision().publish()
    return page


@pytest.fixture
def library(policy_index):
    subsidy = PolicyTopic.objects.create(name="建设补贴")
    install = PolicyTopic.objects.create(name="报装服务")
    make_policy(
        policy_index,
        "a",
        "信阳报装方案",
        number="信电〔2024〕141号",
        issuers=["国网信阳供电公司", "信阳市公安局"],
        date=datetime.date(2024, 10, 29),
        topic=install,
        regions=["411500"],
    )
    make_policy(
        policy_index,
        "b",
        "全省建设补贴办法",
        number="豫发改〔2023〕5号",
        issuers=["河南省发展和改革委员会"],
        date=datetime.date(2023, 3, 1),
        validity="repealed",
        topic=subsidy,
        regions=["410000"],
    )
    for n in range(20):
        make_policy(
            policy_index,
            f"n{n}",
            f"补充通知第{n}号",
            number=f"豫充〔2025〕{n + 1}号",
            issuers=["河南省发展和改革委员会"],
            date=datetime.date(2025, 1, 1 + n),
            topic=subsidy,
            regions=["410100"],
        )
    return policy_index


def titles(response):
    return [p.title for p in response.context["policies"]]


def test_document_number_is_normalised_and_validated():
    assert normalize_document_number("信电[2024]141号") == "信电〔2024〕141号"
    assert normalize_document_number("豫政 (2024) 3 号") == "豫政〔2024〕3号"
    validate_document_number("信电〔2024〕141号")
    with pytest.raises(ValidationError, match="发文字号格式"):
        validate_document_number("141号")


def test_publish_date_cannot_precede_written_date(policy_index):
    page = PolicyPage(
        title="x",
        slug="x",
        written_date=datetime.date(2024, 5, 2),
        publish_date=datetime.date(2024, 5, 1),
    )
    with pytest.raises(ValidationError, match="发布日期不能早于成文日期"):
        page.clean()


def test_index_filters_sorts_and_paginates(client, library):
    url = library.url
    first = client.get(url)
    assert first.status_code == 200
    assert first.context["total"] == 22
    assert len(first.context["policies"]) == 15  # per_page
    assert titles(first)[0] == "补充通知第19号"  # newest first
    assert "下一页" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(second.context["policies"]) == 7

    assert titles(client.get(url, {"year": 2024})) == ["信阳报装方案"]
    issuer = IssuingBody.objects.get(name="信阳市公安局")
    assert titles(client.get(url, {"issuer": issuer.pk})) == ["信阳报装方案"]
    assert titles(client.get(url, {"validity": "repealed"})) == ["全省建设补贴办法"]
    topic = PolicyTopic.objects.get(name="报装服务")
    assert titles(client.get(url, {"topic": topic.pk})) == ["信阳报装方案"]
    xinyang = Region.objects.get(code="411500")
    assert titles(client.get(url, {"region": xinyang.pk})) == ["信阳报装方案"]
    oldest = client.get(url, {"sort": "date"})
    assert titles(oldest)[0] == "全省建设补贴办法"
    # filters survive paging links
    page_two = client.get(url, {"topic": PolicyTopic.objects.get(name="建设补贴").pk, "page": 2})
    assert page_two.context["total"] == 21
    assert "topic=" in page_two.context["filter_query"]


def test_invalid_filter_value_is_explained_not_an_error(client, library):
    response = client.get(library.url, {"year": "abc"})
    assert response.status_code == 200
    assert response.context["total"] == 22
    assert "选择一个有效的选项" in response.content.decode()


def test_policy_page_shows_metadata(client, library):
    page = PolicyPage.objects.get(slug="a")
    html = client.get(page.url).content.decode()
    for text in [
        "信电〔2024〕141号",
        "国网信阳供电公司、信阳市公安局",
        "2024年10月29日",
        "现行有效",
        "报装服务",
        "信阳市",
    ]:
        assert text in html
    assert html.count("<h1") == 1


def test_feeds_list_newest_policies(client, library):
    rss = feedparser.parse(client.get("/policies/feed/rss/").content)
    assert rss.feed.title.startswith("河南省充电基础设施服务门户")
    assert rss.entries[0].title == "补充通知第19号（豫充〔2025〕20号）"
    atom = client.get("/policies/feed/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert feedparser.parse(atom.content).entries


def test_sitemap_covers_policies(client, library):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/policies/a/" in xml and "/policies/n19/" in xml

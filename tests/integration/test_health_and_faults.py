"""Health reporting, and what users see when a real service stops and comes back."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents.models import Document
from wagtail.search.backends import get_search_backend

from cms.storage import StorageUnavailable
from search.service import site_search
from tests.search.corpus import build_corpus

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_service_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert {name: c["status"] for name, c in checks.items()} == {
        "database": "up",
        "storage": "up",
        "search": "up",
    }
    assert checks["database"]["backend"] == "postgresql"
    assert checks["storage"]["backend"] == "s3"
    assert checks["search"]["backend"] == "opensearch"


def test_storage_down_fails_clearly_and_stores_nothing(client, stopped):
    stopped("minio")
    before = Document.objects.count()
    with pytest.raises(StorageUnavailable, match="文件存储服务暂时不可用"), transaction.atomic():
        Document.objects.create(title="验收报告", file=ContentFile(b"%PDF-1.4", name="ys.pdf"))
    assert Document.objects.count() == before  # no row pointing at a missing object

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["storage"]["status"] == "down"


def test_search_falls_back_to_database_while_opensearch_is_down(
    client, policy_index, guide_index, stopped, caplog
):
    build_corpus(policy_index, guide_index)
    get_search_backend().refresh_indexes()
    assert site_search("补贴").backend == "default"

    stopped("opensearch")
    with caplog.at_level(logging.WARNING, logger="search.service"):
        outcome = site_search("补贴")
    assert outcome.backend == "database"
    assert [hit.page.slug for hit in outcome.hits][:1] == ["subsidy"]
    assert "search backend 'default' failed" in caplog.text

    page = client.get("/search/", {"q": "补贴"})
    assert page.status_code == 200  # no 500, no banner: the page just answers
    assert "建设补贴申请步骤说明" in page.content.decode()
    assert client.get("/healthz").json()["checks"]["search"]["status"] == "down"


def test_search_recovers_when_opensearch_returns(policy_index, guide_index):
    # runs after the fault test above has restarted OpenSearch
    build_corpus(policy_index, guide_index)
    get_search_backend().refresh_indexes()
    outcome = site_search("准入条件")
    assert outcome.backend == "default"
    assert [hit.page.slug for hit in outcome.hits][:1] == ["admission"]

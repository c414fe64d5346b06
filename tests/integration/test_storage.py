"""Files on the real S3-compatible store (MinIO): private objects, presigned URLs."""

import urllib.error
import urllib.request
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cms.storage import PortalS3Storage

pytestmark = pytest.mark.django_db


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_write_read_presign_fetch_delete():
    assert isinstance(default_storage, PortalS3Storage)
    body = "营业执照扫描件 ".encode() + uuid.uuid4().bytes
    name = default_storage.save(f"tests/{uuid.uuid4().hex}/营业执照.txt", ContentFile(body))
    try:
        assert default_storage.exists(name)
        with default_storage.open(name) as fh:
            assert fh.read() == body
        url = default_storage.url(name)
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
        assert fetch(url) == (200, body)
        # the object is private: the same URL without its signature is refused
        with pytest.raises(urllib.error.HTTPError) as refused:
            fetch(url.split("?", 1)[0])
        assert refused.value.code == 403
    finally:
        default_storage.delete(name)
    assert not default_storage.exists(name)


def test_same_name_never_overwrites():
    first = default_storage.save("tests/same.txt", ContentFile(b"one"))
    second = default_storage.save("tests/same.txt", ContentFile(b"two"))
    try:
        assert first != second
        assert default_storage.open(first).read() == b"one"
    finally:
        default_storage.delete(first)
        default_storage.delete(second)

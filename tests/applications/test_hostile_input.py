"""No input a caller controls produces a 5xx: a table of hostile values goes into every
query parameter and form field of every route of the project (found by walking the URL
resolver, the form fields read from each page) and into every parameter and body of
every API operation (found by walking the OpenAPI schema)."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode
from wagtail.models import APIToken

from applications.api import api
from catalogue.models import ApplicationKind

from .factories import (
    POWER_ITEM,
    ROAD_ITEM,
    make_application,
    png_bytes,
    ready_joint_application,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days

HOSTILE = [
    "²",  # "²".isdigit() is True, int("²") fails
    "9223372036854775808",  # one past the largest 64-bit integer
    "-1",
    "1e309",
    "NaN",
    "'\"><script>alert(1)</script>",
    "x\x00y",
    "../../etc/passwd",
    "%",
    "[]",
    "A" * 5000,
]
DEEP_JSON = "[" * 100_000 + "]" * 100_000
QUERY_NAMES = [
    "q",
    "page",
    "p",
    "year",
    "kind",
    "state",
    "department",
    "city",
    "status",
    "type",
    "offset",
    "limit",
    "ordering",
    "export",
    "requirement",
    "items",
    "region",
    "next",
]
PROJECT_APPS = (
    "accounts",
    "applications",
    "archive",
    "catalogue",
    "cms",
    "documents",
    "guides",
    "policies",
    "regions",
    "search",
    "workdays",
)
SKIP_NAMES = {"logout", "healthz"}
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def project_routes():
    """(name for reverse, pattern) of every named route whose view lives in this project."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                yield from walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                if view.__module__.split(".")[0] in PROJECT_APPS:
                    yield f"{namespace}{pattern.name}", pattern

    return list(dict(walk(get_resolver().url_patterns, "")).items())


@pytest.fixture
def world(operator, reviewers, private_folder):
    application = submit(ready_joint_application(operator, [POWER_ITEM, ROAD_ITEM]))
    draft = make_application(operator, ApplicationKind.JOINT_INSTALLATION, item_codes=[POWER_ITEM])
    superuser = get_user_model().objects.create_superuser("root", "r@example.com", "pw-2026")
    return {
        "application": application,
        "draft": draft,
        "attachment": application.attachments.first(),
        "operator": operator,
        "superuser": superuser,
    }


def kwargs_for(pattern, world):
    values = {
        "reference": world["draft"].reference,
        "pk": world["attachment"].pk,
        "kind": ApplicationKind.JOINT_INSTALLATION.value,
        "requirement_pk": world["draft"].requirements().first().pk,
        "slug": "x",
        "code": "x",
        "year": 2026,
    }
    names = pattern.pattern.regex.groupindex
    return {name: values.get(name, 1) for name in names}


def client_for(url, world):
    client = Client(raise_request_exception=False)
    if url.startswith("/admin/"):
        client.force_login(world["superuser"])
    elif not url.startswith("/account/"):
        client.force_login(world["operator"].user)
    return client


def test_no_route_answers_a_hostile_value_with_a_5xx(world):
    failures = []
    routes = project_routes()
    assert len(routes) > 30
    for name, pattern in routes:
        if name.split(":")[-1] in SKIP_NAMES:
            continue
        try:
            url = reverse(name, kwargs=kwargs_for(pattern, world))
        except Exception:  # an unnamed converter we cannot fill: tried through the API walk
            continue
        client = client_for(url, world)
        page = client.get(url)
        html = b"" if page.streaming else page.content
        fields = set(FIELD.findall(html.decode("utf-8", "replace")))
        fields.discard("csrfmiddlewaretoken")
        for value in HOSTILE:
            query = {key: value for key in QUERY_NAMES}
            response = client.get(url, query)
            if response.status_code >= 500:
                failures.append(("GET", url, value[:20], response.status_code))
            form = {key: value for key in fields | set(QUERY_NAMES)}
            response = client.post(url, form)
            if response.status_code >= 500:
                failures.append(("POST", url, value[:20], response.status_code))
    assert failures == []


def _operations():
    """Every operation of the API; deletions last, so the draft lives through the rest."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return sorted(found, key=lambda op: op[1] == "delete")


def _body_properties(operation):
    content = operation.get("requestBody", {}).get("content", {})
    kind = next(iter(content), None)
    schema = content.get(kind, {}).get("schema", {}) if kind else {}
    return kind, set(schema.get("properties", {}))


def test_no_api_operation_answers_a_hostile_value_with_a_5xx(world):
    _, token = APIToken.create_token(user=world["operator"].user, name="t")
    client = Client(raise_request_exception=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    real = {
        "reference": world["draft"].reference,
        "attachment_id": world["attachment"].pk,
    }
    failures = []
    operations = list(_operations())
    assert len(operations) > 10
    for path, method, operation in operations:
        params = operation.get("parameters", [])
        path_names = [p["name"] for p in params if p["in"] == "path"]
        query_names = [p["name"] for p in params if p["in"] == "query"]
        kind, properties = _body_properties(operation)
        for value in [*HOSTILE, None]:
            # None: real path values with hostile query and body; else hostile path values.
            filled = path
            for name in path_names:
                filled = filled.replace(
                    "{" + name + "}", str(real.get(name, 1)) if value is None else value[:300]
                )
            hostile = value if value is not None else "²"
            # One query parameter at a time, so an early 422 cannot hide a later 500.
            urls = [f"{filled}?{urlencode({n: hostile[:300]})}" for n in query_names] or [filled]
            for url in urls:
                status = _call(client, method, url, kind, properties, hostile, auth)
                if status >= 500:
                    failures.append((method, url[:80], str(value)[:20], status))
    assert failures == []


def _call(client, method, url, kind, properties, hostile, auth) -> int:
    call = getattr(client, method)
    if method in ("get", "delete"):
        return call(url, **auth).status_code
    if kind == "multipart/form-data":
        data = {n: hostile for n in properties if n != "file"}
        data["file"] = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
        return call(url, data, **auth).status_code
    worst = 0
    for body in (json.dumps({n: hostile for n in properties} or hostile), DEEP_JSON):
        response = call(url, body, content_type="application/json", **auth)
        worst = max(worst, response.status_code)
    return worst

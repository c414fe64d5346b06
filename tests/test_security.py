"""Account-level security: the client address behind a trusted proxy, the per-address
login limit, locked accounts and their sessions, the idle lock on the API, masking of
secrets, and the body cap for anonymous requests."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone
from wagtail.models import APIToken

from accounts.models import Applicant
from applications.models import State
from catalogue.models import ApplicantType
from cms.crypto import mask
from cms.net import client_address
from tests.applications.factories import (
    PASSWORD,
    ensure_reference_data,
    make_applicant,
    ready_joint_application,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock()]  # submitting counts working days


@pytest.fixture(autouse=True)
def reference_data(db, settings):
    settings.PORTAL_LOGIN_SLOWDOWN_SECONDS = 0
    ensure_reference_data()


@pytest.fixture
def operator():
    return make_applicant(ApplicantType.OPERATOR)


def login(username, password, ip="10.1.2.3", **meta):
    request = RequestFactory().post("/account/login/", REMOTE_ADDR=ip, **meta)
    return authenticate(request, username=username, password=password)


# --------------------------------------------------------------------------- client address


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    settings.PORTAL_TRUSTED_PROXIES = []
    assert client_address(request) == "10.0.0.5"
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request) == "198.51.100.7"
    # A client cannot prepend its own choice: the right-most untrusted address counts.
    spoofed = factory.get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.9"
    )
    assert client_address(spoofed) == "198.51.100.7"
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="<script>")
    assert client_address(garbage) == "10.0.0.5"


def test_behind_a_trusted_proxy_one_client_does_not_lock_out_another(settings, operator):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.5"]
    for n in range(25):
        login(f"guess{n}", "x", ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert (
        login(operator.user.username, PASSWORD, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
        == operator.user
    )


def test_the_address_limit_never_refuses_a_correct_password_without_own_failures(
    operator, settings
):
    for n in range(25):
        assert login(f"guess{n}", "x", ip="203.0.113.7") is None
    # The same address: the account has no failures of its own, its password works.
    assert login(operator.user.username, PASSWORD, ip="203.0.113.7") == operator.user
    # A guessed name that already failed from here is refused even with a right password.
    victim = make_applicant(ApplicantType.OPERATOR)
    assert login(victim.user.username, "wrong", ip="203.0.113.7") is None
    assert login(victim.user.username, PASSWORD, ip="203.0.113.7") is None


def test_the_address_limit_slows_guessing(operator, settings, monkeypatch):
    settings.PORTAL_LOGIN_SLOWDOWN_SECONDS = 1.5
    slept = []
    monkeypatch.setattr("accounts.services.time.sleep", slept.append)
    for n in range(20):
        login(f"guess{n}", "x", ip="203.0.113.7")
    assert slept == []
    login("guess-more", "x", ip="203.0.113.7")
    assert slept == [1.5]


# --------------------------------------------------------------------------- locked accounts


def test_locking_ends_the_sessions_of_the_applicant(operator):
    client = Client()
    client.force_login(operator.user)
    assert Session.objects.count() == 1
    operator.lock("违规操作")
    assert Session.objects.count() == 0
    assert client.get("/my/").status_code == 302


def test_a_locked_applicant_with_a_live_session_cannot_submit(operator):
    application = ready_joint_application(operator)
    client = Client()
    client.force_login(operator.user)
    # Locked by staff editing the status directly (no lock() call, sessions kept).
    Applicant.objects.filter(pk=operator.pk).update(status=Applicant.Status.LOCKED)
    response = client.post(f"/my/applications/{application.reference}/submit/")
    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert "_auth_user_id" not in client.session


def test_core_refuses_a_locked_applicant(operator):
    from applications.workflow import WorkflowError, submit

    application = ready_joint_application(operator)
    Applicant.objects.filter(pk=operator.pk).update(status=Applicant.Status.LOCKED)
    application.applicant.refresh_from_db()
    with pytest.raises(WorkflowError, match="锁定"):
        submit(application, user=operator.user)


# --------------------------------------------------------------------------- API idle lock


def test_an_idle_token_is_refused_and_does_not_reset_the_clock(operator):
    token, plaintext = APIToken.create_token(user=operator.user, name="t")
    long_ago = timezone.now() - timedelta(days=120)
    Applicant.objects.filter(pk=operator.pk).update(created_at=long_ago)
    operator.user.last_login = long_ago
    operator.user.save(update_fields=["last_login"])
    APIToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)

    response = Client().get("/api/v1/applications", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code in (401, 403)
    assert "锁定" in response.json()["detail"]
    token.refresh_from_db()
    assert token.last_used_at == long_ago
    operator.refresh_from_db()
    assert operator.status == Applicant.Status.LOCKED


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize("secret", ["ab9cd", "12345678", "abcdefghijklmno"])
def test_mask_shows_nothing_of_a_short_secret(secret):
    masked = mask(secret)
    assert set(masked) == {"*"}


@pytest.mark.parametrize("length", [16, 17, 24, 40, 200])
def test_mask_never_shows_more_than_a_quarter(length):
    secret = "".join(chr(ord("a") + n % 26) for n in range(length))
    shown = [c for c in mask(secret) if c != "*"]
    assert 0 < len(shown) <= length / 4


# --------------------------------------------------------------------------- body cap


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_anonymous_oversized_body_is_refused_before_it_is_read(settings):
    settings.PORTAL_ANONYMOUS_MAX_BODY_MB = 12
    response = Client().post(
        "/account/register/",
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(13 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "12 MB" in response.content.decode()


def test_a_signed_in_applicant_may_send_up_to_the_upload_limit(settings, operator):
    settings.PORTAL_ANONYMOUS_MAX_BODY_MB = 1
    settings.PORTAL_MAX_UPLOAD_MB = 50
    client = Client()
    client.force_login(operator.user)
    response = client.post(
        "/my/",
        data=b"",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code != 413
    # Nobody may send more than the upload limit (plus the form around it).
    response = client.post(
        "/my/",
        data=b"",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413


def test_an_api_call_with_a_bad_token_gets_the_anonymous_cap(settings):
    settings.PORTAL_ANONYMOUS_MAX_BODY_MB = 1
    response = Client().post(
        "/api/v1/applications/SQ1/attachments",
        data=b"",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
        HTTP_AUTHORIZATION="Bearer not-a-token",
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413

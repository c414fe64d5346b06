"""Test runs: fast hashing, isolated media folder, no debug."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
VAR_DIR = Path(tempfile.mkdtemp(prefix="portal-test-var-"))
MEDIA_ROOT = VAR_DIR / "media"
if STORAGES["private"]["BACKEND"] == "cms.storage.PrivateFileSystemStorage":  # noqa: F405
    STORAGES["private"]["OPTIONS"]["location"] = str(VAR_DIR / "private")  # noqa: F405
ALLOWED_HOSTS = ["*"]
# Tests enqueue archive work without running it; archive tests run it explicitly.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "archive": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
    # Notifications are sent at commit, through the locmem mail box.
    "notifications": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTAL_LOGIN_SLOWDOWN_SECONDS = 0  # tests that count the slowdown set their own

# The integration run points at the real OpenSearch; keep test indexes apart.
if "URLS" in WAGTAILSEARCH_BACKENDS["default"]:  # noqa: F405
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"] = "portal_test_"  # noqa: F405

# With REDIS_URL set (integration run), test keys stay apart from the portal's.
CACHES["default"]["KEY_PREFIX"] = "portal_test"  # noqa: F405

# A file, not memory, for SQLite's test database: Django shares an in-memory database's one
# connection between the test thread and the live server's thread, and a request still running
# there corrupts the transaction state the next test writes with. Durability is not needed.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        init_command="PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;",
        transaction_mode="IMMEDIATE",  # two threads write: take the lock up front, wait for it
    )

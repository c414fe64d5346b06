"""Production settings refuse to start unsafe; the embedded default needs no service."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
FIELD_KEY = "tTmWv0V7nq3QhS3d9mmjz2o5XfGkqf8Vb2b3Qm0Zr0Q="  # a throwaway Fernet key


def check(**env):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PORTAL_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=cms.settings.production"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "portal.example.cn"}, "DJANGO_SECRET_KEY must be set"),
        (
            {"DJANGO_SECRET_KEY": "dev-" + GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "a"},
            "DJANGO_SECRET_KEY must be set",
        ),
        (
            {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "a"},
            "DJANGO_DEBUG must be off",
        ),
        ({"DJANGO_SECRET_KEY": GOOD_KEY}, "DJANGO_ALLOWED_HOSTS must list"),
        (
            {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "portal.example.cn"},
            "PORTAL_FIELD_KEYS must hold",
        ),
    ],
)
def test_production_refuses_unsafe_configuration(env, message):
    result = check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_when_configured():
    result = check(
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="portal.example.cn",
        PORTAL_FIELD_KEYS=FIELD_KEY,
    )
    assert result.returncode == 0, result.stderr


def test_production_keeps_database_connections():
    """A new PostgreSQL connection per request would cost more than a T/CEC 102 message."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--settings=cms.settings.production",
            "-c",
            "from django.conf import settings; d = settings.DATABASES['default'];"
            " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
            "PORTAL_FIELD_KEYS": FIELD_KEY,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["60", "True"]


def test_wsgi_module_loads_the_urlconf_before_workers_fork():
    """gunicorn preloads cms.wsgi and forks; views imported there are not imported again
    in each (recycled) worker's first request."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, cms.wsgi; print('interconnect.views' in sys.modules,"
            " 'accounts.views' in sys.modules)",
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "True"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal"}, "5"),
        (
            {
                "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal",
                "DATABASE_PREPARED_STATEMENTS": "0",
            },
            "absent",
        ),
        ({}, "absent"),  # SQLite: nothing to prepare
    ],
)
def test_postgresql_lets_the_hot_path_prepare_its_statements(env, expected):
    """psycopg prepares nothing while prepare_threshold is None (Django's default); the
    T/CEC 102 hot path asks for it on PostgreSQL, unless switched off for a pooler."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cms.settings import test as s;"
            " print(s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold', 'absent'))",
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal"}, "-c jit=off"),
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/portal", "DATABASE_JIT": "1"}, "absent"),
        ({}, "absent"),  # SQLite
    ],
)
def test_postgresql_connections_do_not_jit_compile(env, expected):
    """A plan's cost, not its time, decides JIT compilation: a 90 ms archive search was
    compiled for 351 ms on every call. Off for every connection unless DATABASE_JIT=1."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cms.settings import test as s;"
            " print(s.DATABASES['default'].get('OPTIONS', {}).get('options', 'absent'))",
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected

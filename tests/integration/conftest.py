"""Integration tests talk to the real PostgreSQL, MinIO and OpenSearch from ops/services.

`make test` starts the services and exports `ops/services env`; without those
variables these tests fail loudly rather than silently pass on the embedded default.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRED = ("DATABASE_URL", "S3_BUCKET", "OPENSEARCH_URL")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _require_services(request):
    if "tests/integration/" not in str(request.node.fspath):
        return
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"integration tests need {', '.join(missing)}: run them with `make test` "
            '(or `eval "$(ops/services env)"` after `ops/services start`).'
        )


def services(*args):
    """Run ops/services (start/stop/status) and fail with its output if it fails."""
    result = subprocess.run(
        [str(REPO / "ops" / "services"), *args], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"ops/services {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture
def stopped():
    """Stop a service for the test and always start it again afterwards."""
    stopped_names = []

    def stop(name):
        services("stop", name)
        stopped_names.append(name)

    yield stop
    for name in stopped_names:
        services("start", name)

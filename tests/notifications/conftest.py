"""Fixtures of the application core, shared with the notification tests."""

from tests.applications.conftest import (  # noqa: F401
    catalogue,
    operator,
    pending_operator,
    private_folder,
    resident,
    reviewers,
)

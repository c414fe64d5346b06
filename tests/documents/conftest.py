"""Fixtures of the application core, shared with the document tests."""

from tests.applications.conftest import (  # noqa: F401
    catalogue,
    operator,
    private_folder,
    resident,
    reviewers,
)

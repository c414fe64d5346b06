"""Fixtures of the application core, plus a staffed 综合窗口 for the test county."""

import pytest

from tests.applications import factories
from tests.applications.conftest import (  # noqa: F401
    catalogue,
    operator,
    private_folder,
    resident,
    reviewers,
)


@pytest.fixture
def clerk(catalogue):  # noqa: F811
    """A member of the 浉河区 综合窗口."""
    from window.models import WindowDesk

    desk, _ = WindowDesk.objects.get_or_create(
        region=factories.county(), defaults={"name": "浉河区政务服务中心「高效办成一件事」专窗"}
    )
    user = factories.make_user(factories.unique("clerk"))
    desk.members.add(user)
    return user


@pytest.fixture
def desk(clerk):
    return clerk.window_desks.get()

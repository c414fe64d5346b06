"""The archive samples live in :mod:`cms.samples` (the demo draws with them too);
the tests import them from here as before."""

from cms.samples import *  # noqa: F403
from cms.samples import _font, _png, _qr_image  # noqa: F401

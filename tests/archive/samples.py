"""The archive samples live in :mod:`archive.samples` (the demo draws with them too);
the tests import them from here as before."""

from archive.samples import *  # noqa: F403
from archive.samples import _font, _png, _qr_image  # noqa: F401

"""The JSON API operator platforms use (mounted at /api/v1/ by cms/urls.py).

`app` holds the NinjaAPI object, its authentication and error answers; `schemas` the
documented shapes; `serializers` model → JSON; `inputs` request parsing and lookups; the
`routes_*` modules register the routes by area. Importing this package registers them all.
"""

# isort: off
# Importing a routes module registers its routes on `api`; this order is the order of the
# OpenAPI document.
from . import routes_catalogue  # noqa: F401
from . import routes_applications  # noqa: F401
from . import routes_lines  # noqa: F401
from . import routes_attachments  # noqa: F401

# isort: on
from .app import api, attach_router

__all__ = ["api", "attach_router"]

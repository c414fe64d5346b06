"""Settings shared by every environment.

Everything that differs between a laptop and production comes from environment
variables (see README, "Configuration"). With none set, the portal runs on the
embedded default: SQLite, a local media folder and the database search backend.
"""

import os
from pathlib import Path

import dj_database_url
from botocore.config import Config as BotoConfig

from cms.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "cms"
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Fonts cut for the printed documents (documents/fonts.py): built at install, beside the
# virtualenv rather than in a run's VAR_DIR, so tests and benchmarks share one build.
DOCUMENT_FONT_DIR = Path(os.environ.get("PORTAL_FONT_DIR", BASE_DIR / "var" / "fonts"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "cms.home",
    "policies",
    "guides",
    "importer",
    "search",
    "window",
    "connection",
    "applications",
    "interconnect",
    "catalogue",
    "accounts",
    "workdays",
    "archive",
    "notifications",
    "documents",
    "subsidies",
    "regions",
    "django_tasks",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.middleware.PrivateCacheControlMiddleware",
    "cms.middleware.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountStateMiddleware",
    "cms.middleware.RequestBodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# PostgreSQL: let psycopg prepare the statements that ask for it — only the T/CEC 102 hot
# path does (interconnect/hotpath.py); Django's own queries use client-side binding and are
# never prepared. Behind a pooler in transaction mode that cannot keep prepared statements,
# set DATABASE_PREPARED_STATEMENTS=0 (Django's default: nothing prepared).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5  # psycopg's default
# PostgreSQL: no JIT compilation. Its threshold is a planner cost, which one archive search
# (a broad code prefix, archive/search/_broad.py) exceeds with a 90 ms plan, and compiling
# it took 351 ms — every time, since nothing is cached. Short statements never gain from
# it. DATABASE_JIT=1 leaves the server's setting (behind a pooler that refuses startup
# options, set jit = off on the server instead).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DATABASE_JIT", False
):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every login (portal and Wagtail admin) is rate-limited and refused for locked accounts.
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese everywhere, Wagtail admin included.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("PORTAL_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# File storage: a local folder by default; any S3-compatible store (MinIO, AWS S3,
# Aliyun OSS, Tencent COS) when S3_BUCKET is set. Objects are private and reached only
# through presigned URLs with a short expiry.
# Applicants' uploads go to the separate "private" storage: a folder outside MEDIA_ROOT
# locally, the "private/" prefix of the (private) bucket on S3.
PRIVATE_ROOT = Path(os.environ.get("PORTAL_PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "cms.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "cms.storage.PortalS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("S3_PRESIGN_EXPIRY", 300),
            "file_overwrite": False,
            "location": os.environ.get("S3_LOCATION", ""),
            # Fail fast when the store is down instead of hanging a request.
            "client_config": BotoConfig(
                connect_timeout=env_int("S3_CONNECT_TIMEOUT", 3),
                read_timeout=env_int("S3_READ_TIMEOUT", 30),
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path")},
            ),
        },
    }
    STORAGES["private"] = {
        "BACKEND": STORAGES["default"]["BACKEND"],
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "location": "/".join(
                part for part in (os.environ.get("S3_LOCATION", "").strip("/"), "private") if part
            ),
        },
    }

# Shared cache: Redis when REDIS_URL (or CACHE_URL) is set, process memory otherwise.
# Holds Wagtail's site root paths, the site lookup, routes, navigation, settings and the
# rendered fragments of public pages, all keyed by the content generation that every
# publish, unpublish, move or delete bumps (cms/cache.py, cms/invalidation.py).
# cms.cachebackend keeps serving (from process memory, never a stale page) while Redis is
# unreachable, and keeps generation-keyed entries in process memory too.
CACHE_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL") or ""
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "cms.cachebackend.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            "TIMEOUT": 3600,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1,
                "RETRY_SECONDS": env_int("CACHE_RETRY_SECONDS", 5),
                # cms.cache.GENERATION_KEY: meaningful only when shared by every process.
                "SHARED_ONLY_KEYS": ["portal:generation"],
                # Keys carrying the content generation ({% cache %} fragments are keyed
                # with it too): their value never changes, so processes keep a copy.
                "IMMUTABLE_PREFIXES": ["portal:", "template.cache."],
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Front cache (Varnish, ops/varnish/portal.vcl): publishing purges the changed URLs there.
# FRONTEND_CACHE_URL lists the caches' addresses, comma-separated (one per Varnish node).
WAGTAILFRONTENDCACHE = {
    f"varnish{number}": {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": location,
    }
    for number, location in enumerate(env_list("FRONTEND_CACHE_URL", []), start=1)
}

# Static files: WhiteNoise serves them from gunicorn (hashed, compressed, cached forever
# in production, see production.py), so no extra web server is needed.
WHITENOISE_MAX_AGE = 3600

# Uploads: size limit per file and the largest image accepted (decompression bombs).
PORTAL_MAX_UPLOAD_MB = env_int("PORTAL_MAX_UPLOAD_MB", 50)
# Largest request body without a signed-in user or a valid API token (registration with
# its licence scan), checked from Content-Length before the body is read.
PORTAL_ANONYMOUS_MAX_BODY_MB = env_int("PORTAL_ANONYMOUS_MAX_BODY_MB", 12)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated;
# see cms/net.py). Empty: the client address is REMOTE_ADDR.
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES", [])
# Seconds every login attempt from an address over the per-address failure limit waits.
PORTAL_LOGIN_SLOWDOWN_SECONDS = 1.0
PORTAL_MAX_IMAGE_PIXELS = env_int("PORTAL_MAX_IMAGE_PIXELS", 50_000_000)
# Files above this size are spooled to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# Wagtail's own small tasks (search and reference index updates) run in the process, after
# the commit and the front-cache purge when enqueued in a transaction (cms.aftercommit),
# so a publish is visible before the indexes are updated. Slow work
# (text extraction, OCR, archive indexing) goes to the "archive" queue in the database,
# run by `manage.py db_worker --backend archive`, which `make run` starts beside the server.
TASKS = {
    "default": {"BACKEND": "cms.aftercommit.AfterCommitBackend"},
    "archive": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    # Outgoing e-mail and SMS (notifications.tasks), run by `db_worker --backend notifications`.
    "notifications": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# E-mail over SMTP (notifications, admin mails). Without EMAIL_HOST, dev prints mails.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "河南省充电基础设施服务门户 <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS: a dotted path to a notifications.transports.SmsTransport subclass; off when empty.
NOTIFY_SMS_TRANSPORT = os.environ.get("NOTIFY_SMS_TRANSPORT", "")

# Secrets applicants submit are encrypted with these Fernet keys (newest first).
PORTAL_FIELD_KEYS = env_list("PORTAL_FIELD_KEYS", [])

# Search: the database backend by default (SQLite FTS5 / PostgreSQL full text), made
# Chinese-aware by our own subclasses; OpenSearch when OPENSEARCH_URL is set.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "search.backends.database"},
}
if os.environ.get("OPENSEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.opensearch",
            "URLS": [os.environ["OPENSEARCH_URL"]],
            "INDEX_PREFIX": os.environ.get("OPENSEARCH_INDEX_PREFIX", "portal_"),
            "TIMEOUT": env_int("OPENSEARCH_TIMEOUT", 5),
            "ATOMIC_REBUILD": True,  # update_index builds a new index, then swaps the alias
            "OPTIONS": {"max_retries": 0},
        },
        # Public search falls back to the database index while OpenSearch is down, so
        # the database index is kept current as well.
        "database": {"BACKEND": "search.backends.database"},
    }

WAGTAIL_SITE_NAME = "河南省充电基础设施服务门户"
WAGTAILADMIN_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "txt", "zip", "jpg", "png"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = PORTAL_MAX_UPLOAD_MB * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = WAGTAILDOCS_MAX_UPLOAD_SIZE
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# T/CEC 102 interconnection: AccessToken lifetime (seconds) and the largest accepted message.
INTERCONNECT_TOKEN_TTL = int(os.environ.get("INTERCONNECT_TOKEN_TTL", "7200"))
INTERCONNECT_MAX_BODY = 2 * 1024 * 1024

# 综合窗口 预审 deadline in working days after submission; 0 = 即办件 (same working day).
# 装表接电: 供电 confirms or moves the 现场踏勘 within this many working days of approval.
WINDOW_ACCEPTANCE_DAYS = env_int("PORTAL_WINDOW_ACCEPTANCE_DAYS", 0)
CONNECTION_SURVEY_CONFIRM_DAYS = env_int("PORTAL_CONNECTION_SURVEY_CONFIRM_DAYS", 1)

"""Settings for the distribution platform.

Everything that differs between machines comes from environment variables with
safe development defaults. ``DJANGO_ENV=production`` switches on the hardened
production mode that passes ``manage.py check --deploy``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "distribution.ops",  # before admin: its admin/index.html adds the link to the operator page
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "import_export",
    "distribution.core",
    "accounts",
    "suppliers",
    "resellers",
    "settlement",
    "procurement",
    "ninja",
    "distribution.api",
    "compliance",
    "disputes",
    "aftersales",
    "reports",
    "storages",
]

# Every form field is rendered with its Bootstrap class (distribution/core/forms.py).
FORM_RENDERER = "distribution.core.forms.FormRenderer"

MIDDLEWARE = [
    "distribution.ops.requestid.RequestIdMiddleware",
    # /api/ answers only: the error envelope for non-JSON errors, RateLimit-* headers
    "distribution.api.middleware.ApiEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "distribution.core.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Web… middleware are Django's and django-htmx's, for web pages only: an /api/
    # request (authenticated by key, no session, cookie, CSRF or page) passes them by
    # (distribution/core/middleware.py, web_only); the accounts ones skip /api/ themselves.
    "distribution.core.middleware.WebSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # Django's own (the deploy check looks for it); API views are csrf-exempt
    "distribution.core.middleware.WebAuthenticationMiddleware",
    "distribution.core.middleware.WebMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",  # cheap on /api/, and allauth requires this very entry
    "distribution.core.middleware.WebHtmxMiddleware",
    "accounts.middleware.OrganisationMiddleware",
    "accounts.middleware.AgreementMiddleware",
    # last: it may answer a read-only view from the replica (every other process_view has run)
    "distribution.ops.db.ReplicaMiddleware",
]

ROOT_URLCONF = "distribution.urls"
WSGI_APPLICATION = "distribution.wsgi.application"
ASGI_APPLICATION = "distribution.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.organisation",
            ],
            # {{ amount|money }} and {{ n|count }} in every template (thousands separators in each language)
            "builtins": ["distribution.core.templatetags.money"],
        },
    },
]

# The database. Behind a transaction-mode pooler (DATABASE_POOLER=pgbouncer) psycopg's
# server-side prepared statements are off (prepare_threshold None) and Django's own pool is off
# (the pooler pools; a second pool would hold server connections idle). The app keeps no
# session state (no SET outside a transaction, no advisory locks, no LISTEN, no WITH HOLD
# cursors); the time zone Django sets is one of the parameters pgbouncer tracks per client.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise RuntimeError("DATABASE_POOLER must be empty or 'pgbouncer'")
DB_POOL = env_bool("DB_POOL", not DATABASE_POOLER)
if DB_POOL and DATABASE_POOLER:
    raise RuntimeError("DB_POOL=1 cannot be combined with DATABASE_POOLER (the pooler pools)")
# Server-side binding: parameters travel apart from the SQL (the extended protocol), and a statement
# a connection runs DB_PREPARE_THRESHOLD times is prepared there, so PostgreSQL parses and plans it
# once per pooled connection instead of once per request. Needs connections that live across
# requests (Django's pool) and no transaction-mode pooler (a prepared statement belongs to one
# server connection). On by default without a pooler; off by default behind one, and refused there
# when asked for.
DB_SERVER_SIDE_BINDING = env_bool("DB_SERVER_SIDE_BINDING", not DATABASE_POOLER)
if DB_SERVER_SIDE_BINDING and DATABASE_POOLER:
    raise RuntimeError("DB_SERVER_SIDE_BINDING=1 cannot be combined with DATABASE_POOLER (prepared statements are per server connection)")
DB_PREPARE_THRESHOLD = int(os.environ.get("DB_PREPARE_THRESHOLD", "2"))


def _database(url: str, *, replica: bool = False) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60 if replica else 0, conn_health_checks=replica)
    # Django's PostgreSQL backend plus commit/rollback hooks for the audit log lines (distribution/ops/postgresql).
    config["ENGINE"] = "distribution.ops.postgresql"
    options = config.setdefault("OPTIONS", {})
    # No JIT: the planner's cost of the API products/ keyset (a UNION ALL of two index ranges per
    # partnership, each with the product-line subplan) passes jit_above_cost at 1,000,000 products,
    # and compiling it took 18.5 of 18.9 s (the statement itself: 0.4 s). Short OLTP statements never
    # win from JIT. Behind a pooler the startup option is not passed: set it on the role or database
    # there (ALTER ROLE … SET jit = off).
    if DATABASE_POOLER:
        options["prepare_threshold"] = None
    else:
        options["options"] = "-c jit=off"
        if DB_SERVER_SIDE_BINDING:
            options["server_side_binding"] = True
            options["prepare_threshold"] = DB_PREPARE_THRESHOLD
    if replica:
        options["connect_timeout"] = int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))
        config["TEST"] = {"MIRROR": "default"}
    elif DB_POOL:
        options["pool"] = {"min_size": 1, "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "20")), "timeout": 10}
    return config


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/distribution"))}
# Read replica (a streaming standby): read-only pages, feeds, statements and API lists read it,
# with read-your-writes (distribution/ops/db.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL, replica=True)
DATABASE_ROUTERS = ["distribution.ops.db.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "5"))
DATABASE_REPLICA_VIEWS = [
    "resellers:catalog",
    "resellers:catalog_product",
    "resellers:catalog_supplier",
    "resellers:feed_products",
    "resellers:feed_stock",
    "settlement:statement_csv",
    "suppliers:export",
    "procurement:supplier_ship_queue_csv",
    "api-v1:list_products",
    "api-v1:list_inventory",
    "api-v1:list_skus",
    "api-v1:supplier_list",
    "reports:supplier_sales",
    "reports:supplier_service",
    "reports:supplier_stock",
    "reports:reseller_spend",
    "reports:reseller_compliance",
    "reports:platform",
    "reports:digest",  # its GET (the opt-out is a POST: never routed)
    "api-v1:place",  # GET on purchase-orders/ is the reseller's PO list (POST places: never routed)
]

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", REDIS_URL)
# Redis is optional for correctness: while it is down the cache serves misses and drops writes
# (distribution/core/cache.py); sessions live in the database (Django's default engine).
if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test workers (pytest -n) each get their own Redis database (13, 14, …): one
    # worker's cache.clear() (a FLUSHDB) must not wipe another's rate-limit counters.
    CACHE_REDIS_URL = CACHE_REDIS_URL.rsplit("/", 1)[0] + f"/{(13 + int(os.environ['PYTEST_XDIST_WORKER'][2:])) % 16}"
CACHES = {
    "default": {
        "BACKEND": "distribution.core.cache.ResilientRedisCache",
        "LOCATION": CACHE_REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "distribution"),
        "OPTIONS": {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 1.0,
            "DOWN_RETRY_AFTER": float(os.environ.get("CACHE_DOWN_RETRY_AFTER", "5")),
        },
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

# django-allauth: email is the login; the two signup pages are our own views.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Only the reset form is ours (answers alike for known and unknown addresses); "signup" stays unset.
ACCOUNT_FORMS = {"reset_password": "accounts.forms.ResetPasswordForm"}
# Signup answers "this email is already registered" on the field (SPEC §7: errors name the field).
ACCOUNT_PREVENT_ENUMERATION = False
# Login throttle (site and admin, accounts/adapter.py): 5 failures per account *from one address*
# in 5 minutes, and 30 per address across all accounts. Addresses: TRUSTED_PROXY_COUNT below.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_FAILED_RATE_LIMIT", "5/5m/key,30/5m/ip"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}

# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, the header is ignored).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Thousands separators in every language (Django's Chinese formats have none): distribution/formats/
FORMAT_MODULE_PATH = ["distribution.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# Files: the filesystem by default (``make run``); STORAGE_BACKEND=s3 puts uploads in an
# S3-compatible bucket through django-storages (AWS S3, MinIO, Ceph, OSS/COS S3 endpoints).
# "default" holds public media (product images); "private" holds files only their parties may
# read (message attachments, dispute evidence, receipts): its own bucket, never public, files
# served through the access-checked views (or short-lived signed URLs, querystring_auth).
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem").strip().lower()
if STORAGE_BACKEND == "s3":
    _s3 = {
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
        "custom_domain": None,
        "file_overwrite": False,
    }
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "default_acl": None,
        },
    }
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME", os.environ["AWS_STORAGE_BUCKET_NAME"]),
            "location": os.environ.get("AWS_PRIVATE_LOCATION", "private" if not os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME") else ""),
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_PRIVATE_URL_EXPIRE_SECONDS", "300")),
            "default_acl": "private",
        },
    }
elif STORAGE_BACKEND == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
else:
    raise RuntimeError("STORAGE_BACKEND must be 'filesystem' or 's3'")
# Every file under MEDIA_URL is answered by an access-checked view (distribution/core/media.py).
# In production let the web server send the bytes after the check: nginx with an ``internal``
# location aliased to MEDIA_ROOT (MEDIA_ACCEL_REDIRECT_PREFIX=/protected-media/), or Apache/lighttpd
# with mod_xsendfile (MEDIA_X_SENDFILE=on). Neither set: Django streams the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "")
MEDIA_X_SENDFILE = env_bool("MEDIA_X_SENDFILE", False)
STORAGES = {
    "default": _media_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Pillow refuses to open images above this many pixels (decompression bombs); each upload kind has
# a lower limit of its own (distribution/core/uploads.py).
UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("UPLOAD_MAX_IMAGE_PIXELS", "50000000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "分銷平台 <no-reply@distribution.test>")

# Celery: Redis broker, the beat schedule lives in distribution/celery.py.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test workers get their own broker database too (11, 12, …): one worker's kicks
    # must not show up in another's queue lengths (the metrics and operator-page tests read LLEN).
    CELERY_BROKER_URL = CELERY_BROKER_URL.rsplit("/", 1)[0] + f"/{(11 + int(os.environ['PYTEST_XDIST_WORKER'][2:])) % 16}"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
# Queues (README "Workers and queues"): the minute timers have a worker of their own, so a webhook
# storm, a slow import or a stuck mail server never delays a deadline. Every task is routed by name
# (tests/test_celery_routes.py keeps this list complete); limits are per task, these are the fallback.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = (
    # The outbox's dispatcher runs on the queue it dispatches (its handlers registered their queue).
    "distribution.celery.route_outbox_dispatch",
    {
        "distribution.core.tasks.run_sweep": {"queue": "timers"},
        "distribution.core.tasks.sweep_deadlines": {"queue": "timers"},
        # the daily listing inspection (up to 30 min) runs beside imports and e-mail, never in a timers slot
        "distribution.core.tasks.run_slow_sweep": {"queue": "default"},
        "distribution.core.tasks.heartbeat": {"queue": "timers"},
        "compliance.tasks.compute_monthly_rebates": {"queue": "timers"},
        "distribution.api.tasks.deliver_webhook": {"queue": "webhooks"},
        "suppliers.tasks.run_import_job": {"queue": "imports"},
    },
)
# The queues the workers consume (Procfile, docker-compose.yml); an outbox handler must use one of them.
CELERY_QUEUES_CONSUMED = ("timers", "webhooks", "imports", "email", "default")
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360

# Platform rules (SPEC §4): periods are settings.
PO_PAY_WITHIN = timedelta(days=int(os.environ.get("PO_PAY_WITHIN_DAYS", "7")))
PO_SHIP_WITHIN = timedelta(days=int(os.environ.get("PO_SHIP_WITHIN_DAYS", "15")))
PO_CONFIRM_WITHIN = timedelta(days=int(os.environ.get("PO_CONFIRM_WITHIN_DAYS", "30")))
# After-sales (售後): the seven days' no-reason window, and the timers of a request.
AFTERSALES_NO_REASON_WITHIN = timedelta(days=7)
AFTERSALES_RESPOND_WITHIN = timedelta(days=int(os.environ.get("AFTERSALES_RESPOND_WITHIN_DAYS", "3")))  # supplier silent → agreed
AFTERSALES_REPLY_WITHIN = timedelta(days=7)  # reseller does not answer a refusal or proposal → closed
AFTERSALES_RETURN_WITHIN = timedelta(days=7)  # reseller does not ship back → closed
AFTERSALES_RECEIVE_WITHIN = timedelta(days=7)  # supplier does not confirm arrival this long after the return was delivered → refunded
AFTERSALES_RETURN_TRANSIT = timedelta(days=5)  # a return whose delivery nobody reports counts as delivered this long after shipping
PARTNERSHIP_NOTICE_PERIOD = timedelta(days=10)
SWEEP_BATCH_SIZE = int(os.environ.get("SWEEP_BATCH_SIZE", "100"))
# The PO timers change a whole batch in a few set-based statements, so their batches are larger.
SWEEP_TIMER_BATCH_SIZE = int(os.environ.get("SWEEP_TIMER_BATCH_SIZE", "2500"))
# Batches of one money timer run at once, each on its own thread and database connection (1: one loop).
SWEEP_TIMER_WORKERS = int(os.environ.get("SWEEP_TIMER_WORKERS", "2"))
# A row that fails is retried after SWEEP_RETRY_AFTER × 2^(failures-1) and quarantined after N failures.
SWEEP_RETRY_AFTER = timedelta(seconds=int(os.environ.get("SWEEP_RETRY_AFTER_SECONDS", "60")))
SWEEP_QUARANTINE_AFTER = int(os.environ.get("SWEEP_QUARANTINE_AFTER", "5"))
# Beat counts as stale (operator view) when its heartbeat is older than this.
BEAT_HEARTBEAT_STALE_AFTER = timedelta(minutes=5)
# An import's worker renews its lease as it goes; past it the job is resumed, at most this many runs in all.
IMPORT_JOB_LEASE = timedelta(seconds=int(os.environ.get("IMPORT_JOB_LEASE_SECONDS", "120")))
IMPORT_JOB_MAX_ATTEMPTS = int(os.environ.get("IMPORT_JOB_MAX_ATTEMPTS", "2"))
# The outbox (distribution/core/outbox.py): a worker's claim on a row lasts OUTBOX_LEASE; a row
# failing OUTBOX_MAX_ATTEMPTS times is quarantined; the sweep re-kicks rows overdue by
# OUTBOX_KICK_GRACE and forgets done rows after OUTBOX_KEEP_DONE. product.updated is coalesced
# per SKU over PRODUCT_UPDATED_WINDOW.
OUTBOX_LEASE = timedelta(minutes=5)
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
OUTBOX_KICK_GRACE = timedelta(minutes=1)
OUTBOX_KEEP_DONE = timedelta(days=3)
PRODUCT_UPDATED_WINDOW = timedelta(seconds=float(os.environ.get("PRODUCT_UPDATED_WINDOW_SECONDS", "5")))
INVITATION_VALID_FOR = timedelta(days=7)

# JSON API v1 (distribution/api): requests per key per minute; webhook delivery.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", "120"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_RETRY_FOR = timedelta(hours=24)
# Deliveries to loopback/private addresses are refused in production (SSRF); allowed in development.
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", not PRODUCTION)
API_IDEMPOTENCY_KEEP = timedelta(days=30)

MESSAGE_TAGS_CSS = {"error": "danger"}

# Operations (distribution/ops): the metrics endpoint exists only with a token; the Celery queues
# whose lengths are reported.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
OPS_CELERY_QUEUES = env_list("OPS_CELERY_QUEUES", "timers,webhooks,imports,email,default,celery")

# Logs: one JSON object per line in production (python-json-logger), readable lines in
# development; every record carries the request id (X-Request-ID) of the request it belongs to.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "distribution.ops.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes and scrapes on the private network
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

__all__ = ["_"]

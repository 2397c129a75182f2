"""Settings shared by every environment.

Configuration comes only from the environment (twelve-factor). With nothing
set, the embedded default runs: an SQLite file in the project folder and
Celery in eager mode, so that `make demo` needs no server at all.
"""

from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def envbool(name: str, default: bool) -> bool:
    """Strict boolean: only the words True/False (any case), 1/0 are accepted."""
    value = env.str(name, default=str(default))
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"{name} must be True or False, not {value!r}")


SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "chunshu_union.admin_site.StaffUnfoldConfig",
    "unfold.contrib.filters",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "auditlog",
    "axes",
    "csp",
    "chunshu_union.imports",
    "accounts",
    "enterprises",
    "members",
    "dues",
    "services",
    "surveys",
    "dashboard",
    "notices",
    "joining",
    "demo",  # last: the demo street, which no app imports
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their caching and carry no policy.
    "chunshu_union.middleware.NoStoreMiddleware",
    "chunshu_union.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chunshu_union.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the dashboard's, exports' and API's reads for the replica, if any.
    "chunshu_union.db_router.ReplicaReadsMiddleware",
    # Before anything reads a request's body (CSRF's check is later, in process_view).
    "chunshu_union.uploads.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chunshu_union.urls"
WSGI_APPLICATION = "chunshu_union.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A read replica (docs/SCALING.md): the dashboard's, the exports' and the
# API's reads go there (chunshu_union.db_router); everything else, and every
# write, to the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
DATABASE_REPLICA_READS = "replica" in DATABASES
DATABASE_ROUTERS = ["chunshu_union.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Uploads. A request body larger than UPLOAD_MAX_REQUEST_BYTES is refused
# from its Content-Length before anything reads it, and a file growing past
# IMPORT_MAX_FILE_BYTES while it streams in is stopped
# (chunshu_union.uploads); the web server in front says the same with
# client_max_body_size (README). The importers then check, before parsing,
# the zip's entries and uncompressed size, and what each sheet would hold
# once parsed (rows, and cells of the rectangle the parser allocates:
# chunshu_union.tabular.extent). An honest 200,000-row roster of the
# template's 13 columns unpacks to about 110 MB (125 MB as Excel writes it)
# and its sheet to 2.6 million cells: 200 MB and 5 million cells leave room
# for wider sheets, and keep the most one accepted file can take in the
# worker near what that roster takes (docs/PERFORMANCE.md, "Hostile uploads").
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_ZIP_ENTRIES = env.int("IMPORT_MAX_ZIP_ENTRIES", default=1000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=5_000_000)
# The file plus the form around it (other fields, multipart boundaries).
UPLOAD_MAX_REQUEST_BYTES = env.int(
    "UPLOAD_MAX_REQUEST_BYTES", default=IMPORT_MAX_FILE_BYTES + 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "chunshu_union.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Imports (chunshu_union.imports: rosters, declarations, sheets): uploaded
# files wait here until they are confirmed or cancelled. No URL serves this
# folder (the git-ignored media/ tree is not routed); in production point it
# outside any web root. (ROSTER_UPLOAD_ROOT, its former name, is still read.)
IMPORT_UPLOAD_ROOT = env.path(
    "IMPORT_UPLOAD_ROOT",
    default=env.path("ROSTER_UPLOAD_ROOT", default=BASE_DIR / "media" / "private" / "imports"),
)
# Or, with web and workers on different machines, a private bucket in
# S3-compatible object storage (chunshu_union/storage.py, docs/SCALING.md).
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
STORAGE_S3_ENDPOINT_URL = env.str("STORAGE_S3_ENDPOINT_URL", default="")
STORAGE_S3_ACCESS_KEY = env.str("STORAGE_S3_ACCESS_KEY", default="")
STORAGE_S3_SECRET_KEY = env.str("STORAGE_S3_SECRET_KEY", default="")
STORAGE_S3_REGION = env.str("STORAGE_S3_REGION", default="us-east-1")
STORAGE_S3_PREFIX = env.str("STORAGE_S3_PREFIX", default="imports")
# The portal lists ROSTER_PREVIEW_PAGE rows of each kind per page.
ROSTER_PREVIEW_PAGE = 100
# A batch keeps the first ROSTER_FAULTY_ROWS_KEPT faulty rows (their faults,
# and their cells sealed with FIELD_ENCRYPTION_KEY for the error report) and
# counts the rest per column. Those rows and the uploaded file are deleted when
# the import is cancelled, fails or is undone, and IMPORT_FILES_DAYS after the
# upload at the latest (the nightly beat task imports.purge).
ROSTER_FAULTY_ROWS_KEPT = env.int("ROSTER_FAULTY_ROWS_KEPT", default=1000)
IMPORT_FILES_DAYS = env.int(
    "IMPORT_FILES_DAYS", default=env.int("ROSTER_ERROR_ROWS_DAYS", default=7)
)
# A check that shows no sign of work for IMPORT_STALE_SECONDS (a commit: for
# the task's hard time limit) was left by a dead worker; a step no worker took
# within IMPORT_QUEUE_GRACE_SECONDS (the broker was down) is sent again. The
# reaper (imports.reap, every minute) retries a dead step up to
# IMPORT_MAX_ATTEMPTS times, then fails it with a reason.
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=300)
IMPORT_QUEUE_GRACE_SECONDS = env.int("IMPORT_QUEUE_GRACE_SECONDS", default=60)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)
# A lookup by full ID number is an oracle (see members/id_lookup.py): each
# is logged, and a user may make this many in an hour.
ID_NUMBER_LOOKUPS_PER_HOUR = env.int("ID_NUMBER_LOOKUPS_PER_HOUR", default=60)

# Personal data. The resident ID number is stored encrypted (AES-GCM) with a
# keyed HMAC digest for uniqueness and exact lookup. Production must set
# both keys; dev and test settings supply their own.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
ID_NUMBER_HMAC_KEY = env.str("ID_NUMBER_HMAC_KEY", default="")

# Celery. The broker is CELERY_BROKER_URL (RabbitMQ in production,
# amqp://user:password@host:5672/vhost), else REDIS_URL (Redis as broker
# too, as before). REDIS_URL is also the cache. With neither, tasks run
# eagerly in the calling process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, and given back when its worker dies:
# RabbitMQ hands it out again as soon as the worker's connection drops (a
# killed worker's socket closes at once; a silent network, after two missed
# heartbeats), Redis only once the visibility timeout has passed. A task
# that comes back redelivered may take over its step at once (the imports'
# `_take`); one worker holds one task at a time, so a dead worker leaves one.
# The queue the tasks go to and the workers read (CI gives each run its own).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_HEARTBEAT = env.int("CELERY_BROKER_HEARTBEAT", default=60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost the broker stops its long tasks: their messages go to
# another worker, which must not find the first still writing.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# The timing rule (docs/OPERATIONS.md, "Brokers and recovery"):
#   CELERY_TASK_TIME_LIMIT (T) < Redis' visibility timeout, and < RabbitMQ's
#   consumer_timeout (a server setting, 30 minutes by default: docker-compose
#   sets 1 hour), so a task still running is never handed to a second worker;
#   the reaper (imports.reap, every minute) takes a check for dead after
#   IMPORT_STALE_SECONDS without a heartbeat and a commit (one silent
#   transaction) after T + 60 s, so on Redis a dead worker's import is
#   taken up again within IMPORT_STALE_SECONDS + 1 min (check) or T + 2 min
#   (commit), well before the visibility timeout; on RabbitMQ within
#   seconds of a worker starting.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(5 * 60, CELERY_TASK_TIME_LIMIT // 6)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": max(60 * 60, 2 * CELERY_TASK_TIME_LIMIT)}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CACHES = {
    "default": (
        env.cache("REDIS_URL")
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": "2000/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chunshu Union API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from static/ (the drf-spectacular-sidecar package), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy (django-csp): every script, style sheet, font and
# image comes from this site (static/), no inline script runs unless it
# carries the request's nonce, no inline style, no plugin, no framing.
# data: images are the small icons style sheets embed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# What the staff admin (django-unfold) needs on top, under /admin/ only
# (chunshu_union.middleware): unfold drives its pages with Alpine.js, whose
# standard build evaluates the x-data and @click expressions written in
# unfold's templates with the Function constructor ('unsafe-eval'), and it
# writes its theme colours in a <style> block and style attributes
# ('unsafe-inline' for styles). Inline scripts stay refused there too.
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {
    "script-src": [UNSAFE_EVAL],
    "style-src": [UNSAFE_INLINE],
}

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind a reverse proxy every request comes from the proxy's address, so
# the lockout would shut a user out for everyone. The client's address is
# then the one the proxy appends to X-Forwarded-For (the TRUSTED_PROXY_COUNT-th
# from the right); with 0, the default, the header is ignored, since a client
# reaching gunicorn directly could write anything in it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "chunshu_union.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

AUDITLOG_INCLUDE_ALL_MODELS = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"

# Domain settings.
DECLARATION_RATE_TARGET = env.float("DECLARATION_RATE_TARGET", default=85.0)
ZOMBIE_QUARTERS = env.int("ZOMBIE_QUARTERS", default=2)

# Services (issue 7). Emergency-aid caps in yuan: per case, and the total
# approved for one member within a calendar year; attachments (scans of
# supporting documents) by size and by content type (magic bytes, never the
# name); the "two 2s": enterprise visits per cadre per ISO week, community
# visits per cadre per calendar month.
AID_MAX_PER_CASE = Decimal(env.str("AID_MAX_PER_CASE", default="5000.00"))
AID_MAX_PER_MEMBER_YEAR = Decimal(env.str("AID_MAX_PER_MEMBER_YEAR", default="10000.00"))
AID_ATTACHMENT_MAX_BYTES = env.int("AID_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
AID_ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
TWO_TWOS_ENTERPRISE_VISITS_PER_WEEK = env.int("TWO_TWOS_ENTERPRISE_VISITS_PER_WEEK", default=2)
TWO_TWOS_COMMUNITY_VISITS_PER_MONTH = env.int("TWO_TWOS_COMMUNITY_VISITS_PER_MONTH", default=2)

# Notices (issue 19, docs/NOTICES.md). Email: EMAIL_URL in django-environ's
# form, e.g. smtp+tls://user:password@smtp.example.cn:587 (smtp://, smtps://;
# consolemail:// prints to the console, the default). SMS: NOTICE_SMS_BACKEND,
# the file backend by default (one JSON line a message in NOTICE_SMS_FILE);
# production sets notices.sms.TencentBackend and the TENCENT_SMS_* below.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@chunshu-union.local")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
NOTICE_SMS_BACKEND = env.str("NOTICE_SMS_BACKEND", default="notices.sms.FileBackend")
NOTICE_SMS_FILE = env.path("NOTICE_SMS_FILE", default=BASE_DIR / "media" / "private" / "sms.jsonl")
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_SDK_APP_ID = env.str("TENCENT_SMS_SDK_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env.str("TENCENT_SMS_SIGN_NAME", default="")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="sms.tencentcloudapi.com")
TENCENT_SMS_TIMEOUT = env.int("TENCENT_SMS_TIMEOUT", default=10)
# kind=template id, comma separated: join_approved=2000001,join_refused=2000002,...
TENCENT_SMS_TEMPLATES = env.dict("TENCENT_SMS_TEMPLATES", default={})
# No SMS from 21:00 to 08:00 Beijing time (they wait for the morning); at
# most NOTICE_DAILY_CAP messages a day to one phone or address (the rest wait
# for the next day); a temporary failure is tried NOTICE_MAX_ATTEMPTS times,
# NOTICE_RETRY_SECONDS apart at first, doubling.
NOTICE_QUIET_HOURS = tuple(env.list("NOTICE_QUIET_HOURS", cast=int, default=[21, 8]))
NOTICE_DAILY_CAP = env.int("NOTICE_DAILY_CAP", default=5)
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=5)
NOTICE_RETRY_SECONDS = env.int("NOTICE_RETRY_SECONDS", default=60)
NOTICE_SENDING_STALE_SECONDS = env.int("NOTICE_SENDING_STALE_SECONDS", default=15 * 60)
# The site's address, for the links in emails (empty: no link).
NOTICE_SITE_URL = env.str("NOTICE_SITE_URL", default="")

# Online join applications (issue 19, docs/JOINING.md): per address and per
# ID number, at most this many submissions an hour; a form's body at most
# JOIN_MAX_REQUEST_BYTES; status look-ups per address an hour.
JOIN_PER_ADDRESS_PER_HOUR = env.int("JOIN_PER_ADDRESS_PER_HOUR", default=20)
JOIN_PER_ID_PER_DAY = env.int("JOIN_PER_ID_PER_DAY", default=3)
JOIN_LOOKUPS_PER_ADDRESS_PER_HOUR = env.int("JOIN_LOOKUPS_PER_ADDRESS_PER_HOUR", default=30)
JOIN_MAX_REQUEST_BYTES = env.int("JOIN_MAX_REQUEST_BYTES", default=8 * 1024)
# What the consent says: how long an application is kept after its decision.
JOIN_KEEP_DAYS = env.int("JOIN_KEEP_DAYS", default=180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

from .unfold import UNFOLD  # noqa: E402,F401  (the admin's look, kept apart)

"""PostQC settings: one file, every value read from the environment.

docs/configuration.md lists each variable, its default and what it does.
"""
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from postqc.core.env import DatabaseUrl, env_bool, env_int, env_list, env_redis_url, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("POSTQC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (e.g. 50 random characters).")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # serves the OpenAPI page's Swagger UI from our static files instead of a CDN
    "postqc.core",
    "postqc.org",
    "postqc.standards",
    "postqc.learning",
    "postqc.contests",
    "postqc.surveys",
    "postqc.inspections",
    "postqc.delivery",
    "postqc.tracking",
    "postqc.stations",
    "postqc.api",
    "postqc.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "postqc.core.middleware.PasswordChangeRequiredMiddleware",
    "postqc.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "postqc.urls"
WSGI_APPLICATION = "postqc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "postqc.core.context_processors.faces",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# Unset → embedded SQLite (WAL, IMMEDIATE transactions); postgres://… → PostgreSQL
# through psycopg 3 with its connection pool.
_database_url = env_str("DATABASE_URL").strip()
if _database_url:
    _db = parse_database_url("DATABASE_URL", _database_url)
else:
    _db = DatabaseUrl(engine="sqlite3", name=str(VAR_DIR / "postqc.sqlite3"))

if _db.engine == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "CONN_MAX_AGE": 0,  # the pool keeps connections; Django must not hold them too
            "OPTIONS": {
                "pool": {
                    "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
                    "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=1),
                    "timeout": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
                }
                if env_bool("DATABASE_POOL", True)
                else False,
                # Statements run through core.db.hot_cursor() (the answer hot paths) are prepared
                # the fifth time a connection runs them; the ORM's are not (core/db.py says why).
                # None turns preparing off: behind a pooler in transaction mode (PgBouncer before
                # 1.21), which cannot keep prepared statements.
                "prepare_threshold": (env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0)
                                      if env_bool("DATABASE_PREPARE", True) else None),
                **(_db.options or {}),
            },
            "TEST": {"NAME": env_str("DATABASE_TEST_NAME", f"test_{_db.name}")},
        }
    }
else:
    Path(_db.name).parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _db.name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DATABASE_IS_POSTGRES = _db.engine == "postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker ---------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "postqc.core.cache.PostQCRedisCache", "LOCATION": REDIS_URL}}
else:
    # Per process; the practice hot path keeps a few entries per question, token and unit (default cap: 300).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "postqc",
                          "OPTIONS": {"MAX_ENTRIES": 20_000}}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic tasks run by `celery -A postqc beat` (with REDIS_URL). The exam engine submits attempts
# whose time is over every minute; without a broker `postqc expire_attempts` does it from cron.
CELERY_BEAT_SCHEDULE = {
    "contests-expire-attempts": {"task": "contests.expire_attempts", "schedule": 60.0},
}
# How background jobs run without a broker: "thread" (in the web process, so the
# page can show progress) or "inline" (in the caller; used by tests and commands).
JOBS_FALLBACK = env_str("JOBS_FALLBACK", "thread")
if JOBS_FALLBACK not in {"thread", "inline"}:
    raise ImproperlyConfigured(f"JOBS_FALLBACK={JOBS_FALLBACK!r} must be 'thread' or 'inline'.")

# 给据邮件跟踪: China Post's domestic numbering was not confirmed; numbers matching this regular
# expression are accepted besides UPU S10 (docs/tracking.md). The public lookup's answers are
# cached this many seconds, and each client IP may look up this many numbers a minute.
TRACKING_DOMESTIC_PATTERN = env_str("TRACKING_DOMESTIC_PATTERN", r"\d{13}")
try:
    re.compile(TRACKING_DOMESTIC_PATTERN)
except re.error as error:
    raise ImproperlyConfigured(f"TRACKING_DOMESTIC_PATTERN is not a regular expression: {error}") from None
TRACKING_PUBLIC_CACHE_SECONDS = env_int("TRACKING_PUBLIC_CACHE_SECONDS", 60, minimum=0)
TRACKING_PUBLIC_RATE_LIMIT = env_int("TRACKING_PUBLIC_RATE_LIMIT", 30, minimum=1)

# --- Authentication ------------------------------------------------------------
AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("employee_no", "name", "phone")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "postqc.core.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_CACHE = "default"
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0) or None

API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)
# 整改问责: days a finding gets to be fixed, from the inspection day (docs/inspections.md).
RECTIFY_DAYS_CRITICAL = env_int("RECTIFY_DAYS_CRITICAL", 7, minimum=1)
RECTIFY_DAYS = env_int("RECTIFY_DAYS", 15, minimum=1)

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "postqc" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files (all vendored; served by WhiteNoise) ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 20, minimum=1) * 1024 * 1024

# --- Security ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_DAYS", 14, minimum=1) * 86400
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

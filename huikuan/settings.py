"""Settings from the environment, with embedded defaults that work on a fresh machine.

Every knob a deployment turns is an environment variable; nothing here needs editing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUIKUAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huikuan.core",
    "huikuan.org",
    "huikuan.customers",
    "huikuan.sales",
    "huikuan.receivables",
    "huikuan.mortgages",
    "huikuan.banking",
    "huikuan.dunning",
    "huikuan.notifications",
    "huikuan.reports",
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
]

ROOT_URLCONF = "huikuan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huikuan" / "templates"],
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

WSGI_APPLICATION = "huikuan.wsgi.application"

# --- database -------------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL=postgres://… selects PostgreSQL (production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'huikuan.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction begins, so two writers serialise instead of
    # one failing half-way with "database is locked"; WAL lets readers go on meanwhile. Pages read through a
    # memory map (up to 1 GiB of the file): reconciliation's many-row writes search the indexes with fewer system
    # calls (100k × 1M store: 13.5 s → 12.7 s).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;",
    }
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "huikuan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from here after collectstatic
STATICFILES_DIRS = [BASE_DIR / "huikuan" / "static"]
MEDIA_ROOT = VAR_DIR / "media"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["huikuan.core.permissions.StaffRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "huikuan API",
    "DESCRIPTION": "回款 — contracts, payment plans, receivables, receipts and allocations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # several models have a `status` or `kind` with different choices: each enum gets its own name
    "ENUM_NAME_OVERRIDES": {
        "UnitStatusEnum": "huikuan.org.choices.UnitStatus",
        "ContractStatusEnum": "huikuan.sales.choices.ContractStatus",
        "ApprovalStatusEnum": "huikuan.receivables.choices.ApprovalStatus",
        "CustomerKindEnum": "huikuan.customers.choices.CustomerKind",
        "ReceivableKindEnum": "huikuan.receivables.choices.ReceivableKind",
        "EntryKindEnum": "huikuan.receivables.choices.EntryKind",
        "MessageStatusEnum": "huikuan.notifications.choices.MessageStatus",
        "DocumentKindEnum": "huikuan.mortgages.choices.DocumentKind",
        "DocumentStatusEnum": "huikuan.mortgages.choices.DocumentStatus",
        "LoanStageEnum": "huikuan.mortgages.choices.Stage",
        "MatchStatusEnum": "huikuan.banking.choices.MatchStatus",
        "ExceptionKindEnum": "huikuan.banking.choices.ExceptionKind",
        "StatementStatusEnum": "huikuan.banking.choices.StatementStatus",
        "ImportJobStatusEnum": "huikuan.banking.choices.ImportJobStatus",
        "TransactionDirectionEnum": "huikuan.banking.choices.Direction",
        "CallOutcomeEnum": "huikuan.dunning.choices.CallOutcome",
        "DisputeOutcomeEnum": "huikuan.dunning.choices.DisputeOutcome",
        "DisputeSourceEnum": "huikuan.dunning.choices.DisputeSource",
        "ReceiptSourceEnum": "huikuan.receivables.choices.ReceiptSource",
        "WarningLevelEnum": "huikuan.dunning.choices.Level",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# With no broker configured the tasks travel through a SQLite file (kombu's SQLAlchemy transport),
# so `make run` needs no extra server. CELERY_BROKER_URL=redis://… moves them onto Redis workers.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
_SQLITE_RESULTS = f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else _SQLITE_RESULTS)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "huikuan@localhost")

# --- reminders (huikuan.notifications; see docs/notifications.md) ---------------------------
NOTIFICATIONS_SMS_BACKEND = os.environ.get("NOTIFICATIONS_SMS_BACKEND",
                                           "huikuan.notifications.channels.sms_file.FileSmsChannel")
NOTIFICATIONS_SMS_ENDPOINT = os.environ.get("NOTIFICATIONS_SMS_ENDPOINT", "")
NOTIFICATIONS_SMS_ACCESS_KEY_ID = os.environ.get("NOTIFICATIONS_SMS_ACCESS_KEY_ID", "")
NOTIFICATIONS_SMS_ACCESS_KEY_SECRET = os.environ.get("NOTIFICATIONS_SMS_ACCESS_KEY_SECRET", "")
NOTIFICATIONS_SMS_SIGN_NAME = os.environ.get("NOTIFICATIONS_SMS_SIGN_NAME", "")
NOTIFICATIONS_SMS_TEMPLATE_CODE = os.environ.get("NOTIFICATIONS_SMS_TEMPLATE_CODE", "")
NOTIFICATIONS_PUSH_URL = os.environ.get("NOTIFICATIONS_PUSH_URL", "")
NOTIFICATIONS_PUSH_SECRET = os.environ.get("NOTIFICATIONS_PUSH_SECRET", "")
NOTIFICATIONS_PUBLIC_BASE_URL = os.environ.get("NOTIFICATIONS_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
NOTIFICATIONS_SENDER_NAME = os.environ.get("NOTIFICATIONS_SENDER_NAME", "huikuan")
NOTIFICATIONS_DAILY_LIMIT = int(os.environ.get("NOTIFICATIONS_DAILY_LIMIT", "3"))

# --- domain defaults ------------------------------------------------------------------------
HUIKUAN = {
    # Contract terms when a contract does not state its own.
    "LATE_FEE_DAILY_RATE": os.environ.get("HUIKUAN_LATE_FEE_DAILY_RATE", "0.0005"),
    "LATE_FEE_GRACE_DAYS": int(os.environ.get("HUIKUAN_LATE_FEE_GRACE_DAYS", "0")),
    "LATE_FEE_CAP_RATIO": os.environ.get("HUIKUAN_LATE_FEE_CAP_RATIO", "0.05"),
    # reconciliation: confidence at or above AUTO is allocated at once; at or above SUGGEST, proposed
    "MATCH_AUTO_THRESHOLD": os.environ.get("HUIKUAN_MATCH_AUTO_THRESHOLD", "0.9"),
    "MATCH_SUGGEST_THRESHOLD": os.environ.get("HUIKUAN_MATCH_SUGGEST_THRESHOLD", "0.6"),
    "MATCH_WRITE_OFF_TOLERANCE": os.environ.get("HUIKUAN_MATCH_WRITE_OFF_TOLERANCE", "10.00"),
    # overdue snapshots: every scan date is kept this many days; older, only each month's last scan
    "OVERDUE_SNAPSHOT_DAYS": int(os.environ.get("HUIKUAN_OVERDUE_SNAPSHOT_DAYS", "92")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

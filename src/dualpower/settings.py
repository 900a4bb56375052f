"""dualpower's one settings module, driven by ``DUALPOWER_*`` environment variables.

Local default: SQLite in ``DUALPOWER_DATA_DIR`` (``./data``), a secret key generated on the
first run and kept there. ``DUALPOWER_MODE=production`` turns on every deployment check
(``manage.py check --deploy --fail-level WARNING`` passes) and then requires
``DUALPOWER_SECRET_KEY`` and ``DUALPOWER_ALLOWED_HOSTS``. ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dualpower.core.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
MODE = env_str("DUALPOWER_MODE", "development")
PRODUCTION = MODE == "production"
DATA_DIR = Path(env_str("DUALPOWER_DATA_DIR", str(Path.cwd() / "data"))).resolve()


def _secret_key() -> str:
    key = env_str("DUALPOWER_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("DUALPOWER_MODE=production needs DUALPOWER_SECRET_KEY")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DUALPOWER_DEBUG", default=False)
ALLOWED_HOSTS = env_list(
    "DUALPOWER_ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
)
CSRF_TRUSTED_ORIGINS = env_list("DUALPOWER_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("DUALPOWER_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "dualpower.accounts",
    "dualpower.bodies",
    "dualpower.ledger",
    "dualpower.decisions",
    "dualpower.notifications",
    "dualpower.federation",
    "dualpower.listings",
    "dualpower.web",
    "dualpower.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dualpower.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dualpower.web.middleware.FormErrorStatusMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "dualpower.urls"
WSGI_APPLICATION = "dualpower.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    # Connections live a minute; each request first checks that its connection still
    # works, so a worker whose database restarted reconnects instead of answering a 500.
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "dualpower.sqlite3"),
            # WAL and a busy timeout let the worker and the server share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

AUTH_USER_MODEL = "accounts.Person"
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
LOGIN_REDIRECT_URL = "web:my_bodies"
ACCOUNT_LOGOUT_REDIRECT_URL = "web:home"

# django-allauth: e-mail is the login; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("DUALPOWER_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[dualpower] "
if not PRODUCTION:
    ACCOUNT_RATE_LIMITS = False  # production keeps allauth's default limits

EMAIL_BACKEND = env_str("DUALPOWER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DUALPOWER_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("DUALPOWER_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("DUALPOWER_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("DUALPOWER_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("DUALPOWER_SMTP_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DUALPOWER_FROM_EMAIL", "dualpower <noreply@localhost>")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How long the API keeps an Idempotency-Key, and so how long a retry replays its answer.
IDEMPOTENCY_DAYS = env_int("DUALPOWER_IDEMPOTENCY_DAYS", 7)
if IDEMPOTENCY_DAYS < 1:
    raise ImproperlyConfigured("DUALPOWER_IDEMPOTENCY_DAYS must be 1 or more")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the page, not the cookie; kept default.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DUALPOWER_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DUALPOWER_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DUALPOWER_LOG_LEVEL", "WARNING")},
}

"""Settings for Värn. Everything that differs between machines comes from
environment variables (documented in README.md); the defaults suit a laptop."""
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from varn.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# VARN_DEBUG=1 is the development server of `make run`: a fixed secret key,
# e-mail on the console, plain HTTP and static files from the source folders.
DEVELOPMENT = env_bool("VARN_DEBUG", False)
# Django's technical pages (tracebacks, and a 404 that lists every URL) only
# for a developer who asks for them with VARN_TECHNICAL_PAGES=1. `make run`
# is also the demo: a case one may not see answers with the product's own 404
# page, as in production. Errors are logged on the console either way.
DEBUG = DEVELOPMENT and env_bool("VARN_TECHNICAL_PAGES", False)
# Required in production; only a development server may fall back to a fixed key.
SECRET_KEY = env_str("VARN_SECRET_KEY", "django-insecure-development-only-key" if DEVELOPMENT else None)
# Key for pseudonymising identifiers (HMAC). Separate from SECRET_KEY so that
# rotating the session key does not break pseudonyms.
PSEUDONYM_KEY = env_str("VARN_PSEUDONYM_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("VARN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("VARN_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("VARN_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "organisation",
    "incidents",
    "reporting",
    "casework",
    "support",
    "protection",
    "notifications",
    "audit",
    "situation",
    "knowledge",
    "cycle",
    "governance",
    "signin",
    "retention",
    "police",
    "surveys",
    "demo",
    # The REST API for other systems (issue 14): DRF, its OpenAPI document and
    # Swagger UI's files served from our own static files (no CDN).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    # The project's start-up checks (a deploy without collectstatic).
    "varn.checks",
]

MIDDLEWARE = [
    # /healthz/ and /readyz/ for the load balancer, before the host check and
    # the HTTPS redirect (probes address a backend by IP over plain HTTP).
    "varn.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "varn.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session whose identity-provider login has ended is ended too (signin/middleware.py).
    "signin.middleware.SessionRefresh",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses NUL and other control characters in any parameter, in one place.
    "varn.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns a rate-limit hit into the friendly 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "varn.urls"
WSGI_APPLICATION = "varn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "varn" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "varn.context_processors.navigation",
            ],
            # Template libraries of the project package, which is not an app:
            # {% load dates %} (varn/templatetags/dates.py).
            "libraries": {"dates": "varn.templatetags.dates"},
        },
    },
]

# Each worker keeps its database connection for VARN_DB_CONN_MAX_AGE seconds
# and checks it with a cheap query before the first use in a request, so a
# connection that PostgreSQL (restart, failover) or a firewall dropped while
# idle is replaced instead of costing a request its 500.
DB_CONN_MAX_AGE = env_int("VARN_DB_CONN_MAX_AGE", 60)
DB_CONN_HEALTH_CHECKS = env_bool("VARN_DB_CONN_HEALTH_CHECKS", True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=DB_CONN_HEALTH_CHECKS,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails the request in seconds (the 503 page),
    # instead of holding a worker until TCP gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("VARN_DB_CONNECT_TIMEOUT", 5))
# A PostgreSQL streaming replica for the pages that only read a picture of
# many cases (varn/dbrouter.py: the situation picture, its lists, exports and
# report); everything else reads and writes the primary. The replica is
# read only while it is at most VARN_REPLICA_MAX_LAG_SECONDS behind.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_MAX_LAG_SECONDS = env_int("VARN_REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_RETRY_SECONDS = env_int("VARN_REPLICA_RETRY_SECONDS", 30)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=DB_CONN_HEALTH_CHECKS)
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is a PostgreSQL streaming replica of the PostgreSQL database in DATABASE_URL")
    # A replica that does not answer is skipped after this many seconds.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("VARN_REPLICA_CONNECT_TIMEOUT", 2))
    # Tests read the test database through the replica alias too.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["varn.dbrouter.PrimaryReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions keep concurrent writers (audit hash chain) from
    # failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisation.User"

# Sign-in with the organisation's identity provider (OpenID Connect, the
# authorization code flow with PKCE; signin/). On when VARN_OIDC_ISSUER is set.
OIDC_ISSUER = env_str("VARN_OIDC_ISSUER", "")
OIDC_ENABLED = bool(OIDC_ISSUER)
# Default: the issuer's /.well-known/openid-configuration.
OIDC_DISCOVERY_URL = env_str("VARN_OIDC_DISCOVERY_URL", "")
OIDC_RP_CLIENT_ID = env_str("VARN_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("VARN_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("VARN_OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = env_str("VARN_OIDC_SIGN_ALGO", "RS256")
OIDC_TIMEOUT = env_int("VARN_OIDC_TIMEOUT_SECONDS", 10)
OIDC_VERIFY_SSL = True
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
# Kept in the session for the provider's logout (id_token_hint).
OIDC_STORE_ID_TOKEN = True
# How often a signed-in user's session is checked with the provider (silently).
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env_int("VARN_OIDC_RECHECK_SECONDS", 15 * 60)
OIDC_EXEMPT_URLS = ["login", "logout", "healthz", "readyz"]
OIDC_CLAIMS = {
    "subject": env_str("VARN_OIDC_CLAIM_SUBJECT", "sub"),
    "employee_number": env_str("VARN_OIDC_CLAIM_EMPLOYEE_NUMBER", ""),
    "given_name": env_str("VARN_OIDC_CLAIM_GIVEN_NAME", "given_name"),
    "family_name": env_str("VARN_OIDC_CLAIM_FAMILY_NAME", "family_name"),
    "email": env_str("VARN_OIDC_CLAIM_EMAIL", "email"),
    "unit": env_str("VARN_OIDC_CLAIM_UNIT", ""),
    "gender": env_str("VARN_OIDC_CLAIM_GENDER", ""),
    "groups": env_str("VARN_OIDC_CLAIM_GROUPS", "groups"),
}
# The name on the button "Logga in med …"; default: the organisation tree's root.
OIDC_PROVIDER_NAME = env_str("VARN_OIDC_PROVIDER_NAME", "")
# With OIDC on, the password login is off, or (1) kept for administrators'
# break-glass accounts only. Without OIDC everyone logs in with a password.
BREAK_GLASS_LOGIN = env_bool("VARN_BREAK_GLASS_LOGIN", False)

# The password login, and the OIDC one (which answers only its own callback).
AUTHENTICATION_BACKENDS = env_list(
    "VARN_AUTHENTICATION_BACKENDS",
    ["django.contrib.auth.backends.ModelBackend", "signin.backend.OIDCBackend"],
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Swedish first, English through Django's i18n.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "varn" / "locale"]
FORMAT_MODULE_PATH = ["varn.formats"]
LANGUAGE_COOKIE_SECURE = not DEVELOPMENT
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("VARN_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "varn" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("VARN_STATIC_MANIFEST", not DEVELOPMENT)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("VARN_STATIC_FINDERS", DEVELOPMENT)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
# Uploaded evidence lives outside the web root and is served only through
# views that check access; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("VARN_MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))

# Cache: Redis in production (rate limits need a shared cache), the database
# otherwise so that every process of one installation shares the counters.
if env_str("REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": env_str("REDIS_URL")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "varn_cache"}}
# Rendered parts of pages that are the same for everyone (the report form's
# fixed parts), in each process's memory, under organisation.catalogue's stamp.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "varn-fragments", "OPTIONS": {"MAX_ENTRIES": 500}}
RATELIMIT_VIEW = "varn.ratelimits.rate_limited"

# E-mail: SMTP in production; console in development unless configured.
EMAIL_BACKEND = env_str(
    "VARN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEVELOPMENT and not env_str("EMAIL_HOST", "")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
# A new report's notices wait in the outbox (notifications/outbox.py) and are
# sent once the reporter has their answer by the process that took the report,
# or, with VARN_MAIL_WORKER on, only by `manage.py send_queued_mail --loop`
# (README: production), so that a rush of reports keeps the web workers free.
MAIL_WORKER = env_bool("VARN_MAIL_WORKER", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Värn <varn@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Strict CSP: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if OIDC_ENABLED:
    # The logout form's answer sends the browser on to the provider's logout.
    from urllib.parse import urlsplit as _urlsplit
    _issuer = _urlsplit(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("VARN_SESSION_SECONDS", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEVELOPMENT:
    SESSION_COOKIE_SECURE = env_bool("VARN_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("VARN_SECURE_COOKIES", True)
    LANGUAGE_COOKIE_SECURE = env_bool("VARN_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("VARN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("VARN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("VARN_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A silenced preload warning is a deliberate choice: preload is an opt-in per domain.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Working-time rules used by case handling and reminders.
ACK_TARGET_WORKING_DAYS = env_int("VARN_ACK_TARGET_WORKING_DAYS", 1)
# Days after a police report (or its latest recorded step) with nothing new
# before the handler is reminded to ask what became of it (police/reminders.py).
POLICE_FOLLOWUP_DAYS = max(env_int("VARN_POLICE_FOLLOWUP_DAYS", 60), 1)
# The first support conversation with an employee who asked for support (or
# whom the handler judged needs it) is due this many working days after the
# support track starts (support/schedule.py).
SUPPORT_FIRST_TALK_WORKING_DAYS = env_int("VARN_SUPPORT_FIRST_TALK_WORKING_DAYS", 2)
# The reporter is to have had feedback (a handler's message, or the case
# closed with its summary) within this many months of the report: the
# whistleblowing act's norm. The handlers are reminded when it has not.
FEEDBACK_MONTHS = env_int("VARN_FEEDBACK_MONTHS", 3)


# Rate limits (applied in varn/ratelimits.py). A rate is "count/period" with
# the period in s, m, h or d and an optional multiplier: "10/15m" is ten per
# fifteen minutes. Counts live in the shared cache (CACHES above).
def _env_rate(name: str, default: str) -> str:
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"Environment variable {name} must be a rate such as 10/15m, not {value!r}")
    return value


# Logins count failed attempts only, never successful ones.
LOGIN_ACCOUNT_FAILURE_RATE = _env_rate("VARN_LOGIN_ACCOUNT_FAILURE_RATE", "10/15m")
LOGIN_ADDRESS_FAILURE_RATE = _env_rate("VARN_LOGIN_ADDRESS_FAILURE_RATE", "50/15m")
# The anonymous paths: reports actually created, follow-up attempts, wrong receipt codes.
ANONYMOUS_REPORT_RATE = _env_rate("VARN_ANONYMOUS_REPORT_RATE", "20/h")
FOLLOWUP_RATE = _env_rate("VARN_FOLLOWUP_RATE", "120/h")
FOLLOWUP_FAILURE_RATE = _env_rate("VARN_FOLLOWUP_FAILURE_RATE", "10/15m")

# The client's address behind reverse proxies: off by default (REMOTE_ADDR).
# Set the header the proxies write, as a request.META key or a header name
# (HTTP_X_FORWARDED_FOR or X-Forwarded-For), and how many proxies append to
# it; the address is then that many entries from the right, never the
# client-written leftmost one.
TRUSTED_PROXY_HEADER = env_str("VARN_TRUSTED_PROXY_HEADER", "").strip()
if TRUSTED_PROXY_HEADER and not TRUSTED_PROXY_HEADER.startswith("HTTP_"):
    TRUSTED_PROXY_HEADER = "HTTP_" + TRUSTED_PROXY_HEADER.upper().replace("-", "_")
TRUSTED_PROXY_COUNT = env_int("VARN_TRUSTED_PROXY_COUNT", 1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("Environment variable VARN_TRUSTED_PROXY_COUNT must be 1 or more")
# Any django-ratelimit "ip" key uses the same address.
RATELIMIT_IP_META_KEY = "varn.ratelimits.client_ip"

# The API (api/): integration accounts call it with a token (api/models.py).
# A new token is valid for VARN_API_TOKEN_DAYS days unless the administrator
# picks another date; each token may make VARN_API_TOKEN_RATE requests.
API_TOKEN_DAYS = env_int("VARN_API_TOKEN_DAYS", 365)
if API_TOKEN_DAYS < 1:
    raise ImproperlyConfigured("Environment variable VARN_API_TOKEN_DAYS must be 1 or more")
API_TOKEN_RATE = _env_rate("VARN_API_TOKEN_RATE", "600/m")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "api.problems.ProblemRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "UNAUTHENTICATED_TOKEN": None,
    "URL_FORMAT_OVERRIDE": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    # Path ids keep their names ({pk}) in the OpenAPI document.
    "SCHEMA_COERCE_PATH_PK": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Värn API",
    "VERSION": "1",
    "DESCRIPTION": "api/schema.py: DESCRIPTION",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {"IncidentStatusEnum": "incidents.models.Incident.Status",
                            "ActionStatusEnum": "incidents.models.Action.Status"},
    "PREPROCESSING_HOOKS": ["api.schema.only_the_api"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.describe"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VARN_LOG_LEVEL", "INFO")},
    # Request logs can carry IP addresses; anonymous reporting promises none.
    "loggers": {"django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}

"""Tansiq settings: every value comes from the environment (see .env.example).

The defaults run with nothing installed: SQLite under var/, Celery tasks in-process,
mail written to files under var/mail/. Production sets DEBUG=0 and the rest.
"""

import base64
import datetime as dt
import hashlib
import re
import zoneinfo
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_origins,
    env_str,
    file_storage_from_env,
    imap_from_url,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only for local development: DEBUG is on, so this key never guards real data.
    SECRET_KEY = "django-insecure-tansiq-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The portal's address as people reach it: the links in every notice start with it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+", SITE_URL):
    raise ImproperlyConfigured(
        f"SITE_URL must be the portal's address, like https://tansiq.example.gov, "
        f"with no path, not {SITE_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # allauth's list of security keys says "3 days ago".
    "django.contrib.humanize",
    # Django's own widget templates, found by the form renderer below.
    "django.forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "django_countries",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "members",
    "groups",
    "meetings",
    "notices",
    "documents",
    "decisions",
    "search",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.MfaRequiredMiddleware",
    "members.middleware.PersonTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

if not DEBUG:
    # In production the app serves its own collected static files; runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

# Widgets are rendered from the templates, so templates/django/forms/ can give every
# free-text box dir="auto".
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Filters every app's pages use; portal is no app, so it is named here.
            "libraries": {"tansiq": "portal.template_library"},
        },
    },
]

# --- Database ---------------------------------------------------------------
SQLITE_CACHE_KIB = 64 * 1024
DATABASES = {
    "default": database_from_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tansiq.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A web process, a worker and beat may share the file: wait for a lock instead of
    # failing at once; take the write lock when a transaction begins, so two writers
    # queue instead of deadlocking on a lock upgrade ("database is locked"); and use
    # the write-ahead log, so readers never wait for a writer and each commit is one
    # append, not a journal rewrite. The test database is a file too, so a real worker
    # process started by the tests can open it.
    # portal/sqlite3 keeps the planner's statistics (PRAGMA optimize on close).
    # A page cache of up to 64 MiB per connection (SQLite's default is 2 MiB): a list
    # probes a few hundred rows of other tables (a meeting, its label) per page, and
    # with 2 MiB each probe went to the operating system for pages read a request
    # before (a member's action points: 1.6 ms of SQL, 0.85 ms with the cache). The
    # cache fills only with pages read, and connections are kept (CONN_MAX_AGE).
    DATABASES["default"]["ENGINE"] = "portal.sqlite3"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA cache_size=-{SQLITE_CACHE_KIB};"
            ),
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the permission funnels' plans are cheap to run but their cost
    # estimates can overshoot, and PostgreSQL then spends seconds compiling a query that
    # runs in milliseconds (seen on a member's dashboard: 4.95 s of 5.06 s).
    # A page read out of order costs about what one read in order does (the portal's
    # tables fit in memory; on disk they are on SSD): PostgreSQL's default of four times
    # as much made it hash every meeting rather than walk a list's index and look up the
    # few it shows (a member's report-backs: the query 10 ms to 2 ms, the request 14.2
    # to 6.7 ms). A DATABASE_URL that sets `options` replaces both settings.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c jit=off -c random_page_cost=1.1"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and object permissions ----------------------------------
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, taught e-mail addresses as logins by allauth and loading
    # the user's person with the user; it alone checks passwords, so a wrong one costs
    # one hash, not two.
    "members.auth.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user would add a row to every fresh database; nobody
# anonymous may see anything here, so it is not needed.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Checks nothing: ends the login's API tokens whenever its password is changed.
    {"NAME": "members.auth.ApiTokensEndWithPassword"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "account_login"
DEMO_PASSWORD = env_str("DEMO_PASSWORD")
# Reverting a row to an old version from the admin's history would write around the
# services (and their notices); history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date, time and date-time format per language (see portal/formats/__init__.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Africa/Tripoli")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone name, not {TIME_ZONE!r}.")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Papers and meeting packs: files under MEDIA_ROOT, or S3-compatible object storage
    # when STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set (portal.env), kept private:
    # every download goes through the portal's permission check.
    "default": file_storage_from_env(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# The largest paper the portal takes, in bytes (documents.validation). Of a larger
# upload no more than this is kept, in memory or on disk, while the request is read.
DOCUMENTS_MAX_UPLOAD_BYTES = env_int("DOCUMENTS_MAX_UPLOAD_BYTES", 25 * 1024 * 1024, minimum=1)
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.UploadCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Mail ---------------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tansiq secretariat <secretariat@tansiq.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(email_from_url("EMAIL_URL"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# SMTP sessions a worker process keeps open while it delivers notices: the server takes
# one message while the next one's envelope goes out on the other. A batch never has
# more than two messages with the server and not yet marked sent (notices.delivery), so
# a third session could do no more than start an envelope early. A relay that will not
# open the second gets the batch over the first; 1 not to ask it.
EMAIL_SESSIONS = env_int("EMAIL_SESSIONS", 2, minimum=1)
if EMAIL_SESSIONS > 2:
    raise ImproperlyConfigured(
        f"EMAIL_SESSIONS must be 1 or 2, not {EMAIL_SESSIONS}: a batch never has more "
        "than two messages with the server at once."
    )

# --- Celery -----------------------------------------------------------------
REDIS_URL = redis_url("REDIS_URL")
# With a host named, kombu does not warn each time eager mode borrows a producer.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Without a broker the tasks run in-process, so `make run` needs nothing installed.
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A dead broker must delay notices, never hang the request that scheduled them.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2}

# --- Meeting notices ---------------------------------------------------------
# How often beat re-enqueues pending notices and reclaims ones a dead worker held.
NOTICE_SWEEP_SECONDS = env_int("NOTICE_SWEEP_SECONDS", 30, minimum=1)
NOTICE_REMINDER_SECONDS = env_int("NOTICE_REMINDER_SECONDS", 60, minimum=1)
# A claim older than this is taken to belong to a dead worker and is sent again.
NOTICE_CLAIM_TIMEOUT_SECONDS = env_int("NOTICE_CLAIM_TIMEOUT_SECONDS", 900, minimum=1)
NOTICE_RETRY_BASE_SECONDS = env_int("NOTICE_RETRY_BASE_SECONDS", 30, minimum=0)
NOTICE_MAX_ATTEMPTS = env_int("NOTICE_MAX_ATTEMPTS", 8, minimum=1)
NOTICE_BATCH_SIZE = env_int("NOTICE_BATCH_SIZE", 50, minimum=1)
NOTICE_LINK_MAX_AGE_DAYS = env_int("NOTICE_LINK_MAX_AGE_DAYS", 60, minimum=1)
# Draft minutes circulated for comments: the organisations that have not commented are
# reminded once, this many hours before the period closes.
MINUTES_COMMENT_REMINDER_HOURS = env_int("MINUTES_COMMENT_REMINDER_HOURS", 48, minimum=1)
# How often beat closes the written procedures whose deadline has come.
PROCEDURE_CLOSE_SECONDS = env_int("PROCEDURE_CLOSE_SECONDS", 60, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# A worker hands no message over this close to the end of its claim: what a message may
# still take once handed over must end inside the lease, or the sweep would free the
# row and another worker send it too. Over SMTP that is the answer to DATA, the bytes
# and the final answer, each up to EMAIL_TIMEOUT, then the mark; for a webhook, the
# request, the status line and the headers, then the mark. The rest of the batch goes
# back to pending, due at once.
NOTICE_HANDOVER_SECONDS = 4 * max(EMAIL_TIMEOUT, WEBHOOK_TIMEOUT_SECONDS)
if NOTICE_CLAIM_TIMEOUT_SECONDS < 2 * NOTICE_HANDOVER_SECONDS:
    raise ImproperlyConfigured(
        f"NOTICE_CLAIM_TIMEOUT_SECONDS ({NOTICE_CLAIM_TIMEOUT_SECONDS}) must be at least "
        f"{2 * NOTICE_HANDOVER_SECONDS}: eight times the longer of EMAIL_TIMEOUT "
        f"({EMAIL_TIMEOUT}) and WEBHOOK_TIMEOUT_SECONDS ({WEBHOOK_TIMEOUT_SECONDS}), so "
        "that a batch has time to send before its claim runs out."
    )
# Webhooks to plain http:// or to private addresses only while developing.
WEBHOOK_ALLOW_INSECURE = env_bool("WEBHOOK_ALLOW_INSECURE", default=DEBUG)
# Answers given with a calendar program's buttons come back as METHOD:REPLY mail to the
# organizer address, which carries a signed token per invitation; beat reads them from
# this mailbox. Unset: the organizer is the plain secretariat address and nothing reads.
INBOUND_IMAP = imap_from_url("INBOUND_IMAP_URL")
INBOUND_IMAP_SECONDS = env_int("INBOUND_IMAP_SECONDS", 120, minimum=10)
INBOUND_IMAP_TIMEOUT = env_int("INBOUND_IMAP_TIMEOUT", 30, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "notices-sweep": {
        "task": "notices.tasks.notices_sweep_task",
        "schedule": NOTICE_SWEEP_SECONDS,
    },
    "reminders-due": {
        "task": "meetings.tasks.reminders_due_task",
        "schedule": NOTICE_REMINDER_SECONDS,
    },
    "action-points-due": {
        "task": "meetings.tasks.action_points_due_task",
        "schedule": 3600,
    },
    # Series make their meetings a number of days ahead: once an hour is ample.
    "series-extend-ahead": {
        "task": "meetings.tasks.series_extend_ahead_task",
        "schedule": 3600,
    },
    # The one reminder that a comment period on draft minutes closes soon.
    "minutes-comment-reminders": {
        "task": "meetings.tasks.minutes_comment_reminders_task",
        "schedule": 3600,
    },
    # Expired API tokens and sessions let nobody in; they are deleted within the hour
    # (the token check no longer looks for them at every request).
    "expired-sign-ins-clear": {
        "task": "members.tasks.expired_sign_ins_clear_task",
        "schedule": 3600,
    },
    # Written procedures close at their deadline: within a minute of it.
    "written-procedures-close": {
        "task": "decisions.tasks.procedures_close_due_task",
        "schedule": PROCEDURE_CLOSE_SECONDS,
    },
}
if INBOUND_IMAP is not None:
    CELERY_BEAT_SCHEDULE["calendar-replies"] = {
        "task": "notices.tasks.calendar_replies_read_task",
        "schedule": INBOUND_IMAP_SECONDS,
    }
# The worker logs through the same handler and format as the web process (time, level,
# logger), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A broker outage must not make the publisher retry for long: the sweep catches up.
CELERY_TASK_PUBLISH_RETRY = False

# --- REST framework ---------------------------------------------------------
# The member agencies' API under /api/v1/: knox tokens (hashed, expiring, revocable, ended
# by a password change) or the browser session; one error shape (portal.api.exceptions);
# throttles keyed per client address.
# Behind the TLS proxy the client's address is the last one in X-Forwarded-For (the one the
# proxy added); anything before it was sent by the client and is never trusted.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "portal.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON only: one bounded parser, so every body is size-checked the same way.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["portal.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonCountingThrottle",
        "portal.api.throttles.UserCountingThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "login": env_str("API_THROTTLE_LOGIN", "10/minute"),
    },
    "PAGE_SIZE": 25,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # 0: the throttles key on REMOTE_ADDR alone (DRF's default, None, would trust the
    # whole client-sent X-Forwarded-For header).
    "NUM_PROXIES": 1 if BEHIND_TLS_PROXY else 0,
}
for _scope, _rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items():
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", _rate or ""):
        raise ImproperlyConfigured(
            f"API_THROTTLE_{_scope.upper()} must look like 60/minute "
            f"(a number, then second, minute, hour or day), not {_rate!r}."
        )
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)),
    "AUTH_HEADER_PREFIX": "Token",
}
# JSON bodies larger than this answer 413 (portal.api.parsers); forms keep Django's check.
# The largest text the portal takes is minutes of 200,000 characters
# (meetings.models.MINUTES_MAX_CHARS); in Arabic each letter is six bytes in a form
# (%D8%A7) or in JSON that escapes it (\u0627): 1.2 MB, so 2 MiB lets it through.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_097_152, minimum=1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Tansiq API",
    "DESCRIPTION": (
        "The member agencies' API of the Migration Working Group portal: groups, meetings, "
        "agendas, invitations, attendance, minutes, decisions and action points. "
        "Authenticate with `Authorization: Token <token>` from `POST /api/v1/auth/token/`. "
        "Every 4xx answers the same JSON error shape (`Error`). Datetimes are ISO 8601 with "
        "an offset, in UTC on output; each meeting carries its own time zone."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # What the portal POSTs to the agencies' webhook URLs (OpenAPI 3.1 `webhooks`).
    "WEBHOOKS": [
        "notices.api.webhooks.MEETING_SCHEDULED",
        "notices.api.webhooks.MEETING_UPDATED",
        "notices.api.webhooks.MEETING_CANCELLED",
        "notices.api.webhooks.MINUTES_PUBLISHED",
        "notices.api.webhooks.ACTION_POINT_DUE",
        "notices.api.webhooks.SERIES_SCHEDULED",
        "notices.api.webhooks.SERIES_UPDATED",
        "notices.api.webhooks.SERIES_CANCELLED",
        "notices.api.webhooks.MEETING_PAPERS_ADDED",
        "notices.api.minutes_webhooks.MINUTES_CIRCULATED",
        "notices.api.minutes_webhooks.MINUTES_COMMENTS_REMINDER",
        "notices.api.procedure_webhooks.WRITTEN_PROCEDURE_CIRCULATED",
        "notices.api.procedure_webhooks.WRITTEN_PROCEDURE_CLOSED",
    ],
    # Swagger UI served by the portal itself (drf-spectacular-sidecar): the docs work on a
    # government network with no way to a public CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MeetingStatusEnum": "meetings.models.Meeting.Status",
        "ProcedureAnswerEnum": "decisions.models.ProcedureAnswer.Answer",
        "ProcedureAnswerChannelEnum": "decisions.models.ProcedureAnswer.Channel",
        "MeetingKindEnum": "meetings.models.Meeting.Kind",
        "MinutesStatusEnum": "meetings.models.Minutes.Status",
        "ActionPointStatusEnum": "meetings.models.ActionPoint.Status",
        "InvitationResponseEnum": "meetings.models.Invitation.Response",
        "GroupKindEnum": "groups.models.CoordinationGroup.Kind",
        "GroupStatusEnum": "groups.models.CoordinationGroup.Status",
        "MembershipRoleEnum": "groups.models.Membership.Role",
        "RepresentativeKindEnum": "groups.models.Representative.Kind",
        "OrganisationKindEnum": "members.models.OrganisationKind",
        "LanguageEnum": "members.models.Language",
        "UnreachedReasonEnum": "meetings.selectors.UnreachedReason",
        "MeetingSeriesFrequencyEnum": "meetings.models.MeetingSeries.Frequency",
        "MeetingSeriesStatusEnum": "meetings.models.MeetingSeries.Status",
        "WeekdayEnum": "meetings.models.WEEKDAYS",
        "WeekOfMonthEnum": "meetings.models.WEEK_OF_MONTH",
        "DocumentLanguageEnum": "documents.models.DocumentLanguage",
        "DocumentTextStatusEnum": "documents.models.DocumentVersion.TextStatus",
        "ConfidentialityEnum": "groups.models.Confidentiality",
    },
}

# --- Sign-in: django-allauth ------------------------------------------------------
# Pages under /accounts/: sign-in with a username or an e-mail address, password reset,
# two-factor sign-in, and single sign-on when an identity provider is configured. There
# is no sign-up: the secretariat creates the logins (members.adapters).
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "members.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
# The secretariat types the addresses in; nobody is sent a link to confirm them.
ACCOUNT_EMAIL_VERIFICATION = "none"
# A password reset answers the same whether or not the address belongs to a login, and
# an unknown address is sent nothing (no "you have no account" mail to strangers).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# As Django's own sign-in did: the session lasts SESSION_COOKIE_AGE, no checkbox.
ACCOUNT_SESSION_REMEMBER = True
# Failed sign-ins count per client address and per account, on the pages and on the
# API's token endpoint alike (members.api.views): 10 a minute from one address, 5 in
# 5 minutes for one account, whichever of its username or e-mail address is typed.
# A successful sign-in does not reset the count (an attacker could interleave their
# own); a password reset through the e-mailed link does.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "10/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# The client's address as the API's throttles see it (portal.api.throttles): allauth's
# own reading of X-Forwarded-For, for what it logs, trusts the same one proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_TLS_PROXY else 0

MFA_ADAPTER = "members.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Tansiq"
# WebAuthn needs https, except on http://localhost while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Staff, superusers and the secretariat must set up a second factor before anything
# else (members.middleware); off while developing, so the demo logins need no phone.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)

# Single sign-on through one OpenID Connect provider, off unless OIDC_SERVER_URL is set.
# People are matched to existing logins by an e-mail address the provider says it has
# verified; nobody new gets a login this way (members.adapters.SocialAccountAdapter).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
if OIDC_SERVER_URL:
    # Plain http only for a provider running beside `make run`.
    _oidc_scheme = "https?" if DEBUG else "https"
    if not re.fullmatch(rf"{_oidc_scheme}://[^\s?#]+", OIDC_SERVER_URL):
        raise ImproperlyConfigured(
            f"OIDC_SERVER_URL must be the provider's https:// address (its issuer), "
            f"not {OIDC_SERVER_URL!r}."
        )
    _oidc_client_id = env_str("OIDC_CLIENT_ID")
    if not _oidc_client_id:
        raise ImproperlyConfigured("OIDC_CLIENT_ID must be set when OIDC_SERVER_URL is.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "sso",
                "name": env_str("OIDC_PROVIDER_NAME", "Single sign-on"),
                "client_id": _oidc_client_id,
                "secret": env_str("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }

# --- Cache --------------------------------------------------------------------
# The pages' one-time form tokens and the API's throttle counters live in the cache,
# so it must be shared between processes wherever there is more than one: Redis when
# it is configured. While Redis is down the backend keeps them in each process's memory
# (portal/cache.py), and short timeouts keep a dead or unanswering Redis from holding
# up requests.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCacheWithFallback",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tansiq",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Room for the throttles' counters (up to eight a client and scope:
    # portal.api.throttles) and the form tokens, not LocMemCache's 300.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# --- Security -----------------------------------------------------------------
# Django's database sessions, read by SQL compiled once (every request reads one).
SESSION_ENGINE = "members.sessions"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Enforced in development too, so `make run` shows a violation as soon as it is written.
# Scripts and styles come only from the portal's own files: no inline code, no eval
# (htmx's is switched off in templates/base.html), so markup that slips into a page
# runs nothing. Chrome also checks form-action against the redirect that follows a
# form post: an identity provider that a sign-in or sign-out form redirects to must be
# named in CSP_EXTRA_FORM_ACTION.
# Pages whose templates are not ours set a few style attributes: the browsable API
# (Django REST framework's Bootstrap pages) and the admin's history lists
# (django-simple-history). 'unsafe-hashes' allows exactly these declarations and no
# other; tests/portal/test_content_security_policy.py names the template that adds one.
THIRD_PARTY_STYLE_ATTRIBUTES = (
    "float: right; margin-right: 10px",
    "float: right",
    "width: 350px",
    "border-bottom: 1px solid #e5e5e5",
    "border-bottom: 0",
    "border-top: 0",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [
            UNSAFE_HASHES,
            *(
                f"'sha256-{base64.b64encode(hashlib.sha256(declaration.encode()).digest()).decode()}'"
                for declaration in THIRD_PARTY_STYLE_ATTRIBUTES
            ),
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *env_origins("CSP_EXTRA_FORM_ACTION")],
    }
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
# Every line says when, how bad and where from; 403s and 404s are one line each
# (django.request logs them without a traceback), delivery failures one per notice.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"no_traceback_below_500": {"()": "portal.log_filters.NoTracebackBelow500"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["no_traceback_below_500"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # fontTools reports every font the PDF pack subsets, glyph by glyph, at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}

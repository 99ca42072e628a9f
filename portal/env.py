"""Typed readers for environment variables.

Each reader raises ImproperlyConfigured with a sentence naming the variable, so a
malformed value stops start-up instead of surfacing later as a confusing error.
"""

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from dj_database_url import DBConfig

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_origins(name: str) -> list[str]:
    """Comma-separated origins (https://sso.example.gov), as a Content-Security-Policy
    names a source: a path, a quote or a space there would change the policy's meaning."""
    origins = env_list(name, [])
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise ImproperlyConfigured(
                f"{name} must list origins like https://sso.example.gov, separated by "
                f"commas, not {origin!r}."
            )
    return origins


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")
    return value


def database_from_url(name: str, default: str) -> "DBConfig":
    import dj_database_url

    url = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"{name} is not a valid database URL ({error}).") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unknown database scheme: {url!r}.")
    return config


def redis_url(name: str) -> str | None:
    url = os.environ.get(name)
    if not url:
        return None
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name} must be a redis://, rediss:// or unix:// URL, not {url!r}."
        )
    return url


def email_from_url(name: str) -> dict:
    """Settings for Django's mail backends from one URL.

    smtp://user:password@host:587?tls=1, smtps://... (implicit TLS), console://,
    file:///absolute/path, locmem://.
    """
    url = os.environ.get(name)
    if not url:
        return {}
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme in {"smtp", "smtps"}:
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port: {url!r}.") from None
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host: {url!r}.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": query.get("tls", "0").lower() in _TRUE,
            "EMAIL_USE_SSL": parts.scheme == "smtps",
        }
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name} must give a folder: file:///path/to/mail.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    raise ImproperlyConfigured(
        f"{name} must start with smtp://, smtps://, file://, console:// or locmem://, not {url!r}."
    )


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str
    # "ssl" (implicit TLS), "starttls", or "none" (a mailbox on the same machine only).
    security: str
    folder: str


_IMAP_SCHEMES = {"imaps": ("ssl", 993), "imap+starttls": ("starttls", 143), "imap": ("none", 143)}


def imap_from_url(name: str) -> ImapMailbox | None:
    """The mailbox calendar replies are read from, or None when the variable is unset.

    imaps://user:password@host:993/INBOX (implicit TLS), imap+starttls://…, or imap://…
    (no encryption: only for a server on the same machine). A user name with an @ is
    written %40.
    """
    url = os.environ.get(name)
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in _IMAP_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with imaps://, imap+starttls:// or imap://, not {parts.scheme!r}."
        )
    security, default_port = _IMAP_SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host.")
    if not parts.username or not parts.password:
        raise ImproperlyConfigured(f"{name} must give a user and a password.")
    return ImapMailbox(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password),
        security=security,
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Stored files are never served by the object store itself: the portal reads them and
# answers each download after its permission check, so objects get no ACL of their
# own (they stay as private as the bucket, and ACL-less buckets accept them) and any
# URL the backend might make is signed and short-lived.
_PRIVATE_OBJECTS = {
    "default_acl": None,
    "querystring_auth": True,
    "querystring_expire": 300,
    "signature_version": "s3v4",
    "file_overwrite": False,
    # A download read from the store is spooled to disk past this size, not held in memory.
    "max_memory_size": 2_621_440,
}


def file_storage_from_env() -> dict:
    """STORAGES["default"]: files under MEDIA_ROOT, or S3-compatible object storage
    (django-storages) when STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set, so that
    several web servers and workers share them.

    STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@bucket/optional/prefix?endpoint=https://s3.example.org&region=eu-west-1
    (a key with / or : is written %2F, %3A). Or AWS_STORAGE_BUCKET_NAME, with
    AWS_S3_ENDPOINT_URL for a store other than Amazon's, AWS_S3_REGION_NAME, and the
    credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role).
    """
    url = os.environ.get("STORAGE_URL", "")
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    if url and (bucket or endpoint):
        raise ImproperlyConfigured(
            "Set either STORAGE_URL or AWS_STORAGE_BUCKET_NAME/AWS_S3_ENDPOINT_URL, not both."
        )
    if url:
        options = _s3_options_from_url(url)
    elif bucket or endpoint:
        if not bucket:
            raise ImproperlyConfigured(
                "AWS_STORAGE_BUCKET_NAME must be set when AWS_S3_ENDPOINT_URL is."
            )
        options = {
            "bucket_name": _bucket_checked("AWS_STORAGE_BUCKET_NAME", bucket),
            "endpoint_url": _endpoint_checked("AWS_S3_ENDPOINT_URL", endpoint),
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        }
    else:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if options["endpoint_url"]:
        # Stores other than Amazon's (MinIO, Ceph, Garage) answer bucket-in-the-path
        # requests whatever their DNS holds.
        options["addressing_style"] = "path"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options | _PRIVATE_OBJECTS}


def _s3_options_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            "STORAGE_URL must look like s3://ACCESS_KEY:SECRET_KEY@bucket?endpoint=https://…, "
            f"not {parts.scheme}://…."
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"endpoint", "region"})
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL knows the parameters endpoint and region, not {', '.join(unknown)}."
        )
    return {
        "bucket_name": _bucket_checked("STORAGE_URL", parts.hostname),
        "location": parts.path.strip("/"),
        "endpoint_url": _endpoint_checked("STORAGE_URL", query.get("endpoint", "")),
        "region_name": query.get("region") or None,
        "access_key": unquote(parts.username) if parts.username else None,
        "secret_key": unquote(parts.password) if parts.password else None,
    }


def _bucket_checked(name: str, bucket: str) -> str:
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ImproperlyConfigured(
            f"{name} names a bucket {bucket!r}: use 3 to 63 lower-case letters, digits, "
            "dots and hyphens."
        )
    return bucket


def _endpoint_checked(name: str, endpoint: str) -> str | None:
    if not endpoint:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+/?", endpoint):
        raise ImproperlyConfigured(
            f"{name}'s endpoint must be the store's address, like https://s3.example.org, "
            f"not {endpoint!r}."
        )
    return endpoint.rstrip("/")

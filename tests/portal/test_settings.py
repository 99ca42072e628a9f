"""Settings: malformed values stop start-up naming the variable; production is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    ImapMailbox,
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    imap_from_url,
    redis_url,
)

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "x9Z" * 10,
    "ALLOWED_HOSTS": "tansiq.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://tansiq.example.org",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A browser test earlier in the session sets DJANGO_ALLOW_ASYNC_UNSAFE for itself; a
    # deployment never has it, and the deploy check rightly refuses it.
    dropped = {*PRODUCTION, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DATABASE_URL", "mysqlx://nowhere", "DATABASE_URL"),
        ("REDIS_URL", "http://127.0.0.1:6379", "REDIS_URL must be a redis://"),
        ("EMAIL_URL", "pigeon://loft", "EMAIL_URL must start with"),
        ("EMAIL_TIMEOUT", "soon", "EMAIL_TIMEOUT must be a whole number"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE must be an IANA time zone"),
        ("SECURE_HSTS_SECONDS", "-5", "SECURE_HSTS_SECONDS must be at least 0"),
        ("API_THROTTLE_LOGIN", "lots", "API_THROTTLE_LOGIN must look like 60/minute"),
        ("API_TOKEN_TTL_DAYS", "0", "API_TOKEN_TTL_DAYS must be at least 1"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL must be DEBUG, INFO"),
        ("SITE_URL", "tansiq.example.org", "SITE_URL must be the portal's address"),
        ("SITE_URL", "https://tansiq.example.org/portal", "SITE_URL must be the portal's address"),
        ("CSP_EXTRA_FORM_ACTION", "https://sso.example.gov/auth", "CSP_EXTRA_FORM_ACTION must"),
        ("NOTICE_CLAIM_TIMEOUT_SECONDS", "239", "NOTICE_CLAIM_TIMEOUT_SECONDS (239) must be at"),
        ("EMAIL_TIMEOUT", "200", "must be at least 1600: eight times the longer of EMAIL_TIMEOUT"),
        ("WEBHOOK_TIMEOUT_SECONDS", "151", "WEBHOOK_TIMEOUT_SECONDS (151), so that a batch"),
        ("EMAIL_SESSIONS", "3", "EMAIL_SESSIONS must be 1 or 2, not 3: a batch never has"),
        ("EMAIL_SESSIONS", "0", "EMAIL_SESSIONS must be at least 1, not 0."),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(variable, value, words):
    result = _manage("check", **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert words in result.stderr


@pytest.mark.parametrize("sessions", ["1", "2"])
def test_one_or_two_smtp_sessions_may_be_asked_for(sessions):
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_SESSIONS)",
        EMAIL_SESSIONS=sessions,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == sessions


def test_a_celery_worker_imports_the_urls_before_it_starts_its_pool():
    """What the first reverse() of the first batch would import, each pool process
    inherits instead."""
    said = (
        "import sys, warnings; warnings.simplefilter('ignore'); from celery import signals; "
        "import portal.celery; print('portal.urls' in sys.modules); "
        "signals.worker_init.send(sender=None); print('portal.urls' in sys.modules); "
        "from django.urls import get_resolver; print(sorted(get_resolver()._reverse_dict))"
    )
    result = _manage("shell", "-c", said)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-3:] == ["False", "True", "['ar', 'en', 'fr']"]


def test_a_claim_eight_times_the_longest_timeout_is_long_enough():
    result = _manage("check", NOTICE_CLAIM_TIMEOUT_SECONDS="240", EMAIL_TIMEOUT="30")

    assert result.returncode == 0, result.stderr


def test_production_requires_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="tansiq.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_env_int_rejects_values_below_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 1, not 0."):
        env_int("COUNT", 5, minimum=1)


def test_database_url_defaults_and_parses_postgres(monkeypatch):
    monkeypatch.setenv("DB", "postgres://tansiq:secret@db.internal:5433/tansiq")
    config = database_from_url("DB", "sqlite:///tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "tansiq")
    monkeypatch.delenv("DB")
    assert database_from_url("DB", "sqlite:///tmp/x.sqlite3")["ENGINE"].endswith("sqlite3")


def test_email_url_configures_smtp_with_tls(monkeypatch):
    monkeypatch.setenv("MAIL", "smtp://relay%40example.org:p%40ss@smtp.example.org:587?tls=1")
    config = email_from_url("MAIL")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "relay@example.org",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_email_url_unset_keeps_the_file_default(monkeypatch):
    monkeypatch.delenv("MAIL", raising=False)
    assert email_from_url("MAIL") == {}


def test_inbound_imap_url_names_the_mailbox(monkeypatch):
    monkeypatch.setenv(
        "INBOX_URL", "imaps://secretariat%40mofa.example:p%40ss@mail.example:993/Replies"
    )
    assert imap_from_url("INBOX_URL") == ImapMailbox(
        host="mail.example",
        port=993,
        user="secretariat@mofa.example",
        password="p@ss",
        security="ssl",
        folder="Replies",
    )
    monkeypatch.setenv("INBOX_URL", "imap+starttls://u:p@mail.example")
    config = imap_from_url("INBOX_URL")
    assert config is not None
    assert (config.port, config.security, config.folder) == (143, "starttls", "INBOX")
    monkeypatch.delenv("INBOX_URL")
    assert imap_from_url("INBOX_URL") is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("pop3://u:p@mail.example", "must start with imaps://"),
        ("imaps://mail.example", "must give a user and a password"),
        ("imaps://u:p@mail.example:99999", "invalid port"),
        ("imaps://u:p@/INBOX", "must name a host"),
    ],
)
def test_a_malformed_inbound_imap_url_stops_start_up(monkeypatch, url, says):
    monkeypatch.setenv("INBOX_URL", url)
    with pytest.raises(ImproperlyConfigured, match=says) as error:
        imap_from_url("INBOX_URL")
    assert "INBOX_URL" in str(error.value)


def test_beat_reads_calendar_replies_only_when_a_mailbox_is_set():
    show = "from django.conf import settings; print(sorted(settings.CELERY_BEAT_SCHEDULE))"
    off = _manage("shell", "-c", show, INBOUND_IMAP_URL="")
    on = _manage("shell", "-c", show, INBOUND_IMAP_URL="imaps://u:p@mail.example/INBOX")
    assert off.returncode == on.returncode == 0, off.stderr + on.stderr
    assert "calendar-replies" not in off.stdout
    assert "calendar-replies" in on.stdout


def test_redis_url_unset_means_tasks_in_process(monkeypatch):
    monkeypatch.delenv("SOME_REDIS", raising=False)
    assert redis_url("SOME_REDIS") is None


def test_throttle_counters_use_redis_when_redis_url_is_set():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/11",
    )

    assert result.stdout.strip().splitlines()[-1] == "portal.cache.RedisCacheWithFallback"


def test_two_factor_is_required_of_staff_in_production_only():
    show = "from django.conf import settings; print(settings.MFA_REQUIRED_FOR_STAFF)"

    production = _manage("shell", "-c", show, **PRODUCTION).stdout.splitlines()[-1]
    development = _manage("shell", "-c", show, DEBUG="1").stdout.splitlines()[-1]
    switched_off = _manage(
        "shell", "-c", show, **PRODUCTION, MFA_REQUIRED_FOR_STAFF="0"
    ).stdout.splitlines()[-1]

    assert (production, development, switched_off) == ("True", "False", "False")


def test_postgresql_connections_run_without_jit_and_with_pages_read_out_of_order_cheap():
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.settings_dict['OPTIONS'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )

    assert result.returncode == 0, result.stderr
    assert "'options': '-c jit=off -c random_page_cost=1.1'" in result.stdout


def test_sqlite_connections_keep_a_page_cache_of_64_mib(tmp_path):
    """SQLite's own default is 2 MiB: a list's probes then go to the operating system
    for pages read a request before (portal/settings.py)."""
    result = _manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    print(cursor.execute('PRAGMA cache_size').fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["-65536"]

"""Which address a client is counted under: REMOTE_ADDR, or behind the TLS proxy the one
that proxy added to X-Forwarded-For; never an address the client wrote itself."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from knox.models import AuthToken

from tests.api.conftest import SchemaCheckedClient
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
ROOT = Path(__file__).resolve().parents[2]


WRONG = "wrong"


def _guess(client, password=WRONG, username="member", **headers):
    return client.post(
        TOKEN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.2", **headers
    ).status_code


def _security_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "tansiq.security"]


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_rotating_x_forwarded_for_does_not_escape_the_login_throttle(cast):
    client = SchemaCheckedClient()

    # Each guess names another login, so only the per-address count can stop them.
    answers = [
        _guess(client, username=f"guess{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(11)
    ]
    right = _guess(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert answers == [400] * 10 + [429]
    assert right == 429
    assert not AuthToken.objects.exists()


def test_behind_the_proxy_only_the_address_it_added_counts(cast, behind_one_proxy):
    client = SchemaCheckedClient()

    # The client rotates what it writes; the proxy appends the address it saw.
    answers = [
        _guess(client, username=f"guess{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
        for n in range(11)
    ]
    right = _guess(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = _guess(client, password=PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert answers == [400] * 10 + [429]
    assert right == 429
    assert other_client == 201
    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["member"]


def test_failed_sign_in_is_logged_under_the_throttled_address(cast, caplog):
    with caplog.at_level(logging.WARNING, logger="tansiq.security"):
        _guess(SchemaCheckedClient(), HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert _security_lines(caplog) == ["Failed sign-in for 'member' from 10.0.0.2"]


def test_failed_sign_in_behind_the_proxy_is_logged_under_the_address_it_added(
    cast, caplog, behind_one_proxy
):
    with caplog.at_level(logging.WARNING, logger="tansiq.security"):
        _guess(SchemaCheckedClient(), HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")

    assert _security_lines(caplog) == ["Failed sign-in for 'member' from 203.0.113.7"]


@pytest.mark.parametrize(("behind_proxy", "proxies"), [("0", "0"), ("1", "1")])
def test_behind_tls_proxy_sets_how_many_proxies_are_trusted(behind_proxy, proxies):
    environment = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])",
        ],
        cwd=ROOT,
        env={**environment, "BEHIND_TLS_PROXY": behind_proxy},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout.strip().splitlines()[-1] == proxies


def test_an_account_is_limited_whichever_addresses_guess(cast):
    client = SchemaCheckedClient()

    answers = [
        client.post(
            TOKEN, {"username": "member", "password": WRONG}, REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(6)
    ]
    right = client.post(
        TOKEN, {"username": "member", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )

    assert answers == [400] * 5 + [429]
    assert right.status_code == 429
    assert not AuthToken.objects.exists()

"""Failed sign-ins are limited per account and per client address, on the sign-in page and
the API's token endpoint alike, sharing one count: 5 in 5 minutes for an account, 10 a
minute from an address. Once limited, even the right password is refused."""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
LIMITED = "Too many failed login attempts"
WRONG = "wrong"


def _page(client, login: str, password: str = WRONG, address: str = "10.0.0.2", **headers):
    return client.post(
        LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address, **headers
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _last_login(user):
    user.refresh_from_db()
    return user.last_login


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, cast):
    before = _last_login(cast.member)

    wrong = [_page(client, "member") for _ in range(5)]
    right = _page(client, "member", PASSWORD)

    assert all(LIMITED not in response.content.decode() for response in wrong)
    assert right.status_code == 200
    assert LIMITED in right.content.decode()
    assert not _signed_in(client)
    assert _last_login(cast.member) == before
    # Another account from the same address is not held up by it.
    assert _page(client, "observer", PASSWORD).status_code == 302


def test_the_account_limit_holds_from_any_address(client, cast):
    for n in range(5):
        _page(client, "member", address=f"192.0.2.{n}")

    right = _page(client, "member", PASSWORD, address="198.51.100.9")

    assert LIMITED in right.content.decode()
    assert not _signed_in(client)


def test_the_username_and_the_email_address_share_the_accounts_count(client, cast):
    for login in ["member", "member@example.org", "Member", "MEMBER@EXAMPLE.ORG", "member"]:
        _page(client, login)

    right = _page(client, "member@example.org", PASSWORD)

    assert LIMITED in right.content.decode()
    assert not _signed_in(client)


def test_ten_failures_from_one_address_stop_every_account_from_it(client, cast):
    before = _last_login(cast.observer)
    for n in range(10):
        _page(client, f"guess{n}")

    right = _page(client, "observer", PASSWORD)

    assert LIMITED in right.content.decode()
    assert not _signed_in(client)
    assert _last_login(cast.observer) == before
    # The same account from another address is let in: the address was limited.
    assert _page(client, "observer", PASSWORD, address="10.0.0.3").status_code == 302


def test_behind_the_proxy_the_page_counts_the_address_the_proxy_added(client, cast, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(10):
        _page(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")

    right = _page(client, "observer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = _page(client, "member", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert LIMITED in right.content.decode()
    assert other.status_code == 302


def test_failures_on_the_api_count_against_the_page(client, cast):
    api = APIClient()
    for n in range(5):
        answer = api.post(
            TOKEN, {"username": "member", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
        assert answer.status_code == 400

    right = _page(client, "member", PASSWORD)

    assert LIMITED in right.content.decode()
    assert not _signed_in(client)


def test_failures_on_the_page_count_against_the_api(client, cast):
    for _ in range(5):
        _page(client, "member")

    answer = APIClient().post(
        TOKEN, {"username": "member", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )

    assert answer.status_code == 429
    assert answer.json()["type"] == "throttled"
    assert not AuthToken.objects.exists()


def test_a_success_does_not_reset_the_count(client, cast):
    for _ in range(4):
        _page(client, "member")
    assert _page(client, "member", PASSWORD).status_code == 302
    client.post(reverse("account_logout"))

    _page(client, "member")
    right = _page(client, "member", PASSWORD)

    assert LIMITED in right.content.decode()
    assert not _signed_in(client)

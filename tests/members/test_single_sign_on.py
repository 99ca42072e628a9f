"""Single sign-on through OpenID Connect: off unless configured; it finds existing logins by
an e-mail address the identity provider verified, and gives nobody a new login."""

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal.flows.email_authentication import wipe_password
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth.models import User
from django.test import RequestFactory

from tests.factories import PASSWORD
from tests.portal.test_settings import _manage

pytestmark = pytest.mark.django_db
PROVIDER = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "sso",
                "name": "Government sign-in",
                "client_id": "tansiq",
                "secret": "s3cret",
                "settings": {"server_url": "https://id.example.gov"},
            }
        ]
    }
}
SHOW = "from django.conf import settings; print(settings.SOCIALACCOUNT_PROVIDERS)"


def _social_login(email: str, *, verified: bool) -> SocialLogin:
    account = SocialAccount(provider="sso", uid="subject-1")
    return SocialLogin(
        account=account,
        provider=account.get_provider(),
        email_addresses=[EmailAddress(email=email, verified=verified, primary=True)],
    )


@pytest.fixture
def sso_request(settings):
    settings.SOCIALACCOUNT_PROVIDERS = PROVIDER
    request = RequestFactory().get("/accounts/oidc/sso/login/callback/")
    with context.request_context(request):
        yield request


def test_without_its_variables_there_is_no_provider_and_no_button(client, cast):
    assert _manage("shell", "-c", SHOW).stdout.splitlines()[-1] == "{}"
    assert "/accounts/oidc/" not in client.get("/accounts/login/").content.decode()


def test_with_its_variables_the_provider_is_configured():
    shown = _manage(
        "shell",
        "-c",
        SHOW,
        OIDC_SERVER_URL="https://id.example.gov",
        OIDC_CLIENT_ID="tansiq",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_PROVIDER_NAME="Government sign-in",
    ).stdout

    assert "'provider_id': 'sso'" in shown
    assert "'server_url': 'https://id.example.gov'" in shown
    assert "'name': 'Government sign-in'" in shown


def test_a_provider_without_a_client_id_stops_start_up():
    result = _manage("check", OIDC_SERVER_URL="https://id.example.gov")

    assert result.returncode != 0
    assert "OIDC_CLIENT_ID must be set" in result.stderr


def test_a_configured_provider_is_offered_on_the_sign_in_page(client, cast, settings):
    settings.SOCIALACCOUNT_PROVIDERS = PROVIDER

    page = client.get("/accounts/login/").content.decode()

    assert 'href="/accounts/oidc/sso/login/' in page
    assert "Government sign-in" in page


def test_a_verified_address_finds_the_existing_login_and_keeps_its_password(cast, sso_request):
    login = _social_login("Member@Example.org", verified=True)

    found = get_adapter().authenticate_by_email(login)

    assert found == (cast.member, "member@example.org")
    assert EmailAddress.objects.get(user=cast.member).verified
    # allauth wipes the password of a login found by an address it takes as unconfirmed.
    wipe_password(sso_request, cast.member, "member@example.org")
    cast.member.refresh_from_db()
    assert cast.member.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("email", "verified"),
    [
        ("member@example.org", False),
        ("stranger@example.org", True),
    ],
)
def test_an_unverified_or_unknown_address_finds_nobody(cast, sso_request, email, verified):
    users = User.objects.count()

    found = get_adapter().authenticate_by_email(_social_login(email, verified=verified))

    assert found is None
    assert not get_adapter().is_open_for_signup(sso_request, _social_login(email, verified=True))
    assert not EmailAddress.objects.exists()
    assert User.objects.count() == users


def test_an_address_two_logins_share_finds_neither(cast, sso_request):
    cast.observer.email = "member@example.org"
    cast.observer.save(update_fields=["email"])

    found = get_adapter().authenticate_by_email(_social_login("member@example.org", verified=True))

    assert found is None
    assert not EmailAddress.objects.exists()


def test_a_switched_off_login_is_not_found(cast, sso_request):
    cast.member.is_active = False
    cast.member.save(update_fields=["is_active"])

    found = get_adapter().authenticate_by_email(_social_login("member@example.org", verified=True))

    assert found is None

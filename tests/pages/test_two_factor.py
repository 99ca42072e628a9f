"""Two-factor sign-in: TOTP with recovery codes and security keys; required of staff and
the secretariat (MFA_REQUIRED_FOR_STAFF, on in production), offered to everyone."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
SETUP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def _code(secret: str) -> str:
    # A code made in the last moment of its period is refused once the period turns
    # (allauth allows no drift by default): then wait for the next period to make it.
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 2:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _fresh_code(secret: str) -> str:
    # allauth refuses a code twice within its period; a test has no time to wait.
    cache.clear()
    return _code(secret)


def _sign_in(client, username: str):
    return client.post("/accounts/login/", {"login": username, "password": PASSWORD})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _activate(client) -> str:
    """Activate an authenticator app as the signed-in user; returns its secret."""
    # allauth asks for the password again before a second factor is changed.
    assert client.get(SETUP)["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(REAUTHENTICATE, {"password": PASSWORD}).status_code == 302
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SETUP, {"code": _code(secret)})
    assert response.status_code == 302
    return secret


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def test_secretariat_without_a_second_factor_is_sent_to_set_one_up(client, cast):
    assert _sign_in(client, "secretariat").status_code == 302

    dashboard = client.get(reverse("dashboard"))
    meetings = client.get(reverse("meeting-list"))
    admin = client.get("/admin/")
    api = client.get("/api/v1/meetings/")
    setup = client.get(dashboard["Location"], follow=True)

    assert (dashboard.status_code, dashboard["Location"]) == (302, SETUP)
    assert (meetings.status_code, meetings["Location"]) == (302, SETUP)
    assert (admin.status_code, admin["Location"]) == (302, SETUP)
    assert api.status_code == 403
    assert api.json()["type"] == "permission_denied"
    page = setup.content.decode()
    assert setup.status_code == 200
    assert "must use two-factor sign-in" in page
    assert 'class="language-switch"' in page
    assert not Authenticator.objects.filter(user=cast.secretariat).exists()


@pytest.mark.parametrize("persona", ["secretariat", "admin"])
def test_after_activating_an_authenticator_app_staff_get_in(client, cast, persona):
    _sign_in(client, persona)

    _activate(client)

    assert Authenticator.objects.filter(
        user=cast.user(persona), type=Authenticator.Type.TOTP
    ).exists()
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/accounts/2fa/recovery-codes/").status_code == 200


def test_a_wrong_setup_code_activates_nothing(client, cast):
    _sign_in(client, "secretariat")
    client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert 'class="qr-code"' in client.get(SETUP).content.decode()

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=cast.secretariat).exists()
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_next_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client, cast):
    secret = _with_totp(cast.secretariat)

    password_only = _sign_in(client, "secretariat")
    wrong = client.post(AUTHENTICATE, {"code": "000000"})

    assert (password_only.status_code, password_only["Location"]) == (302, AUTHENTICATE)
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert not _signed_in(client)
    assert client.get(reverse("dashboard")).status_code == 302

    right = client.post(AUTHENTICATE, {"code": _fresh_code(secret)})

    assert right.status_code == 302
    assert _signed_in(client)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_recovery_code_signs_in_once(client, cast):
    _with_totp(cast.secretariat)
    codes = Authenticator.objects.get(user=cast.secretariat, type="recovery_codes")
    code = RecoveryCodes(codes).get_unused_codes()[0]

    _sign_in(client, "secretariat")
    first = client.post(AUTHENTICATE, {"code": code})
    client.post(reverse("account_logout"))
    _sign_in(client, "secretariat")
    second = client.post(AUTHENTICATE, {"code": code})

    assert first.status_code == 302
    assert second.status_code == 200
    assert not _signed_in(client)
    codes.refresh_from_db()
    assert code not in RecoveryCodes(codes).get_unused_codes()


def test_staff_cannot_remove_their_last_second_factor(client, cast):
    _sign_in(client, "secretariat")
    _activate(client)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=cast.secretariat, type="totp").exists()


def test_a_member_is_offered_two_factor_sign_in_but_not_made_to(client, cast):
    _sign_in(client, "member")

    dashboard = client.get(reverse("dashboard"))
    security = client.get(reverse("mfa_index"))

    assert dashboard.status_code == 200
    assert 'href="/accounts/2fa/"' in dashboard.content.decode()
    page = security.content.decode()
    assert security.status_code == 200
    assert 'href="/accounts/2fa/totp/activate/"' in page
    assert 'href="/accounts/2fa/webauthn/add/"' in page
    assert 'class="language-switch"' in page


def test_a_member_may_remove_their_own_second_factor(client, cast):
    _sign_in(client, "member")
    _activate(client)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=cast.member).exists()


@pytest.mark.parametrize(
    "path",
    ["/accounts/2fa/webauthn/add/", "/accounts/2fa/webauthn/", "/accounts/2fa/reauthenticate/"],
)
def test_the_security_key_pages_load_in_the_portals_frame(client, cast, path):
    _sign_in(client, "member")

    response = client.get(path, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="language-switch"' in page
    assert 'class="account-page' in page


def test_the_api_asks_a_login_with_two_factor_for_its_code(cast):
    secret = _with_totp(cast.member)
    api = APIClient()

    missing = api.post(TOKEN, {"username": "member", "password": PASSWORD})
    wrong = api.post(TOKEN, {"username": "member", "password": PASSWORD, "code": "000000"})

    assert missing.status_code == 400
    assert wrong.status_code == 400
    assert list(wrong.json()["errors"]) == ["code"]
    assert not AuthToken.objects.exists()

    right = api.post(
        TOKEN, {"username": "member", "password": PASSWORD, "code": _fresh_code(secret)}
    )

    assert right.status_code == 201
    assert AuthToken.objects.filter(user=cast.member).count() == 1


def test_the_api_gives_staff_without_a_second_factor_no_token(cast):
    answer = APIClient().post(TOKEN, {"username": "secretariat", "password": PASSWORD})

    assert answer.status_code == 403
    assert "two-factor" in answer.json()["detail"]
    assert not AuthToken.objects.exists()


def test_without_the_requirement_staff_sign_in_with_a_password(client, cast, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False

    _sign_in(client, "secretariat")

    assert client.get(reverse("dashboard")).status_code == 200
    token = APIClient().post(TOKEN, {"username": "secretariat", "password": PASSWORD})
    assert token.status_code == 201

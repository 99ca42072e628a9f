"""API tokens end when the login's password changes or the login is switched off, as its
sessions do; whichever way it happens (the page, a reset link, the admin, a service)."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.services import api_token_create, user_set_active
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-and-long-passphrase-7"
MEETINGS = "/api/v1/meetings/"


def _token_client(user) -> APIClient:
    _token, secret = api_token_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get(MEETINGS).status_code == 200
    return api


def _signs_in(client, password: str) -> bool:
    client.logout()
    return client.login(username="member", password=password)


def test_password_changed_on_the_page_ends_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    client.force_login(cast.member)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    answer = api.get(MEETINGS)
    assert answer.status_code == 401
    assert answer.json()["type"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=cast.member).exists()
    # The session that changed the password goes on, and the new password signs in.
    assert client.get(reverse("dashboard")).status_code == 200
    assert _signs_in(client, NEW_PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_old_password_changes_nothing_and_keeps_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    client.force_login(cast.member)
    password_hash = cast.member.password

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    cast.member.refresh_from_db()
    assert cast.member.password == password_hash
    assert AuthToken.objects.filter(user=cast.member).count() == 1
    assert api.get(MEETINGS).status_code == 200


def test_password_reset_through_the_emailed_link_ends_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    link = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(cast.member),
            "key": default_token_generator.make_token(cast.member),
        },
    )

    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert api.get(MEETINGS).status_code == 401
    assert _signs_in(client, NEW_PASSWORD)


def test_password_set_in_the_admin_ends_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    other = _token_client(cast.observer)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[cast.member.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert api.get(MEETINGS).status_code == 401
    assert other.get(MEETINGS).status_code == 200
    assert _signs_in(client, NEW_PASSWORD)


def test_password_sign_in_turned_off_in_the_admin_ends_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[cast.member.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )

    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert not cast.member.has_usable_password()
    # Django stores no password then, so no password change is announced: the token
    # is refused when it is used.
    assert api.get(MEETINGS).status_code == 401


def test_admin_password_form_refusal_changes_nothing(client, cast):
    api = _token_client(cast.member)
    client.force_login(cast.admin)
    password_hash = cast.member.password

    response = client.post(
        reverse("admin:auth_user_password_change", args=[cast.member.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "something else"},
    )

    assert response.status_code == 200
    cast.member.refresh_from_db()
    assert cast.member.password == password_hash
    assert api.get(MEETINGS).status_code == 200


def test_login_switched_off_in_the_admin_ends_the_api_tokens(client, cast):
    api = _token_client(cast.member)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "switch_the_login_off", "_selected_action": [cast.member.pk]},
    )

    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert not cast.member.is_active
    assert api.get(MEETINGS).status_code == 401
    assert not AuthToken.objects.filter(user=cast.member).exists()
    assert not _signs_in(client, PASSWORD)


def test_login_switched_off_by_the_service_ends_the_api_tokens(cast):
    api = _token_client(cast.member)

    user_set_active(user=cast.member, is_active=False, by=cast.secretariat)

    assert api.get(MEETINGS).status_code == 401
    assert not AuthToken.objects.filter(user=cast.member).exists()

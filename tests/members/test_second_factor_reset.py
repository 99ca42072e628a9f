"""Resetting a login's second factor when its device is lost: the service, the admin
action (superusers and the secretariat only), and the next sign-in."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from members.middleware import CHECKED_SESSION_KEY
from members.services import user_create, user_second_factor_reset
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ACTION = "reset_the_second_factor_(lost_device)"
SETUP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def _with_totp(user) -> None:
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)


def _signed_in_past_the_check(user) -> Client:
    """A browser of `user`'s that passed the two-factor check (the flag is in its session)."""
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("dashboard")).status_code == 200
    assert browser.session[CHECKED_SESSION_KEY] == user.pk
    return browser


def _helpdesk() -> User:
    """Staff who may see and change logins in the admin, outside the secretariat."""
    user = user_create(username="helpdesk", password=PASSWORD)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="auth", codename__in=["view_user", "change_user"]
        )
    )
    return user


def test_the_reset_removes_every_factor_and_is_recorded(cast):
    _with_totp(cast.secretariat)

    removed = user_second_factor_reset(user=cast.secretariat, by=cast.admin)

    assert removed == 2
    assert not Authenticator.objects.filter(user=cast.secretariat).exists()
    entry = LogEntry.objects.get(object_id=str(cast.secretariat.pk))
    assert entry.user_id == cast.admin.pk
    assert entry.content_type.model_class() is User
    assert entry.get_change_message() == (
        "Deleted second factor “TOTP Authenticator”. Deleted second factor “Recovery codes”."
    )


def test_the_reset_refuses_a_login_without_a_factor_and_changes_nothing(cast):
    browser = _signed_in_past_the_check(cast.member)
    sessions = Session.objects.count()

    with pytest.raises(ValidationError) as refused:
        user_second_factor_reset(user=cast.member, by=cast.admin)

    assert refused.value.message_dict == {"user": ["member has no second factor to reset."]}
    assert Session.objects.count() == sessions
    assert browser.get(reverse("dashboard")).status_code == 200
    assert not LogEntry.objects.exists()


def test_the_reset_ends_the_logins_open_sessions_and_no_others(cast):
    _with_totp(cast.secretariat)
    lost = _signed_in_past_the_check(cast.secretariat)
    other = _signed_in_past_the_check(cast.chair)

    user_second_factor_reset(user=cast.secretariat, by=cast.admin)

    assert lost.get(reverse("dashboard"))["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in lost.session
    assert other.get(reverse("dashboard")).status_code == 200


def test_a_superuser_resets_a_factor_in_the_admin(client, cast):
    _with_totp(cast.secretariat)
    _with_totp(cast.admin)  # past the two-factor requirement of staff
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": ACTION, "_selected_action": [cast.secretariat.pk, cast.member.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert not Authenticator.objects.filter(user=cast.secretariat).exists()
    assert "Reset the second factor (lost device): 1 done." in page
    assert "member has no second factor to reset." in page
    assert LogEntry.objects.filter(object_id=str(cast.secretariat.pk)).count() == 1
    assert Authenticator.objects.filter(user=cast.admin).count() == 2


def test_staff_outside_the_secretariat_cannot_reset_a_factor(client, cast):
    _with_totp(cast.secretariat)
    helpdesk = _helpdesk()
    _with_totp(helpdesk)  # past the two-factor requirement of staff
    client.force_login(helpdesk)
    url = reverse("admin:auth_user_changelist")

    listed = client.get(url)
    posted = client.post(url, {"action": ACTION, "_selected_action": [cast.secretariat.pk]})

    assert listed.status_code == 200
    assert "switch_the_login_off" in listed.content.decode()  # the other actions are
    assert ACTION not in listed.content.decode()
    assert posted.status_code == 302
    assert Authenticator.objects.filter(user=cast.secretariat).count() == 2
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "secretariat"])
def test_the_action_is_offered_to_superusers_and_the_secretariat(cast, persona):
    request = RequestFactory().get("/admin/auth/user/")
    request.user = cast.user(persona)

    actions = admin.site.get_model_admin(User).get_actions(request)

    assert ACTION in actions


def test_after_a_reset_staff_sign_in_with_the_password_and_must_set_up_a_factor(client, cast):
    _with_totp(cast.secretariat)
    asks_for_code = Client().post(
        "/accounts/login/", {"login": "secretariat", "password": PASSWORD}
    )
    assert asks_for_code["Location"] == AUTHENTICATE

    user_second_factor_reset(user=cast.secretariat, by=cast.admin)
    signed_in = client.post("/accounts/login/", {"login": "secretariat", "password": PASSWORD})
    dashboard = client.get(signed_in["Location"])

    assert signed_in.status_code == 302
    assert signed_in["Location"] != AUTHENTICATE
    assert (dashboard.status_code, dashboard["Location"]) == (302, SETUP)

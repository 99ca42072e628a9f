"""A request's session, token and user are read by SQL compiled once (members.sessions,
members.auth): a live session signs its user in, with their person, in two queries, a
token in one; an expired, unknown or switched-off one signs nobody in. Expired tokens
and sessions are cleared hourly."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from members.auth import AuthenticationBackend, TokenAuthentication
from members.sessions import SessionStore
from members.tasks import expired_sign_ins_clear_task

pytestmark = pytest.mark.django_db


def _signed_in(client, user) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


def _request_with(key: str):
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    return request


def test_a_live_session_signs_its_user_in_with_their_person_in_two_queries(
    client, cast, django_assert_num_queries
):
    key = _signed_in(client, cast.member)
    request = _request_with(key)

    with django_assert_num_queries(2):
        user = get_user(request)
        person = user.person

    assert user == cast.member
    assert person == cast.member_person
    assert request.session.session_key == key


def test_the_pages_and_the_api_know_the_signed_in_user(client, cast):
    _signed_in(client, cast.member)

    assert client.get("/api/v1/auth/tokens/").status_code == 200
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.member


def test_an_expired_session_signs_nobody_in_and_is_left_as_it_was(client, cast):
    key = _signed_in(client, cast.member)
    ended = timezone.now() - dt.timedelta(seconds=1)
    Session.objects.filter(pk=key).update(expire_date=ended)
    before = Session.objects.get(pk=key).session_data

    request = _request_with(key)
    assert get_user(request).is_anonymous
    assert request.session.session_key is None
    assert client.get("/api/v1/auth/tokens/").status_code in (401, 403)
    assert Session.objects.get(pk=key).session_data == before


def test_an_unknown_session_key_signs_nobody_in(cast):
    request = _request_with("k" * 32)
    assert get_user(request).is_anonymous
    assert request.session.session_key is None


def test_a_switched_off_or_deleted_login_is_nobody(client, cast):
    backend = AuthenticationBackend()
    assert backend.get_user(cast.observer.pk) == cast.observer

    cast.observer.is_active = False
    cast.observer.save(update_fields=["is_active"])
    assert backend.get_user(cast.observer.pk) is None
    assert backend.get_user(cast.observer.pk + 10_000) is None
    assert backend.get_user("not a number") is None


def _token(user, **expiry) -> tuple[AuthToken, str]:
    if expiry:
        return AuthToken.objects.create(user=user, expiry=dt.timedelta(**expiry))
    return AuthToken.objects.create(user=user)


def test_a_token_is_read_with_its_user_and_person_in_one_query(cast, django_assert_num_queries):
    token, secret = _token(cast.member)

    with django_assert_num_queries(1):
        user, auth = TokenAuthentication().authenticate_credentials(secret.encode())
        person = user.person

    assert (user, auth, person) == (cast.member, token, cast.member_person)


def test_a_token_request_reads_no_other_token_of_the_user(cast, django_assert_num_queries):
    _token(cast.member, seconds=-60)  # expired: the hourly clearing deletes it
    _token(cast.member)
    _token_row, secret = _token(cast.member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.get("/api/v1/auth/tokens/")

    assert response.status_code == 200
    assert AuthToken.objects.filter(user=cast.member).count() == 3


def test_an_expired_token_presented_is_refused_and_deleted_and_others_are_kept(cast):
    expired, secret = _token(cast.member, seconds=-1)
    live, _live_secret = _token(cast.member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.get("/api/v1/meetings/")

    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed"
    assert list(AuthToken.objects.filter(user=cast.member)) == [live]


@pytest.mark.parametrize(
    "header",
    ["Token caf\u00e9-not-a-token", "Token " + "\u00ff" * 64, "Token abc def", "Token"],
)
def test_a_malformed_token_header_is_a_401_not_a_500(cast, header):
    token, _secret = _token(cast.member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/meetings/")

    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed"
    assert list(AuthToken.objects.all()) == [token]


def test_a_wrong_secret_with_a_real_token_key_is_refused(cast):
    token, secret = _token(cast.member)
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials((secret[:-4] + "0000").encode())
    assert list(AuthToken.objects.all()) == [token]


def test_the_hourly_clearing_deletes_expired_tokens_and_sessions_only(client, cast):
    old_token, _secret = _token(cast.member, seconds=-1)
    live_tokens = [_token(cast.member)[0], _token(cast.observer, days=1)[0]]
    unending, _secret = AuthToken.objects.create(user=cast.observer, expiry=None)
    live_session = _signed_in(client, cast.member)
    old_session = _signed_in(APIClient(), cast.observer)
    Session.objects.filter(pk=old_session).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert settings.CELERY_BEAT_SCHEDULE["expired-sign-ins-clear"]["task"] == (
        expired_sign_ins_clear_task.name
    )

    expired_sign_ins_clear_task.delay()

    assert set(AuthToken.objects.all()) == {*live_tokens, unending}
    assert list(Session.objects.values_list("pk", flat=True)) == [live_session]
    expired_sign_ins_clear_task.delay()  # again: nothing more to delete
    assert AuthToken.objects.count() == 3
    assert Session.objects.count() == 1
    assert client.get("/api/v1/auth/tokens/").status_code == 200


def test_the_portal_reads_sessions_with_its_own_store():
    from importlib import import_module

    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore


def test_an_id_the_column_cannot_hold_is_nobody(cast, django_assert_num_queries):
    backend = AuthenticationBackend()
    with django_assert_num_queries(0):
        assert backend.get_user(2**63) is None
        assert backend.get_user(-(2**63) - 1) is None


def test_an_expired_token_is_not_listed_before_it_is_cleared(cast):
    expired, _secret = _token(cast.member, seconds=-1)
    live, secret = _token(cast.member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    listed = client.get("/api/v1/auth/tokens/").json()["results"]

    assert [token["token_key"] for token in listed] == [live.token_key]
    assert client.delete(f"/api/v1/auth/tokens/{expired.token_key}/").status_code == 404
    assert AuthToken.objects.filter(pk=expired.pk).exists()


def test_a_token_is_renewed_on_use_when_the_settings_say_so(cast, settings):
    settings.REST_KNOX = {
        **settings.REST_KNOX,
        "AUTO_REFRESH": True,
        "MIN_REFRESH_INTERVAL": 0,
        "TOKEN_TTL": dt.timedelta(days=2),
    }
    token, secret = _token(cast.member, hours=1)

    user, auth = TokenAuthentication().authenticate_credentials(secret.encode())

    assert user == cast.member
    token.refresh_from_db()
    assert token.expiry > timezone.now() + dt.timedelta(days=1)

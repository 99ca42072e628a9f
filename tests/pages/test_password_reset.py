"""Password reset: the same answer whether or not the address has a login; the link is
sent by a task after the request, never inside it; limited per address and per account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-new-and-long-passphrase-7"


def _ask(client, email: str, address: str = "10.0.0.2"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_known_and_unknown_addresses_get_the_same_answer(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as known_callbacks:
        known = _ask(client, "member@example.org")
    with django_capture_on_commit_callbacks(execute=True) as unknown_callbacks:
        unknown = _ask(client, "nobody@example.org")

    assert (known.status_code, known["Location"]) == (302, "/accounts/password/reset/done/")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown.content == known.content
    done = client.get(known["Location"]).content.decode()
    assert "If the address belongs to a login" in done
    assert 'class="language-switch"' in done
    # Only the known address is written to, and only after the request.
    assert (len(known_callbacks), len(unknown_callbacks)) == (1, 0)
    assert [message.to for message in mail.outbox] == [["member@example.org"]]


def test_the_link_is_sent_by_a_task_after_the_request(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _ask(client, "member@example.org")

    assert response.status_code == 302
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.subject == "Tansiq: choose a new password"
    assert "Your login name: member" in message.body
    assert "/accounts/password/reset/key/" in message.body


def test_the_link_sets_the_new_password_once(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "member@example.org")
    link = re.search(r"http://[^\s]+/accounts/password/reset/key/\S+", mail.outbox[0].body)[0]

    form = client.get(link, follow=True)
    saved = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    again = client.get(link, follow=True)

    assert saved.status_code == 302
    assert client.login(username="member", password=NEW_PASSWORD)
    assert "This link has expired or was already used" in again.content.decode()


def test_a_reset_through_the_link_lifts_the_accounts_sign_in_limit(
    client, cast, django_capture_on_commit_callbacks
):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "member", "password": "wrong"})
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "member@example.org")
    link = re.search(r"http://[^\s]+/accounts/password/reset/key/\S+", mail.outbox[0].body)[0]
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.post("/accounts/login/", {"login": "member", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_a_fourth_request_for_one_account_within_a_minute_is_refused(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = [_ask(client, "member@example.org", f"192.0.2.{n}") for n in range(4)]

    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert len(callbacks) == 3
    assert "Too many attempts" in answers[-1].content.decode()
    cast.member.refresh_from_db()
    assert cast.member.check_password(PASSWORD)


def test_an_eleventh_request_from_one_address_within_a_minute_is_refused(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = [_ask(client, f"someone{n}@example.org") for n in range(10)]
        refused = _ask(client, "member@example.org")

    assert {answer.status_code for answer in answers} == {302}
    assert refused.status_code == 429
    assert callbacks == []
    assert mail.outbox == []

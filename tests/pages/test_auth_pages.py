import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_lands_on_the_dashboard(client, cast):
    response = client.post(
        reverse("login"), {"username": "member", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Amina Health" in response.content.decode()


def test_wrong_password_keeps_the_username_and_says_why(client, cast):
    response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="member"' in page
    assert "correct username and password" in page


def test_sign_out_is_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.member)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_sends_a_link(client, cast):
    response = client.post(reverse("password_reset"), {"email": "member@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("language", "direction", "word"),
    [("en", "ltr", "Dashboard"), ("ar", "rtl", "لوحة المتابعة"), ("fr", "ltr", "Tableau de bord")],
)
def test_language_switch_lays_out_the_page(client, cast, language, direction, word):
    client.force_login(cast.secretariat)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert word in page

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("login", ["member", "member@example.org", "MEMBER@example.org"])
def test_sign_in_with_username_or_email_lands_on_the_dashboard(client, cast, login):
    response = client.post(
        reverse("account_login"), {"login": login, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Amina Health" in response.content.decode()


def test_sign_in_page_is_the_portals_own(client, cast):
    page = client.get(reverse("account_login")).content.decode()

    assert 'class="language-switch"' in page
    assert 'name="login"' in page
    assert 'name="password"' in page
    assert ">Sign in</button>" in page
    assert 'href="/accounts/password/reset/"' in page
    # No sign-up, and no single sign-on while no identity provider is configured.
    assert "/accounts/signup/" not in page
    assert "/accounts/oidc/" not in page


def test_wrong_password_keeps_the_username_and_says_why(client, cast):
    response = client.post(reverse("account_login"), {"login": "member", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="member"' in page
    assert "username and/or password you specified are not correct" in page
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.member)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_nobody_can_sign_up(client, cast):
    users = User.objects.count()

    page = client.get("/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "stranger",
            "email": "stranger@example.org",
            "password1": "a-long-and-fresh-passphrase-1",
            "password2": "a-long-and-fresh-passphrase-1",
        },
    )

    assert "Ask the secretariat for a login" in page.content.decode()
    assert response.status_code == 200
    assert User.objects.count() == users
    assert "_auth_user_id" not in client.session


def test_the_admins_own_sign_in_form_is_not_a_way_around_the_limits(client, cast):
    response = client.get("/admin/login/?next=/admin/")
    refused = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert refused.status_code == 302
    assert "_auth_user_id" not in client.session


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

"""The Content-Security-Policy: every kind of response carries it, enforced, and no template
holds code or styles it would refuse."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SITE_PACKAGES = Path(pytest.__file__).resolve().parents[1]

# Templates that become e-mail, not pages: mail programs read no style sheet, and no
# browser applies the portal's policy to them.
MAIL_TEMPLATES = {
    "notices/templates/notices/email.html",
    "notices/templates/notices/procedure_email.html",
}


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/accounts/login/"),
        ("secretariat", "/"),
        ("secretariat", "/meetings/"),
        ("secretariat", "/api/v1/meetings/"),
        ("secretariat", "/admin/"),
        ("anonymous", "/api/docs/"),
        ("anonymous", "/health/"),
    ],
)
def test_every_kind_of_response_carries_the_enforced_policy(cast, client, persona, url):
    if persona != "anonymous":
        client.force_login(getattr(cast, persona))

    response = client.get(url)

    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response.headers
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    everything = [source for sources in policy.values() for source in sources]
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything


def test_the_api_docs_start_swagger_from_a_script_file_other_sites_cannot_load(client):
    page = client.get(reverse("api-docs")).content.decode()
    script_urls = re.findall(r'<script src="([^"]*\?[^"]*script[^"]*)"', page)

    assert len(script_urls) == 1
    assert "<style" not in page
    script = client.get(script_urls[0].replace("&amp;", "&"))
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert script.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_browsable_api_and_guardian_screens_put_no_style_element_in_the_page(cast, client):
    client.force_login(cast.admin)

    browsable = client.get("/api/v1/meetings/", headers={"accept": "text/html"})
    permissions = client.get(f"/admin/groups/coordinationgroup/{cast.mwg.pk}/permissions/")

    assert browsable.status_code == permissions.status_code == 200
    assert b"<style" not in browsable.content
    assert b"<style" not in permissions.content


def test_identity_provider_origins_for_form_action_come_from_the_environment(monkeypatch):
    from portal.env import env_origins

    monkeypatch.setenv(
        "CSP_EXTRA_FORM_ACTION", "https://sso.example.gov, https://id.example.org:8443"
    )

    assert env_origins("CSP_EXTRA_FORM_ACTION") == [
        "https://sso.example.gov",
        "https://id.example.org:8443",
    ]


class _Markup(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' or eval would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: list[str] = []
        self.style_attributes: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name) or name.startswith(("hx-on", "data-hx-on")):
                self.refused.append(f"{name}= on <{tag}> (line {self.getpos()[0]})")
            if (value or "").strip().lower().startswith(("javascript:", "js:")):
                self.refused.append(f"{name}={value!r} on <{tag}> (line {self.getpos()[0]})")
            if name == "style" and value is not None:
                self.style_attributes.append(value)
        if tag == "style":
            self.refused.append(f"<style> element (line {self.getpos()[0]})")
        data_island = attributes.get("type") in {"application/json", "application/ld+json"}
        self._inline_script = tag == "script" and "src" not in attributes and not data_island

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.refused.append(f"inline <script> (line {self.getpos()[0]})")

    def handle_endtag(self, tag):
        self._inline_script = False


def _scan(path: Path) -> _Markup:
    text = path.read_text(encoding="utf-8")
    # Template comments are never sent to the browser.
    text = re.sub(r"{#.*?#}", "", text, flags=re.DOTALL)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.DOTALL)
    markup = _Markup()
    markup.feed(text)
    markup.close()
    return markup


def _project_templates() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_no_project_template_holds_inline_script_handlers_or_styles():
    templates = _project_templates()
    refused = {}
    for path in templates:
        name = str(path.relative_to(ROOT))
        markup = _scan(path)
        if name not in MAIL_TEMPLATES and markup.style_attributes:
            markup.refused += [f"style={value!r}" for value in markup.style_attributes]
        if markup.refused:
            refused[name] = markup.refused

    assert len(templates) > 40
    assert refused == {}


# The third-party templates the portal renders: Django's admin and forms, guardian's
# permission screens, the admin's history lists, the browsable API (its docs and
# admin renderers are not mounted) and the account pages. allauth's e-mail and phone
# change pages are left out: they serve settings Tansiq does not turn on
# (ACCOUNT_CHANGE_EMAIL, phone logins), and their hidden form would show.
THIRD_PARTY = {
    "django/contrib/admin/templates": (),
    "django/forms/templates": (),
    "guardian/templates": (),
    "simple_history/templates": (),
    "django_filters/templates": (),
    "rest_framework/templates/rest_framework": ("docs/", "admin.html", "login_base.html"),
    "allauth/templates": ("account/email_change.html", "account/phone_change.html"),
}


# What the portal's own templates of the same name take out again.
OVERRIDDEN = {
    # templates/admin/guardian/model/obj_perms_manage.html: an empty <style>.
    "guardian/templates/admin/guardian/model/obj_perms_manage.html": "<style> element",
    # templates/rest_framework/api.html: the code-highlighting <style>.
    "rest_framework/templates/rest_framework/base.html": "<style> element",
    # Only for a list with neither action bar, which no admin here has (checked below).
    "django/contrib/admin/templates/admin/change_list.html": "<style> element",
}


def _hash_source(declaration: str) -> str:
    digest = base64.b64encode(hashlib.sha256(declaration.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def test_third_party_templates_need_only_the_style_attributes_the_policy_names():
    allowed = set(settings.THIRD_PARTY_STYLE_ATTRIBUTES)
    refused = {}
    for folder, left_out in THIRD_PARTY.items():
        base = SITE_PACKAGES / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.html")):
            name = str(path.relative_to(base))
            if name.startswith(left_out):
                continue
            markup = _scan(path)
            markup.refused = [
                found
                for found in markup.refused
                if not found.startswith(OVERRIDDEN.get(f"{folder}/{name}", "\0"))
            ]
            unknown = [value for value in markup.style_attributes if value not in allowed]
            if markup.refused or unknown:
                refused[f"{folder}/{name}"] = markup.refused + unknown

    assert refused == {}
    assert all(
        model_admin.actions_on_top or model_admin.actions_on_bottom
        for model_admin in admin.site._registry.values()
    )
    header = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src-attr"]
    assert header == ["'unsafe-hashes'", *map(_hash_source, settings.THIRD_PARTY_STYLE_ATTRIBUTES)]


# --- The header written once per setting (portal.middleware) ----------------------------


def _through(middleware_class, view, request=None):
    from django.test import RequestFactory

    request = request or RequestFactory().get("/somewhere/")
    middleware = middleware_class(view)
    return request, middleware(request)


def _both(view, request_factory=None):
    """The header our middleware writes and the one django-csp's own writes."""
    from csp.middleware import CSPMiddleware

    from portal.middleware import ContentSecurityPolicyMiddleware

    ours = _through(ContentSecurityPolicyMiddleware, view, request_factory and request_factory())
    theirs = _through(CSPMiddleware, view, request_factory and request_factory())
    return ours, theirs


def _plain(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


@pytest.mark.parametrize("production", [False, True])
def test_the_header_is_the_one_django_csp_writes(settings, production):
    settings.DEBUG = not production
    (_, ours), (_, theirs) = _both(_plain)

    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-hashes'" in ours["Content-Security-Policy"]


def test_a_changed_setting_changes_the_header_of_the_same_middleware(settings):
    from django.test import RequestFactory

    from portal.middleware import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(_plain)
    before = middleware(RequestFactory().get("/"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    after = middleware(RequestFactory().get("/"))["Content-Security-Policy"]

    assert "default-src 'self'" in before
    assert after == "default-src 'none'"


def test_a_views_own_policy_and_a_nonce_go_the_librarys_way(settings):
    from csp.constants import NONCE, SELF
    from csp.decorators import csp_exempt, csp_update
    from django.http import HttpResponse

    @csp_update({"img-src": ["https://maps.example.org"]})
    def with_update(request):
        return HttpResponse()

    @csp_exempt()
    def exempt(request):
        return HttpResponse()

    def takes_nonce(request):
        return HttpResponse(str(request.csp_nonce))

    def sets_its_own(request):
        response = HttpResponse()
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    (_, updated), (_, updated_theirs) = _both(with_update)
    (_, exempted), _theirs = _both(exempt)
    (_, own), _theirs = _both(sets_its_own)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    (_, nonced), _theirs = _both(takes_nonce)

    assert "https://maps.example.org" in updated["Content-Security-Policy"]
    assert updated["Content-Security-Policy"] == updated_theirs["Content-Security-Policy"]
    assert "Content-Security-Policy" not in exempted
    assert own["Content-Security-Policy"] == "default-src 'none'"
    nonce = nonced.content.decode()
    assert f"script-src 'self' 'nonce-{nonce}'" in nonced["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    from portal.middleware import ContentSecurityPolicyMiddleware

    request, response = _through(ContentSecurityPolicyMiddleware, _plain)

    assert "Content-Security-Policy" in response
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_policy_that_builds_to_nothing_writes_no_header_as_the_library(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": None}}

    (_, ours), (_, theirs) = _both(_plain)

    assert "Content-Security-Policy" not in theirs
    assert "Content-Security-Policy" not in ours

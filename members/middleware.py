"""Two middlewares: two-factor sign-in for staff, and the zone of a person's pages.

Two-factor sign-in is required of staff and the secretariat (MFA_REQUIRED_FOR_STAFF).

allauth asks for the second factor at sign-in once one is set up; this makes those who
must have one set it up before anything else. A signed-in session of theirs without a
factor reaches only the account pages (where the factor is set up, and sign-out), the
language switch, static files and /health/; every other page sends them to the setup
page, and the API (through that session) answers 403. API clients that send a token
carry no session and are not stopped here: the token endpoint asks them for a code.
"""

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from members.adapters import two_factor_missing_message, user_must_use_two_factor
from members.permissions import user_person
from portal import zones

# The session remembers that its user passed, so each later request costs no query.
CHECKED_SESSION_KEY = "tansiq_two_factor_checked"
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/health/")


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_stopped(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "permission_denied",
                        "detail": two_factor_missing_message(),
                        "errors": {},
                    },
                    status=403,
                )
            messages.warning(request, two_factor_missing_message())
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_stopped(self, request: HttpRequest) -> bool:
        user = request.user
        if not settings.MFA_REQUIRED_FOR_STAFF or not user.is_authenticated:
            return False
        if request.session.get(CHECKED_SESSION_KEY) == user.pk:
            return False
        if request.path.startswith((*OPEN_PREFIXES, settings.STATIC_URL)):
            return False
        if user_must_use_two_factor(user) and not is_mfa_enabled(user):
            return True
        request.session[CHECKED_SESSION_KEY] = user.pk
        return False


class PersonTimeZoneMiddleware:
    """The pages show meeting times in the zone the signed-in person chose
    (Person.time_zone), else each meeting in its own (portal.zones.shown_zone).

    The API is left alone: it answers in UTC with the meeting's zone beside it. Mails
    and calendar files name the meeting's zone themselves, whoever's request sends them.
    Reading the person costs no query on a page: the page header reads it anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = self._chosen(request)
        if not name:
            return self.get_response(request)
        zones.chosen_zone_activate(name)
        try:
            return self.get_response(request)
        finally:
            zones.chosen_zone_deactivate()

    def _chosen(self, request: HttpRequest) -> str:
        if request.path.startswith("/api/") or not request.user.is_authenticated:
            return ""
        person = user_person(request.user)
        if person is None or not zones.is_zone(person.time_zone):
            return ""
        return person.time_zone

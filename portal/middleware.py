"""Request checks that every page and the API share."""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL in a query or form field is never meant: refuse it with a 400 naming the
    field, before a view passes it to a database that would fail on it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = [*request.GET.lists()]
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            fields += [*request.POST.lists()]
        for name, values in fields:
            if "\x00" in name or any("\x00" in value for value in values):
                return self._refusal(request, name.replace("\x00", ""))
        return self.get_response(request)

    def _refusal(self, request: HttpRequest, field: str) -> HttpResponse:
        message = _("The value holds a NUL character.")
        if request.path.startswith("/api/"):
            detail = _("Invalid input: %(fields)s.") % {"fields": field}
            body = {"type": "validation_error", "detail": detail, "errors": {field: [message]}}
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"problems": {field: message}}, status=400)


# What a view or a template may ask of django-csp for one response: a policy of its own
# (csp.decorators), or a nonce.
_RESPONSE_POLICY_PARTS = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the header of responses that ask for nothing of
    their own written once per setting rather than per response: the library's middleware
    took 0.07-0.1 ms of every request building it (and copying its parts twice as
    dataclasses), this one 0.015 ms. A response with a policy of its own, a page that took
    a nonce, a report-only policy or a debug page goes the library's own way."""

    _built: tuple[object, str] | None = None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            settings.DEBUG
            or not policy
            or policy.get("EXCLUDE_URL_PREFIXES")
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, part, None) is not None for part in _RESPONSE_POLICY_PARTS)
        ):
            return super().process_response(request, response)
        # Kept with the setting it was built from: a changed setting (tests) builds anew.
        built = self._built
        if built is None or built[0] is not policy:
            built = self._built = (policy, build_policy())
        header = built[1]
        # An empty policy is no header, as the library writes it.
        if header and HEADER not in response and getattr(response, "_csp_exempt", False) is False:
            response[HEADER] = header
        # As the library does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response

"""Request checks that every page and the API share."""

from django.http import HttpRequest, HttpResponse, JsonResponse
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

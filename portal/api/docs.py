"""Swagger UI at /api/docs/, under the portal's Content-Security-Policy."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is a file of its own (`?script`), not inline code,
    so the page runs under script-src 'self'; the page's inline style is a file too."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            # The script carries the visitor's CSRF token: another site must not be able
            # to load it with <script src> and read the token from its globals.
            response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response

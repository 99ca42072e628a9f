from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from meetings.views import dashboard, rsvp
from portal.api.docs import SwaggerView
from portal.health import health

admin.site.site_header = gettext_lazy("Tansiq administration")
admin.site.site_title = gettext_lazy("Tansiq")
admin.site.index_title = gettext_lazy("Working groups, members and meetings")

# Namespaced so the routers' names (meeting-list, person-list...) never shadow
# the pages' names of the same resource in reverse().
api_v1 = [
    path("", include("members.api.urls")),
    path("", include("groups.api.urls")),
    path("", include("meetings.api.urls")),
    path("", include("notices.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("decisions.api.urls")),
    path("", include("search.api.urls")),
]

# The API first: its paths would otherwise be tried against every page's pattern
# (the apps' pages are included without a prefix), which was half of resolving one.
urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rsvp/<str:token>/", rsvp, name="rsvp"),
    path("accounts/", include("allauth.urls")),
    path("", include("meetings.urls")),
    path("", include("groups.urls")),
    path("", include("notices.urls")),
    path("", include("search.urls")),
    path("", include("documents.urls")),
    path("", include("decisions.urls")),
    # The admin's own sign-in form would skip the limits on failed sign-ins and the
    # second factor: staff sign in where everyone does.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]

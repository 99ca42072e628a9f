from collections import defaultdict

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def _named_routes(patterns, namespace="", prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, route


def test_every_url_name_is_unique():
    # A duplicate name makes reverse() pick whichever pattern Django sees last,
    # which silently sent page links to the API once.
    # (Overriding a view at the same route, like our login page, is fine.)
    routes = defaultdict(set)
    for name, route in _named_routes(get_resolver().url_patterns):
        routes[name].add(route)
    assert {name: found for name, found in routes.items() if len(found) > 1} == {}


def test_pages_and_api_reverse_to_their_own_paths():
    assert reverse("meeting-list") == "/meetings/"
    assert reverse("api:meeting-list") == "/api/v1/meetings/"
    assert reverse("person-list") != reverse("api:person-list")

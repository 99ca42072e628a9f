"""{% page_url %} (portal.template_library): what {% url %} writes, for every name the
templates give it, reversed once per name, URL configuration, script prefix and
application instance."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, set_script_prefix
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2]


def _names_given_to_page_url() -> set[tuple[str, bool]]:
    """(name, whether an id follows) of every {% page_url %} in the templates."""
    found = set()
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        for name, rest in re.findall(r"{% page_url '([^']+)'([^%]*)%}", path.read_text()):
            found.add((name, bool(rest.strip())))
    return found


def _both(name: str, *args, path: str = "/"):
    tail = "".join(f" {arg!r}" for arg in args)
    stock = engines["django"].from_string(f"{{% url '{name}'{tail} %}}")
    quick = engines["django"].from_string(f"{{% load tansiq %}}{{% page_url '{name}'{tail} %}}")
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    return stock.render({}, request), quick.render({}, request)


def test_every_name_the_templates_give_it_is_written_as_the_url_tag_writes_it():
    names = _names_given_to_page_url()
    assert ("dashboard", False) in names
    assert ("organisation-detail", True) in names
    for prefix in ("/", "/portal/"):
        set_script_prefix(prefix)
        try:
            for language in ("en", "ar"):
                with translation.override(language):
                    for name, with_id in sorted(names):
                        args = (4321,) if with_id else ()
                        stock, quick = _both(name, *args)
                        assert quick == stock, (prefix, name)
                        assert quick.startswith(prefix)
        finally:
            set_script_prefix("/")


def test_an_id_is_written_into_the_path_and_other_arguments_reversed_as_given():
    stock, quick = _both("organisation-detail", 7)
    assert quick == stock == "/directory/organisations/7/"
    assert _both("organisation-detail", 1234567)[1] == "/directory/organisations/1234567/"
    # Not a whole number: reversed each time, as the url tag does.
    assert _both("organisation-detail", "12") == ("/directory/organisations/12/",) * 2
    with pytest.raises(NoReverseMatch):
        _both("organisation-detail", "twelve")
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% load tansiq %}{% page_url 'no-such-page' %}").render({})


def test_the_admins_instance_is_the_one_the_url_tag_chooses():
    assert _both("admin:index", path="/admin/")[1] == _both("admin:index", path="/admin/")[0]


@pytest.mark.parametrize("prefix", ["/", "/portal/"])
def test_reverse_id_writes_what_reverse_writes_for_each_script_prefix(prefix):
    from django.urls import reverse

    from portal.pages import reverse_id

    set_script_prefix(prefix)
    try:
        for name in ("api:document-version-download", "organisation-detail"):
            for object_id in (1, 42, 1234567):
                expected = reverse(name, args=[object_id])
                assert reverse_id(name, object_id) == expected
                assert expected.startswith(prefix)
        # Not a whole number: reversed as given.
        assert reverse_id("organisation-detail", "12") == reverse(
            "organisation-detail", args=["12"]
        )
    finally:
        set_script_prefix("/")


def test_reverse_id_refuses_a_negative_id_as_reverse_does():
    from portal.pages import reverse_id

    with pytest.raises(NoReverseMatch):
        reverse_id("organisation-detail", -5)

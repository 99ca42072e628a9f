"""portal.api.filters.FilterSet: a list's filter form class is built once per FilterSet
and language, and each request still gets a form (and fields) of its own."""

from importlib import import_module

import pytest
from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from rest_framework.test import APIClient

from meetings.api.views import ActionPointFilter, MeetingFilter
from portal.api.filters import FilterSet


def test_every_api_filterset_builds_its_form_class_once_per_language():
    assert issubclass(ActionPointFilter, FilterSet)
    with translation.override("en"):
        first = ActionPointFilter(data={}).get_form_class()
        again = ActionPointFilter(data={}).get_form_class()
        other = MeetingFilter(data={}).get_form_class()
    with translation.override("fr"):
        french = ActionPointFilter(data={}).get_form_class()

    assert first is again
    assert other is not first
    assert french is not first


def test_the_labels_are_in_the_language_of_the_request():
    labels = {}
    for language in ("en", "fr", "ar", "en"):
        with translation.override(language):
            field = ActionPointFilter(data={}).form.fields["owner_organisation"]
            labels.setdefault(language, str(field.label))

    assert labels == {
        "en": "Owner organisation",
        "fr": "Organisation responsable",
        "ar": "الجهة المسؤولة",
    }


def test_each_request_validates_its_own_values():
    with translation.override("en"):
        wrong = ActionPointFilter(data=QueryDict("status=sideways&due_after=soon"))
        right = ActionPointFilter(data=QueryDict("status=open&status=done&due_after=2027-01-04"))

        assert not wrong.is_valid()
        assert right.is_valid()

    assert set(wrong.form.errors) == {"status", "due_after"}
    assert right.form.errors == {}
    assert right.form.fields is not wrong.form.fields
    assert right.form.fields["status"] is not wrong.form.fields["status"]


def _filtersets(base=FilterSet):
    for subclass in base.__subclasses__():
        yield subclass
        yield from _filtersets(subclass)


@pytest.mark.django_db
def test_a_list_asked_without_filters_is_its_query_unfiltered(rf, cast):
    """StrictFilterBackend skips the FilterSet when no parameter names one of its
    filters: sound only while every filter leaves the rows alone when not given (no
    default, no required filter, no method acting on an empty value)."""
    import_module(settings.ROOT_URLCONF)  # every API's views, and so their FilterSets
    checked = 0
    for filterset_class in set(_filtersets()):
        model = filterset_class._meta.model
        if model is None:  # a base for others
            continue
        request = rf.get("/")
        request.user = cast.secretariat
        # Unordered and in an order of the list's own: an order the FilterSet imposed
        # would show in either.
        for queryset in (model._default_manager.all(), model._default_manager.order_by("-pk")):
            filterset = filterset_class(data=QueryDict(), queryset=queryset, request=request)
            assert filterset.is_valid(), (filterset_class, filterset.errors)
            assert str(filterset.qs.query) == str(queryset.query), filterset_class
        checked += 1
    assert checked >= 18


@pytest.mark.django_db
def test_a_list_skips_its_filterset_only_when_no_filter_is_asked(cast, monkeypatch):
    made = []
    real_init = ActionPointFilter.__init__

    def init(self, *args, **kwargs):
        made.append(type(self))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(ActionPointFilter, "__init__", init)
    client = APIClient()
    client.force_authenticate(user=cast.secretariat)

    assert client.get("/api/v1/action-points/", {"page_size": 5}).status_code == 200
    assert made == []
    assert client.get("/api/v1/action-points/", {"status": "open"}).status_code == 200
    assert made == [ActionPointFilter]
    refused = client.get("/api/v1/action-points/", {"status": "sideways"})
    assert refused.status_code == 400
    assert "status" in refused.json()["errors"]
    assert client.get("/api/v1/action-points/", {"colour": "red"}).status_code == 400

"""portal.api.filters.FilterSet: a list's filter form class is built once per FilterSet
and language, and each request still gets a form (and fields) of its own."""

from django.http import QueryDict
from django.utils import translation

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

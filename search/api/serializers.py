from django.utils.translation import gettext as _
from rest_framework import serializers

from groups.permissions import groups_visible_to
from portal.api.serializers import InputSerializer, UTCDateTimeField, VisibleRelatedField
from portal.dates import date_in_range, out_of_range_message
from search.forms import QUERY_MAX_CHARS
from search.models import SearchKind
from search.selectors import MAX_PAGE_SIZE

MAX_PAGE = 200


def _date_in_range(value):
    if value is not None and not date_in_range(value):
        raise serializers.ValidationError(out_of_range_message())
    return value


class SearchQuerySerializer(InputSerializer):
    """The query string of GET /search/."""

    q = serializers.CharField(
        max_length=QUERY_MAX_CHARS,
        trim_whitespace=True,
        help_text="The words to find, in any of the portal's languages: web search syntax "
        '("a phrase", `or`, `-word`). Letter case, accents, Arabic diacritics and letter '
        "variants (أ/إ/آ/ا, ة/ه, ى/ي) do not matter.",
    )
    kind = serializers.ListField(
        child=serializers.ChoiceField(choices=SearchKind.choices),
        required=False,
        max_length=len(SearchKind.choices),
        help_text="Only these kinds (repeat the parameter for several); all when absent.",
    )
    group = VisibleRelatedField(
        visible=groups_visible_to,
        required=False,
        help_text="Group id: only its records and its sub-groups' (people and "
        "organisations have none).",
    )
    date_from = serializers.DateField(
        required=False,
        validators=[_date_in_range],
        help_text="Dated on or after this day (YYYY-MM-DD).",
    )
    date_to = serializers.DateField(
        required=False,
        validators=[_date_in_range],
        help_text="Dated on or before this day (YYYY-MM-DD).",
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def validate(self, attrs):
        date_from, date_to = attrs.get("date_from"), attrs.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise serializers.ValidationError(
                {"date_to": [_("Give a date on or after date_from.")]}
            )
        return attrs


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SearchKind.choices)
    object_id = serializers.IntegerField(help_text="The record's id in its own resource.")
    title = serializers.CharField()
    snippet = serializers.CharField(
        help_text="HTML: words of the record's text around the first match, escaped, "
        "each matching word in <mark>."
    )
    url = serializers.URLField(help_text="The record's page in the portal.")
    date = UTCDateTimeField(allow_null=True)
    group = serializers.IntegerField(allow_null=True, help_text="Group id, if any.")
    group_name = serializers.CharField(allow_null=True)


class SearchResponseSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchResultSerializer(many=True)
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Matches per kind, of the kinds asked for; kinds without any left out.",
    )
    counts_capped = serializers.BooleanField(
        help_text="More matched than were counted (1,000): each count is at least as shown."
    )

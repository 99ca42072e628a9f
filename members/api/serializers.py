from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import Organisation, Person
from portal.api.serializers import InputSerializer, OutputModelSerializer, UTCDateTimeField


class OrganisationBriefSerializer(OutputModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym"]


class PersonBriefSerializer(OutputModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]


class OrganisationSerializer(OutputModelSerializer):
    country = serializers.CharField(source="country.code", help_text="ISO 3166-1 alpha-2, or ''.")
    website = serializers.CharField(help_text="Address of the website, or ''.")

    class Meta:
        model = Organisation
        fields = ["id", "name", "name_ar", "acronym", "kind", "country", "website", "created_at"]


class PersonSerializer(OutputModelSerializer):
    organisation = OrganisationBriefSerializer(allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "full_name_ar",
            "position",
            "organisation",
            "email",
            "preferred_language",
        ]


class MeSerializer(PersonSerializer):
    """The caller's own person, with the secret address of their calendar feed."""

    calendar_url = serializers.SerializerMethodField(
        help_text="Subscribe to this .ics address in a calendar program; keep it secret."
    )
    username = serializers.CharField(source="user.username")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "username", "calendar_url"]

    @extend_schema_field(serializers.URLField())
    def get_calendar_url(self, person: Person) -> str:
        path = reverse("calendar-feed", args=[person.calendar_token])
        return self.context["request"].build_absolute_uri(path)


class TokenLoginInputSerializer(InputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's public prefix: its id.")
    created = UTCDateTimeField()
    expiry = UTCDateTimeField(allow_null=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown once; only a hash is stored."
    )

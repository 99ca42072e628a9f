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


# The context key under which a view hands the serializer the ids of the people whose
# contact details the caller may see (groups.permissions.contact_details_visible_to),
# worked out once per response.
CONTACT_DETAILS_VISIBLE = "contact_details_visible"

HIDDEN_CONTACT_HELP = (
    "null when the person shares their contact details with the secretariat only "
    "(and you are neither the secretariat nor that person); '' when none is recorded."
)


class ContactDetailMixin(serializers.Field):
    """A contact detail that is null unless the caller may see the person's details.

    Missing context hides it: a view that forgot to work out the ids leaks nothing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Person):
        if instance.pk not in self.context.get(CONTACT_DETAILS_VISIBLE, ()):
            return None
        return super().get_attribute(instance)


class ContactEmailField(ContactDetailMixin, serializers.EmailField):
    pass


class ContactPhoneField(ContactDetailMixin, serializers.CharField):
    pass


class PersonSerializer(OutputModelSerializer):
    organisation = OrganisationBriefSerializer(allow_null=True)
    email = ContactEmailField(help_text=f"E-mail address; {HIDDEN_CONTACT_HELP}")
    phone = ContactPhoneField(help_text=f"Phone number; {HIDDEN_CONTACT_HELP}")
    # A list answered from rows (portal.api.rows) hides them as the fields do.
    ROW_HIDDEN = {"email": CONTACT_DETAILS_VISIBLE, "phone": CONTACT_DETAILS_VISIBLE}

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            "full_name_ar",
            "position",
            "organisation",
            "email",
            "phone",
            "preferred_language",
        ]


class MeSerializer(PersonSerializer):
    """The caller's own person, with the secret address of their calendar feed."""

    calendar_url = serializers.SerializerMethodField(
        help_text="Subscribe to this .ics address in a calendar program; keep it secret."
    )
    username = serializers.CharField(source="user.username")
    contact_visibility = serializers.ChoiceField(
        choices=Person.ContactVisibility.choices,
        help_text="Who sees your e-mail and phone besides you: `members` (everyone who sees "
        "you in the directory) or `secretariat` (the secretariat only).",
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "contact_visibility", "username", "calendar_url"]

    @extend_schema_field(serializers.URLField())
    def get_calendar_url(self, person: Person) -> str:
        path = reverse("calendar-feed", args=[person.calendar_token])
        return self.context["request"].build_absolute_uri(path)


class MeUpdateInputSerializer(InputSerializer):
    contact_visibility = serializers.ChoiceField(choices=Person.ContactVisibility.choices)


class TokenLoginInputSerializer(InputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    code = serializers.CharField(
        max_length=64,
        required=False,
        help_text=(
            "For a login with two-factor sign-in: the current code of its authenticator app, "
            "or one of its recovery codes (each works once)."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's public prefix: its id.")
    created = UTCDateTimeField()
    expiry = UTCDateTimeField(allow_null=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown once; only a hash is stored."
    )

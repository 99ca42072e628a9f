import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from knox.models import AuthToken
from simple_history.models import HistoricalRecords

from portal import zones


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Government ministry or department")
    EMBASSY = "embassy", _("Embassy")
    UN_AGENCY = "un_agency", _("UN agency")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("NGO")
    DONOR = "donor", _("Donor")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A ministry, embassy, UN agency or NGO that takes part in the groups."""

    Kind = OrganisationKind

    name = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # An organisation with history is deactivated, never deleted: its seats, invitations
    # and action points keep pointing at it.
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [
            ("act_for_organisation", _("Can act for the organisation (answer, report)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class ContactVisibility(models.TextChoices):
    """Who sees a person's e-mail address and phone number (groups.permissions
    contact_details_visible_to holds the rule)."""

    MEMBERS = "members", _("Members of their groups")
    SECRETARIAT = "secretariat", _("The secretariat only")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Person(models.Model):
    """Someone who represents an organisation; may have a login."""

    ContactVisibility = ContactVisibility

    full_name = models.CharField(_("full name"), max_length=200)
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("current organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Existing rows keep today's behaviour: a working group's directory is how members
    # reach each other, and hiding everyone's details until each opts in would empty it.
    contact_visibility = models.CharField(
        _("contact details shown to"),
        max_length=20,
        choices=ContactVisibility.choices,
        default=ContactVisibility.MEMBERS,
        help_text=_(
            "Who sees the e-mail address and phone number: everyone who sees the person in "
            "the directory (the members of the groups their organisation sits in), or the "
            "secretariat only. The person always sees their own."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    # Blank: each meeting is shown in its own zone. Mails and calendar files always carry
    # the meeting's own zone; this is for the pages only (members.middleware).
    time_zone = models.CharField(
        _("time zone for the pages"),
        max_length=64,
        blank=True,
        validators=[zones.validate_zone],
        help_text=_(
            "The pages show meeting times in this zone. Empty: each meeting in its own "
            "zone. E-mails and calendar files always use the meeting's own zone."
        ),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        related_name="person",
        null=True,
        blank=True,
    )
    # Someone with history (invitations, seats, notices) is deactivated, never deleted.
    is_active = models.BooleanField(_("active"), default=True)
    # The secret in the person's calendar feed URL; resetting it revokes old subscriptions.
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        verbose_name=_("calendar token"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The directory's and the API's order: page 1 walks it instead of sorting
        # everyone.
        indexes = [models.Index(fields=["full_name", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~Q(email=""),
                name="person_email_unique",
                violation_error_message=_("Another person already has this email address."),
            ),
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values),
                name="person_language_valid",
            ),
            models.CheckConstraint(
                condition=Q(contact_visibility__in=ContactVisibility.values),
                name="person_contact_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Affiliation(models.Model):
    """Which organisation a person worked for, and when.

    The open row (no end) mirrors Person.organisation; the closed rows keep who
    represented whom in the past.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="affiliations", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="affiliations",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-start_on"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_on__isnull=True),
                name="affiliation_one_current_per_person",
                violation_error_message=_("A person has only one current organisation."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="affiliation_end_after_start",
                violation_error_message=_("An affiliation cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        since = formats.date_format(self.start_on, "DATE_FORMAT")
        until = formats.date_format(self.end_on, "DATE_FORMAT") if self.end_on else "…"
        return f"{self.person} — {self.organisation} ({since} – {until})"


class ApiToken(AuthToken):
    """Knox's API token under a name the admin can translate: knox names its model and
    app in English only."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)

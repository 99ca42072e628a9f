import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from members.models import Organisation, Person
from portal.dates import dates_check


def validate_day_offsets(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 < day <= 365 for day in value
    ):
        raise ValidationError(_("Give a list of whole days between 1 and 365, e.g. [7, 1]."))
    if len(set(value)) != len(value):
        raise ValidationError(_("Each day may appear once."))


def default_reminder_days() -> list[int]:
    return [7, 1]


def default_answer_reminder_days() -> list[int]:
    return [3]


def validate_reference_code(value: str) -> None:
    if not re.fullmatch(r"[A-Z][A-Z0-9-]{0,19}", value):
        raise ValidationError(
            _("Use capital Latin letters, digits and hyphens, starting with a letter, e.g. MWG.")
        )


class QuorumRule(models.TextChoices):
    COUNT = "count", _("A number of member organisations")
    SHARE = "share", _("A percentage of the member organisations")


class Confidentiality(models.TextChoices):
    """Who may see a meeting, an agenda item, a paper, minutes, a decision or an action
    point (applied by the funnels in each app's permissions.py)."""

    PUBLIC = "public", _("Public: anyone with an account in the framework")
    MEMBERS = "members", _("Members: the group's members and observers")
    RESTRICTED = "restricted", _("Restricted: named organisations and the secretariat")


class Labelled(models.Model):
    """A row carrying a confidentiality label. `restricted_to` names the organisations a
    restricted row is shown to (besides the secretariat and the group's chairs); it is
    ignored under the other labels. Labels change only through
    groups.services.confidentiality_set, which keeps their audit trail."""

    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.MEMBERS,
    )
    restricted_to = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("restricted to")
    )

    class Meta:
        abstract = True


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Twice a year")
    AS_NEEDED = "as_needed", _("As needed")


class CoordinationGroup(models.Model):
    """A node of the coordination structure: a framework, a working group, a sub-group.

    The tree is an adjacency list; services keep it acyclic and keep each kind at
    its level (framework at the root, working groups under it, sub-groups below).
    """

    class Kind(models.TextChoices):
        FRAMEWORK = "framework", _("Coordination framework")
        WORKING_GROUP = "working_group", _("Working group")
        SUB_GROUP = "sub_group", _("Sub-group")
        TASKFORCE = "taskforce", _("Taskforce")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    # Official references of the group's meetings and decisions start with it (MWG/2026/04).
    reference_code = models.CharField(
        _("reference code"),
        max_length=20,
        blank=True,
        validators=[validate_reference_code],
        help_text=_("Starts the official references of its meetings, e.g. MWG for MWG/2026/04."),
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    # Terms of reference. A sub-group inherits each rule it leaves empty from the group
    # above it (groups.selectors.terms_of_reference).
    mandate = models.TextField(_("mandate (English)"), blank=True)
    mandate_ar = models.TextField(_("mandate (Arabic)"), blank=True)
    mandate_fr = models.TextField(_("mandate (French)"), blank=True)
    endorsed_by = models.CharField(_("endorsed by"), max_length=200, blank=True)
    endorsed_on = models.DateField(_("endorsed on"), null=True, blank=True)
    notice_period_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("Meetings are called at least this many days ahead."),
    )
    quorum_rule = models.CharField(
        _("quorum rule"), max_length=10, choices=QuorumRule.choices, blank=True
    )
    quorum_value = models.PositiveSmallIntegerField(
        _("quorum"),
        null=True,
        blank=True,
        help_text=_(
            "A number of member organisations, or a percentage of them; observers never count."
        ),
    )
    usual_duration_minutes = models.PositiveSmallIntegerField(
        _("usual length (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    usual_venue = models.CharField(_("usual place"), max_length=300, blank=True)
    rhythm = models.CharField(
        _("meeting rhythm"), max_length=20, choices=Rhythm.choices, blank=True
    )
    # The label new meetings, papers and records of the group start with; empty takes
    # the group above's (groups.selectors.terms_of_reference), "members" at the root.
    default_confidentiality = models.CharField(
        _("usual confidentiality"), max_length=10, choices=Confidentiality.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    reminder_days = models.JSONField(
        _("reminder days before meetings"),
        default=default_reminder_days,
        blank=True,
        validators=[validate_day_offsets],
        help_text=_("Days before each meeting when invitees are reminded, e.g. [7, 1]."),
    )
    answer_reminder_days = models.JSONField(
        _("days before meetings to remind those who have not answered"),
        default=default_answer_reminder_days,
        blank=True,
        validators=[validate_day_offsets],
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        permissions = [
            ("manage_group", _("Can manage the group's meetings, minutes and memberships")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="group_not_own_parent",
                violation_error_message=_("A group cannot be its own parent."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="framework") | Q(parent__isnull=True),
                name="group_framework_is_root",
                violation_error_message=_("A coordination framework has no parent."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["working_group", "sub_group"]) | Q(parent__isnull=False),
                name="group_working_and_sub_groups_have_parent",
                violation_error_message=_("Working groups and sub-groups need a parent."),
            ),
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="group_name_unique_among_siblings",
                violation_error_message=_("A group with this name already exists here."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "archived"]), name="group_status_valid"
            ),
            models.UniqueConstraint(
                fields=["reference_code"],
                condition=~Q(reference_code=""),
                name="group_reference_code_unique",
                violation_error_message=_("Another group already uses this reference code."),
            ),
            models.CheckConstraint(
                condition=(Q(quorum_rule="") & Q(quorum_value__isnull=True))
                | (Q(quorum_rule="count") & Q(quorum_value__gte=1))
                | (Q(quorum_rule="share") & Q(quorum_value__gte=1) & Q(quorum_value__lte=100)),
                name="group_quorum_rule_has_value",
                violation_error_message=_(
                    "A quorum is a number of organisations (at least 1) or a percentage "
                    "(1 to 100), given with its rule."
                ),
            ),
        ]

    def clean(self) -> None:
        dates_check({"established_on": self.established_on, "endorsed_on": self.endorsed_on})

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


class Membership(models.Model):
    """An organisation's seat in a group, with its role and its dates.

    The chair and co-chair seats are memberships too; seat_holder names the person
    who holds the seat (e.g. the Head of the European Affairs Department).
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("group"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    seat_holder = models.ForeignKey(
        Person,
        verbose_name=_("seat holder"),
        on_delete=models.PROTECT,
        related_name="held_seats",
        null=True,
        blank=True,
        help_text=_("The person holding the chair or co-chair seat."),
    )
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "role", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation"],
                condition=Q(end_on__isnull=True),
                name="membership_one_current_per_organisation",
                violation_error_message=_("This organisation is already a member of the group."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="chair", end_on__isnull=True),
                name="membership_one_chair_per_group",
                violation_error_message=_("The group already has a chair."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="co_chair", end_on__isnull=True),
                name="membership_one_co_chair_per_group",
                violation_error_message=_("The group already has a co-chair."),
            ),
            models.CheckConstraint(
                condition=Q(seat_holder__isnull=True) | Q(role__in=["chair", "co_chair"]),
                name="membership_seat_holder_only_for_chairs",
                violation_error_message=_("Only the chair and co-chair seats have a seat holder."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="membership_end_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["chair", "co_chair", "member", "observer"]),
                name="membership_role_valid",
            ),
        ]

    def clean(self) -> None:
        dates_check({"start_on": self.start_on, "end_on": self.end_on})

    def __str__(self) -> str:
        return _("%(organisation)s — %(role)s of %(group)s") % {
            "organisation": self.organisation,
            "role": self.get_role_display(),
            "group": self.group,
        }

    @property
    def is_current(self) -> bool:
        return self.end_on is None


class Representative(models.Model):
    """A person sent by a member organisation to a group, as principal or alternate."""

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        ALTERNATE = "alternate", _("Alternate")

    membership = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="representatives",
        verbose_name=_("membership"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="representations", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["membership", "kind", "person__full_name"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(kind="principal", end_on__isnull=True),
                name="representative_one_principal_per_membership",
                violation_error_message=_("This membership already has a principal."),
            ),
            models.UniqueConstraint(
                fields=["membership", "person"],
                condition=Q(end_on__isnull=True),
                name="representative_once_per_membership",
                violation_error_message=_("This person already represents the organisation here."),
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="representative_end_after_start",
                violation_error_message=_("A representation cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["principal", "alternate"]),
                name="representative_kind_valid",
            ),
        ]

    def clean(self) -> None:
        dates_check({"start_on": self.start_on, "end_on": self.end_on})

    def __str__(self) -> str:
        return _("%(person)s (%(kind)s) for %(organisation)s") % {
            "person": self.person,
            "kind": self.get_kind_display(),
            "organisation": self.membership.organisation,
        }


class ConfidentialityChange(models.Model):
    """One change of a row's label: what it was, what it became, for whom, by whom.
    Kept apart from the rows' history because a label's organisations are a
    many-to-many the history does not follow."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    old_label = models.CharField(_("from"), max_length=10, choices=Confidentiality.choices)
    new_label = models.CharField(_("to"), max_length=10, choices=Confidentiality.choices)
    # The names at the time, so the trail reads the same after an organisation is renamed.
    organisations = models.JSONField(_("restricted to"), default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("confidentiality change")
        verbose_name_plural = _("confidentiality changes")
        indexes = [models.Index(fields=["content_type", "object_id", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.old_label} → {self.new_label}"


class CoordinationGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE)


class CoordinationGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE)

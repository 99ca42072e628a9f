"""Writes for organisations, people and roles. Every write is a service."""

import datetime as dt
import logging
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission, User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from knox.models import AuthToken

from members.models import (
    Affiliation,
    Organisation,
    OrganisationUserObjectPermission,
    Person,
    new_calendar_token,
)
from members.permissions import SECRETARIAT_GROUP, grants_changed
from portal import zones
from portal.audit import Actor, audited_save, author_of

security_log = logging.getLogger("tansiq.security")

# The apps whose every model permission the secretariat holds.
SECRETARIAT_APPS = ("members", "groups", "meetings", "notices")
ORGANISATION_FIELDS = {"name", "name_ar", "acronym", "kind", "country", "website"}
PERSON_FIELDS = {"full_name", "full_name_ar", "position", "email", "phone", "preferred_language"}


def _apply(instance: models.Model, changes: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, changes[name])
    return changed


@transaction.atomic
def organisation_create(*, name: str, kind: str, by: Actor, **fields: Any) -> Organisation:
    _apply(Organisation(), fields, ORGANISATION_FIELDS)
    organisation = Organisation(name=name, kind=kind, **fields)
    return audited_save(organisation, by=by)


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: Actor, **changes: Any) -> Organisation:
    changed = _apply(organisation, changes, ORGANISATION_FIELDS)
    if changed:
        audited_save(organisation, by=by)
    return organisation


@transaction.atomic
def person_create(
    *,
    full_name: str,
    organisation: Organisation | None,
    by: Actor,
    since: dt.date | None = None,
    **fields: Any,
) -> Person:
    person = Person(full_name=full_name, organisation=organisation)
    _apply(person, fields, PERSON_FIELDS)
    audited_save(person, by=by)
    if organisation is not None:
        Affiliation.objects.create(
            person=person,
            organisation=organisation,
            position=person.position,
            start_on=since or timezone.localdate(),
        )
    return person


@transaction.atomic
def person_update(*, person: Person, by: Actor, **changes: Any) -> Person:
    changed = _apply(person, changes, PERSON_FIELDS)
    if changed:
        audited_save(person, by=by)
    return person


@transaction.atomic
def person_contact_visibility_set(*, person: Person, visibility: str, by: Actor) -> Person:
    """Who sees the person's e-mail and phone (ContactVisibility). The caller has checked
    that `by` may choose (members.permissions.user_can_set_contact_visibility)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.contact_visibility != visibility:
        # full_clean (in audited_save) refuses a value that is not one of the choices.
        person.contact_visibility = visibility
        audited_save(person, by=by, update_fields=["contact_visibility"])
    return person


@transaction.atomic
def person_time_zone_set(*, person: Person, time_zone: str, by: Actor) -> Person:
    """The zone the person's pages show meeting times in: one of the places offered
    (portal.zones), or "" for each meeting's own zone. A zone set before that is no
    longer offered may be kept as it is."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.time_zone == time_zone:
        return person
    if time_zone and not zones.is_offered(time_zone):
        raise ValidationError({"time_zone": str(zones.NOT_OFFERED_MESSAGE)})
    person.time_zone = time_zone
    return audited_save(person, by=by, update_fields=["time_zone"])


@transaction.atomic
def person_change_affiliation(
    *, person: Person, organisation: Organisation, position: str, on: dt.date, by: Actor
) -> Person:
    """Record that `person` works for `organisation` from `on`, closing the old row.

    Callers that also manage representations use groups.services.person_transfer.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    current = person.affiliations.filter(end_on__isnull=True).first()
    if current is not None:
        if on < current.start_on:
            raise ValidationError(
                {
                    "on": _("The move cannot predate the current affiliation (%(date)s).")
                    % {"date": current.start_on}
                }
            )
        if current.organisation_id == organisation.pk:
            raise ValidationError({"organisation": _("The person already works there.")})
        current.end_on = on
        current.save(update_fields=["end_on"])
    Affiliation.objects.create(
        person=person, organisation=organisation, position=position, start_on=on
    )
    person.organisation = organisation
    person.position = position
    return audited_save(person, by=by)


@transaction.atomic
def organisation_set_active(
    *, organisation: Organisation, is_active: bool, by: Actor
) -> Organisation:
    """Deactivate (or reactivate) an organisation: its history stays, it is no longer
    offered for new seats. groups.services.organisation_deactivate ends its seats first."""
    organisation.is_active = is_active
    return audited_save(organisation, by=by, update_fields=["is_active"])


def person_check_active(person: Person, *, field: str = "person") -> None:
    """Refuse a person who has been deactivated (read from the database, not from a
    copy in memory that may predate it)."""
    if not Person.objects.filter(pk=person.pk, is_active=True).exists():
        raise ValidationError({field: _("%(person)s is no longer active.") % {"person": person}})


@transaction.atomic
def person_set_active(*, person: Person, is_active: bool, by: Actor) -> Person:
    """Deactivate (or reactivate) a person: their history stays, they are no longer
    invited. groups.services.person_deactivate ends their representations first."""
    person.is_active = is_active
    return audited_save(person, by=by, update_fields=["is_active"])


@transaction.atomic
def person_calendar_token_reset(*, person: Person, by: Actor) -> Person:
    """A new feed secret: calendar subscriptions made with the old URL stop working."""
    person.calendar_token = new_calendar_token()
    person.save(update_fields=["calendar_token"])
    return person


@transaction.atomic
def organisation_grants_set(*, user: User, organisation_ids: Iterable[int]) -> None:
    """Make `act_for_organisation` on exactly `organisation_ids` the user's grants."""
    permission = Permission.objects.get(
        content_type__app_label="members", codename="act_for_organisation"
    )
    wanted = set(organisation_ids)
    existing = OrganisationUserObjectPermission.objects.filter(user=user, permission=permission)
    held = set(existing.values_list("content_object_id", flat=True))
    existing.exclude(content_object_id__in=wanted).delete()
    OrganisationUserObjectPermission.objects.bulk_create(
        OrganisationUserObjectPermission(
            user=user, permission=permission, content_object_id=organisation_id
        )
        for organisation_id in wanted - held
    )
    grants_changed()


@transaction.atomic
def secretariat_role_ensure() -> AuthGroup:
    """The Secretariat group, holding every permission on the portal's models."""
    group, _created = AuthGroup.objects.get_or_create(name=SECRETARIAT_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS)
    group.permissions.add(*permissions)
    return group


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    is_secretariat: bool = False,
    is_superuser: bool = False,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    if is_superuser:
        user = User.objects.create_superuser(username=username, email=email, password=password)
    else:
        user = User.objects.create_user(
            username=username, email=email, password=password, is_staff=is_secretariat
        )
    if is_secretariat:
        user.groups.add(secretariat_role_ensure())
    return user


@transaction.atomic
def user_set_secretariat(*, user: User, is_secretariat: bool, by: Actor) -> User:
    """Make a login secretariat staff (admin access, every page) or take that away."""
    group = secretariat_role_ensure()
    if is_secretariat:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.is_staff = is_secretariat or user.is_superuser
    user.save(update_fields=["is_staff"])
    # The groups cached on the user object (user_is_secretariat) are read again: adding
    # or removing a group bumps the grants' generation (members.apps).
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, by: Actor) -> User:
    """Switch a login off (or on again). Its API tokens die with it; its history stays,
    which is why logins are switched off and never deleted."""
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    if not is_active:
        api_tokens_revoke_all(user=user, by=by)
    return user


def user_sessions_end(*, user: User) -> int:
    """Sign `user` out everywhere: end every session of theirs still open (each browser
    is asked to sign in again). Returns how many ended.

    Sessions are found by reading each open one (the session store keeps no index by
    user); this serves rare admin actions, not every request.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = user._meta.pk.value_to_string(user)
    ended = 0
    open_sessions = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in open_sessions.iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def user_second_factor_reset(*, user: User, by: Actor) -> int:
    """Remove every second factor of `user` (authenticator app, recovery codes, security
    keys) when they lost their device; returns how many were removed.

    Their open sessions end too: a session that passed the two-factor check
    (members.middleware.CHECKED_SESSION_KEY) would otherwise stay in without a factor.
    At the next sign-in the password alone lets them in, and staff are then sent to set
    up a new factor (MFA_REQUIRED_FOR_STAFF). Recorded under the login's History in the
    admin and in the security log. The caller has checked that `by` may do this
    (members.permissions.user_is_secretariat).
    """
    authenticators = list(
        Authenticator.objects.select_for_update().filter(user=user).order_by("pk")
    )
    if not authenticators:
        raise ValidationError(
            {"user": _("%(user)s has no second factor to reset.") % {"user": user}}
        )
    # Stored in English; the admin translates the sentence and the name when it shows it.
    with override(None):
        removed = [
            {"deleted": {"name": gettext_noop("second factor"), "object": str(authenticator)}}
            for authenticator in authenticators
        ]
    Authenticator.objects.filter(pk__in=[a.pk for a in authenticators]).delete()
    sessions = user_sessions_end(user=user)
    author = author_of(by)
    if author is not None:
        LogEntry.objects.log_actions(
            author.pk, [user], CHANGE, change_message=removed, single_object=True
        )
    security_log.warning(
        "Second factor reset for login %s by %s: %d removed, %d sessions ended.",
        user.pk,
        author.pk if author is not None else "the portal",
        len(authenticators),
        sessions,
    )
    return len(authenticators)


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for `user`: returns the stored row and the secret, shown only once.

    Only a hash of the secret is stored (django-rest-knox); the token expires after
    REST_KNOX["TOKEN_TTL"].
    """
    if not user.is_active:
        raise ValidationError(_("This login is disabled."))
    return AuthToken.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, token: AuthToken, by: Actor) -> None:
    token.delete()


@transaction.atomic
def expired_sign_ins_clear() -> tuple[int, int]:
    """Delete the API tokens and the sessions that have expired; returns how many of
    each. Neither lets anyone in (the token check and the session read refuse them), but
    nothing else removes them: a user's token list would keep showing dead tokens and
    the session table would grow by a row a sign-in for ever. Beat runs this hourly."""
    now = timezone.now()
    tokens, _per_model = AuthToken.objects.filter(expiry__lt=now).delete()
    sessions, _per_model = Session.objects.filter(expire_date__lt=now).delete()
    return tokens, sessions


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: Actor) -> int:
    """End every API token of `user`, as a password change or a switched-off login ends
    their sessions: clients using them are refused at once. Returns how many ended."""
    deleted, _per_model = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_email_confirm(*, user: User, email: str) -> None:
    """Record that `email` is `user`'s confirmed address, as single sign-on finds them by
    it: the secretariat typed it in and the identity provider vouched for it."""
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
    address, created = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": not has_primary}
    )
    if not created and not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])

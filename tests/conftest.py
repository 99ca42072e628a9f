"""The fixed cast of personas, built through the services so their grants are real.

The Migration Working Group (chaired by the Ministry of Foreign Affairs, co-chaired
by IOM) sits in the coordination framework, with a health sub-group below it and a
border sub-group beside that. The personas are the demo's logins:

- admin: superuser;
- secretariat: staff in the Secretariat group;
- chair / cochair: hold the MWG chair (MoFA) and co-chair (IOM) seats;
- member: principal representative of the Ministry of Health in the MWG and in the
  health sub-group;
- observer: representative of an embassy that observes the MWG;
- outsider: has a login and an organisation, sits in no group.
"""

import datetime as dt
import os
from dataclasses import dataclass, fields

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from groups.models import CoordinationGroup, Membership, Representative
from groups.services import (
    group_create,
    membership_create,
    person_link_user,
    representative_add,
)
from meetings.services import invitations_create_for_group, meeting_create, meeting_schedule
from members.models import Organisation, Person
from members.services import organisation_create, person_create, user_create
from tests.factories import PASSWORD

LAUNCH = dt.date(2017, 11, 21)
PERSONAS = ("admin", "secretariat", "chair", "cochair", "member", "observer", "outsider")


@dataclass
class Cast:
    admin: object
    secretariat: object
    chair: object
    cochair: object
    member: object
    observer: object
    outsider: object
    framework: CoordinationGroup
    mwg: CoordinationGroup
    health: CoordinationGroup
    border: CoordinationGroup
    other_wg: CoordinationGroup
    mofa: Organisation
    iom: Organisation
    moh: Organisation
    embassy: Organisation
    elsewhere: Organisation
    chair_person: Person
    cochair_person: Person
    member_person: Person
    member_colleague: Person
    observer_person: Person
    outsider_person: Person

    def user(self, name: str):
        return None if name == "anonymous" else getattr(self, name)

    def fresh(self) -> "Cast":
        """A copy read anew from the database, so no test sees another's in-memory edits."""
        values = {}
        for field in fields(self):
            value = getattr(self, field.name)
            values[field.name] = type(value).objects.get(pk=value.pk)
        return Cast(**values)


def _person_with_login(username: str, organisation: Organisation, full_name: str) -> Person:
    person = person_create(
        full_name=full_name,
        organisation=organisation,
        email=f"{username}@example.org",
        position="Representative",
        since=LAUNCH,
        by=None,
    )
    user = user_create(username=username, password=PASSWORD, email=f"{username}@example.org")
    return person_link_user(person=person, user=user, by=None)


# The real hasher takes half a second per password by design; tests need speed.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware activates a request's language for the whole thread and never
    deactivates it, so without this a test's French or Arabic request would translate
    the service messages that the next test expects in English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run in the test process, whatever REDIS_URL says; the tests that need a
    real broker and worker (tests/notices/test_notices_worker.py) switch this off."""
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="module")
def _cast_rows(django_db_setup, django_db_blocker):
    """The cast, built once per test module inside a transaction rolled back after it.

    Each test's own transaction nests inside as a savepoint, so what a test writes is
    undone after it and the next test starts from the same cast.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        with transaction.atomic():
            yield build_cast()
            transaction.set_rollback(True)


@pytest.fixture
def cast(_cast_rows, db) -> Cast:
    return _cast_rows.fresh()


def build_cast() -> Cast:
    admin = user_create(username="admin", password=PASSWORD, is_superuser=True)
    secretariat = user_create(username="secretariat", password=PASSWORD, is_secretariat=True)

    framework = group_create(
        name="Coordination Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None
    )
    mwg = group_create(
        name="Migration Working Group",
        kind=CoordinationGroup.Kind.WORKING_GROUP,
        parent=framework,
        by=None,
    )
    health = group_create(name="Health", kind=CoordinationGroup.Kind.SUB_GROUP, parent=mwg, by=None)
    border = group_create(
        name="Border management", kind=CoordinationGroup.Kind.SUB_GROUP, parent=mwg, by=None
    )
    other_wg = group_create(
        name="Economic Working Group",
        kind=CoordinationGroup.Kind.WORKING_GROUP,
        parent=framework,
        by=None,
    )

    mofa = organisation_create(
        name="Ministry of Foreign Affairs", acronym="MoFA", kind="ministry", by=None
    )
    iom = organisation_create(
        name="International Organization for Migration", acronym="IOM", kind="un_agency", by=None
    )
    moh = organisation_create(name="Ministry of Health", acronym="MoH", kind="ministry", by=None)
    embassy = organisation_create(name="Embassy of Italy", kind="embassy", by=None)
    elsewhere = organisation_create(name="Chamber of Commerce", kind="other", by=None)

    chair_person = _person_with_login("chair", mofa, "Jaalal Alashi")
    cochair_person = _person_with_login("cochair", iom, "Othman Belbeisi")
    member_person = _person_with_login("member", moh, "Amina Health")
    observer_person = _person_with_login("observer", embassy, "Marco Observer")
    outsider_person = _person_with_login("outsider", elsewhere, "Olivia Outsider")
    member_colleague = person_create(
        full_name="Karim Alternate", organisation=moh, email="karim@example.org", by=None
    )

    membership_create(
        group=mwg,
        organisation=mofa,
        role=Membership.Role.CHAIR,
        seat_holder=chair_person,
        start_on=LAUNCH,
        by=None,
    )
    membership_create(
        group=mwg,
        organisation=iom,
        role=Membership.Role.CO_CHAIR,
        seat_holder=cochair_person,
        start_on=LAUNCH,
        by=None,
    )
    moh_in_mwg = membership_create(group=mwg, organisation=moh, start_on=LAUNCH, by=None)
    moh_in_health = membership_create(group=health, organisation=moh, start_on=LAUNCH, by=None)
    embassy_in_mwg = membership_create(
        group=mwg, organisation=embassy, role=Membership.Role.OBSERVER, start_on=LAUNCH, by=None
    )
    for membership in (moh_in_mwg, moh_in_health):
        representative_add(membership=membership, person=member_person, start_on=LAUNCH, by=None)
        representative_add(
            membership=membership,
            person=member_colleague,
            kind=Representative.Kind.ALTERNATE,
            start_on=LAUNCH,
            by=None,
        )
    representative_add(membership=embassy_in_mwg, person=observer_person, start_on=LAUNCH, by=None)

    return Cast(
        admin=admin,
        secretariat=secretariat,
        chair=chair_person.user,
        cochair=cochair_person.user,
        member=member_person.user,
        observer=observer_person.user,
        outsider=outsider_person.user,
        framework=framework,
        mwg=mwg,
        health=health,
        border=border,
        other_wg=other_wg,
        mofa=mofa,
        iom=iom,
        moh=moh,
        embassy=embassy,
        elsewhere=elsewhere,
        chair_person=chair_person,
        cochair_person=cochair_person,
        member_person=member_person,
        member_colleague=member_colleague,
        observer_person=observer_person,
        outsider_person=outsider_person,
    )


def scheduled_plenary(cast: Cast, *, venue: str = "Ministry of Foreign Affairs, Tripoli"):
    """A scheduled meeting of the Migration Working Group three weeks ahead, the whole
    group invited (chair, co-chair, the Ministry of Health's two people and the
    embassy's observer): what the update previews are tried on."""
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=21)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG: labour migration",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue=venue,
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting_schedule(meeting=meeting, by=cast.secretariat)


def pytest_sessionfinish(session, exitstatus):
    """In CI every test runs: a skipped test fails the run."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; in CI every test must run.")
        session.exitstatus = 1


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    broker = settings.REDIS_URL or "none (tasks in-process)"
    return [f"tansiq: database {database['ENGINE'].rsplit('.', 1)[-1]}, broker {broker}"]

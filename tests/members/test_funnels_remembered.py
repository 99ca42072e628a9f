"""members.permissions.remembered_per_reader: a member's funnel is built once for the
reader and their grants, handed out as a copy, and built again when what it depends on
changes; what the database holds is read when the query runs, as before."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from guardian.shortcuts import assign_perm

from groups.models import Confidentiality
from groups.permissions import group_ids_visible_to
from groups.services import membership_create, representative_add
from meetings.models import Meeting
from meetings.permissions import meetings_visible_to
from members import permissions
from members.permissions import granted_ids, remembered_per_reader
from tests.conftest import LAUNCH
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _meeting(group, uid: str, **fields) -> Meeting:
    return MeetingFactory(group=group, calendar_uid=f"{uid}@remembered.test", **fields)


def _request_user(user) -> User:
    """The user as a new request reads them: no grants or auth groups read yet."""
    return User.objects.get(pk=user.pk)


def _counting(funnel=None):
    built = []

    @remembered_per_reader
    def visible(user, **options):
        built.append((user.pk, options))
        if funnel is not None:
            return funnel(user)
        return Meeting.objects.filter(group__in=sorted(group_ids_visible_to(user)))

    return visible, built


def test_a_funnel_is_built_once_per_reader_and_handed_out_as_copies(cast):
    _meeting(cast.mwg, "mwg")
    _meeting(cast.health, "health")
    visible, built = _counting()

    first = visible(_request_user(cast.member))
    second = visible(_request_user(cast.member))

    assert built == [(cast.member.pk, {})]
    assert first.query is not second.query
    narrowed = first.filter(group=cast.health)
    assert set(narrowed)
    assert set(narrowed) < set(second)
    assert set(visible(_request_user(cast.member))) == set(second)


def test_each_reader_and_each_option_has_its_own(cast):
    visible, built = _counting()

    visible(_request_user(cast.member))
    visible(_request_user(cast.observer))
    visible(_request_user(cast.member), flagged=True)
    visible(_request_user(cast.observer))

    assert built == [
        (cast.member.pk, {}),
        (cast.observer.pk, {}),
        (cast.member.pk, {"flagged": True}),
    ]


def test_the_secretariat_and_the_signed_out_are_built_each_time(cast):
    visible, built = _counting(lambda user: Meeting.objects.all())

    visible(cast.secretariat)
    visible(cast.secretariat)
    inactive = _request_user(cast.member)
    inactive.is_active = False
    visible(inactive)
    visible(inactive)

    assert len(built) == 4


def test_a_remembered_funnel_reads_the_database_as_it_is_now(cast):
    meeting = _meeting(cast.health, "health", confidentiality=Confidentiality.MEMBERS)
    assert meeting in meetings_visible_to(_request_user(cast.member))

    Meeting.objects.filter(pk=meeting.pk).update(confidentiality=Confidentiality.RESTRICTED)

    assert meeting not in meetings_visible_to(_request_user(cast.member))


def test_a_new_seat_or_grant_is_a_new_reader(cast):
    meeting = _meeting(cast.other_wg, "other")
    elsewhere = _meeting(cast.border, "border")
    assert meeting not in meetings_visible_to(_request_user(cast.outsider))

    membership = membership_create(
        group=cast.other_wg, organisation=cast.elsewhere, start_on=LAUNCH, by=None
    )
    representative_add(membership=membership, person=cast.outsider_person, start_on=LAUNCH, by=None)
    assert meeting in meetings_visible_to(_request_user(cast.outsider))
    assert elsewhere not in meetings_visible_to(_request_user(cast.outsider))

    assign_perm("meetings.view_meeting", cast.outsider, elsewhere)
    assert elsewhere in meetings_visible_to(_request_user(cast.outsider))


def test_a_funnel_that_reads_a_grant_not_read_together_is_not_kept(cast):
    def reads_another_grant(user):
        ids = granted_ids(user, "meetings.delete_meeting", Meeting)
        return Meeting.objects.filter(Q(pk__in=sorted(ids)) | Q(group=cast.health))

    visible, built = _counting(reads_another_grant)
    visible(_request_user(cast.member))
    visible(_request_user(cast.member))

    assert len(built) == 2


def test_the_least_recently_asked_readers_go_first(cast, monkeypatch):
    monkeypatch.setattr(permissions, "FUNNELS_REMEMBERED", 2)
    visible, built = _counting()

    for persona in ("member", "observer", "member", "chair", "member", "observer"):
        visible(_request_user(cast.user(persona)))

    # member stays (asked again each time); observer is pushed out by chair.
    assert [pk for pk, _options in built] == [
        cast.member.pk,
        cast.observer.pk,
        cast.chair.pk,
        cast.observer.pk,
    ]


def test_each_thread_keeps_its_own(cast):
    visible, built = _counting()
    user = _request_user(cast.member)
    visible(user)  # reads the grants, kept on the user object for the other thread
    visible(user)

    thread = threading.Thread(target=visible, args=(user,))
    thread.start()
    thread.join()

    assert len(built) == 2


def test_forget_drops_what_this_thread_kept(cast):
    visible, built = _counting()
    visible(_request_user(cast.member))
    visible.forget()
    visible(_request_user(cast.member))

    assert len(built) == 2

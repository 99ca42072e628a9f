"""The permission matrix: each rule over the fixed cast of personas.

Personas are described in conftest.py. Each row names who is allowed; everyone else
in PERSONAS (and anonymous) must be refused.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from groups.models import Confidentiality
from groups.permissions import (
    group_get_for_user,
    organisations_visible_to,
    people_visible_to,
    user_can_manage_group,
    user_can_view_group,
)
from meetings.models import Minutes
from meetings.permissions import (
    action_point_get_for_user,
    action_points_visible_to,
    decisions_visible_to,
    invitation_get_for_user,
    meeting_get_for_user,
    meetings_visible_to,
    minutes_visible_to,
    user_can_answer_invitation,
    user_can_manage_meeting,
    user_can_report_on_action_point,
)
from meetings.services import (
    action_point_create,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from members.permissions import user_can_act_for_organisation
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db
EVERYONE = (*PERSONAS, "anonymous")
STAFF = {"admin", "secretariat"}
MWG_MANAGERS = STAFF | {"chair", "cochair"}
MWG_VIEWERS = MWG_MANAGERS | {"member", "observer"}
HEALTH_VIEWERS = MWG_MANAGERS | {"member"}


def _user(cast, name):
    return AnonymousUser() if name == "anonymous" else getattr(cast, name)


@pytest.fixture(scope="module")
def _meeting_rows(_cast_rows, django_db_blocker):
    """A scheduled MWG meeting, a held health meeting with published minutes and an
    action point for the Ministry of Health, and a held MWG meeting with draft minutes.
    Built once, inside the module's rolled-back transaction; the cases only read."""
    with django_db_blocker.unblock():
        return _build_meetings(_cast_rows)


@pytest.fixture
def meetings(_meeting_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _meeting_rows.items()}


def _build_meetings(cast):
    soon = timezone.now() + dt.timedelta(days=7)
    upcoming = meeting_create(
        group=cast.mwg,
        title="Upcoming",
        start_at=soon,
        end_at=soon + dt.timedelta(hours=2),
        by=None,
    )
    member_invitation = invitation_create(meeting=upcoming, person=cast.member_person, by=None)
    observer_invitation = invitation_create(meeting=upcoming, person=cast.observer_person, by=None)
    meeting_schedule(meeting=upcoming, by=None)

    past = timezone.now() - dt.timedelta(days=7)
    held = meeting_create(
        group=cast.health,
        title="Held",
        start_at=past,
        end_at=past + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=held, by=None)
    published = minutes_save(meeting=held, body="Published minutes", by=None)
    action = action_point_create(
        meeting=held,
        title="Map services",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=None,
    )

    mwg_held = meeting_create(
        group=cast.mwg,
        title="MWG held",
        start_at=past,
        end_at=past + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=mwg_held, by=None)
    draft = minutes_save(meeting=mwg_held, body="Draft minutes", by=None)
    unpublished_decision = decision_add(meeting=mwg_held, text="Before publication", by=None)
    published_decision = decision_add(meeting=held, text="After publication", by=None)
    # Published after its decision: published minutes freeze their meeting's decisions.
    minutes_publish(minutes=minutes_approve(minutes=published, by=None), by=None)

    restricted = meeting_create(
        group=cast.mwg,
        title="Restricted to the Ministry of Health",
        start_at=soon,
        end_at=soon + dt.timedelta(hours=2),
        by=None,
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[cast.moh],
    )
    invitation_create(meeting=restricted, person=cast.member_person, by=None)
    invitation_create(meeting=restricted, person=cast.observer_person, by=None)
    public = meeting_create(
        group=cast.other_wg,
        title="Public consultation",
        start_at=soon,
        end_at=soon + dt.timedelta(hours=2),
        by=None,
        confidentiality=Confidentiality.PUBLIC,
    )
    return {
        "restricted": restricted,
        "public": public,
        "unpublished_decision": unpublished_decision,
        "published_decision": published_decision,
        "upcoming": upcoming,
        "held": held,
        "published": published,
        "draft": draft,
        "action": action,
        "member_invitation": member_invitation,
        "observer_invitation": observer_invitation,
    }


def _check(cast, persona, allowed, predicate):
    assert predicate(_user(cast, persona)) is (persona in allowed), persona


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_working_group(cast, persona):
    _check(cast, persona, MWG_VIEWERS, lambda user: user_can_view_group(user, cast.mwg))


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_health_sub_group(cast, persona):
    _check(cast, persona, HEALTH_VIEWERS, lambda user: user_can_view_group(user, cast.health))


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_other_working_group(cast, persona):
    _check(cast, persona, STAFF, lambda user: user_can_view_group(user, cast.other_wg))


@pytest.mark.parametrize("persona", EVERYONE)
def test_manage_working_group(cast, persona):
    _check(cast, persona, MWG_MANAGERS, lambda user: user_can_manage_group(user, cast.mwg))


@pytest.mark.parametrize("persona", EVERYONE)
def test_manage_sub_group_of_the_chairs_group(cast, persona):
    _check(cast, persona, MWG_MANAGERS, lambda user: user_can_manage_group(user, cast.health))


@pytest.mark.parametrize("persona", EVERYONE)
def test_group_funnel_answers_404_hidden_403_not_allowed(cast, persona):
    user = _user(cast, persona)
    if persona not in MWG_VIEWERS:
        with pytest.raises(Http404):
            group_get_for_user(user, cast.mwg.pk)
    elif persona not in MWG_MANAGERS:
        assert group_get_for_user(user, cast.mwg.pk) == cast.mwg
        with pytest.raises(PermissionDenied):
            group_get_for_user(user, cast.mwg.pk, manage=True)
    else:
        assert group_get_for_user(user, cast.mwg.pk, manage=True) == cast.mwg


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_meeting_of_working_group(cast, meetings, persona):
    upcoming = meetings["upcoming"]
    _check(
        cast,
        persona,
        MWG_VIEWERS,
        lambda user: meetings_visible_to(user).filter(pk=upcoming.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_meeting_of_health_sub_group(cast, meetings, persona):
    held = meetings["held"]
    _check(
        cast,
        persona,
        HEALTH_VIEWERS,
        lambda user: meetings_visible_to(user).filter(pk=held.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_restricted_meeting_named_for_the_ministry_of_health(cast, meetings, persona):
    """The chairs and the named organisation's people; not the observer, although
    invited: a restricted meeting is not seen by an invitee whose organisation it does
    not name."""
    restricted = meetings["restricted"]
    _check(
        cast,
        persona,
        MWG_MANAGERS | {"member"},
        lambda user: meetings_visible_to(user).filter(pk=restricted.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_view_public_meeting_of_another_group(cast, meetings, persona):
    public = meetings["public"]
    _check(
        cast,
        persona,
        set(PERSONAS),
        lambda user: meetings_visible_to(user).filter(pk=public.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_decision_before_the_minutes_are_published(cast, meetings, persona):
    decision = meetings["unpublished_decision"]
    _check(
        cast,
        persona,
        MWG_MANAGERS,
        lambda user: decisions_visible_to(user).filter(pk=decision.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_decision_once_the_minutes_are_published(cast, meetings, persona):
    decision = meetings["published_decision"]
    _check(
        cast,
        persona,
        HEALTH_VIEWERS,
        lambda user: decisions_visible_to(user).filter(pk=decision.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_manage_meeting(cast, meetings, persona):
    _check(
        cast,
        persona,
        MWG_MANAGERS,
        lambda user: user_can_manage_meeting(user, meetings["upcoming"]),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_meeting_funnel_answers_404_hidden_403_not_allowed(cast, meetings, persona):
    user, pk = _user(cast, persona), meetings["upcoming"].pk
    if persona not in MWG_VIEWERS:
        with pytest.raises(Http404):
            meeting_get_for_user(user, pk)
    elif persona not in MWG_MANAGERS:
        with pytest.raises(PermissionDenied):
            meeting_get_for_user(user, pk, manage=True)
    else:
        assert meeting_get_for_user(user, pk, manage=True).pk == pk


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_published_minutes(cast, meetings, persona):
    published = meetings["published"]
    _check(
        cast,
        persona,
        HEALTH_VIEWERS,
        lambda user: minutes_visible_to(user).filter(pk=published.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_draft_minutes(cast, meetings, persona):
    draft = meetings["draft"]
    assert draft.status == Minutes.Status.DRAFT
    _check(
        cast,
        persona,
        MWG_MANAGERS,
        lambda user: minutes_visible_to(user).filter(pk=draft.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_answer_members_invitation(cast, meetings, persona):
    invitation = meetings["member_invitation"]
    _check(
        cast,
        persona,
        MWG_MANAGERS | {"member"},
        lambda user: user_can_answer_invitation(user, invitation),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_answer_observers_invitation(cast, meetings, persona):
    invitation = meetings["observer_invitation"]
    _check(
        cast,
        persona,
        MWG_MANAGERS | {"observer"},
        lambda user: user_can_answer_invitation(user, invitation),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_invitation_funnel(cast, meetings, persona):
    user, pk = _user(cast, persona), meetings["member_invitation"].pk
    if persona not in MWG_VIEWERS:
        with pytest.raises(Http404):
            invitation_get_for_user(user, pk)
    elif persona not in MWG_MANAGERS | {"member"}:
        with pytest.raises(PermissionDenied):
            invitation_get_for_user(user, pk, answer=True)
    else:
        assert invitation_get_for_user(user, pk, answer=True).pk == pk


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_action_point_of_health_sub_group(cast, meetings, persona):
    action = meetings["action"]
    _check(
        cast,
        persona,
        HEALTH_VIEWERS,
        lambda user: action_points_visible_to(user).filter(pk=action.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_report_on_own_organisations_action_point(cast, meetings, persona):
    """The Ministry of Health's action point: its people and the secretariat report on
    it; the chair (MoFA) and co-chair (IOM) do not close another organisation's task."""
    action = meetings["action"]
    _check(
        cast,
        persona,
        STAFF | {"member"},
        lambda user: user_can_report_on_action_point(user, action),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_action_point_funnel(cast, meetings, persona):
    user, pk = _user(cast, persona), meetings["action"].pk
    if persona not in HEALTH_VIEWERS:
        with pytest.raises(Http404):
            action_point_get_for_user(user, pk)
    elif persona == "member":
        assert action_point_get_for_user(user, pk, report=True).pk == pk
        with pytest.raises(PermissionDenied):
            action_point_get_for_user(user, pk, manage=True)
    else:
        assert action_point_get_for_user(user, pk, manage=True).pk == pk


@pytest.mark.parametrize("persona", EVERYONE)
def test_act_for_ministry_of_health(cast, persona):
    _check(cast, persona, {"member"}, lambda user: user_can_act_for_organisation(user, cast.moh.pk))


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_organisations_of_the_working_group(cast, persona):
    _check(
        cast,
        persona,
        MWG_VIEWERS,
        lambda user: organisations_visible_to(user).filter(pk=cast.iom.pk).exists(),
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_see_people_of_the_working_group(cast, persona):
    _check(
        cast,
        persona,
        MWG_VIEWERS,
        lambda user: people_visible_to(user).filter(pk=cast.cochair_person.pk).exists(),
    )


def test_outsider_sees_only_their_own_organisation_and_self(cast):
    assert list(organisations_visible_to(cast.outsider)) == [cast.elsewhere]
    assert list(people_visible_to(cast.outsider)) == [cast.outsider_person]


def test_inactive_user_loses_everything(cast, meetings):
    cast.member.is_active = False
    cast.member.save(update_fields=["is_active"])

    assert not user_can_view_group(cast.member, cast.mwg)
    assert not meetings_visible_to(cast.member).exists()
    assert not user_can_report_on_action_point(cast.member, meetings["action"])

"""Labels through the services: the defaults of new rows (the group's terms, inherited;
a meeting's records take the meeting's), the one way a label changes and its trail."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import Confidentiality, ConfidentialityChange, CoordinationGroup
from groups.selectors import confidentiality_trail, terms_of_reference
from groups.services import confidentiality_set, group_update
from meetings.models import Meeting, MeetingSeries
from meetings.services import (
    action_point_create,
    agenda_item_add,
    decision_add,
    meeting_create,
    meeting_mark_held,
    minutes_save,
    series_create,
)
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
RESTRICTED = Confidentiality.RESTRICTED


def _meeting(group, *, past=False, **label):
    start = timezone.now() + dt.timedelta(days=-3 if past else 10)
    return meeting_create(
        group=group,
        title="Coordination",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=past,
        **label,
    )


def _names(record) -> set[str]:
    return set(record.restricted_to.values_list("name", flat=True))


# --- Defaults -------------------------------------------------------------------------------


def test_a_group_without_a_usual_label_anywhere_above_gives_members(cast):
    assert terms_of_reference(cast.health).default_confidentiality == "members"
    assert "default_confidentiality" not in terms_of_reference(cast.health).inherited_from
    assert _meeting(cast.health).confidentiality == "members"


def test_a_sub_group_inherits_the_usual_label_of_the_group_above(cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=None)

    terms = terms_of_reference(CoordinationGroup.objects.get(pk=cast.health.pk))

    assert terms.default_confidentiality == "public"
    assert terms.inherited_from["default_confidentiality"] == cast.mwg
    assert _meeting(cast.health).confidentiality == "public"


def test_a_groups_own_usual_label_overrides_the_inherited_one(cast):
    group_update(group=cast.framework, default_confidentiality="public", by=None)
    group_update(group=cast.health, default_confidentiality="restricted", by=None)

    assert terms_of_reference(cast.border).default_confidentiality == "public"
    assert terms_of_reference(cast.border).inherited_from["default_confidentiality"] == (
        cast.framework
    )
    meeting = _meeting(CoordinationGroup.objects.get(pk=cast.health.pk))
    assert meeting.confidentiality == "restricted"
    assert _names(meeting) == set()


def test_a_usual_label_that_is_not_one_is_refused_and_changes_nothing(cast):
    before = fingerprint()

    with pytest.raises(ValidationError) as refused:
        group_update(group=cast.mwg, default_confidentiality="secret", by=None)

    assert "default_confidentiality" in refused.value.message_dict
    assert fingerprint() == before


def test_a_label_asked_for_wins_over_the_groups_usual_one(cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=None)

    meeting = _meeting(
        CoordinationGroup.objects.get(pk=cast.mwg.pk),
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom, cast.mofa],
    )

    assert meeting.confidentiality == RESTRICTED
    assert _names(meeting) == {cast.iom.name, cast.mofa.name}


def test_organisations_are_kept_only_with_restricted(cast):
    meeting = _meeting(cast.mwg, confidentiality="members", restricted_to=[cast.iom])

    assert meeting.confidentiality == "members"
    assert _names(meeting) == set()


def test_a_meetings_records_take_its_label_and_organisations(cast):
    meeting = _meeting(cast.mwg, past=True, confidentiality=RESTRICTED, restricted_to=[cast.iom])
    item = agenda_item_add(meeting=meeting, title="Returns", by=None)
    meeting_mark_held(meeting=meeting, by=None)
    minutes = minutes_save(meeting=meeting, body="We met.", by=None)
    decision = decision_add(meeting=meeting, text="Agreed.", by=None)
    action_point = action_point_create(
        meeting=meeting,
        title="Report",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=None,
    )

    for record in (item, minutes, decision, action_point):
        assert record.confidentiality == RESTRICTED, record
        assert _names(record) == {cast.iom.name}, record


def test_a_record_may_carry_a_label_of_its_own(cast):
    meeting = _meeting(cast.mwg)

    item = agenda_item_add(
        meeting=meeting,
        title="Returns",
        by=None,
        confidentiality=RESTRICTED,
        restricted_to=[cast.mofa],
    )
    public = agenda_item_add(meeting=meeting, title="Opening", by=None, confidentiality="public")

    assert (item.confidentiality, _names(item)) == (RESTRICTED, {cast.mofa.name})
    assert public.confidentiality == "public"


def test_a_bad_label_on_a_new_row_is_refused_naming_the_field(cast):
    meeting = _meeting(cast.mwg)
    before = fingerprint()

    with pytest.raises(ValidationError) as refused:
        agenda_item_add(meeting=meeting, title="Returns", by=None, confidentiality="secret")

    assert "confidentiality" in refused.value.message_dict
    assert fingerprint() == before


def test_a_series_meetings_start_with_the_groups_usual_label(cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=None)

    series = series_create(
        group=CoordinationGroup.objects.get(pk=cast.mwg.pk),
        by=None,
        title="Monthly coordination",
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        month_day=15,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=3,
        create_ahead_days=400,
    )

    labels = set(series.occurrences.values_list("confidentiality", flat=True))
    assert labels == {"public"}


# --- Changes and their trail ----------------------------------------------------------------


def _trail(record) -> list[tuple]:
    return list(
        ConfidentialityChange.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )
        .order_by("pk")
        .values_list("old_label", "new_label", "organisations", "changed_by")
    )


def test_a_change_of_label_is_written_once_to_the_trail(cast):
    meeting = _meeting(cast.mwg)

    confidentiality_set(
        record=meeting,
        confidentiality=RESTRICTED,
        restricted_to=[cast.mofa, cast.iom],
        by=cast.chair,
    )

    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.confidentiality == RESTRICTED
    assert _names(meeting) == {cast.iom.name, cast.mofa.name}
    names = sorted([cast.iom.name, cast.mofa.name])
    assert _trail(meeting) == [("members", RESTRICTED, names, cast.chair.pk)]


def test_asking_for_the_label_a_row_has_writes_nothing(cast):
    meeting = _meeting(cast.mwg, confidentiality=RESTRICTED, restricted_to=[cast.iom])
    before = fingerprint()
    trail_before = _trail(meeting)

    confidentiality_set(
        record=meeting, confidentiality=RESTRICTED, restricted_to=[cast.iom], by=cast.chair
    )

    assert fingerprint() == before
    assert _trail(meeting) == trail_before == []


def test_other_organisations_under_the_same_label_are_a_change(cast):
    meeting = _meeting(cast.mwg, confidentiality=RESTRICTED, restricted_to=[cast.iom])

    confidentiality_set(
        record=meeting, confidentiality=RESTRICTED, restricted_to=[cast.mofa], by=None
    )

    assert _names(meeting) == {cast.mofa.name}
    assert _trail(meeting) == [(RESTRICTED, RESTRICTED, [cast.mofa.name], None)]


def test_leaving_restricted_clears_the_organisations(cast):
    meeting = _meeting(cast.mwg, confidentiality=RESTRICTED, restricted_to=[cast.iom])

    confidentiality_set(
        record=meeting, confidentiality="public", restricted_to=[cast.iom], by=cast.secretariat
    )

    assert Meeting.objects.get(pk=meeting.pk).confidentiality == "public"
    assert _names(meeting) == set()
    assert _trail(meeting) == [(RESTRICTED, "public", [], cast.secretariat.pk)]


def test_a_bad_label_is_refused_naming_the_field_and_changes_nothing(cast):
    meeting = _meeting(cast.mwg)
    before = fingerprint()

    with pytest.raises(ValidationError) as refused:
        confidentiality_set(record=meeting, confidentiality="secret", by=cast.chair)

    assert list(refused.value.message_dict) == ["confidentiality"]
    assert fingerprint() == before
    assert not ConfidentialityChange.objects.exists()


def test_the_trail_keeps_the_names_of_the_day(cast):
    meeting = _meeting(cast.mwg)
    confidentiality_set(
        record=meeting, confidentiality=RESTRICTED, restricted_to=[cast.iom], by=None
    )
    cast.iom.name = "IOM, renamed"
    cast.iom.save(update_fields=["name"])

    assert confidentiality_trail(meeting)[0].organisations == [
        "International Organization for Migration"
    ]


def test_the_trail_of_several_rows_is_one_query_newest_first(cast, django_assert_num_queries):
    meeting = _meeting(cast.mwg)
    item = agenda_item_add(meeting=meeting, title="Returns", by=None)
    confidentiality_set(record=meeting, confidentiality="public", by=cast.chair)
    confidentiality_set(record=item, confidentiality=RESTRICTED, by=cast.chair)
    ContentType.objects.get_for_models(Meeting, type(item))  # the content types are cached

    with django_assert_num_queries(1):
        trail = confidentiality_trail(meeting, item)

    assert [(change.record, change.new_label) for change in trail] == [
        (item, RESTRICTED),
        (meeting, "public"),
    ]
    assert trail[0].changed_by.person == cast.chair_person

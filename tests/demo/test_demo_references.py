"""The demo's meetings carry references of the year they took place, numbered from one
in each group's year with none skipped: a past meeting, scheduled first at a provisional
date, gives that number back (demo.loader._Loader.renumber)."""

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command

from meetings.models import Decision, Meeting, ReferenceCounter

pytestmark = pytest.mark.django_db
REFERENCE = re.compile(r"^(?P<code>[A-Z][A-Z0-9-]*|G\d+)/(?P<year>\d{4})/(?P<number>\d{2,})$")


@pytest.fixture
def loaded(settings):
    settings.DEMO_PASSWORD = "tansiq-demo"
    call_command("load_demo", stdout=StringIO())


def test_every_demo_meeting_but_the_drafts_has_the_reference_of_its_year(loaded):
    numbers: dict[tuple[int, int], list[int]] = defaultdict(list)
    for meeting in Meeting.objects.select_related("group"):
        if meeting.status == Meeting.Status.DRAFT:
            assert meeting.reference == "", meeting.title
            continue
        match = REFERENCE.match(meeting.reference)
        assert match, (meeting.title, meeting.reference)
        year = meeting.start_at.astimezone(meeting.zone).year
        assert int(match["year"]) == year, (meeting.title, meeting.reference)
        assert match["code"] == (meeting.group.reference_code or f"G{meeting.group_id}")
        numbers[meeting.group_id, year].append(int(match["number"]))

    assert numbers
    counters = {
        (counter.group_id, counter.year): counter.last_number
        for counter in ReferenceCounter.objects.all()
    }
    for key, given in numbers.items():
        assert sorted(given) == list(range(1, len(given) + 1)), key
    assert {key: value for key, value in counters.items() if value} == {
        key: len(given) for key, given in numbers.items()
    }


def test_the_demo_mwg_launch_is_its_first_meeting_and_decisions_follow(loaded):
    launch = Meeting.objects.get(title="Launch of the Migration Working Group")

    assert launch.reference == "MWG/2017/01"
    for decision in Decision.objects.filter(meeting__reference__startswith="MWG/"):
        assert decision.reference == f"{decision.meeting.reference}/D{decision.number}"

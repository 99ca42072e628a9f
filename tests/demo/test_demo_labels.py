"""The demo's confidentiality labels: the chairs' own item on the next quarterly meeting's
agenda, restricted to the Ministry of Foreign Affairs and IOM."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from demo import story
from groups.models import Confidentiality
from meetings.models import AgendaItem
from meetings.permissions import agenda_items_visible_to

pytestmark = pytest.mark.django_db
TITLE = "Chair and co-chair: funding of the returns programme"


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DEMO_PASSWORD = "tansiq-demo"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())


def test_the_chairs_item_is_restricted_to_their_organisations(loaded):
    item = AgendaItem.objects.get(title=TITLE)

    assert item.meeting.title == story.QUARTERLY_LABOUR_BORDERS.title
    assert item.confidentiality == Confidentiality.RESTRICTED
    assert sorted(item.restricted_to.values_list("acronym", flat=True)) == ["IOM", "MoFA"]
    # The rest of its agenda takes the meeting's label.
    others = item.meeting.agenda_items.exclude(pk=item.pk)
    assert set(others.values_list("confidentiality", flat=True)) == {"members"}


@pytest.mark.parametrize(("login", "sees"), [("chair", True), ("cochair", True), ("member", False)])
def test_only_the_chairs_see_it(loaded, login, sees):
    user = User.objects.get(username=login)

    assert agenda_items_visible_to(user).filter(title=TITLE).exists() is sees

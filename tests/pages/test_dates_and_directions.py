"""One date and time format per language on every page, and names that keep their own
direction inside right-to-left text."""

import datetime as dt
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.services import (
    decision_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
)

pytestmark = pytest.mark.django_db

TRIPOLI = zoneinfo.ZoneInfo("Africa/Tripoli")
ENGLISH_MONTHS = ("December", "Dec.")
# What each language showed before: Arabic dates as "14 ديسمبر، 2026" and date-times in
# the English order with a 12-hour clock ("ديسمبر 16, 2026, 10 ص").
EXPECTED = {
    "ar": ("16 ديسمبر {year}، 10:00", "16 ديسمبر {year}"),
    "fr": ("16 décembre {year} à 10:00", "16 décembre {year}"),
    "en": ("16 December {year}, 10:00", "16 December {year}"),
}


class Page(HTMLParser):
    """The text of a page, each piece with the tags open around it."""

    def __init__(self, html: str):
        super().__init__()
        self.open: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, list[tuple[str, dict]]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in {"br", "input", "img", "meta", "link", "hr"}:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if data.strip() and not any(tag in {"script", "style"} for tag, _ in self.open):
            self.texts.append((data.strip(), list(self.open)))

    def text(self) -> str:
        return "\n".join(text for text, _ in self.texts)

    def enclosing(self, text: str) -> list[list[str]]:
        """The tags around each place the text is shown; a select's options hold no
        markup, so they are left out."""
        return [
            [tag for tag, _ in tags]
            for found, tags in self.texts
            if found == text and "option" not in {tag for tag, _ in tags}
        ]


def _read_in(client, language: str, url: str) -> Page:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return Page(response.content.decode())


@pytest.fixture
def december(cast):
    """A scheduled MWG meeting at 10:00 in Tripoli on 16 December next year."""
    year = timezone.localdate().year + 1
    start = dt.datetime(year, 12, 16, 10, 0, tzinfo=TRIPOLI)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        time_zone="Africa/Tripoli",
        by=cast.secretariat,
    )
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting_schedule(meeting=meeting, by=cast.secretariat)


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
@pytest.mark.parametrize("page", ["dashboard", "meeting-list", "meeting-detail"])
def test_pages_show_the_one_date_time_format_of_their_language(
    client, cast, december, language, page
):
    client.force_login(cast.chair)
    url = reverse(page, args=[december.pk]) if page == "meeting-detail" else reverse(page)

    text = _read_in(client, language, url).text()

    year = december.start_at.year
    date_time, date = (pattern.format(year=year) for pattern in EXPECTED[language])
    assert date_time in text
    assert f"ديسمبر 16, {year}" not in text
    assert f"ديسمبر، {year}" not in text
    assert " ص" not in text
    assert " م\n" not in text
    if language != "en":
        assert not any(month in text for month in ENGLISH_MONTHS)
    else:
        assert "Dec." not in text
        assert "a.m." not in text
    assert date in text


def test_names_titles_and_counts_are_isolated_in_arabic(client, cast, december):
    client.force_login(cast.chair)

    listing = _read_in(client, "ar", reverse("meeting-list"))
    detail = _read_in(client, "ar", reverse("meeting-detail", args=[december.pk]))
    dashboard = _read_in(client, "ar", reverse("dashboard"))

    for page in (listing, detail, dashboard):
        title = page.enclosing("MWG quarterly meeting")
        assert title
        assert all("bdi" in tags for tags in title)
    invited = december.invitations.count()
    accepted = listing.enclosing(f"0 / {invited}")
    assert accepted
    assert all("bdi" in tags for tags in accepted)
    group = listing.enclosing("Migration Working Group")
    assert group
    assert all("bdi" in tags for tags in group)


def test_organisation_names_and_acronyms_are_isolated_in_the_directory(client, cast):
    client.force_login(cast.chair)

    page = _read_in(client, "ar", reverse("organisation-detail", args=[cast.iom.pk]))

    acronym = page.enclosing("IOM")
    assert acronym
    assert all("bdi" in tags for tags in acronym)


def test_decision_numbers_stay_with_their_text_in_right_to_left(client, cast):
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Held",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=cast.secretariat,
        record_past=True,
    )
    meeting_mark_held(meeting=meeting, by=cast.secretariat)
    decision_add(meeting=meeting, text="IOM will share the mapping.", by=cast.secretariat)
    client.force_login(cast.chair)

    page = _read_in(client, "ar", reverse("meeting-detail", args=[meeting.pk]))

    [(_, tags)] = [entry for entry in page.texts if entry[0] == "IOM will share the mapping."]
    item = next(attrs for tag, attrs in tags if tag == "li")
    text = next(attrs for tag, attrs in tags if tag == "div" and "dir" in attrs)
    # The item keeps the page's direction, so its number is drawn on the page's side,
    # inside the panel; only the text inside chooses its own direction.
    assert "dir" not in item
    assert text["dir"] == "auto"
    css = (Path(settings.BASE_DIR) / "static/css/tansiq.css").read_text()
    rule = css[css.index("ol.decisions {") :].split("}")[0]
    assert "padding-inline-start" in rule
    assert "left" not in rule
    assert "right" not in rule


class Fields(HTMLParser):
    """The attributes of each form field of a page, by name."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag in {"input", "textarea"} and "name" in found:
            self.fields[found["name"]] = found


def test_typed_text_takes_the_direction_of_what_is_typed_in_arabic(client, cast, december):
    from meetings.services import agenda_item_add

    item = agenda_item_add(
        meeting=december, title="Labour mobility", description="Note", by=cast.secretariat
    )
    client.force_login(cast.secretariat)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    edit = Fields(
        client.get(reverse("agenda-item-edit", args=[december.pk, item.pk])).content.decode()
    )
    meeting = Fields(client.get(reverse("meeting-edit", args=[december.pk])).content.decode())

    title, description = (
        edit.fields[f"item-{item.pk}-title"],
        edit.fields[f"item-{item.pk}-description"],
    )
    assert title["value"] == "Labour mobility"
    assert title["dir"] == "auto"
    assert description["dir"] == "auto"
    assert meeting.fields["venue"]["dir"] == "auto"
    # A link reads left to right whatever the page's language.
    assert "dir" not in meeting.fields["online_url"]

"""The meeting pack is built in the background, kept per version on the default storage
and served from there: one build per version, one version per audience and language."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from meetings import pack, services
from meetings.models import Meeting, MeetingPack
from meetings.selectors import meeting_detail
from meetings.services import agenda_item_add, decision_add, minutes_save
from meetings.tasks import meeting_pack_build_task
from portal.celery import app as celery_app
from tests.pages.conftest import login, streamed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture
def builds(monkeypatch):
    """Every pack drawn, as (meeting id, minutes shown); the drawing itself is the real one."""
    calls = []
    draw = services.meeting_pack_pdf

    def counted(meeting, *, minutes, audience=None):
        calls.append((meeting.pk, None if minutes is None else minutes.body))
        return draw(meeting, minutes=minutes, audience=audience)

    monkeypatch.setattr(services, "meeting_pack_pdf", counted)
    return calls


@pytest.fixture
def enqueued(monkeypatch):
    """Tasks as with a broker: nothing runs in the request; what is sent is recorded."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    sent = []
    task = celery_app.tasks[services.PACK_BUILD_TASK]
    monkeypatch.setattr(task, "apply_async", lambda args=None, kwargs=None, **_: sent.append(args))
    return sent


def _text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _text(response) -> str:
    return _text_of(streamed(response))


def _pack_url(meeting) -> str:
    return reverse("meeting-pack", args=[meeting.pk])


def _status_url(meeting) -> str:
    return reverse("meeting-pack-status", args=[meeting.pk])


def test_the_second_download_serves_the_stored_pack_without_building_it_again(
    client, cast, held, pack_download, builds
):
    login(client, cast, "member")

    first = streamed(pack_download(held))
    second = streamed(pack_download(held))

    assert first == second
    assert first.startswith(b"%PDF")
    assert builds == [(held.pk, None)]
    (stored,) = MeetingPack.objects.filter(meeting=held)
    assert stored.status == MeetingPack.Status.READY
    assert stored.file.name.startswith(f"packs/meeting-{held.pk}/")
    with default_storage.open(stored.file.name, "rb") as file:
        assert file.read() == first


def _change(meeting, change: str, by) -> str:
    """Change one thing the pack shows; returns the text it now shows."""
    if change == "minutes":
        minutes_save(meeting=meeting, body="The sub-group met in Tripoli.", by=by)
        return "The sub-group met in Tripoli."
    if change == "decision":
        decision_add(meeting=meeting, text="Adopt the referral pathway", by=by)
        return "1. Adopt the referral pathway"
    agenda_item_add(meeting=meeting, title="Referral pathway", by=by)
    return "Referral pathway"


@pytest.mark.parametrize(
    ("change", "meeting_in"), [("minutes", "held"), ("decision", "held"), ("agenda", "draft")]
)
def test_a_change_to_what_the_pack_shows_is_a_new_version(
    request, client, cast, pack_download, builds, change, meeting_in
):
    meeting = request.getfixturevalue(meeting_in)
    login(client, cast, "secretariat")
    pack_download(meeting)
    (before,) = MeetingPack.objects.filter(meeting=meeting)

    shown = _change(meeting, change, cast.secretariat)
    text = _text(pack_download(meeting))

    assert shown in text
    assert len(builds) == 2
    after = MeetingPack.objects.exclude(pk=before.pk).get(meeting=meeting)
    assert after.key != before.key
    assert after.file.name != before.file.name
    # The version before stays stored: a reader may still be downloading it.
    assert default_storage.exists(before.file.name)


def test_the_same_pack_in_another_language_is_another_version(
    client, cast, held, pack_download, builds
):
    login(client, cast, "member")
    english = streamed(pack_download(held))
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    arabic = streamed(pack_download(held))

    assert english != arabic
    assert sorted(MeetingPack.objects.values_list("language", flat=True)) == ["ar", "en"]
    assert len(builds) == 2


def test_managers_and_members_get_different_packs_of_draft_minutes(
    client, cast, held, pack_download, builds
):
    minutes_save(meeting=held, body="Draft only", by=cast.secretariat)

    login(client, cast, "secretariat")
    managers_text = _text(pack_download(held))
    login(client, cast, "member")
    members_text = _text(pack_download(held))

    assert "Draft only" in managers_text
    assert "Draft only" not in members_text
    managers = MeetingPack.objects.get(audience=MeetingPack.Audience.MANAGERS)
    members = MeetingPack.objects.get(audience=MeetingPack.Audience.MEMBERS)
    assert managers.file.name != members.file.name
    assert builds == [(held.pk, "Draft only"), (held.pk, None)]


def test_a_member_never_gets_the_managers_pack(client, cast, held, pack_download):
    minutes_save(meeting=held, body="Draft only", by=cast.secretariat)
    login(client, cast, "chair")
    pack_download(held)
    managers = MeetingPack.objects.get()
    assert managers.audience == MeetingPack.Audience.MANAGERS
    with default_storage.open(managers.file.name, "rb") as file:
        managers_file = file.read()

    login(client, cast, "member")
    served = streamed(pack_download(held))
    status = client.get(_status_url(held))

    assert served != managers_file
    assert "Draft only" not in _text_of(served)
    members = MeetingPack.objects.get(audience=MeetingPack.Audience.MEMBERS)
    assert members.pk != managers.pk
    # The managers' pack is as it was: not served, not rebuilt, not replaced.
    unchanged = MeetingPack.objects.get(pk=managers.pk)
    assert (unchanged.key, unchanged.file.name, unchanged.built_at, unchanged.status) == (
        managers.key,
        managers.file.name,
        managers.built_at,
        MeetingPack.Status.READY,
    )
    assert managers.file.name not in status.content.decode()


@pytest.mark.parametrize("url", [_pack_url, _status_url])
def test_outsiders_get_404_and_no_pack_is_asked_for(
    client, cast, held, enqueued, builds, django_capture_on_commit_callbacks, url
):
    login(client, cast, "outsider")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(url(held))

    assert response.status_code == 404
    assert MeetingPack.objects.count() == 0
    assert (callbacks, enqueued, builds) == ([], [], [])


def test_with_a_broker_the_request_only_enqueues_the_build_after_commit(
    client, cast, held, enqueued, builds, django_capture_on_commit_callbacks
):
    login(client, cast, "member")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(_pack_url(held))
        assert enqueued == []  # nothing is sent before the transaction commits

    pack_row = MeetingPack.objects.get()
    assert response.status_code == 202
    page = response.content.decode()
    assert "The pack is being prepared" in page
    assert f'hx-get="{_status_url(held)}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert INLINE_SCRIPT.findall(page) == []
    assert len(callbacks) == 1
    assert enqueued == [(pack_row.pk,)]
    assert builds == []
    assert pack_row.status == MeetingPack.Status.BUILDING


def test_the_waiting_page_shows_the_link_once_the_worker_has_built_the_pack(
    client, cast, held, enqueued, builds, django_capture_on_commit_callbacks
):
    login(client, cast, "member")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))
    (pack_id,) = enqueued[0]
    waiting = client.get(_status_url(held)).content.decode()

    assert meeting_pack_build_task(pack_id) == MeetingPack.Status.READY
    assert meeting_pack_build_task(pack_id) == MeetingPack.Status.READY  # a second run is a no-op
    ready = client.get(_status_url(held)).content.decode()
    served = client.get(_pack_url(held))

    assert "hx-trigger" in waiting
    assert "hx-trigger" not in ready
    assert f'href="{_pack_url(held)}"' in ready
    assert "Download the meeting pack (PDF)" in ready
    assert served.status_code == 200
    streamed(served)
    assert len(builds) == 1
    assert len(enqueued) == 1


def test_a_failed_build_is_marked_failed_with_its_reason_and_a_later_request_retries(
    client, cast, held, monkeypatch, django_capture_on_commit_callbacks
):
    draw = services.meeting_pack_pdf

    def broken(meeting, *, minutes, audience=None):
        raise RuntimeError("the font is missing")

    monkeypatch.setattr(services, "meeting_pack_pdf", broken)
    login(client, cast, "member")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))
    failed = MeetingPack.objects.get()
    status = client.get(_status_url(held)).content.decode()

    assert failed.status == MeetingPack.Status.FAILED
    assert failed.error == "RuntimeError: the font is missing"
    assert failed.file.name == ""
    # The polled status does not retry (a broken build would run every two seconds).
    assert "could not be prepared" in status
    assert "hx-trigger" not in status
    assert MeetingPack.objects.get().status == MeetingPack.Status.FAILED

    monkeypatch.setattr(services, "meeting_pack_pdf", draw)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))
    response = client.get(_pack_url(held))

    retried = MeetingPack.objects.get()
    assert retried.pk == failed.pk
    assert (retried.status, retried.error) == (MeetingPack.Status.READY, "")
    assert streamed(response).startswith(b"%PDF")


def test_a_pack_whose_task_was_lost_is_asked_for_again_after_a_while(
    client, cast, held, enqueued, django_capture_on_commit_callbacks
):
    login(client, cast, "member")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))
    assert len(enqueued) == 1  # still building: the readers share the one build

    MeetingPack.objects.update(
        requested_at=MeetingPack.objects.get().requested_at - services.PACK_BUILD_PATIENCE
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_pack_url(held))

    assert len(enqueued) == 2


def test_the_first_click_gives_the_pdf_when_tasks_run_in_process(
    client, cast, held, monkeypatch, builds
):
    # As in `make run`: the request's own transaction is the outermost, so its commit
    # runs the build before the view reads the pack again.
    monkeypatch.setattr(
        transaction, "on_commit", lambda callback, using=None, robust=False: callback()
    )
    login(client, cast, "member")

    response = client.get(_pack_url(held))

    assert response.status_code == 200
    assert streamed(response).startswith(b"%PDF")
    assert len(builds) == 1


def test_the_served_pack_is_a_download_of_a_pdf(client, cast, held, pack_download):
    login(client, cast, "member")

    response = pack_download(held)
    streamed(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="meeting-pack-{held.pk}-health-sub-group-launch-en.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_an_arabic_title_leaves_an_ascii_file_name(client, cast, held, pack_download):
    held.title = "اجتماع المجموعة الفرعية"
    held.save(update_fields=["title"])
    login(client, cast, "member")
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})

    response = pack_download(held)
    streamed(response)

    assert response["Content-Disposition"] == (
        f'attachment; filename="meeting-pack-{held.pk}-ar.pdf"'
    )


def test_a_ready_pack_is_served_in_a_bounded_number_of_queries(
    client, cast, held, pack_download, django_assert_max_num_queries
):
    login(client, cast, "member")
    streamed(pack_download(held))

    # One of them reads the meeting's papers (documents.pack): they are in the version;
    # one asks whether the reader manages the meeting (which pack they get).
    with django_assert_max_num_queries(14):
        response = client.get(_pack_url(held))

    assert response.status_code == 200
    streamed(response)


def test_only_the_newest_versions_are_kept(client, cast, held, pack_download):
    login(client, cast, "secretariat")
    names = []
    for number in range(services.PACK_VERSIONS_KEPT + 2):
        decision_add(meeting=held, text=f"Decision {number}", by=cast.secretariat)
        streamed(pack_download(held))
        names.append(MeetingPack.objects.filter(meeting=held).first().file.name)

    kept = services.PACK_VERSIONS_KEPT
    assert list(MeetingPack.objects.values_list("file", flat=True)) == names[::-1][:kept]
    assert [default_storage.exists(name) for name in names] == [False] * 2 + [True] * kept


def test_a_stored_file_that_went_missing_is_built_again(client, cast, held, pack_download, builds):
    login(client, cast, "member")
    streamed(pack_download(held))
    default_storage.delete(MeetingPack.objects.get().file.name)

    response = pack_download(held)

    assert streamed(response).startswith(b"%PDF")
    assert len(builds) == 2
    assert default_storage.exists(MeetingPack.objects.get().file.name)


def test_the_version_changes_with_the_layout_version(cast, held, monkeypatch):
    meeting = meeting_detail(queryset=Meeting.objects.filter(pk=held.pk)).get()
    before = pack.meeting_pack_version(meeting, minutes=None, language="en")
    again = pack.meeting_pack_version(meeting, minutes=None, language="en")
    monkeypatch.setattr(pack, "PACK_LAYOUT_VERSION", pack.PACK_LAYOUT_VERSION + 1)
    after = pack.meeting_pack_version(meeting, minutes=None, language="en")

    assert before == again
    assert after.key != before.key

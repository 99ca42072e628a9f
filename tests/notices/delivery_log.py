"""A delivery log to read in parts (notices.permissions.notice_log_parts): e-mails and
webhook calls about meetings, an action point and a series, to people and endpoints of
three organisations, written out of order. Its tests and the bench floors' share it."""

import datetime as dt
import itertools

from django.test import override_settings
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_access_set, meeting_create, series_create
from members.services import user_create
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.factories import ActionPointFactory, MeetingFactory
from tests.series import monthly_fields


def _meeting(group, title):
    start = timezone.now() + dt.timedelta(days=30)
    return meeting_create(
        group=group, title=title, start_at=start, end_at=start + dt.timedelta(hours=2), by=None
    )


def guest_create():
    """A user who will run one meeting by a direct grant and sits in no group: no person."""
    return user_create(username="guest", password="guest-password")


def delivery_log(cast, guest) -> list[Notice]:
    """E-mails and webhook calls to the chair, the member and the observer, and to
    endpoints of MoFA (the chair's organisation) and the MoH (two), about: a meeting of
    the MWG (which the chair runs), one of another working group (which `guest` runs by
    a grant alone), an action point of a held MWG meeting and an MWG series; written out
    of order, some at the same moment."""
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        endpoints = [
            webhook_endpoint_register(
                organisation=organisation, url=f"https://hooks.example.org/{n}", by=None
            )
            for n, organisation in enumerate((cast.mofa, cast.moh, cast.moh))
        ]
    run = _meeting(cast.mwg, "Quarterly")
    elsewhere = _meeting(cast.other_wg, "Elsewhere")
    meeting_access_set(
        meeting=elsewhere, user=guest, permissions={"view_meeting", "change_meeting"}, by=None
    )
    point = ActionPointFactory(
        meeting=MeetingFactory(group=cast.mwg, status=Meeting.Status.HELD),
        owner_organisation=cast.moh,
    )
    series = series_create(group=cast.mwg, by=None, **monthly_fields())
    Notice.objects.all().delete()  # what scheduling wrote: the log is this one's
    people = [cast.chair_person, cast.member_person, cast.observer_person]
    targets = [("person", person) for person in people] + [
        ("endpoint", endpoint) for endpoint in endpoints
    ]
    subjects = [{"meeting": run}, {"meeting": elsewhere}, {"action_point": point}]
    subjects.append({"series": series})
    now = timezone.now()
    rows = []
    for n, ((kind, recipient), subject) in enumerate(itertools.product(targets * 4, subjects)):
        email = kind == "person"
        rows.append(
            Notice(
                dedup_key=f"log-{n}",
                kind="invitation",
                channel="email" if email else "webhook",
                event="meeting.scheduled",
                person=recipient if email else None,
                endpoint=None if email else recipient,
                status="failed" if n % 7 == 0 else "sent",
                sent_at=now,
                **subject,
            )
        )
    written = Notice.objects.bulk_create(rows)
    for n, notice in enumerate(written):
        # Out of the ids' order, every third at one moment (the ids then break the tie).
        at = now - dt.timedelta(minutes=(n * 37) % 101 if n % 3 else 5)
        Notice.objects.filter(pk=notice.pk).update(created_at=at)
    return written

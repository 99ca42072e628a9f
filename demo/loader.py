"""Turn the story (demo/story.py) into rows, through the apps' services only.

Every row is found by its natural key first and made through the services only when
missing, so a second run writes nothing. The whole load is one transaction: the
notices it leaves pending are delivered once it commits.

The services stamp every event with the present and refuse what cannot happen now
(answers to a meeting that is over, attendance at one not yet started). A demo with
a past has to happen in the present first, then be moved back: a past meeting is
written a little in the future, scheduled and answered, moved to its real dates, held,
and its timestamps and outbox rows are then backdated to when each thing happened, so
nothing about the past is mailed today and no old action point is ever reminded of;
its reference is given anew in the year it took place. Those backdating `.update()`
calls are the demo's only writes outside the services.
"""

import datetime as dt
import zoneinfo
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone

from decisions.models import ProcedureAnswer, WrittenProcedure
from decisions.services import (
    procedure_answer,
    procedure_circulate,
    procedure_close,
    procedure_create,
)
from demo import story
from documents.models import Document
from documents.services import document_create
from groups.models import CoordinationGroup, Membership, Representative
from groups.services import group_create, membership_create, person_link_user, representative_add
from meetings.follow_up import minutes_adopt, report_back_accept
from meetings.minutes_cycle import (
    minutes_circulate,
    minutes_comment_add,
    minutes_comment_answer,
    minutes_signatories,
    section_heading,
)
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    Minutes,
    MinutesComment,
    MinutesVersion,
    ReferenceCounter,
    ReportBack,
)
from meetings.pdf import Document as PdfDocument
from meetings.references import reference_assign
from meetings.selectors import short_notice_of
from meetings.services import (
    action_point_create,
    action_point_report,
    agenda_item_add,
    attendance_record,
    decision_add,
    invitation_respond,
    invitations_create_for_group,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
    series_create,
    series_schedule,
)
from members.models import Organisation, Person
from members.services import (
    organisation_create,
    person_create,
    secretariat_role_ensure,
    user_create,
)
from notices.models import Notice
from portal.api.serializers import utc_iso
from search.services import index_rebuild

ModelT = TypeVar("ModelT", bound=models.Model)

# Far enough ahead for the services to accept a schedule and answers, near enough that
# no reminder (due whole days before the start) is planned for a meeting of the past.
PROVISIONAL_LEAD = dt.timedelta(hours=1)
# Demo only: the reason a meeting that the story calls on an earlier day gives when it is
# called today, inside its group's notice period; _Backdating takes it back.
CALLED_ON_AN_EARLIER_DAY = "Called on an earlier day (demo data)."
# Local times of day at which the backdated events happened.
INVITED_AT = dt.time(9, 0)
ANSWERED_AT = dt.time(11, 30)
CANCELLED_AT = dt.time(9, 30)
APPROVED_AT = dt.time(12, 0)
PUBLISHED_AT = dt.time(10, 0)
CIRCULATED_AT = dt.time(9, 0)
CLOSED_AT = dt.time(15, 0)


class StoryError(Exception):
    """The story contradicts itself or its dates; fix demo/story.py."""


@transaction.atomic
def demo_load(*, password: str) -> int:
    """Load the story; returns how many records it created (0 when it was loaded)."""
    secretariat_role_ensure()
    loader = _Loader(password=password, now=timezone.now())
    loader.load()
    # The backdating `.update()`s above change dates and references around the
    # services, so the search index is made from the records as they end up.
    index_rebuild()
    return loader.created


def _local(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone)


def _email_of(full_name: str) -> str:
    slug = full_name.lower().replace(" ", ".").replace("é", "e").replace("ó", "o")
    return f"{slug}@example.org"


class _Loader:
    def __init__(self, *, password: str, now: dt.datetime):
        self.password = password
        self.now = now
        self.today = timezone.localdate(now)
        self.created = 0
        self.groups: dict[str, CoordinationGroup] = {}
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}

    # --- finding or making ----------------------------------------------------------

    def find(self, model: type[ModelT], **lookup: object) -> ModelT | None:
        return model._default_manager.filter(**lookup).first()

    def made(self, instance: ModelT) -> ModelT:
        self.created += 1
        return instance

    def login(
        self, username: str, *, is_superuser: bool = False, is_secretariat: bool = False
    ) -> User:
        return self.find(User, username=username) or self.made(
            user_create(
                username=username,
                password=self.password,
                email=f"{username}@tansiq.local",
                is_superuser=is_superuser,
                is_secretariat=is_secretariat,
            )
        )

    def day(self, value: story.Day) -> dt.date:
        if isinstance(value, story.FromToday):
            return self.today + dt.timedelta(days=value.days)
        return value

    # --- the story --------------------------------------------------------------------

    def load(self) -> None:
        self.admin = self.login(story.ADMIN_LOGIN, is_superuser=True)
        self.secretariat = self.login(story.SECRETARIAT_LOGIN, is_secretariat=True)
        self.load_groups()
        self.load_organisations()
        self.load_people()
        self.load_seats()
        for meeting in story.MEETINGS:
            self.load_meeting(meeting)
        for series in story.SERIES:
            self.load_series(series)
        for paper in story.PAPERS:
            if not paper.meeting:
                self.paper_add(paper, self.groups[paper.group])
        for procedure in story.PROCEDURES:
            self.load_procedure(procedure)

    def load_series(self, spec: story.Series) -> None:
        group = self.groups[spec.group]
        if self.find(MeetingSeries, group=group, title=spec.title) is not None:
            return
        series = self.made(
            series_create(
                group=group,
                title=spec.title,
                frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
                weekday=spec.weekday,
                week_of_month=spec.week_of_month,
                start_time=spec.starts.time,
                duration_minutes=spec.duration_minutes,
                time_zone=story.TRIPOLI.key,
                venue=spec.venue,
                starts_on=self.day(spec.starts),
                count=spec.count,
                by=self.secretariat,
            )
        )
        # Moved before it is scheduled, so the one invitation to the series already
        # holds the move (no update mail beside it).
        meetings = list(series.occurrences.order_by("occurrence_start"))
        if spec.moved_index is not None and spec.moved_index < len(meetings):
            meeting = meetings[spec.moved_index]
            shift = dt.timedelta(days=spec.moved_by_days)
            meeting_update(
                meeting=meeting,
                start_at=meeting.start_at + shift,
                end_at=meeting.end_at + shift,
                by=self.secretariat,
            )
        series_schedule(series=series, by=self.secretariat)

    def load_groups(self) -> None:
        for spec in story.GROUPS:
            parent = self.groups[spec.parent] if spec.parent else None
            self.groups[spec.name] = self.find(
                CoordinationGroup, name=spec.name, parent=parent
            ) or self.made(
                group_create(
                    name=spec.name,
                    kind=spec.kind,
                    parent=parent,
                    name_ar=spec.name_ar,
                    name_fr=spec.name_fr,
                    short_name=spec.short_name,
                    established_on=spec.established_on,
                    endorsed_by=spec.endorsed_by,
                    description=spec.description,
                    reference_code=spec.reference_code,
                    mandate=spec.mandate,
                    mandate_ar=spec.mandate_ar,
                    mandate_fr=spec.mandate_fr,
                    endorsed_on=spec.endorsed_on,
                    notice_period_days=spec.notice_period_days,
                    quorum_rule=spec.quorum_rule,
                    quorum_value=spec.quorum_value,
                    usual_duration_minutes=spec.usual_duration_minutes,
                    usual_venue=spec.usual_venue,
                    rhythm=spec.rhythm,
                    by=self.admin,
                )
            )

    def load_organisations(self) -> None:
        for spec in story.ORGANISATIONS:
            organisation = self.find(Organisation, name=spec.name) or self.made(
                organisation_create(
                    name=spec.name,
                    name_ar=spec.name_ar,
                    acronym=spec.acronym,
                    kind=spec.kind,
                    country=spec.country,
                    by=self.admin,
                )
            )
            self.organisations[spec.name] = organisation
            if spec.acronym:
                self.organisations[spec.acronym] = organisation

    def load_people(self) -> None:
        for spec in story.PEOPLE:
            person = self.find(Person, full_name=spec.full_name) or self.made(
                person_create(
                    full_name=spec.full_name,
                    full_name_ar=spec.full_name_ar,
                    organisation=self.organisations[spec.organisation],
                    position=spec.position,
                    email=_email_of(spec.full_name),
                    preferred_language=spec.language,
                    since=story.LAUNCH_DAY,
                    by=self.admin,
                )
            )
            self.people[spec.full_name] = person
            if spec.username and person.user_id is None:
                person_link_user(person=person, user=self.login(spec.username), by=self.admin)

    def load_seats(self) -> None:
        for spec in story.SEATS:
            group = self.groups[spec.group]
            organisation = self.organisations[spec.organisation]
            start = group.established_on or story.LAUNCH_DAY
            membership = self.find(
                Membership, group=group, organisation=organisation, end_on=None
            ) or self.made(
                membership_create(
                    group=group,
                    organisation=organisation,
                    role=spec.role,
                    seat_holder=self.people[spec.seat_holder] if spec.seat_holder else None,
                    start_on=start,
                    by=self.admin,
                )
            )
            for full_name, kind in spec.representatives:
                person = self.people[full_name]
                if not self.find(Representative, membership=membership, person=person, end_on=None):
                    self.made(
                        representative_add(
                            membership=membership,
                            person=person,
                            kind=kind,
                            start_on=start,
                            by=self.admin,
                        )
                    )

    # --- meetings ---------------------------------------------------------------------

    def load_meeting(self, spec: story.Meeting) -> None:
        group = self.groups[spec.group]
        if Meeting.objects.filter(group=group, title=spec.title).exists():
            return
        self.created += 1
        start, end = self.dates_of(spec)
        self.check_dates(spec, start, end)
        if start > self.now:
            self.load_meeting_to_come(spec, group, start, end)
        else:
            self.load_meeting_past(spec, group, start, end)

    def dates_of(self, spec: story.Meeting) -> tuple[dt.datetime, dt.datetime]:
        if isinstance(spec.start, story.FromToday):
            start = _local(self.day(spec.start), spec.start.time, zoneinfo.ZoneInfo(spec.time_zone))
        else:
            start = spec.start
        return start, start + dt.timedelta(hours=spec.hours)

    def check_dates(self, spec: story.Meeting, start: dt.datetime, end: dt.datetime) -> None:
        """Refuse a story that is not true to its dates rather than load one."""
        if start > self.now:
            allowed = {"draft", "scheduled"}
        else:
            allowed = {"held"} if end <= self.now else set()
            allowed.add("cancelled")
        if spec.status not in allowed:
            raise StoryError(f"{spec.title!r} cannot be {spec.status} on {start:%Y-%m-%d}.")
        if (spec.status == "cancelled") != (spec.cancellation is not None):
            raise StoryError(f"{spec.title!r}: a cancellation goes with a cancelled meeting.")
        if spec.status == "draft":
            if spec.answers:
                raise StoryError(f"{spec.title!r}: nobody answers a draft.")
            return
        if spec.invited_days_before is None:
            if start <= self.now or any(a.days_before is not None for a in spec.answers):
                raise StoryError(f"{spec.title!r}: only a meeting to come is invited today.")
            return
        # Answers come between the invitation and the eve of the meeting (or its cancelling).
        earliest = spec.cancellation.days_before + 1 if spec.cancellation else 1
        for answer in spec.answers:
            if not earliest <= (answer.days_before or 0) <= spec.invited_days_before:
                raise StoryError(f"{spec.title!r}: {answer.person} answers on the wrong day.")

    def meeting_create(
        self,
        spec: story.Meeting,
        group: CoordinationGroup,
        start: dt.datetime,
        end: dt.datetime,
    ) -> Meeting:
        return meeting_create(
            group=group,
            title=spec.title,
            start_at=start,
            end_at=end,
            kind=spec.kind,
            venue=spec.venue,
            online_url=spec.online_url,
            description=spec.description,
            time_zone=spec.time_zone,
            by=self.secretariat,
        )

    def agenda_add(self, meeting: Meeting, spec: story.Meeting) -> None:
        for item in spec.agenda:
            agenda_item_add(
                meeting=meeting,
                title=item.title,
                duration_minutes=item.duration_minutes,
                presenter=self.people[item.presenter] if item.presenter else None,
                confidentiality=item.confidentiality or None,
                restricted_to=[self.organisations[name] for name in item.restricted_to],
                by=self.secretariat,
            )

    def invite_and_answer(self, meeting: Meeting, spec: story.Meeting) -> Meeting:
        invitations_create_for_group(meeting=meeting, by=self.secretariat)
        # A meeting the story calls on an earlier day is called today, maybe inside its
        # group's notice period; _Backdating then records the call as the story has it.
        called_earlier = spec.invited_days_before is not None
        meeting = meeting_schedule(
            meeting=meeting,
            by=self.secretariat,
            short_notice_reason=spec.short_notice_reason
            or (CALLED_ON_AN_EARLIER_DAY if called_earlier else ""),
        )
        invitees = set(meeting.invitations.values_list("person__full_name", flat=True))
        answered = {answer.person for answer in spec.answers}
        if answered - invitees:
            raise StoryError(f"{spec.title!r}: not invited: {sorted(answered - invitees)}.")
        if spec.status == "held" and invitees - answered:
            raise StoryError(f"{spec.title!r}: no answer from {sorted(invitees - answered)}.")
        for answer in spec.answers:
            person = self.people[answer.person]
            invitation_respond(
                invitation=meeting.invitations.get(person=person),
                response=answer.response,
                note=answer.note,
                # An invitee with a login answers for themselves; the others answer by
                # e-mail and the secretariat records it.
                by=person.user or self.secretariat,
            )
        return meeting

    def load_meeting_to_come(
        self,
        spec: story.Meeting,
        group: CoordinationGroup,
        start: dt.datetime,
        end: dt.datetime,
    ) -> None:
        meeting = self.meeting_create(spec, group, start, end)
        self.agenda_add(meeting, spec)
        if spec.reports_accepted:
            # The sub-groups' published minutes the portal proposed for the agenda.
            for report in ReportBack.objects.filter(
                meeting=meeting, status=ReportBack.Status.PROPOSED
            ):
                report_back_accept(report_back=report, by=self.secretariat)
        # Its papers are in before it is called, so that its invitation names them.
        for paper in story.PAPERS:
            if paper.meeting == spec.title:
                self.paper_add(paper, group, meeting=meeting)
        if spec.status == "scheduled":
            meeting = self.invite_and_answer(meeting, spec)
            # Invited today, the meeting's invitations are what a fresh demo mails;
            # invited earlier, they went out then.
            if spec.invited_days_before is not None:
                _Backdating(self, meeting, spec).apply()

    def paper_add(
        self, spec: story.Paper, group: CoordinationGroup, *, meeting: Meeting | None = None
    ) -> None:
        if self.find(Document, group=group, title=spec.title) is not None:
            return
        agenda_item = (
            meeting.agenda_items.get(title=spec.agenda_item)
            if meeting is not None and spec.agenda_item
            else None
        )
        pdf = PdfDocument(title=spec.title_ar if spec.language == "ar" else spec.title)
        for paragraph in spec.text.split("\n\n"):
            pdf.paragraph(paragraph)
        self.made(
            document_create(
                group=group,
                meeting=meeting,
                agenda_item=agenda_item,
                title=spec.title,
                title_ar=spec.title_ar,
                title_fr=spec.title_fr,
                description=spec.description,
                language=spec.language,
                upload=SimpleUploadedFile(spec.file_name, pdf.output()),
                confidentiality=spec.confidentiality or None,
                restricted_to=[self.organisations[name] for name in spec.restricted_to],
                by=self.secretariat,
            )
        )

    def load_meeting_past(
        self,
        spec: story.Meeting,
        group: CoordinationGroup,
        start: dt.datetime,
        end: dt.datetime,
    ) -> None:
        provisional = self.now + PROVISIONAL_LEAD
        meeting = self.meeting_create(spec, group, provisional, provisional + (end - start))
        self.agenda_add(meeting, spec)
        meeting = self.invite_and_answer(meeting, spec)
        if spec.cancellation is not None:
            meeting = meeting_cancel(
                meeting=meeting, reason=spec.cancellation.reason, by=self.secretariat
            )
        # Demo only: the meeting goes back to its real dates, now that the services
        # have taken its schedule and answers, so that it can be held and minuted.
        Meeting.objects.filter(pk=meeting.pk).update(start_at=start, end_at=end)
        meeting.refresh_from_db()
        self.renumber(meeting, provisional)
        if spec.status == "held":
            self.hold(meeting, spec)
        _Backdating(self, meeting, spec).apply()

    def renumber(self, meeting: Meeting, provisional: dt.datetime) -> None:
        """Demo only: scheduled at its provisional date, the meeting was numbered in that
        date's year. It gives that number back (the last given, in this same transaction)
        and takes the next one of the year it really took place."""
        provisional_year = provisional.astimezone(meeting.zone).year
        ReferenceCounter.objects.filter(group=meeting.group, year=provisional_year).update(
            last_number=models.F("last_number") - 1
        )
        Meeting.objects.filter(pk=meeting.pk).update(reference="")
        meeting.reference = ""
        Meeting.objects.filter(pk=meeting.pk).update(reference=reference_assign(meeting))

    def hold(self, meeting: Meeting, spec: story.Meeting) -> None:
        declined = {a.person for a in spec.answers if a.response == "declined"}
        if declined & set(spec.attendees):
            raise StoryError(f"{spec.title!r}: declined yet came: {sorted(declined)}.")
        if not spec.attendees:
            raise StoryError(f"{spec.title!r}: a held meeting has an attendance register.")
        by = self.secretariat
        meeting = meeting_mark_held(meeting=meeting, by=by)
        for full_name in spec.attendees:
            attendance_record(meeting=meeting, person=self.people[full_name], by=by)
        for text in spec.decisions:
            decision_add(meeting=meeting, text=text, by=by)
        if spec.adoption is not None:
            adoption = meeting.agenda_items.select_related("source_meeting").get(
                kind=AgendaItem.Kind.MINUTES_ADOPTION
            )
            source = adoption.source_meeting
            if source is None:
                raise StoryError(f"{spec.title!r}: its adoption item names no meeting.")
            corrections = spec.adoption.corrections
            minutes_adopt(
                item=adoption,
                corrections=sectioned(source, corrections) if corrections else "",
                by=by,
            )
            MinutesVersion.objects.filter(
                minutes__meeting=source, reason=MinutesVersion.Reason.CORRECTED
            ).update(created_at=meeting.end_at)
        if spec.minutes is not None:
            self.minutes_cycle(meeting, spec.minutes)
        for item in spec.action_points:
            owner = self.people[item.owner_person] if item.owner_person else None
            action_point = action_point_create(
                meeting=meeting,
                title=item.title,
                owner_organisation=self.organisations[item.owner_organisation],
                owner_person=owner,
                due_on=self.day(item.due_on),
                by=by,
            )
            if item.status != "open" or item.progress:
                action_point_report(
                    action_point=action_point,
                    status=item.status,
                    progress=item.progress,
                    by=owner.user if owner and owner.user else by,
                )

    def minutes_cycle(self, meeting: Meeting, spec: story.Minutes) -> None:
        """Drafted; circulated for comments, answered and the text changed for those
        applied; signed off by the chair or co-chair (or the secretariat on the chair's
        behalf); published. _Backdating moves each step to its day."""
        by = self.secretariat
        minutes = minutes_save(meeting=meeting, body=sectioned(meeting, spec.body), by=by)
        if spec.comments:
            minutes = minutes_circulate(
                minutes=minutes,
                comments_until=self.now + dt.timedelta(days=spec.comment_days),
                by=by,
            )
            for comment in spec.comments:
                made = minutes_comment_add(
                    minutes=minutes,
                    section="",
                    agenda_item=meeting.agenda_items.get(title=comment.item),
                    body=comment.body,
                    by=self.people[comment.person].user,
                )
                minutes_comment_answer(
                    comment=made, answer=comment.answer, applied=comment.applied, by=by
                )
            if spec.body_after_comments:
                minutes = minutes_save(
                    meeting=meeting, body=sectioned(meeting, spec.body_after_comments), by=by
                )
        signer = self.people[spec.signed_by] if spec.signed_by else None
        if signer is not None and signer.user is not None:
            minutes = minutes_approve(minutes=minutes, by=signer.user)
        elif minutes_signatories(meeting):
            minutes = minutes_approve(minutes=minutes, by=by, on_behalf_of=signer)
        else:
            # A group with no chair in the story (the Taskforce): recorded as loaded.
            minutes = minutes_approve(minutes=minutes, by=None)
        if spec.published_days_after is not None:
            minutes_publish(minutes=minutes, by=by)

    def load_procedure(self, spec: story.WrittenProcedure) -> None:
        """Circulated and answered now, then moved back to the story's days; one whose
        deadline has passed is closed as the beat would have closed it then."""
        group = self.groups[spec.group]
        if self.find(WrittenProcedure, group=group, title=spec.title) is not None:
            return
        by = self.secretariat
        circulated = _local(self.day(spec.circulated), INVITED_AT, story.TRIPOLI)
        deadline = _local(self.day(spec.deadline), dt.time(12, 0), story.TRIPOLI)
        procedure = self.made(
            procedure_create(
                group=group,
                title=spec.title,
                text=spec.text,
                text_ar=spec.text_ar,
                text_fr=spec.text_fr,
                deadline=max(deadline, self.now + dt.timedelta(days=2)),
                by=by,
            )
        )
        procedure = procedure_circulate(procedure=procedure, by=by)
        for answer in spec.answers:
            person = self.people[answer.person]
            if person.organisation is None:
                raise StoryError(f"{answer.person} answers for no organisation.")
            procedure_answer(
                procedure=procedure,
                organisation=person.organisation,
                answer=answer.answer,
                reason=answer.reason,
                by=person.user,
                channel=ProcedureAnswer.Channel.PAGE,
            )
            answered_at = circulated + dt.timedelta(days=answer.days_after, hours=2)
            ProcedureAnswer.objects.filter(
                procedure=procedure, organisation=person.organisation
            ).update(answered_at=answered_at)
            # The trail shows each answer as its history row dates it.
            ProcedureAnswer.history.filter(
                procedure_id=procedure.pk, organisation_id=person.organisation.pk
            ).exclude(answer=ProcedureAnswer.Answer.PENDING).update(
                history_date=answered_at, answered_at=answered_at
            )
        WrittenProcedure.objects.filter(pk=procedure.pk).update(
            deadline=deadline,
            circulated_at=circulated,
            created_at=circulated - dt.timedelta(days=1),
        )
        notices_sent(Notice.objects.filter(procedure=procedure), circulated)
        ProcedureAnswer.history.filter(
            procedure_id=procedure.pk, answer=ProcedureAnswer.Answer.PENDING
        ).update(history_date=circulated)
        WrittenProcedure.history.filter(id=procedure.pk).update(history_date=circulated)
        if deadline <= self.now:
            procedure_close(procedure_id=procedure.pk)
            WrittenProcedure.objects.filter(pk=procedure.pk).update(closed_at=deadline)
            WrittenProcedure.history.filter(
                id=procedure.pk, status__in=["closing", "adopted", "not_adopted"]
            ).update(history_date=deadline)
            closed = WrittenProcedure.objects.get(pk=procedure.pk)
            if closed.decision_id is not None:
                Decision.history.filter(id=closed.decision_id).update(history_date=deadline)
            notices_sent(
                Notice.objects.filter(procedure=procedure, kind=Notice.Kind.PROCEDURE_OUTCOME),
                deadline,
            )


def sectioned(meeting: Meeting, body: str) -> str:
    """The story's "## <agenda item title>" headings numbered as the meeting's agenda
    numbers its items (the portal put its own items first), as comments name them."""
    headings = {item.title: section_heading(item) for item in meeting.agenda_items.all()}
    return (
        "\n".join(
            f"## {headings.get(line[3:].strip(), line[3:].strip())}"
            if line.startswith("## ")
            else line
            for line in body.splitlines()
        )
        + "\n"
    )


def notices_sent(notices: models.QuerySet[Notice], at: dt.datetime) -> None:
    """Demo only: what the past wrote to the outbox went out then."""
    notices.update(
        status=Notice.Status.SENT,
        attempts=1,
        created_at=at,
        next_attempt_at=at,
        claimed_at=at,
        sent_at=at,
    )


class _Backdating:
    """Demo only: moves the timestamps the services stamped with the present back to
    when the story says each thing happened, and marks the notices those past events
    wrote as sent then (they would otherwise be mailed today, years late)."""

    def __init__(self, loader: _Loader, meeting: Meeting, spec: story.Meeting):
        self.loader = loader
        self.meeting = meeting
        self.spec = spec
        self.zone = zoneinfo.ZoneInfo(spec.time_zone)
        self.start_day = timezone.localtime(meeting.start_at, self.zone).date()
        self.end_day = timezone.localtime(meeting.end_at, self.zone).date()

    def before(self, days: int | None, time: dt.time) -> dt.datetime:
        if days is None:
            raise StoryError(f"{self.spec.title!r}: a day in its past is missing.")
        return _local(self.start_day - dt.timedelta(days=days), time, self.zone)

    def after(self, days: int, time: dt.time) -> dt.datetime:
        return _local(self.end_day + dt.timedelta(days=days), time, self.zone)

    def past(self, moment: dt.datetime, what: str) -> dt.datetime:
        if moment > self.loader.now:
            raise StoryError(f"{self.spec.title!r}: {what} would be in the future.")
        return moment

    def apply(self) -> None:
        meeting, spec = self.meeting, self.spec
        invited_at = self.past(self.before(spec.invited_days_before, INVITED_AT), "inviting")
        self.short_notice(invited_at)
        last_change = invited_at
        Invitation.objects.filter(meeting=meeting).update(created_at=invited_at)
        for answer in spec.answers:
            answered_at = self.past(self.before(answer.days_before, ANSWERED_AT), "an answer")
            Invitation.objects.filter(
                meeting=meeting, person=self.loader.people[answer.person]
            ).update(responded_at=answered_at)
        self.notices_sent(Notice.Kind.INVITATION, invited_at)
        if spec.cancellation is not None:
            last_change = self.past(
                self.before(spec.cancellation.days_before, CANCELLED_AT), "the cancelling"
            )
            self.notices_sent(Notice.Kind.CANCELLATION, last_change)
        if spec.status == "held":
            last_change = meeting.end_at
        Attendance.objects.filter(meeting=meeting).update(recorded_at=meeting.start_at)
        # The decisions' status history starts the day they were taken.
        Decision.history.filter(meeting_id=meeting.pk).update(history_date=meeting.end_at)
        if spec.minutes is not None:
            self.minutes(spec.minutes)
        for item, action_point in zip(
            spec.action_points, meeting.action_points.order_by("pk"), strict=True
        ):
            self.action_point(item, action_point)
        Meeting.objects.filter(pk=meeting.pk).update(
            created_at=invited_at - dt.timedelta(days=3), updated_at=last_change
        )

    def minutes(self, spec: story.Minutes) -> None:
        approved_at = self.past(self.after(spec.approved_days_after, APPROVED_AT), "approval")
        changes = {"approved_at": approved_at, "updated_at": approved_at}
        minutes = Minutes.objects.get(meeting=self.meeting)
        drafted_at = self.after(1, PUBLISHED_AT)
        MinutesVersion.objects.filter(minutes=minutes).update(created_at=drafted_at)
        if spec.comments:
            circulated_at = self.after(spec.circulated_days_after, CIRCULATED_AT)
            until = circulated_at + dt.timedelta(days=spec.comment_days)
            changes.update(circulated_at=circulated_at, comments_until=min(until, approved_at))
            self.notices_sent(Notice.Kind.MINUTES_CIRCULATED, circulated_at)
            for comment, made in zip(spec.comments, minutes.comments.order_by("pk"), strict=True):
                made_at = self.past(self.after(comment.days_after, ANSWERED_AT), "a comment")
                MinutesComment.objects.filter(pk=made.pk).update(
                    created_at=made_at, answered_at=made_at + dt.timedelta(hours=3)
                )
            if spec.body_after_comments:
                # The text with the comments in went out the day the period closed.
                MinutesVersion.objects.filter(
                    minutes=minutes, reason=MinutesVersion.Reason.EDITED
                ).update(created_at=min(until, approved_at))

        if spec.published_days_after is not None:
            published_at = self.past(
                self.after(spec.published_days_after, PUBLISHED_AT), "publication"
            )
            changes.update(published_at=published_at, updated_at=published_at)
            self.notices_sent(Notice.Kind.MINUTES, published_at)
        Minutes.objects.filter(meeting=self.meeting).update(**changes)

    def action_point(self, spec: story.ActionPoint, action_point: ActionPoint) -> None:
        changes = {"created_at": self.meeting.end_at, "updated_at": self.meeting.end_at}
        if spec.closed_on is not None:
            closed_at = self.past(
                _local(self.loader.day(spec.closed_on), CLOSED_AT, self.zone), "a closing"
            )
            if closed_at < self.meeting.end_at:
                raise StoryError(f"{spec.title!r} is closed before it was raised.")
            changes.update(closed_at=closed_at, updated_at=closed_at)
        elif spec.status != "open":
            raise StoryError(f"{spec.title!r} is {spec.status} but has no closing day.")
        ActionPoint.objects.filter(pk=action_point.pk).update(**changes)

    def short_notice(self, invited_at: dt.datetime) -> None:
        """The override the call made today needed (or not) is the one the story's call
        needed: none when it gave the group's notice, the story's reason when it did not."""
        meeting, spec = self.meeting, self.spec
        short = short_notice_of(group=meeting.group, start_at=meeting.start_at, now=invited_at)
        if short is not None and not spec.short_notice_reason:
            raise StoryError(f"{spec.title!r} is called at short notice without a reason.")
        reason = spec.short_notice_reason if short is not None else ""
        Meeting.objects.filter(pk=meeting.pk).update(
            short_notice_reason=reason,
            short_notice_by=self.loader.secretariat if reason else None,
        )
        meeting.short_notice_reason = reason

    def notices_sent(self, kind: str, at: dt.datetime) -> None:
        notices = Notice.objects.filter(meeting=self.meeting, kind=kind)
        first = notices.first()
        if first is None:
            return
        # The services froze the provisional dates into invitations and cancellations;
        # a resend or the delivery log must show the real ones. One event, one payload.
        payload = first.payload
        payload["meeting"].update(
            start_at=utc_iso(self.meeting.start_at),
            end_at=utc_iso(self.meeting.end_at),
            short_notice=bool(self.meeting.short_notice_reason),
            short_notice_reason=self.meeting.short_notice_reason,
        )
        notices.update(
            payload=payload,
            status=Notice.Status.SENT,
            attempts=1,
            created_at=at,
            next_attempt_at=at,
            claimed_at=at,
            sent_at=at,
        )

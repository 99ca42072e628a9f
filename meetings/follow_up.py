"""Follow-up across meetings: the agenda items the portal puts there itself, and what
is done with them.

- Every open meeting of a group that has met before starts with "Adoption of the
  minutes of <the previous meeting>" (once its minutes exist) and "Review of open
  action points" (AgendaItem.Kind). `agenda_follow_up_ensure` adds what is missing and
  nothing twice: the database holds one of each per meeting (and per source meeting).
- The adoption item of a held meeting records the adoption (`minutes_adopt`): a
  decision of that meeting, the earlier minutes marked adopted, their corrections kept
  as a new version, and corrected decisions of the earlier meeting rewritten; this is
  the only way a published meeting's decisions change.
- The review item lists the group's open action points with their history
  (ActionPointReview); `action_point_review` records one click of the meeting.
- A sub-group's published minutes are proposed to its parent group's next meeting
  (ReportBack); accepted, they become a "Report of the <sub-group>" item.

meetings.services calls in here (one line per hook), so this module may not import it;
what both write (a meeting's decisions, minutes' versions) lives in modules both
import (meetings.decision_records, meetings.minutes_versions).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from groups.services import label_for_new
from meetings import minutes_cycle
from meetings.decision_records import meeting_decision_write
from meetings.minutes_versions import minutes_version_add
from meetings.models import (
    ActionPoint,
    ActionPointReview,
    AgendaItem,
    AgendaItemKind,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
    ReportBack,
)
from portal.audit import Actor, audited_save, author_of
from portal.pages import local_name

Status = Meeting.Status
OPEN_STATUSES = (Status.DRAFT, Status.SCHEDULED)
ADOPTION = AgendaItemKind.MINUTES_ADOPTION
ACTION_REVIEW = AgendaItemKind.ACTION_REVIEW
REPORT_BACK = AgendaItemKind.REPORT_BACK
# How long the portal's own items are planned for; the secretariat changes it at will.
STANDING_ITEM_MINUTES = 10


def meeting_name(meeting: Meeting) -> str:
    """A meeting as the portal's items and decisions name it: its title, and its
    reference when it has one (a series' meetings share their title)."""
    if meeting.reference:
        return _("%(title)s (%(reference)s)") % {
            "title": meeting.title,
            "reference": meeting.reference,
        }
    return meeting.title


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting.pk)


def _meeting_day(meeting: Meeting) -> dt.date:
    return meeting.start_at.astimezone(meeting.zone).date()


def _item_insert(
    meeting: Meeting, *, position: int, kind: str, title: str, source: Meeting | None, by: Actor
) -> AgendaItem:
    """A portal item at `position`, the items from there on moved one down. The caller
    holds the meeting's lock. The items move last first, so no two rows ever share a
    position (the unique constraint is checked row by row)."""
    following = meeting.agenda_items.filter(position__gte=position).order_by("-position")
    for item in following:
        item.position += 1
        audited_save(item, by=by, update_fields=["position"], validate=False)
    label = label_for_new(confidentiality=None, group=meeting.group, container=meeting)
    item = AgendaItem(
        meeting=meeting,
        kind=kind,
        source_meeting=source,
        position=position,
        title=title,
        duration_minutes=STANDING_ITEM_MINUTES,
        confidentiality=label.confidentiality,
    )
    audited_save(item, by=by)
    label.attach(item)
    return item


def _portal_language() -> translation.override:
    """The agenda is one text for everyone: the portal's own items and decisions are
    worded in the portal's language, whoever's click or task made them (pages show
    the kind's label in the reader's)."""
    return translation.override(settings.LANGUAGE_CODE)


# --- Standing items ---------------------------------------------------------------------


def _minutes_to_adopt(meeting: Meeting) -> Minutes | None:
    """The minutes this meeting should adopt: those of the group's latest earlier held
    meeting that has minutes, unless adopted already or carried by another meeting (a
    cancelled one carries nothing). Only the latest: older minutes left unadopted are
    the secretariat's to put on an agenda, not a pile for the next meeting.

    The minutes' row lock keeps two meetings created at once from both taking them."""
    latest = (
        Minutes.objects.filter(
            meeting__group_id=meeting.group_id,
            meeting__status=Status.HELD,
            meeting__start_at__lt=meeting.start_at,
        )
        .order_by("-meeting__start_at", "-meeting_id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return None
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=latest)
    if minutes.adopted_at_id is not None:
        return None
    carried = (
        AgendaItem.objects.filter(kind=ADOPTION, source_meeting_id=minutes.meeting_id)
        .exclude(meeting__status=Status.CANCELLED)
        .exists()
    )
    return None if carried else minutes


@transaction.atomic
def agenda_follow_up_ensure(*, meeting: Meeting, by: Actor) -> list[AgendaItem]:
    """Give an open meeting the portal's items it lacks, and propose the reports of the
    sub-groups it should hear; returns the items added. Safe to call any number of
    times, from any number of places at once (the meeting's row lock, then the unique
    constraints). A group's first meeting gets none: there is nothing to follow up."""
    meeting = _locked(meeting)
    if meeting.status not in OPEN_STATUSES:
        return []
    added = []
    items = list(meeting.agenda_items.all())
    adoption_positions = [item.position for item in items if item.kind == ADOPTION]
    minutes = _minutes_to_adopt(meeting)
    if minutes is not None:
        source = minutes.meeting
        position = max(adoption_positions, default=0) + 1
        with _portal_language():
            title = _("Adoption of the minutes of %(meeting)s") % {"meeting": meeting_name(source)}
        added.append(
            _item_insert(
                meeting, position=position, kind=ADOPTION, title=title, source=source, by=by
            )
        )
        adoption_positions.append(position)
    has_met = Meeting.objects.filter(
        group_id=meeting.group_id, status=Status.HELD, start_at__lt=meeting.start_at
    ).exists()
    if has_met and not any(item.kind == ACTION_REVIEW for item in items):
        with _portal_language():
            title = _("Review of open action points")
        added.append(
            _item_insert(
                meeting,
                position=max(adoption_positions, default=0) + 1,
                kind=ACTION_REVIEW,
                title=title,
                source=None,
                by=by,
            )
        )
    for source in _reports_pending(meeting):
        _report_back_propose(meeting, source, by=by)
    return added


def _next_open_meeting(source: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            group_id=source.group_id, status__in=OPEN_STATUSES, start_at__gt=source.start_at
        )
        .order_by("start_at", "pk")
        .first()
    )


@transaction.atomic
def minutes_follow_up(*, minutes: Minutes, by: Actor) -> None:
    """What a meeting's minutes being written or published sets going: the group's next
    open meeting gets its adoption item (and its review item, now that the group has
    met), and published minutes of a sub-group are proposed to the parent's next
    meeting. Called by meetings.services.minutes_save and minutes_publish."""
    following = _next_open_meeting(minutes.meeting)
    if following is not None:
        agenda_follow_up_ensure(meeting=following, by=by)
    if minutes.status == Minutes.Status.PUBLISHED:
        report_backs_propose(minutes=minutes, by=by)


# --- Adoption of the minutes ------------------------------------------------------------


def _decisions_correct(
    source: Meeting, corrections: dict[int, str], *, at: Meeting, by: Actor
) -> list[Decision]:
    """Rewrite the earlier meeting's decisions named in `corrections` (id → new words)
    and mark them corrected at `at`. Published minutes freeze their meeting's decisions
    (meetings.minutes_cycle.decisions_frozen_check); a correction at the adopting
    meeting is the one change they allow, made here on the rows."""
    if not corrections:
        return []
    minutes_cycle.decisions_frozen_check(source, correction_at=at)
    decisions = {
        decision.pk: decision
        # By id: the model's ordering joins the (optional) meeting, an outer join
        # PostgreSQL will not lock.
        for decision in Decision.objects.select_for_update()
        .filter(meeting=source, pk__in=list(corrections))
        .order_by("pk")
    }
    unknown = set(corrections) - set(decisions)
    if unknown:
        raise ValidationError(
            {
                "decision_corrections": _(
                    "Only decisions of the meeting whose minutes are adopted can be corrected."
                )
            }
        )
    corrected = []
    for decision_id, text in sorted(corrections.items()):
        text = text.strip()
        if not text:
            raise ValidationError({"decision_corrections": _("A decision cannot be emptied.")})
        decision = decisions[decision_id]
        if text == decision.text:
            continue
        decision.text = text
        decision.corrected_at = at
        audited_save(decision, by=by)
        corrected.append(decision)
    return corrected


@transaction.atomic
def minutes_adopt(
    *,
    item: AgendaItem,
    by: Actor,
    corrections: str = "",
    decision_corrections: dict[int, str] | None = None,
) -> Decision:
    """Record, at the held meeting of `item` (its adoption item), that the minutes of
    the item's source meeting are adopted, as they stand or with `corrections` (their
    whole corrected text, kept as a new version) and `decision_corrections` (new words
    for decisions of that meeting). Returns the adopting decision."""
    if item.kind != ADOPTION or item.source_meeting_id is None:
        raise ValidationError({"item": _("This agenda item does not adopt minutes.")})
    meeting = _locked(item.meeting)
    if meeting.status != Status.HELD:
        raise ValidationError(
            {"status": _("Minutes are adopted at the meeting, once it is marked as held.")}
        )
    minutes_cycle.decisions_frozen_check(meeting)
    minutes = (
        Minutes.objects.select_for_update()
        .select_related("meeting")
        .filter(meeting_id=item.source_meeting_id)
        .first()
    )
    if minutes is None:
        raise ValidationError({"item": _("The earlier meeting has no minutes to adopt.")})
    if minutes.adopted_at_id is not None:
        raise ValidationError({"item": _("These minutes are adopted already.")})
    body_corrected = bool(corrections.strip()) and corrections.strip() != minutes.body.strip()
    corrected = _decisions_correct(minutes.meeting, decision_corrections or {}, at=meeting, by=by)
    with _portal_language():
        name = meeting_name(minutes.meeting)
        if body_corrected or corrected:
            text = _("The minutes of %(meeting)s are adopted with corrections.") % {"meeting": name}
        else:
            text = _("The minutes of %(meeting)s are adopted.") % {"meeting": name}
    decision = meeting_decision_write(meeting, text=text, agenda_item=item, by=by)
    if body_corrected:
        minutes.body = corrections.strip()
        minutes_version_add(minutes, reason=MinutesVersion.Reason.CORRECTED, by=by)
    minutes.adopted_at = meeting
    minutes.adopted_on = _meeting_day(meeting)
    minutes.adoption_decision = decision
    audited_save(minutes, by=by)
    return decision


# --- Review of open action points ---------------------------------------------------------


def meeting_has_begun(meeting: Meeting) -> bool:
    return meeting.start_at <= timezone.now()


@transaction.atomic
def action_point_review(
    *, action_point: ActionPoint, meeting: Meeting, status: str, by: Actor, note: str = ""
) -> ActionPointReview:
    """What `meeting` said of an action point raised at an earlier meeting of its group:
    done, still open or dropped, with a note. The action point takes that status (and
    its closing time, as action_point_report sets it); the review is kept as its
    history."""
    if status not in ActionPoint.Status.values:
        raise ValidationError(
            {"status": _("%(status)s is not an action point status.") % {"status": repr(status)}}
        )
    meeting = _locked(meeting)
    if meeting.status == Status.CANCELLED:
        raise ValidationError({"meeting": _("A cancelled meeting reviews nothing.")})
    if not meeting_has_begun(meeting):
        # What a meeting said is recorded when it says it, not prepared weeks before.
        raise ValidationError(
            {"meeting": _("Action points are reviewed once the meeting has begun.")}
        )
    action_point = (
        ActionPoint.objects.select_for_update().select_related("meeting").get(pk=action_point.pk)
    )
    raised_at = action_point.meeting
    if raised_at.group_id != meeting.group_id or raised_at.start_at >= meeting.start_at:
        raise ValidationError(
            {
                "action_point": _(
                    "Only action points raised at an earlier meeting of the group are "
                    "reviewed here."
                )
            }
        )
    if status != action_point.status:
        action_point.status = status
        action_point.closed_at = None if status == ActionPoint.Status.OPEN else timezone.now()
        audited_save(action_point, by=by)
    review = ActionPointReview(
        action_point=action_point,
        meeting=meeting,
        status=status,
        note=note.strip(),
        by=author_of(by),
    )
    return audited_save(review, by=by)


# --- Report-back --------------------------------------------------------------------------


def _proposed_somewhere() -> Exists:
    """A sub-group meeting is proposed once: accepted or dropped anywhere, or still
    proposed to a meeting that is not cancelled."""
    return Exists(
        ReportBack.objects.filter(source_meeting=OuterRef("pk")).filter(
            ~Q(status=ReportBack.Status.PROPOSED) | ~Q(meeting__status=Status.CANCELLED)
        )
    )


def _reports_pending(meeting: Meeting) -> list[Meeting]:
    """The meetings of the group's sub-groups whose minutes were published since the
    group last met and were never proposed: what a future meeting should hear."""
    if meeting.start_at <= timezone.now():
        return []
    sources = Meeting.objects.filter(
        group__parent_id=meeting.group_id,
        status=Status.HELD,
        minutes__status=Minutes.Status.PUBLISHED,
        start_at__lt=meeting.start_at,
    ).exclude(_proposed_somewhere())
    last_met = (
        Meeting.objects.filter(
            group_id=meeting.group_id, status=Status.HELD, start_at__lt=meeting.start_at
        )
        .order_by("-start_at")
        .values_list("start_at", flat=True)
        .first()
    )
    if last_met is not None:
        sources = sources.filter(minutes__published_at__gt=last_met)
    return list(sources.select_related("group").order_by("start_at", "pk"))


def _report_back_propose(meeting: Meeting, source: Meeting, *, by: Actor) -> ReportBack | None:
    if (
        ReportBack.objects.filter(source_meeting=source)
        .filter(~Q(status=ReportBack.Status.PROPOSED) | ~Q(meeting__status=Status.CANCELLED))
        .exists()
    ):
        return None
    return audited_save(ReportBack(meeting=meeting, source_meeting=source), by=by)


@transaction.atomic
def report_backs_propose(*, minutes: Minutes, by: Actor) -> ReportBack | None:
    """Propose a sub-group's published minutes to its parent group's next meeting (open,
    in the future); with none yet, that meeting picks them up when it is made
    (agenda_follow_up_ensure). Never proposes the same meeting twice."""
    source = Meeting.objects.select_related("group").get(pk=minutes.meeting_id)
    if source.group.parent_id is None or minutes.status != Minutes.Status.PUBLISHED:
        return None
    target = (
        Meeting.objects.filter(
            group_id=source.group.parent_id,
            status__in=OPEN_STATUSES,
            start_at__gt=timezone.now(),
        )
        .order_by("start_at", "pk")
        .first()
    )
    if target is None:
        return None
    target = _locked(target)
    return _report_back_propose(target, source, by=by)


def _report_back_decided(report_back: ReportBack) -> tuple[ReportBack, Meeting]:
    report_back = (
        ReportBack.objects.select_for_update()
        .select_related("source_meeting__group")
        .get(pk=report_back.pk)
    )
    meeting = _locked(report_back.meeting)
    if report_back.status != ReportBack.Status.PROPOSED:
        raise ValidationError({"status": _("This report is accepted or dropped already.")})
    if meeting.status not in OPEN_STATUSES:
        raise ValidationError(
            {"status": _("Only a draft or scheduled meeting's agenda takes a report.")}
        )
    return report_back, meeting


@transaction.atomic
def report_back_accept(*, report_back: ReportBack, by: Actor) -> ReportBack:
    """Put the proposed report on the meeting's agenda, at its end."""
    report_back, meeting = _report_back_decided(report_back)
    source = report_back.source_meeting
    with _portal_language():
        # Named by its meeting too: a group may report twice to the same meeting.
        if source.reference:
            title = _("Report of the %(group)s (%(reference)s)") % {
                "group": local_name(source.group),
                "reference": source.reference,
            }
        else:
            title = _("Report of the %(group)s, meeting of %(date)s") % {
                "group": local_name(source.group),
                "date": formats.date_format(_meeting_day(source), "DATE_FORMAT"),
            }
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = _item_insert(
        meeting, position=last + 1, kind=REPORT_BACK, title=title, source=source, by=by
    )
    report_back.status = ReportBack.Status.ACCEPTED
    report_back.agenda_item = item
    report_back.decided_by = author_of(by)
    report_back.decided_at = timezone.now()
    return audited_save(report_back, by=by)


@transaction.atomic
def report_back_drop(*, report_back: ReportBack, by: Actor) -> ReportBack:
    """Leave the report off the agenda; it is not proposed again."""
    report_back, _meeting = _report_back_decided(report_back)
    report_back.status = ReportBack.Status.DROPPED
    report_back.decided_by = author_of(by)
    report_back.decided_at = timezone.now()
    return audited_save(report_back, by=by)

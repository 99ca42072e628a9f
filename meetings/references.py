"""Official references of meetings and decisions: MWG/2026/04 and MWG/2026/04/D3.

A meeting's number counts the meetings its group scheduled in the year of the
meeting's start, in the meeting's own time zone; the group's reference code leads (G
and the group's id when it has none). A number is given once: the counter only rises,
so the number of a cancelled meeting is never given again, and a meeting keeps its
reference when it is moved, even into another year. The format is the one
meetings/migrations/0006 gave the meetings that existed before references did.
"""

from meetings.models import Meeting, ReferenceCounter


def group_code(meeting: Meeting) -> str:
    return meeting.group.reference_code or f"G{meeting.group_id}"


def meeting_reference_format(code: str, year: int, number: int) -> str:
    return f"{code}/{year}/{number:02d}"


def reference_assign(meeting: Meeting) -> str:
    """Give the meeting the next reference of its group's year and return it; a meeting
    that has one keeps it. Sets `meeting.reference`; the caller saves the meeting, in
    the same transaction and under the meeting's row lock (meeting_schedule,
    meeting_mark_held).

    Two meetings of a group scheduled at the same moment queue on the counter's row
    lock, so they never get the same number; the row is inserted first if missing
    (a conflicting insert by the other waits for it, then does nothing)."""
    if meeting.reference:
        return meeting.reference
    year = meeting.start_at.astimezone(meeting.zone).year
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(group_id=meeting.group_id, year=year, last_number=0)],
        ignore_conflicts=True,
    )
    counter = ReferenceCounter.objects.select_for_update().get(group_id=meeting.group_id, year=year)
    code = group_code(meeting)
    while True:
        counter.last_number += 1
        reference = meeting_reference_format(code, year, counter.last_number)
        # Taken only when the group's code was another group's before, or is a G-number
        # another group has: skip it rather than fail the scheduling.
        if not Meeting.objects.filter(reference=reference).exists():
            break
    counter.save(update_fields=["last_number"])
    meeting.reference = reference
    return reference


def decision_reference(meeting: Meeting, number: int) -> str:
    """The reference of decision `number` of the meeting (MWG/2026/04/D3); empty when the
    meeting has none (a draft)."""
    if not meeting.reference:
        return ""
    return f"{meeting.reference}/D{number}"

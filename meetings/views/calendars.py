"""The month calendar of meetings, and a new address for the personal calendar feed."""

import calendar as month_calendar
import datetime as dt
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings import forms
from meetings.models import Meeting
from meetings.permissions import meetings_visible_to
from meetings.selectors import meetings_starting_between
from members.permissions import user_person
from members.services import person_calendar_token_reset
from portal import zones
from portal.pages import reverse_by_id


@login_required
@require_GET
def meeting_calendar_page(request):
    user = request.user
    today = timezone.localdate()
    try:
        first = forms.month_start(request.GET.get("month"), today)
    except ValidationError as error:
        problems = {field: " ".join(messages) for field, messages in error.message_dict.items()}
        return render(request, "400.html", {"problems": problems}, status=400)
    weeks = month_calendar.Calendar(firstweekday=5).monthdatescalendar(first.year, first.month)
    # Saturday first: the Libyan working week starts on Sunday, the weekend is Fri–Sat.
    # Each meeting sits on its day in the zone the page shows it in (the reader's, or
    # the meeting's own): look a day beyond the weeks on each side, then keep those
    # whose day is shown.
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(weeks[0][0] - dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=2), dt.time.min, tzinfo=zone)
    meetings = meetings_starting_between(queryset=meetings_visible_to(user), start=start, end=end)
    # Each with what its line shows, worked out here once for the month's hundreds:
    # the address of its page (one reverse for all), its start in the zone shown, as
    # the `date:"c"` and `time:"TIME_FORMAT"` filters would write it.
    by_day: dict[dt.date, list[tuple[Meeting, str, str, str]]] = {}
    detail_url = reverse_by_id("meeting-detail")
    for meeting in meetings:
        shown_in = zoneinfo.ZoneInfo(zones.shown_zone(meeting.time_zone))
        when = meeting.start_at.astimezone(shown_in)
        by_day.setdefault(when.date(), []).append(
            (meeting, detail_url(meeting.pk), when.isoformat(), time_format(when, "TIME_FORMAT"))
        )
    days = [[(day, by_day.get(day, [])) for day in week] for week in weeks]
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    person = user_person(user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar-feed", args=[person.calendar_token]))
        if person
        else None
    )
    return render(
        request,
        "meetings/calendar.html",
        {
            "nav": "calendar",
            "first": first,
            "weeks": days,
            "month_meetings": [
                meeting
                for week in days
                for _day, day_meetings in week
                for meeting, *_shown in day_meetings
            ],
            "weekdays": weeks[0],
            "today": today,
            "previous_month": previous_month,
            "next_month": next_month,
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def calendar_token_reset_page(request):
    person = user_person(request.user)
    if person is None:
        raise Http404("No person for this login.")
    person_calendar_token_reset(person=person, by=request.user)
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("meeting-calendar")

"""Decisions for the register's tests, made through the services over the cast: MWG
decisions under each label (published minutes), one given in Arabic and French, a
later one, a health sub-group decision whose minutes are still a draft, one of the
Economic Working Group, and one adopted by written procedure (no meeting)."""

import datetime as dt

from django.utils import timezone

from decisions.models import WrittenProcedure
from groups.models import Confidentiality
from meetings.models import Decision
from meetings.services import (
    action_point_create,
    decision_add,
    decision_translations_set,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)

ARABIC = "رسم خريطة خدمات الإحالة في الموانئ"
FRENCH = "Cartographier les services d'orientation dans les ports"


def held(group, title, days_ago):
    start = timezone.now() - dt.timedelta(days=days_ago)
    meeting = meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    return meeting_mark_held(meeting=meeting, by=None)


def publish(meeting):
    minutes = minutes_save(meeting=meeting, body=f"Minutes of {meeting.title}.", by=None)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)


def procedure_decision(group, *, text, days_ago, reference, **fields):
    """A decision adopted by written procedure, as the procedure's closing leaves it."""
    now = timezone.now()
    decided_on = timezone.localdate() - dt.timedelta(days=days_ago)
    decision = Decision.objects.create(
        group=group,
        meeting=None,
        number=1,
        decided_on=decided_on,
        text=text,
        reference=reference,
        confidentiality=Confidentiality.MEMBERS,
        **fields,
    )
    WrittenProcedure.objects.create(
        group=group,
        reference=reference,
        title="Silence procedure",
        text=text,
        deadline=now - dt.timedelta(days=days_ago),
        status=WrittenProcedure.Status.ADOPTED,
        circulated_at=now - dt.timedelta(days=days_ago + 7),
        closed_at=now - dt.timedelta(days=days_ago),
        decision=decision,
        confidentiality=Confidentiality.MEMBERS,
    )
    return decision


def build_world(cast) -> dict:
    first = held(cast.mwg, "Spring MWG meeting", days_ago=40)
    open_decision = decision_add(meeting=first, text="Adopt the annual work plan.", by=None)
    for_iom = decision_add(
        meeting=first,
        text="Fund the confidential shelter.",
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[cast.iom],
        by=None,
    )
    translated = decision_add(meeting=first, text="Map the referral services in ports.", by=None)
    decision_translations_set(decision=translated, text_ar=ARABIC, text_fr=FRENCH, by=None)
    action = action_point_create(
        meeting=first,
        title="Survey the ports",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=20),
        decision=translated,
        by=None,
    )
    publish(first)

    second = held(cast.mwg, "Summer MWG meeting", days_ago=20)
    later = decision_add(meeting=second, text="Replace the annual work plan.", by=None)
    publish(second)

    health_meeting = held(cast.health, "Health sub-group meeting", days_ago=10)
    health = decision_add(meeting=health_meeting, text="Screen arrivals for measles.", by=None)
    minutes_save(meeting=health_meeting, body="Draft minutes.", by=None)

    other_meeting = held(cast.other_wg, "Economic meeting", days_ago=15)
    other = decision_add(meeting=other_meeting, text="Study remittance costs.", by=None)
    publish(other_meeting)

    by_procedure = procedure_decision(
        cast.mwg, text="Endorse the joint statement.", days_ago=5, reference="MWG/2026/WP1"
    )
    return {
        "first": first,
        "second": second,
        "open": open_decision,
        "for_iom": for_iom,
        "translated": translated,
        "later": later,
        "health": health,
        "other": other,
        "by_procedure": by_procedure,
        "action": action,
    }


# What each persona finds in the framework's register.
SEEN_BY = {
    "admin": {"open", "for_iom", "translated", "later", "health", "other", "by_procedure"},
    "secretariat": {"open", "for_iom", "translated", "later", "health", "other", "by_procedure"},
    "chair": {"open", "for_iom", "translated", "later", "health", "by_procedure"},
    "cochair": {"open", "for_iom", "translated", "later", "health", "by_procedure"},
    "member": {"open", "translated", "later", "by_procedure"},
    "observer": {"open", "translated", "later", "by_procedure"},
    "outsider": set(),
}

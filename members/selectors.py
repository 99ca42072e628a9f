"""Reads for organisations and people, with their joins done."""

from django.db.models import QuerySet

from members.models import Affiliation, Organisation, Person


def organisation_list(*, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return queryset.order_by("name")


def person_list(*, queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.select_related("organisation").order_by("full_name")


def person_affiliations(person: Person) -> QuerySet[Affiliation]:
    return person.affiliations.select_related("organisation").order_by("-start_on")


def person_for_email(email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email).first() if email else None


def person_for_calendar_token(token: str) -> Person | None:
    return Person.objects.filter(calendar_token=token).first() if token else None

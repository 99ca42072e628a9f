"""Reads for organisations and people, with their joins done."""

import re

from django.db.models import Q, QuerySet

from members.models import Affiliation, Organisation, Person

# How Organisation.__str__ shows a name with its acronym.
SHOWN_WITH_ACRONYM = re.compile(r"^(.+?)\s*\(([^()]+)\)$")


def organisation_list(*, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return queryset.order_by("name")


def person_list(*, queryset: QuerySet[Person]) -> QuerySet[Person]:
    return queryset.select_related("organisation").order_by("full_name", "pk")


def person_affiliations(person: Person) -> QuerySet[Affiliation]:
    return person.affiliations.select_related("organisation").order_by("-start_on")


def person_for_email(email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email).first() if email else None


def person_for_calendar_token(token: str) -> Person | None:
    return Person.objects.filter(calendar_token=token).first() if token else None


def organisation_search(*, queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Organisations whose name (either script) or acronym contains `text`, or named as
    the portal shows them, "Name (ACRONYM)" (copied from a page or a CSV)."""
    if not text:
        return queryset
    matches = Q(name__icontains=text) | Q(name_ar__icontains=text) | Q(acronym__icontains=text)
    shown = SHOWN_WITH_ACRONYM.match(text.strip())
    if shown:
        name, acronym = shown.groups()
        matches |= Q(name__iexact=name.strip(), acronym__iexact=acronym.strip())
    return queryset.filter(matches)


def person_search(
    *, queryset: QuerySet[Person], text: str, contact_details_of: QuerySet[Person]
) -> QuerySet[Person]:
    """People whose name (either script), e-mail, position or organisation contains `text`.

    The e-mail is searched only among `contact_details_of`, the people whose contact
    details the reader may see: otherwise a search for an address would tell whose it is.
    """
    if not text:
        return queryset
    return queryset.filter(
        Q(full_name__icontains=text)
        | Q(full_name_ar__icontains=text)
        | Q(email__icontains=text, pk__in=contact_details_of.values("pk"))
        | Q(position__icontains=text)
        | Q(organisation__name__icontains=text)
        | Q(organisation__acronym__icontains=text)
    )

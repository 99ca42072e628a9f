"""Pages of the members app: the searchable directory of organisations and people."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from groups.models import Membership
from groups.permissions import groups_visible_to
from members.permissions import (
    organisation_get_for_user,
    organisations_visible_to,
    people_visible_to,
)
from members.selectors import organisation_list, person_list
from portal.pages import paginate, query_without_page


def _search(request) -> str:
    return request.GET.get("q", "").strip()[:100]


@login_required
@require_GET
def organisation_list_page(request):
    query = _search(request)
    organisations = organisations_visible_to(request.user)
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(name_ar__icontains=query) | Q(acronym__icontains=query)
        )
    page = paginate(request, organisation_list(queryset=organisations))
    return render(
        request,
        "members/organisation_list.html",
        {"nav": "directory", "page": page, "q": query, "query": query_without_page(request)},
    )


@login_required
@require_GET
def organisation_detail_page(request, organisation_id: int):
    user = request.user
    organisation = organisation_get_for_user(user, organisation_id)
    people = person_list(queryset=people_visible_to(user).filter(organisation=organisation))
    memberships = (
        Membership.objects.filter(
            organisation=organisation, end_on__isnull=True, group__in=groups_visible_to(user)
        )
        .select_related("group")
        .order_by("group__name")
    )
    return render(
        request,
        "members/organisation_detail.html",
        {
            "nav": "directory",
            "organisation": organisation,
            "people": people,
            "memberships": memberships,
        },
    )


@login_required
@require_GET
def person_list_page(request):
    query = _search(request)
    people = people_visible_to(request.user)
    if query:
        people = people.filter(
            Q(full_name__icontains=query)
            | Q(full_name_ar__icontains=query)
            | Q(email__icontains=query)
            | Q(position__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(organisation__acronym__icontains=query)
        )
    page = paginate(request, person_list(queryset=people))
    return render(
        request,
        "members/person_list.html",
        {"nav": "directory", "page": page, "q": query, "query": query_without_page(request)},
    )

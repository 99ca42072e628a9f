"""Pages of the groups app: the tree, a group's page, memberships and representatives,
and the directory of organisations and people (who sees whom follows from the seats;
whose e-mail and phone, from each person's choice too)."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups import forms, services
from groups.models import Confidentiality, CoordinationGroup, Membership, QuorumRule, Rhythm
from groups.permissions import (
    contact_details_visible_to,
    group_get_for_user,
    groups_visible_to,
    membership_get_for_user,
    memberships_visible_to,
    organisation_get_for_user,
    organisations_offered_to,
    organisations_visible_to,
    people_offered_to,
    people_visible_to,
    people_with_contact_details_visible_to,
    person_get_for_user,
    representative_get_for_user,
    user_can_manage_group,
)
from groups.selectors import (
    QUORUM_ROLES,
    TermsOfReference,
    current_representatives,
    group_detail_load,
    organisation_seats,
    terms_of_reference,
)
from members.permissions import user_can_set_contact_visibility, user_person
from members.selectors import organisation_list, organisation_search, person_list, person_search
from members.services import person_contact_visibility_set, person_time_zone_set
from portal.pages import (
    form_token_claim,
    paginate,
    query_without_page,
    service_error_onto_form,
)


@login_required
@require_GET
def group_list_page(request):
    """The coordination structure as a tree: framework → working groups → sub-groups."""
    groups = list(groups_visible_to(request.user).select_related("parent").order_by("name"))
    visible = {group.pk for group in groups}
    children = defaultdict(list)
    roots = []
    for group in groups:
        if group.parent_id in visible:
            children[group.parent_id].append(group)
        else:
            roots.append(group)

    def branch(group):
        return {"group": group, "children": [branch(child) for child in children[group.pk]]}

    kind_order = {kind: index for index, kind in enumerate(CoordinationGroup.Kind.values)}
    roots.sort(key=lambda group: (kind_order[group.kind], group.name))
    return render(
        request, "groups/group_list.html", {"nav": "groups", "tree": [branch(r) for r in roots]}
    )


def _seat(memberships, role):
    return next((membership for membership in memberships if membership.role == role), None)


@dataclass(frozen=True)
class TermsRow:
    """A line of the terms of reference panel: what the rule says, and the group above
    it comes from when the group does not set it itself."""

    label: str
    value: str
    source: CoordinationGroup | None = None


def _endorsement(terms: TermsOfReference) -> str:
    body = terms.endorsed_by.strip()
    # "the" is the sentence's: a body entered with it would read "the the".
    if body.lower().startswith("the "):
        body = body[4:]
    date = formats.date_format(terms.endorsed_on, "DATE_FORMAT") if terms.endorsed_on else ""
    if body and date:
        return _("Endorsed by the %(body)s on %(date)s.") % {"body": body, "date": date}
    if body:
        return _("Endorsed by the %(body)s.") % {"body": body}
    return _("Endorsed on %(date)s.") % {"date": date}


def _quorum(terms: TermsOfReference, member_organisations: int) -> str:
    value = terms.quorum_value or 0
    if terms.quorum_rule == QuorumRule.SHARE:
        if value == 50:
            rule = _("Half of the member organisations (%(share)s%%); observers do not count.") % {
                "share": value
            }
        else:
            rule = _("%(share)s%% of the member organisations; observers do not count.") % {
                "share": value
            }
    else:
        rule = ngettext(
            "%(count)s member organisation; observers do not count.",
            "%(count)s member organisations; observers do not count.",
            value,
        ) % {"count": value}
    needed = terms.quorum_needed(member_organisations)
    if needed is None:
        return rule
    today = ngettext(
        "Today that is %(needed)s of its %(total)s member organisation.",
        "Today that is %(needed)s of its %(total)s member organisations.",
        member_organisations,
    ) % {"needed": needed, "total": member_organisations}
    return f"{rule} {today}"


def _terms_rows(
    group: CoordinationGroup, terms: TermsOfReference, memberships: list[Membership]
) -> list[TermsRow]:
    """The rules of the group's terms (the mandate aside), in words, each with the group
    above it comes from when inherited. `memberships` are the group's current seats."""
    inherited = terms.inherited_from
    rows = []
    if group.reference_code:
        rows.append(TermsRow(_("Reference code"), group.reference_code))
    if terms.endorsed_by or terms.endorsed_on:
        source = inherited.get("endorsed_by") or inherited.get("endorsed_on")
        rows.append(TermsRow(_("Endorsement"), _endorsement(terms), source))
    if terms.notice_period_days is not None:
        days = terms.notice_period_days
        notice = (
            ngettext(
                "At least %(count)s day before the meeting.",
                "At least %(count)s days before the meeting.",
                days,
            )
            % {"count": days}
            if days
            else _("None: a meeting may be called at any time.")
        )
        rows.append(TermsRow(_("Notice period"), notice, inherited.get("notice_period_days")))
    if terms.quorum_rule:
        organisations = {m.organisation_id for m in memberships if m.role in QUORUM_ROLES}
        rows.append(
            TermsRow(_("Quorum"), _quorum(terms, len(organisations)), inherited.get("quorum_rule"))
        )
    if terms.usual_duration_minutes:
        minutes = terms.usual_duration_minutes
        length = ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
        rows.append(TermsRow(_("Usual length"), length, inherited.get("usual_duration_minutes")))
    if terms.usual_venue:
        rows.append(TermsRow(_("Usual place"), terms.usual_venue, inherited.get("usual_venue")))
    if terms.rhythm:
        rows.append(
            TermsRow(_("Meeting rhythm"), str(Rhythm(terms.rhythm).label), inherited.get("rhythm"))
        )
    rows.append(
        TermsRow(
            _("Usual confidentiality"),
            str(Confidentiality(terms.default_confidentiality).label),
            inherited.get("default_confidentiality"),
        )
    )
    reminders = ", ".join(str(day) for day in group.reminder_days or [])
    rows.append(TermsRow(_("Reminders (days before each meeting)"), reminders or _("None")))
    return rows


def _mandate_language(terms: TermsOfReference, language: str) -> str:
    """The language the mandate is shown in: the reader's when it is written in it,
    else English."""
    own = {"ar": terms.mandate_ar, "fr": terms.mandate_fr}.get(language)
    return language if own else "en"


@login_required
@require_GET
def group_detail_page(request, group_id: int):
    user = request.user
    group = group_detail_load(group_get_for_user(user, group_id), children=groups_visible_to(user))
    # The to_attr of group_detail's Prefetch, which its QuerySet return type cannot carry.
    memberships = group.current_memberships  # type: ignore[attr-defined]
    role_order = {role: index for index, role in enumerate(Membership.Role.values)}
    memberships.sort(key=lambda m: (role_order[m.role], m.organisation.name))
    terms = terms_of_reference(group)
    mandate_language = _mandate_language(terms, (get_language() or "en")[:2])
    return render(
        request,
        "groups/group_detail.html",
        {
            "nav": "groups",
            "group": group,
            "terms": terms,
            "terms_rows": _terms_rows(group, terms, memberships),
            "mandate": terms.mandate_in(mandate_language),
            "mandate_language": mandate_language,
            "mandate_source": terms.inherited_from.get(
                {"ar": "mandate_ar", "fr": "mandate_fr"}.get(mandate_language, "mandate")
            ),
            "chair": _seat(memberships, Membership.Role.CHAIR),
            "co_chair": _seat(memberships, Membership.Role.CO_CHAIR),
            "memberships": memberships,
            "children": group.children.all(),
            "can_manage": user_can_manage_group(user, group),
        },
    )


@login_required
def group_terms_edit_page(request, group_id: int):
    """The group's terms of reference, for those who manage the group: a rule left
    empty is inherited from the group above."""
    group = group_get_for_user(request.user, group_id, manage=True)
    form = forms.TermsOfReferenceForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            messages.info(request, _("That form was already sent; nothing was changed twice."))
            return redirect("group-detail", group.pk)
        try:
            services.group_update(group=group, by=request.user, **form.terms())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The terms of reference are saved."))
            return redirect("group-detail", group.pk)
    return render(
        request,
        "groups/terms_form.html",
        {"nav": "groups", "group": group, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def membership_create_page(request, group_id: int):
    group = group_get_for_user(request.user, group_id, manage=True)
    form = forms.MembershipForm(
        request.POST or None,
        organisations=organisations_offered_to(request.user),
        people=people_offered_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            messages.info(request, _("That form was already sent; nothing was changed twice."))
            return redirect("group-detail", group.pk)
        data = form.cleaned_data
        try:
            services.membership_create(
                group=group,
                organisation=data["organisation"],
                role=data["role"],
                seat_holder=data["seat_holder"],
                start_on=data["start_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The organisation is now a member of the group."))
            return redirect("group-detail", group.pk)
    return render(
        request,
        "groups/membership_form.html",
        {"nav": "groups", "group": group, "form": form, "membership": None},
    )


def _membership_for(user: User, membership_id: int) -> Membership:
    """A current seat the user manages; an ended one is history, not edited here."""
    membership = membership_get_for_user(user, membership_id, manage=True)
    if not membership.is_current:
        raise Http404(_("No such membership."))
    return membership


@login_required
def membership_edit_page(request, membership_id: int):
    membership = _membership_for(request.user, membership_id)
    form = forms.MembershipChangeForm(request.POST or None, membership=membership)
    representative_form = forms.RepresentativeForm(membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                role=form.cleaned_data["role"],
                seat_holder=form.cleaned_data["seat_holder"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The membership is updated."))
            return redirect("group-detail", membership.group_id)
    return _membership_page(request, membership, form, representative_form)


def _membership_page(request, membership, form, representative_form, status=200):
    representatives = (
        current_representatives().filter(membership=membership).select_related("person")
    )
    return render(
        request,
        "groups/membership_form.html",
        {
            "nav": "groups",
            "group": membership.group,
            "membership": membership,
            "form": form,
            "representative_form": representative_form,
            "representatives": representatives,
        },
        status=status,
    )


@login_required
@require_POST
def membership_end_page(request, membership_id: int):
    membership = _membership_for(request.user, membership_id)
    try:
        services.membership_end(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s is no longer a member.")
            % {"organisation": membership.organisation},
        )
    return redirect("group-detail", membership.group_id)


@login_required
@require_POST
def representative_add_page(request, membership_id: int):
    membership = _membership_for(request.user, membership_id)
    form = forms.RepresentativeForm(request.POST, membership=membership)
    if form.is_valid():
        if not form_token_claim(request):
            return redirect("membership-edit", membership.pk)
        try:
            services.representative_add(
                membership=membership,
                person=form.cleaned_data["person"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The representative is added."))
            return redirect("membership-edit", membership.pk)
    change_form = forms.MembershipChangeForm(membership=membership)
    return _membership_page(request, membership, change_form, form, status=400)


@login_required
@require_POST
def representative_end_page(request, representative_id: int):
    representative = representative_get_for_user(request.user, representative_id, manage=True)
    membership = representative.membership
    try:
        services.representative_end(representative=representative, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The representation has ended."))
    return redirect("membership-edit", membership.pk)


# --- The directory of organisations and people ----------------------------------------


def _search(request) -> str:
    return request.GET.get("q", "").strip()[:100]


@login_required
@require_GET
def organisation_list_page(request):
    query = _search(request)
    organisations = organisation_search(queryset=organisations_visible_to(request.user), text=query)
    page = paginate(request, organisation_list(queryset=organisations))
    return render(
        request,
        "groups/directory/organisation_list.html",
        {"nav": "directory", "page": page, "q": query, "query": query_without_page(request)},
    )


@login_required
@require_GET
def organisation_detail_page(request, organisation_id: int):
    user = request.user
    organisation = organisation_get_for_user(user, organisation_id)
    people = list(
        person_list(
            queryset=people_visible_to(user, with_contact_details=True).filter(
                organisation=organisation
            )
        )
    )
    memberships = organisation_seats(
        queryset=memberships_visible_to(user), organisation=organisation
    )
    return render(
        request,
        "groups/directory/organisation_detail.html",
        {
            "nav": "directory",
            "organisation": organisation,
            "people": people,
            "contact_visible": contact_details_visible_to(user, people),
            "memberships": memberships,
        },
    )


@login_required
@require_GET
def person_list_page(request):
    user = request.user
    query = _search(request)
    people = person_search(
        queryset=people_visible_to(user, with_contact_details=True),
        text=query,
        contact_details_of=people_with_contact_details_visible_to(user),
    )
    page = paginate(request, person_list(queryset=people))
    return render(
        request,
        "groups/directory/person_list.html",
        {
            "nav": "directory",
            "page": page,
            "contact_visible": contact_details_visible_to(user, page.object_list),
            "q": query,
            "query": query_without_page(request),
        },
    )


def _person_page(request, person, form, status=200, time_zone_form=None):
    user = request.user
    is_self = person.user_id is not None and person.user_id == user.pk
    if is_self and time_zone_form is None:
        time_zone_form = forms.TimeZoneForm(current=person.time_zone)
    return render(
        request,
        "groups/directory/person_detail.html",
        {
            "nav": "directory",
            "person": person,
            "contact_visible": contact_details_visible_to(user, [person]),
            "form": form if user_can_set_contact_visibility(user, person) else None,
            "is_self": is_self,
            # Only the person chooses the zone of their own pages (the admin aside).
            "time_zone_form": time_zone_form if is_self else None,
        },
        status=status,
    )


@login_required
@require_GET
def person_detail_page(request, person_id: int):
    person = person_get_for_user(request.user, person_id)
    form = forms.ContactVisibilityForm(initial={"contact_visibility": person.contact_visibility})
    return _person_page(request, person, form)


@login_required
@require_GET
def person_me_page(request):
    """The signed-in person's own entry, where they choose who sees their details."""
    person = user_person(request.user)
    if person is None:
        raise Http404(_("Your login is not linked to a person."))
    return redirect("person-detail", person.pk)


@login_required
@require_POST
def person_contact_visibility_page(request, person_id: int):
    person = person_get_for_user(request.user, person_id, set_contact_visibility=True)
    form = forms.ContactVisibilityForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, form, status=400)
    try:
        person_contact_visibility_set(
            person=person,
            visibility=form.cleaned_data["contact_visibility"],
            by=request.user,
        )
    except ValidationError as error:
        service_error_onto_form(form, error)
        return _person_page(request, person, form, status=400)
    messages.success(request, _("Saved: who sees the contact details."))
    return redirect("person-detail", person.pk)


@login_required
@require_POST
def person_time_zone_page(request):
    """The signed-in person chooses the zone their pages show meeting times in."""
    person = user_person(request.user)
    if person is None:
        raise Http404(_("Your login is not linked to a person."))
    form = forms.TimeZoneForm(request.POST, current=person.time_zone)
    visibility_form = forms.ContactVisibilityForm(
        initial={"contact_visibility": person.contact_visibility}
    )
    if not form.is_valid():
        return _person_page(request, person, visibility_form, 400, time_zone_form=form)
    try:
        person_time_zone_set(
            person=person, time_zone=form.cleaned_data["time_zone"], by=request.user
        )
    except ValidationError as error:
        service_error_onto_form(form, error)
        return _person_page(request, person, visibility_form, 400, time_zone_form=form)
    messages.success(request, _("Saved: the time zone of your pages."))
    return redirect("person-detail", person.pk)

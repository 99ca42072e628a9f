from django.urls import path

from groups import views

urlpatterns = [
    path("groups/", views.group_list_page, name="group-list"),
    path("groups/<int:group_id>/", views.group_detail_page, name="group-detail"),
    path("groups/<int:group_id>/terms/", views.group_terms_edit_page, name="group-terms-edit"),
    path(
        "groups/<int:group_id>/memberships/new/",
        views.membership_create_page,
        name="membership-create",
    ),
    path("memberships/<int:membership_id>/", views.membership_edit_page, name="membership-edit"),
    path("memberships/<int:membership_id>/end/", views.membership_end_page, name="membership-end"),
    path(
        "memberships/<int:membership_id>/representatives/",
        views.representative_add_page,
        name="representative-add",
    ),
    path(
        "representatives/<int:representative_id>/end/",
        views.representative_end_page,
        name="representative-end",
    ),
    path("directory/", views.organisation_list_page, name="organisation-list"),
    path(
        "directory/organisations/<int:organisation_id>/",
        views.organisation_detail_page,
        name="organisation-detail",
    ),
    path("directory/people/", views.person_list_page, name="person-list"),
    path("directory/people/me/", views.person_me_page, name="person-me"),
    path("directory/people/me/time-zone/", views.person_time_zone_page, name="person-time-zone"),
    path("directory/people/<int:person_id>/", views.person_detail_page, name="person-detail"),
    path(
        "directory/people/<int:person_id>/contact-visibility/",
        views.person_contact_visibility_page,
        name="person-contact-visibility",
    ),
]
